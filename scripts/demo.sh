#!/usr/bin/env bash
# Copyright (c) 2026 csoft.sms contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The csoft.sms demo on a fresh machine: starts the vendor simulator (HTTPS,
# primary and secondary, on 127.0.0.1), then runs playbooks/demo.yml (account
# figures, fail-over, a passing credit gate) and
# playbooks/demo_gate_low_credit.yml (a gate that stops a deployment), with the
# notification callback csoft.sms.sms_notify enabled: it texts on-call about
# the failed run, and the demo reads that SMS back from the simulator. Then it
# shows the Event-Driven Ansible event source csoft.sms.credit_watch for a few seconds, then its credit
# runway (runway_low while the credit falls by the same step at each poll). Last, two-way SMS:
# playbooks/demo_approve_by_sms.yml asks on-call "Deploy build 42 to prod?" and waits with
# csoft.sms.csoft_sms_inbox for the YES the demo sends about 2 s later (the play, and the demo, fail
# without it), and the event source csoft.sms.sms_inbox turns an ACK from on-call into a command
# event and the same ACK from a stranger into an event without one.
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
reply_pid=
cleanup() {
    [ -z "$reply_pid" ] || kill "$reply_pid" 2>/dev/null || true
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

echo
echo "=== 5. two-way SMS: approve by SMS, and reply to act ==="
echo "Approve by SMS: playbooks/demo_approve_by_sms.yml asks on-call, waits for the answer with csoft.sms.csoft_sms_inbox"
echo "(polling every 0.5 s, for the simulator only) and deploys only on a yes; on-call answers YES about 2 s after the question."
# On-call, played by the test support in the background: once the simulator has accepted the question, it queues the
# answer YES, collectable 2 s later. (Python itself in the background, so that cleanup's kill reaches it.)
"$VENV/bin/python" tests/support/cli.py reply "$work/sim" 447700900123 YES --after "Deploy build 42" --delay 2 --timeout 60 &
reply_pid=$!
# Fails (and so does the demo) when no yes from on-call arrives within the play's 30 s.
ansible-playbook playbooks/demo_approve_by_sms.yml -e "@$work/vars.json"
wait "$reply_pid"
reply_pid=
question=$(support messages "$work/sim" | grep -F "Deploy build 42" || true)
if [ -z "$question" ]; then
    echo "demo: ERROR: the simulator received no question" >&2
    exit 1
fi
echo "demo: the question, as the simulator received it (the answer that approved the deployment is in the play's \"approved by\" line above):"
echo "  $question"
echo
echo "Reply to act: the event source csoft.sms.sms_inbox, polling every 0.5 s (for the simulator only), with on-call as its"
echo "one allowed sender and the commands ACK and ROLLBACK:"
"$VENV/bin/python" scripts/lib/sms_inbox_demo.py "$work/vars.json"
echo "demo: extensions/eda/rulebooks/sms_inbox.yml answers such an ACK by texting the sender back \"acknowledged by 447700900123\" (playbooks/sms_inbox_ack.yml)."
