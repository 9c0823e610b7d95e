#!/usr/bin/env bash
# Copyright (c) 2026 csoft.sms contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The whole csoft.sms test suite, as CI runs it (.ci/run calls this script).
#
#   bash scripts/test.sh           everything: ruff; the functional suite on ansible-core 2.16 and 2.21 (on 2.19
#                                  its callback, runner and deprecation tests); ansible-test sanity and units
#                                  on 2.19 and 2.21, integration on 2.19; the event source's tests
#                                  (scripts/lib/eda.sh); every release gate (scripts/lib/gates.sh); the demo
#                                  and a benchmark smoke run
#   bash scripts/test.sh --quick   ruff and the pytest suites (tests/unit, tests/functional) on 2.19 only
#
# Venvs: .venv (ansible-core 2.19 and the test suite's requirements, pinned by tests/constraints.txt; with
# --quick also the gate tools), .venv-gates (the gate tools, tests/dev-requirements.txt), .venv-2.16 (the oldest
# supported ansible-core), .venv-eda (ansible-rulebook) and the newest ansible-core (2.21, Python 3.12+:
# scripts/lib/newest.sh, a Debian 13 root where the machine has Python 3.11). Override them with CSOFT_VENV /
# CSOFT_GATE_VENV / CSOFT_VENV_OLDEST / CSOFT_VENV_EDA. Extra pytest arguments: CSOFT_PYTEST_ARGS.
#
# Each step ends with one line: PASS|FAIL, its time, and its passed/skipped/failed counts with the reason of
# every skip (scripts/lib/step_counts.py); its output is also in tests/output/steps/. Environments are
# prepared in the background from the start, and the newest ansible-core's ansible-test runs beside the
# release gates: a "prepare" step tells how long the preparation took and how long the suite waited for it.
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
if [ "$quick" = 1 ]; then
    GATES=${CSOFT_GATE_VENV:-$VENV}
else
    GATES=${CSOFT_GATE_VENV:-.venv-gates}
