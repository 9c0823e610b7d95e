#!/usr/bin/env bash
# Copyright (c) 2026 csoft.sms contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The whole csoft.sms test suite, as CI runs it (.ci/run calls this script).
#
#   bash scripts/test.sh           everything: ruff, pytest on ansible-core 2.19 and 2.16,
#                                  the event source's tests (scripts/lib/eda.sh), every release gate (scripts/lib/gates.sh all), the demo
#                                  and a benchmark smoke run
#   bash scripts/test.sh --quick   ruff and the pytest suites (tests/unit, tests/functional) on the newest
#                                  ansible-core only
#
# Venvs: .venv (newest ansible-core + gate tools, pinned by tests/constraints.txt)
# .venv-2.16 (the oldest supported ansible-core) and .venv-eda (ansible-rulebook). Override with CSOFT_VENV /
# CSOFT_VENV_OLDEST / CSOFT_VENV_EDA. Extra pytest arguments: CSOFT_PYTEST_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/venv.sh
. scripts/lib/venv.sh

quick=0
[ "${1:-}" = --quick ] && quick=1

VENV=${CSOFT_VENV:-.venv}
OLDEST=${CSOFT_VENV_OLDEST:-.venv-2.16}
# absolute paths: the gates run tools from the venv after changing directory
case $VENV in /*) ;; *) VENV=$PWD/$VENV ;; esac
case $OLDEST in /*) ;; *) OLDEST=$PWD/$OLDEST ;; esac
export CSOFT_GATE_VENV=${CSOFT_GATE_VENV:-$VENV}
started=$(date +%s)
summary=()
failed=0

step() {
    local name=$1 t0 rc
    shift
    echo
    echo "=== $name ==="
    t0=$(date +%s)
    set +e
    "$@"
    rc=$?
    set -e
    if [ "$rc" = 0 ]; then
        summary+=("PASS $name ($(($(date +%s) - t0)) s)")
    else
        summary+=("FAIL $name ($(($(date +%s) - t0)) s, exit $rc)")
        failed=1
    fi
}

oldest_constraints() {
    # the pins of tests/constraints.txt without ansible-core, which the oldest venv chooses itself
    mkdir -p tests/output
    grep -v '^ansible-core' tests/constraints.txt >tests/output/constraints-oldest.txt
    echo tests/output/constraints-oldest.txt
}

core_version() {
    "$1/bin/python" -c 'import ansible; print(ansible.__version__)' 2>/dev/null || echo "of $1"
}

# shellcheck disable=SC2317  # called through step
wait_for() {
    # wait for a background job; show its log when it failed
    local rc=0
    wait "$1" || rc=$?
    [ "$rc" = 0 ] || cat "$2"
    return "$rc"
}

# shellcheck disable=SC2317  # called through step
pytest_in() {
    local venv=$1 extra=()
    shift
    read -r -a extra <<<"${CSOFT_PYTEST_ARGS:-}"
    # pytest exits 5 when it collected nothing: that is a failure here, never a pass.
    "$venv/bin/python" -m pytest -p no:cacheprovider "${extra[@]}" "$@"
}

step "prepare $VENV" csoft_venv "$VENV" test -r tests/dev-requirements.txt -r tests/requirements.txt -c tests/constraints.txt
if [ "$quick" = 0 ]; then
    # The oldest ansible-core's venv is prepared (pip, mostly waiting on the network) while the newest's suite runs.
    mkdir -p tests/output
    oldest_log=tests/output/prepare-oldest.log
    csoft_venv "$OLDEST" oldest 'ansible-core>=2.16,<2.17' -r tests/requirements.txt -c "$(oldest_constraints)" >"$oldest_log" 2>&1 &
    oldest_pid=$!
    # So is the event source's venv (ansible-rulebook, kept out of .venv).
    eda_log=tests/output/prepare-eda.log
    bash scripts/lib/eda.sh --prepare >"$eda_log" 2>&1 &
    eda_pid=$!
fi
step "ruff" bash scripts/lib/gates.sh ruff
# The functional tests run ansible-playbook: two pytest workers keep both cores busy. --dist loadscope keeps a
# module's tests (and its module-scoped fixtures, such as the hostile run) on one worker.
if [ "$quick" = 1 ]; then
    step "pytest, ansible-core $(core_version "$VENV")" pytest_in "$VENV" -n 2 --dist loadscope tests/unit tests/functional
else
    # tests/unit is not run here: the release gate "units" (ansible-test units, same ansible-core) runs all of it.
    step "pytest tests/functional, ansible-core $(core_version "$VENV")" pytest_in "$VENV" -n 2 --dist loadscope tests/functional
    step "prepare $OLDEST" wait_for "$oldest_pid" "$oldest_log"
    # On the oldest ansible-core: everything that runs Ansible, except the scale tests (marked "scale": the
    # simulator and the client under 200 concurrent hosts, which do not depend on the ansible-core version).
    step "pytest, ansible-core $(core_version "$OLDEST")" \
        pytest_in "$OLDEST" -n 2 --dist loadscope -m "not scale" tests/unit/plugins/plugin_utils tests/functional
    step "prepare the event source's venv" wait_for "$eda_pid" "$eda_log"
    step "event source (tests/eda, ansible-rulebook)" bash scripts/lib/eda.sh
    step "release gates" bash scripts/lib/gates.sh all
    # The README's first command must keep working too.
    step "demo (scripts/demo.sh)" env CSOFT_VENV="$VENV" bash scripts/demo.sh
    step "benchmark smoke run" "$VENV/bin/python" benchmarks/run.py --smoke
fi

echo
echo "=== summary ($(($(date +%s) - started)) s) ==="
printf '%s\n' "${summary[@]}"
exit "$failed"
