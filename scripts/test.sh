#!/usr/bin/env bash
# Copyright (c) 2026 csoft.sms contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The whole csoft.sms test suite, as CI runs it (.ci/run calls this script).
#
#   bash scripts/test.sh           everything: ruff, pytest on ansible-core 2.19 and 2.16,
#                                  every release gate (scripts/lib/gates.sh all), the demo
#                                  and a benchmark smoke run
#   bash scripts/test.sh --quick   ruff and the pytest suite on the newest ansible-core only
#
# Venvs: .venv (newest ansible-core + gate tools, pinned by tests/constraints.txt)
# and .venv-2.16 (the oldest supported ansible-core). Override with CSOFT_VENV /
# CSOFT_VENV_OLDEST. Extra pytest arguments: CSOFT_PYTEST_ARGS.
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

# shellcheck disable=SC2317  # called through step
pytest_in() {
    local venv=$1 extra=()
    shift
    read -r -a extra <<<"${CSOFT_PYTEST_ARGS:-}"
    # pytest exits 5 when it collected nothing: that is a failure here, never a pass.
    "$venv/bin/python" -m pytest -p no:cacheprovider "${extra[@]}" "$@"
}

step "prepare $VENV" csoft_venv "$VENV" test -r tests/dev-requirements.txt -r tests/requirements.txt -c tests/constraints.txt
step "ruff" bash scripts/lib/gates.sh ruff
step "pytest, ansible-core $("$VENV/bin/python" -c 'import ansible; print(ansible.__version__)')" \
    pytest_in "$VENV" tests/unit tests/functional
if [ "$quick" = 0 ]; then
    # On the oldest ansible-core: everything that runs Ansible (the client's own unit tests and the
    # simulator's do not depend on the ansible-core version, and ran above).
    step "prepare $OLDEST" csoft_venv "$OLDEST" oldest 'ansible-core>=2.16,<2.17' -r tests/requirements.txt -c "$(oldest_constraints)"
    # Sequential on purpose: beside the release gates, the oldest ansible-core's suite (200 hosts, 50 forks)
    # slowed timing-sensitive tests on 2 cores (measured on a busy machine: a 5 s deadline test and the 200-host test).
    step "pytest, ansible-core $("$OLDEST/bin/python" -c 'import ansible; print(ansible.__version__)' 2>/dev/null || echo 2.16)" \
        pytest_in "$OLDEST" tests/unit/plugins/plugin_utils tests/functional
    step "release gates" bash scripts/lib/gates.sh all
    step "event source (tests/eda)" bash scripts/lib/eda.sh
    # The README's first command must keep working too.
    step "demo (scripts/demo.sh)" env CSOFT_VENV="$VENV" bash scripts/demo.sh
    step "benchmark smoke run" "$VENV/bin/python" benchmarks/run.py --smoke
fi

echo
echo "=== summary ($(($(date +%s) - started)) s) ==="
printf '%s\n' "${summary[@]}"
exit "$failed"
