#!/usr/bin/env bash
# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A script target, not a role target: a role target named credit_gate would run the
# collection's role csoft.sms.credit_gate instead of these tests (the collection is the
# default collection of playbooks inside it). The playbooks start the simulator with the
# role setup_csoft_simulator; this script stops it on exit whatever happened.
set -eux

export ANSIBLE_ROLES_PATH=../
WORKDIR=$(mktemp -d "${OUTPUT_DIR:-/tmp}/credit_gate.XXXXXX")
SIMCTL=../setup_csoft_simulator/files/simctl.py
PYTHON=$(command -v python || command -v python3)

cleanup() {
    for dir in "$WORKDIR"/pass "$WORKDIR"/fail; do
        "$PYTHON" "$SIMCTL" stop "$dir" 10 || true
    done
    rm -rf "$WORKDIR"
}
trap cleanup EXIT
mkdir "$WORKDIR/pass" "$WORKDIR/fail"

# 1. the role's behaviour, and the fact on every host
ansible-playbook -i "$INVENTORY_PATH" gate.yml -e setup_csoft_simulator_workdir="$WORKDIR/pass" "$@"

# 2. a gate below its threshold fails the play before the deployment step
rc=0
ansible-playbook -i "$INVENTORY_PATH" gate_fails_play.yml -e setup_csoft_simulator_workdir="$WORKDIR/fail" "$@" \
    >"$WORKDIR/fail.out" 2>&1 || rc=$?
cat "$WORKDIR/fail.out"
[ "$rc" = 2 ] || { echo "expected ansible-playbook to fail with rc 2, got $rc"; exit 1; }
grep -q 'csoft credit 2.8950 GBP is below the required 10.0000 GBP' "$WORKDIR/fail.out"
if grep -q 'Deploy step' "$WORKDIR/fail.out" || compgen -G "$WORKDIR/fail/deployed-*" >/dev/null; then
    echo "the deployment step ran after a failed gate"
    exit 1
fi
echo "credit_gate: all checks passed"
