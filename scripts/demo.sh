#!/usr/bin/env bash
# Copyright (c) 2026 csoft.sms contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The csoft.sms demo on a fresh machine: starts the vendor simulator (HTTPS,
# primary and secondary, on 127.0.0.1), then runs playbooks/demo.yml (account
# figures, fail-over, a passing credit gate) and
# playbooks/demo_gate_low_credit.yml (a gate that stops a deployment), with the
# notification callback csoft.sms.sms_notify enabled: it texts on-call about
# the failed run, and the demo reads that SMS back from the simulator. Last, it
# shows the Event-Driven Ansible event source csoft.sms.credit_watch for a few seconds, then its credit
# runway (runway_low while the credit falls by the same step at each poll).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/venv.sh
. scripts/lib/venv.sh

VENV=${CSOFT_VENV:-.venv}
csoft_venv "$VENV" demo -r tests/requirements.txt -c tests/constraints.txt
VENV=$(cd "$VENV" && pwd)

work=$(mktemp -d)
# The test support's CLI (tests/support/cli.py): the simulator in the background, the environment of ansible-playbook.
support() { "$VENV/bin/python" tests/support/cli.py "$@"; }
cleanup() {
    support stop "$work/sim" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# This checkout as the collection csoft.sms, for ansible-playbook: a link kept outside the checkout, so that
# the paths a failed task's "Origin:" shows still exist after the demo.
collections=$(csoft_collections)

# The simulator's URLs, its CA and a URL where nothing listens, as extra vars csoft_demo_*.
support start "$work/sim" --tls --prefix csoft_demo_ >"$work/vars.json" || { echo "demo: the simulator did not start" >&2; exit 1; }

# Credentials as a user would keep them: in the environment (CSOFT_USERNAME, CSOFT_PIN), not in the playbook.
environment=$(support env "$collections" "$work" --color --credentials \
    --set ANSIBLE_LOCALHOST_WARNING=false --set ANSIBLE_INVENTORY_UNPARSED_WARNING=false)
eval "$environment"

echo "=== 1. account figures, fail-over and a passing credit gate ==="
ansible-playbook playbooks/demo.yml -e "@$work/vars.json"

echo
echo "=== 2. a credit gate the account does not meet (this play is meant to fail), with the callback csoft.sms.sms_notify ==="
# The callback is enabled for this run only; it reads its options from the environment (or ansible.cfg).
endpoints=$("$VENV/bin/python" -c 'import json, sys; v = json.load(open(sys.argv[1])); print(v["csoft_demo_primary"] + "," + v["csoft_demo_secondary"])' "$work/vars.json")
if ANSIBLE_CALLBACKS_ENABLED=csoft.sms.sms_notify CSOFT_NOTIFY_TO=447700900123 CSOFT_ENDPOINTS=$endpoints CSOFT_CA_PATH=$work/sim/ca.pem \
    ansible-playbook playbooks/demo_gate_low_credit.yml -e "@$work/vars.json"; then
    echo "demo: ERROR: the low-credit gate let the deployment through" >&2
    exit 1
fi
echo
echo "demo: the credit gate stopped the deployment before it started, as it should."
echo "demo: the SMS the callback sent to on-call, as the simulator received it:"
sms=$(support messages "$work/sim" | tail -n 1)
if [ -z "$sms" ]; then
    echo "demo: ERROR: the callback sent no SMS about the failed run" >&2
    exit 1
fi
echo "  $sms"

echo
echo "=== 3. the credit watch (Event-Driven Ansible) ==="
echo "The event source csoft.sms.credit_watch, polling every 0.5 s (an interval allowed for the simulator only):"
"$VENV/bin/python" scripts/lib/credit_watch_demo.py "$work/vars.json"
echo "demo: a rulebook acts on these events, e.g. extensions/eda/rulebooks/credit_watch.yml texts the on-call number on credit_low."

echo
echo "=== 4. the credit runway: how long the credit lasts at the current rate ==="
echo "The same source with min_runway, polling every 0.25 s over a window of 14.4 s (for the simulator only):"
"$VENV/bin/python" scripts/lib/credit_watch_demo.py "$work/vars.json" runway
echo "demo: extensions/eda/rulebooks/credit_watch.yml texts finance on runway_low: \"credit lasts about N hours at the current rate\"."
