#!/usr/bin/env bash
# Copyright (c) 2026 csoft.sms contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The csoft.sms demo on a fresh machine: starts the vendor simulator (HTTPS,
# primary and secondary, on 127.0.0.1), then runs playbooks/demo.yml (account
# figures, fail-over, a passing credit gate) and
# playbooks/demo_gate_low_credit.yml (a gate that stops a deployment).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/venv.sh
. scripts/lib/venv.sh

VENV=${CSOFT_VENV:-.venv}
csoft_venv "$VENV" demo -r tests/requirements.txt -c tests/constraints.txt
VENV=$(cd "$VENV" && pwd)

work=$(mktemp -d)
sim_pid=
cleanup() {
    [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# This checkout as the collection csoft.sms, for ansible-playbook.
mkdir -p "$work/collections/ansible_collections/csoft"
ln -s "$PWD" "$work/collections/ansible_collections/csoft/sms"

"$VENV/bin/python" tests/simulator/csoft_simulator.py --tls --port 0 --secondary-port 0 \
    --ready-file "$work/ready.json" --ca-out "$work/ca.pem" &
sim_pid=$!
for _ in $(seq 100); do
    [ -s "$work/ready.json" ] && break
    sleep 0.1
done
[ -s "$work/ready.json" ] || { echo "demo: the simulator did not start" >&2; exit 1; }

"$VENV/bin/python" - "$work" <<'PY'
import json, socket, sys
work = sys.argv[1]
ready = json.load(open(f"{work}/ready.json"))
sock = socket.socket()
sock.bind(("127.0.0.1", 0))
dead = f"https://127.0.0.1:{sock.getsockname()[1]}/sendsms5"  # nothing listens here once closed
sock.close()
json.dump(
    {"csoft_demo_primary": ready["primary"], "csoft_demo_secondary": ready["secondary"],
     "csoft_demo_dead": dead, "csoft_demo_ca": f"{work}/ca.pem"},
    open(f"{work}/vars.json", "w"),
)
PY

# Credentials as a user would keep them: in the environment, not in the playbook.
export CSOFT_USERNAME=ANother.123456
export CSOFT_PIN=Sim7PinQx42Zr9Lk
export ANSIBLE_COLLECTIONS_PATH="$work/collections"
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export ANSIBLE_PYTHON_INTERPRETER="$VENV/bin/python"
export ANSIBLE_HOME="$work/ansible-home"
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
PATH="$VENV/bin:$PATH"

echo "=== 1. account figures, fail-over and a passing credit gate ==="
ansible-playbook playbooks/demo.yml -e "@$work/vars.json"

echo
echo "=== 2. a credit gate the account does not meet (this play is meant to fail) ==="
if ansible-playbook playbooks/demo_gate_low_credit.yml -e "@$work/vars.json"; then
    echo "demo: ERROR: the low-credit gate let the deployment through" >&2
    exit 1
fi
echo
echo "demo: the credit gate stopped the deployment before it started, as it should."