fi
case $GATES in /*) ;; *) GATES=$PWD/$GATES ;; esac
export CSOFT_GATE_VENV=$GATES
started=$(date +%s)
summary=()
failed=0
STEPS=tests/output/steps
rm -rf "$STEPS"
mkdir -p "$STEPS"
COUNTS_PYTHON=$(command -v python3 || command -v python)

# with_cpu FILE CMD...: run CMD in a subshell; write the CPU seconds (user + system) it and its children used to
# FILE (bash's times, in that subshell: nothing else's CPU counts).
with_cpu() {
    local file=$1
    shift
    (
        rc=0
        "$@" || rc=$?
        times >"$file"
        exit "$rc"
    )
}

cpu_of() {
    # the seconds in a file written by with_cpu, e.g. "0m1.50s 0m0.20s" and "1m2.00s 0m3.00s" give 67
    awk '{ for (i = 1; i <= NF; i++) { split($i, t, /[ms]/); total += t[1] * 60 + t[2] } } END { printf "%d", total }' "$1" 2>/dev/null || echo "?"
}

# The step's line for the summary: PASS|FAIL, name, time, counts from its logs.
record() {
    local name=$1 rc=$2 time=$3 counts
    shift 3
    counts=$("$COUNTS_PYTHON" scripts/lib/step_counts.py --rc "$rc" "$@" 2>/dev/null || echo "counts unknown")
    if [ "$rc" = 0 ]; then
        summary+=("PASS $name ($time): $counts")
    else
        summary+=("FAIL $name ($time, exit $rc): $counts")
        failed=1
    fi
    echo "--- ${summary[-1]}"
}

slug() { printf '%s' "$1" | tr -c 'A-Za-z0-9.' '-' | cut -c1-60; }

# step NAME CMD...: run in the foreground; the output is shown and kept in tests/output/steps/.
# STEP_LOGS (optional): more logs to count from (a gate's own log).
step() {
    local name=$1 t0 rc log
    shift
    echo
    echo "=== $name ==="
    log=$STEPS/$(slug "$name").log
    t0=$(date +%s)
    set +e
    with_cpu "$log.cpu" "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    record "$name" "$rc" "$(($(date +%s) - t0)) s, CPU $(cpu_of "$log.cpu") s" "$log" "${STEP_LOGS[@]}"
}

# in_background ID CMD...: start CMD now; its output goes to tests/output/steps/ID.log, its own time to ID.time.
declare -A bg_pid
in_background() {
    local id=$1
    shift
    (
        t0=$(date +%s)
        rc=0
        with_cpu "$STEPS/$id.cpu" "$@" >"$STEPS/$id.log" 2>&1 || rc=$?
        echo "$(($(date +%s) - t0))" >"$STEPS/$id.time"
        exit "$rc"
    ) &
    bg_pid[$id]=$!
}

# background_step NAME ID [show]: wait for a job started by in_background; its line gives its own time and the
# wait. Its log is shown when it failed, or always with "show" (a test suite's output).
background_step() {
    local name=$1 id=$2 show=${3:-} t0 rc=0 waited
    echo
    echo "=== $name ==="
    t0=$(date +%s)
    wait "${bg_pid[$id]}" || rc=$?
    waited=$(($(date +%s) - t0))
    if [ -n "$show" ] || [ "$rc" != 0 ]; then cat "$STEPS/$id.log"; fi
    record "$name" "$rc" "$(cat "$STEPS/$id.time" 2>/dev/null || echo '?') s in the background, CPU $(cpu_of "$STEPS/$id.cpu") s, waited $waited s" "$STEPS/$id.log"
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

# shellcheck disable=SC2317,SC2329  # called through step
pytest_in() {
    local venv=$1 extra=()
    shift
    read -r -a extra <<<"${CSOFT_PYTEST_ARGS:-}"
    # pytest exits 5 when it collected nothing: that is a failure here, never a pass. -rs: every skip's reason.
    "$venv/bin/python" -m pytest -p no:cacheprovider -rs "${extra[@]}" "$@"
}

# shellcheck disable=SC2317,SC2329  # called through in_background
newest_ansible_test() {
    # ansible-test sanity, then units, on the newest ansible-core: a log, a time and an exit status each
    local command rc t0
    for command in sanity units; do
        t0=$(date +%s)
        rc=0
        with_cpu "$STEPS/newest-$command.cpu" bash scripts/lib/newest.sh "$command" >"$STEPS/newest-$command.log" 2>&1 || rc=$?
        echo "$(($(date +%s) - t0))" >"$STEPS/newest-$command.time"
        echo "$rc" >"$STEPS/newest-$command.rc"
    done
}

# shellcheck disable=SC2317,SC2329  # called through step
demo() {
    # the demo, then every file a failed task's "Origin:" pointed at must still exist (the demo's temporary
    # directory is gone by then)
    local out=$STEPS/demo-output.log origin rc=0
    env CSOFT_VENV="$VENV" bash scripts/demo.sh 2>&1 | tee "$out" || return 1
    while read -r origin; do
        [ -e "$origin" ] || { echo "test.sh: the demo showed the Origin $origin, which no longer exists"; rc=1; }
    done < <(sed 's/\x1b\[[0-9;]*m//g' "$out" | sed -n 's/^Origin: \(.*\):[0-9]*:[0-9]*$/\1/p' | sort -u)
    return "$rc"
}

gate() {
    local gate=$1 label=${2:-$1}
    STEP_LOGS=("tests/output/gates/$gate.log")
    step "$label" bash scripts/lib/gates.sh "$gate"
    STEP_LOGS=()
}
STEP_LOGS=()

if [ "$quick" = 0 ]; then
    # Prepared in the background from the start (pip and debootstrap mostly wait on the network):
    # the oldest ansible-core's venv, the event source's venv (ansible-rulebook, kept out of .venv) and the
    # newest ansible-core's environment.
    in_background prepare-oldest csoft_venv "$OLDEST" oldest 'ansible-core>=2.16,<2.17' \
        -r tests/requirements.txt -c "$(oldest_constraints)"
    in_background prepare-eda bash scripts/lib/eda.sh --prepare
    in_background prepare-newest bash scripts/lib/newest.sh --prepare
fi
if [ "$quick" = 1 ]; then
    step "prepare $VENV" csoft_venv "$VENV" test -r tests/dev-requirements.txt -r tests/requirements.txt -c tests/constraints.txt
    step "ruff" bash scripts/lib/gates.sh ruff
else
    # The gate tools (the larger download) are prepared in the background too; the suites start sooner.
    in_background prepare-gates csoft_venv "$GATES" gates -r tests/dev-requirements.txt -r tests/requirements.txt -c tests/constraints.txt
    step "prepare $VENV" csoft_venv "$VENV" suite -r tests/requirements.txt -c tests/constraints.txt
fi
# The functional tests run ansible-playbook: two pytest workers keep both cores busy. --dist loadscope keeps a
# module's tests (and its module-scoped fixtures, such as the hostile run) on one worker.
if [ "$quick" = 1 ]; then
    step "pytest, ansible-core $(core_version "$VENV")" pytest_in "$VENV" -n 2 --dist loadscope tests/unit tests/functional
else
    # tests/unit is not run here: ansible-test units (the gate "units", and on the newest core) runs all of it.
    # The whole functional suite runs on the oldest (2.16) and the newest (2.21) ansible-core, the two ends of
    # what is supported; 2.19, which shares 2.21's templating, runs ansible-test sanity, units and
    # integration, the demo and the benchmarks, and here the functional tests of what differs between 2.19
    # and 2.21 (the callback's task results, ansible-runner, deprecation warnings). Each test runs on at least
    # two ansible-core versions; nothing runs three times. The scale tests (marker "scale": the simulator and
    # the client under 200 concurrent hosts, which do not depend on the ansible-core version) run on the
    # newest ansible-core only.
    step "pytest tests/functional (callback, runner, deprecations), ansible-core $(core_version "$VENV")" \
        pytest_in "$VENV" -n 2 --dist loadscope -m "not scale" tests/functional/test_notify_playbook.py \
        tests/functional/test_notify_bounds.py tests/functional/test_runner_example.py tests/functional/test_environment.py
    # The oldest next: its venv is ready sooner than the newest's root on a machine that has neither.
    background_step "prepare $OLDEST" prepare-oldest
    step "pytest, ansible-core $(core_version "$OLDEST")" \
        pytest_in "$OLDEST" -n 2 --dist loadscope -m "not scale" tests/unit/plugins/plugin_utils tests/functional
    background_step "prepare the newest ansible-core (scripts/lib/newest.sh)" prepare-newest
    newest=$(bash scripts/lib/newest.sh --describe 2>/dev/null || echo "the newest ansible-core")
    step "pytest tests/functional, $newest" bash scripts/lib/newest.sh functional -rs
    # Its ansible-test sanity and units run beside what follows (mostly one core each).
    in_background newest-ansible-test newest_ansible_test
    background_step "prepare the event source's venv" prepare-eda
    step "event source (tests/eda, ansible-rulebook)" bash scripts/lib/eda.sh -rs
    # The release gates, one step each.
    background_step "prepare $GATES" prepare-gates
    for name in $(bash scripts/lib/gates.sh list); do
        case $name in
        ruff) gate ruff ruff ;;
        sanity | units) gate "$name" "ansible-test $name, ansible-core $(core_version "$GATES")" ;;
        *) gate "$name" "gate $name" ;;
        esac
    done
    # The README's first command must keep working too.
    step "demo (scripts/demo.sh)" demo
    step "benchmark smoke run" "$VENV/bin/python" benchmarks/run.py --smoke
    echo
    echo "=== ansible-test on $newest ==="
    t0=$(date +%s)
    wait "${bg_pid[newest-ansible-test]}" || true
    waited=$(($(date +%s) - t0))
    for command in sanity units; do
        echo
        echo "=== ansible-test $command, $newest ==="
        cat "$STEPS/newest-$command.log"
        record "ansible-test $command, $newest" "$(cat "$STEPS/newest-$command.rc" 2>/dev/null || echo 1)" \
            "$(cat "$STEPS/newest-$command.time" 2>/dev/null || echo '?') s in the background, CPU $(cpu_of "$STEPS/newest-$command.cpu") s, waited $waited s" \
            "$STEPS/newest-$command.log"
    done
fi

echo
# the CPU time of every process this run started and waited for (user + system), beside the wall time
times >"$STEPS/run.cpu"
cpu=$(cpu_of "$STEPS/run.cpu")
echo "=== summary ($(($(date +%s) - started)) s, $cpu s of CPU) ==="
printf '%s\n' "${summary[@]}"
# every step's counts added up, in the plain form CI's reader knows
printf '%s\n' "${summary[@]}" | awk '
    match($0, /[0-9]+ passed, [0-9]+ skipped, [0-9]+ failed/) {
        split(substr($0, RSTART, RLENGTH), n, /[^0-9]+/); p += n[1]; s += n[2]; f += n[3]
    }
    END { printf "total: %d passed, %d failed, %d skipped\n", p, f, s }'
exit "$failed"
