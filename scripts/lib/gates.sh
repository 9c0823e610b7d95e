#!/usr/bin/env bash
# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Release gates for csoft.sms: `bash scripts/lib/gates.sh -h` prints the usage (usage() below).
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO" || exit 2
LOGDIR=$REPO/tests/output/gates
VERBOSE=0
ALL_GATES=(ruff lint docs-lint changelog importer ee docs sanity units integration)

usage() {
    cat <<'USAGE'
Release gates for csoft.sms. Each gate prints one line: PASS|FAIL <gate> <seconds>s.

  bash scripts/lib/gates.sh [-v] GATE...
  bash scripts/lib/gates.sh list       the gates, one a line

Gates:
  ruff         ruff check + ruff format --check
  lint         ansible-lint --offline --profile production
  docs-lint    antsibull-docs lint-collection-docs --plugin-docs .
  changelog    antsibull-changelog lint + lint-changelog-yaml
  importer     ansible-galaxy collection build (into a temp dir), check the tarball
               holds no local junk, then galaxy-importer with tests/galaxy-importer.cfg;
               fails on any ERROR or WARNING line (galaxy-importer itself exits 0)
  ee           ansible-builder introspect --sanitize + ansible-builder create (temp context), for an
               execution environment of the built collection and for meta/decision-environment.yml
  docs         HTML site: antsibull-docs sphinx-init + build.sh -> docs/build/html
  sanity       ansible-test sanity     (scripts/lib/ansible_test.sh, no docker)
  units        ansible-test units
  integration  ansible-test integration, every target (skipped when there are none); fails
               when a simulator started by a target is still running afterwards
  all          every gate above, in that order; exits non-zero if any failed

Logs: tests/output/gates/<gate>.log (the tail is shown on failure; -v streams it).

Tools come from, in order: $CSOFT_GATE_VENV; the active $VIRTUAL_ENV if it has
ansible-lint and antsibull-docs; else .venv-gates, created once from
tests/dev-requirements.txt + tests/requirements.txt with tests/constraints.txt.
USAGE
}

die() {
    echo "gates.sh: $*" >&2
    exit 2
}

# --- tool environment --------------------------------------------------------

gate_venv() {
    if [ -n "${CSOFT_GATE_VENV:-}" ]; then
        echo "$CSOFT_GATE_VENV"
        return
    fi
    if [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/ansible-lint" ] && [ -x "$VIRTUAL_ENV/bin/antsibull-docs" ]; then
        echo "$VIRTUAL_ENV"
        return
    fi
    local dir=$REPO/.venv-gates want python
    want=$(cat tests/dev-requirements.txt tests/requirements.txt tests/constraints.txt requirements.txt | sha256sum | cut -c1-32)
    if [ ! -x "$dir/bin/python" ] || [ "$(cat "$dir/.csoft-stamp" 2>/dev/null)" != "$want" ]; then
        python=${CSOFT_PYTHON:-python3.11}
        mkdir -p "$LOGDIR"
        echo "gates.sh: installing the pinned gate tools into $dir (once, ~35 s; log: $LOGDIR/venv-gates.log)" >&2
        if ! { [ -x "$dir/bin/python" ] || "$python" -m venv "$dir"; } >"$LOGDIR/venv-gates.log" 2>&1 ||
            ! "$dir/bin/python" -m pip install --disable-pip-version-check \
                -r tests/dev-requirements.txt -r tests/requirements.txt -c tests/constraints.txt >>"$LOGDIR/venv-gates.log" 2>&1; then
            tail -n 20 "$LOGDIR/venv-gates.log" >&2
            die "could not prepare $dir"
        fi
        echo "$want" >"$dir/.csoft-stamp"
    fi
    echo "$dir"
}

setup_env() {
    VENV=$(gate_venv) || exit 2
    export VIRTUAL_ENV=$VENV
    export PATH=$VENV/bin:$PATH
    export ANSIBLE_TEST=$VENV/bin/ansible-test
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/csoft-sms-gates.XXXXXX")
    trap cleanup_env EXIT
    # This checkout as the installed collection csoft.sms (ansible, ansible-lint,
    # antsibull-docs --use-current). A symlink is fine for these tools.
    mkdir -p "$WORK/collections/ansible_collections/csoft"
    ln -s "$REPO" "$WORK/collections/ansible_collections/csoft/sms"
    export ANSIBLE_COLLECTIONS_PATH=$WORK/collections
    export ANSIBLE_NOCOLOR=1 NO_COLOR=1 PY_COLORS=0
    mkdir -p "$LOGDIR"
}

cleanup_env() {
    rm -rf "$WORK"
}

collection_version() {
    python -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])'
}

# --- gates (each runs in the repo root; output goes to its log) --------------

gate_ruff() {
    ruff --version
    local rc=0
    ruff check --no-cache --output-format concise . || rc=1
    ruff format --no-cache --check . || rc=1
    return $rc
}

gate_lint() {
    ansible-lint --version
    ansible-lint --offline --profile production --nocolor
}

gate_docs_lint() {
    antsibull-docs --version
    antsibull-docs lint-collection-docs --plugin-docs .
}

gate_changelog() {
    antsibull-changelog --version
    antsibull-changelog lint && antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
}

build_collection() {
    mkdir -p "$WORK/build"
    ansible-galaxy collection build --force --output-path "$WORK/build" . >&2 || return 1
    echo "$WORK/build/csoft-sms-$(collection_version).tar.gz"
}

gate_importer() {
    local tarball junk out rc=0
    tarball=$(build_collection) || return 1
    echo "built $tarball ($(du -k "$tarball" | cut -f1) KiB, $(tar -tzf "$tarball" | grep -vc '/$') files)"
    # nothing local may end up in the artifact
    junk=$(tar -tzf "$tarball" | grep -E '(^|/)(__pycache__|\.pytest_cache|\.ruff_cache|\.hypothesis|\.venv[^/]*|venv|\.ansible|\.ci|\.git)(/|$)|\.pyc$|^(tests/output|tests/integration/inventory|collections|docs/build|docs/_site|benchmarks/results)(/|$)|\.(tar\.gz|whl)$|\.plugin-cache\.yaml$')
    if [ -n "$junk" ]; then
        echo "ERROR: the collection artifact holds local files (fix build_ignore in galaxy.yml):"
        echo "$junk" | head -20
        rc=1
    fi
    out=$WORK/importer.out
    # galaxy-importer writes importer_result.json into its working directory: keep it out of the checkout
    (cd "$WORK" && GALAXY_IMPORTER_CONFIG=$REPO/tests/galaxy-importer.cfg python -m galaxy_importer.main "$tarball") >"$out" 2>&1 || rc=1
    cat "$out"
    if grep -Eq '(^|[^A-Za-z])(ERROR|WARNING)([^A-Za-z]|$)' "$out"; then
        echo "---- galaxy-importer reported problems:"
        grep -E '(^|[^A-Za-z])(ERROR|WARNING)([^A-Za-z]|$)' "$out"
        rc=1
    fi
    return $rc
}

gate_ee() {
    ansible-builder --version
    local tree=$WORK/ee-collections ctx=$WORK/ee-context tarball rc=0
    # introspect reads <dir>/ansible_collections/<ns>/<name>: use a real copy
    mkdir -p "$tree/ansible_collections/csoft/sms"
    tarball=$(build_collection) || return 1
    tar -xzf "$tarball" -C "$tree/ansible_collections/csoft/sms"
    ansible-builder introspect --sanitize "$tree" | tee "$WORK/introspect.out" || rc=1
    if ! grep -q 'lxml' "$WORK/introspect.out" || ! grep -q 'requests' "$WORK/introspect.out"; then
        echo "ERROR: introspect did not find requests and lxml"
        rc=1
    fi
    # An execution environment definition (schema version 3) that installs the built tarball.
    mkdir -p "$WORK/ee"
    cp "$tarball" "$WORK/ee/"
    cat >"$WORK/ee/requirements.yml" <<EOF
---
collections:
  - name: /build/collections/$(basename "$tarball")
    type: file
EOF
    cat >"$WORK/ee/execution-environment.yml" <<EOF
---
version: 3
images:
  base_image:
    name: quay.io/fedora/fedora:41
dependencies:
  python_interpreter:
    package_system: python3
    python_path: /usr/bin/python3
  ansible_core:
    package_pip: ansible-core>=2.16,<2.22
  ansible_runner:
    package_pip: ansible-runner
  galaxy: requirements.yml
additional_build_files:
  - src: $(basename "$tarball")
    dest: collections
EOF
    builder_create "$WORK/ee" execution-environment.yml "$ctx" "the execution environment" || rc=1
    gate_de || rc=1
    return $rc
}

# ansible-builder create in DIR for its definition FILE into the build context CTX; a Containerfile must
# be written; the context is shown.
builder_create() {
    local dir=$1 file=$2 ctx=$3 what=$4 rc=0
    (cd "$dir" && ansible-builder create --file "$file" --context "$ctx" -v 2) || rc=1
    [ -f "$ctx/Containerfile" ] || [ -f "$ctx/Dockerfile" ] || { echo "ERROR: no Containerfile/Dockerfile written for $what"; return 1; }
    echo "---- $ctx:"
    (cd "$ctx" && find . -type f | sort && cat Containerfile Dockerfile 2>/dev/null)
    return $rc
}

# The decision environment definition shipped for the EDA controller (meta/decision-environment.yml), as users build it.
gate_de() {
    local de=$WORK/de ctx=$WORK/de-context word rc=0
    mkdir -p "$de"
    cp meta/decision-environment.yml "$de/"
    builder_create "$de" decision-environment.yml "$ctx" "the decision environment" || rc=1
    for word in ansible-rulebook csoft.sms requests lxml java-17-openjdk ansible-core ansible-runner; do
        grep -rqF -- "$word" "$ctx" || { echo "ERROR: the decision environment's build context does not mention $word"; rc=1; }
    done
    return $rc
}

gate_docs() {
    antsibull-docs --version
    local site=$WORK/docsite rc=0
    mkdir -m 0700 "$site" # antsibull-docs wants an owner-only directory
    antsibull-docs sphinx-init --use-current --lenient --fail-on-error --dest-dir "$site" csoft.sms || return 1
    # sphinx-init's build.sh: rst generation (antsibull-docs collection) + sphinx-build into build/html
    (cd "$site" && bash ./build.sh) >"$WORK/docs-build.out" 2>&1 || rc=1
    cat "$WORK/docs-build.out"
    # Links into Ansible's own docs cannot resolve offline (--lenient); links within this collection must.
    if grep -E 'WARNING: .*(ansible_collections\.csoft\.sms|csoft\.sms\.)' "$WORK/docs-build.out"; then
        echo "ERROR: the docs link to options, return values or plugins of csoft.sms that do not exist"
        rc=1
    fi
    # The warnings that stay, all because intersphinx cannot fetch the inventories of docs.ansible.com,
    # docs.python.org and jinja's site offline: one "failed to reach any of the inventories" per inventory, and
    # each link antsibull-docs' pages make into Ansible's own docs (action_plugins, callback_plugins,
    # common_return_values, ansible_configuration_settings, the ANSIBLE_CALLBACKS_ENABLED variable). Any
    # other warning fails the gate.
    local offline unexplained
    offline="failed to reach any of the inventories|undefined label: '(action_plugins|callback_plugins|common_return_values|ansible_configuration_settings)'"
    offline+="|'envvar' reference target not found: ANSIBLE_[A-Z_]+ "
    unexplained=$(grep -E 'WARNING' "$WORK/docs-build.out" | grep -vE "$offline" || true)
    if [ -n "$unexplained" ]; then
        echo "ERROR: the docs build warns, and not only about links that cannot resolve offline:"
        echo "$unexplained"
        rc=1
    else
        echo "docs: $(grep -c 'WARNING' "$WORK/docs-build.out") warnings, each a link into Ansible's or Python's docs that cannot resolve offline (listed in gate_docs)"
    fi
    rm -rf docs/build/html
    mkdir -p docs/build
    if [ -f "$site/build/html/index.html" ]; then
        cp -a "$site/build/html" docs/build/html
        echo "site: $REPO/docs/build/html/index.html ($(find docs/build/html -name '*.html' | wc -l) pages)"
    else
        echo "ERROR: no HTML site built"
        return 1
    fi
    # Every plugin and role has its page, with its own options, examples and return values.
    local pages=docs/build/html/collections/csoft/sms page word words
    for page in csoft_account_info_module:gather:Examples:permitted_reply_to:failed_over \
        csoft_account_check_module:min_credit:required_reply_to:Examples:problems:summary \
        csoft_sms_module:delivery_option:Examples:message_identifier:report:send_at:scheduled_for:sent_at \
        csoft_sms_inbox_module:poll_interval:since:fail_on_timeout:Examples:matched \
        csoft_account_lookup:cache_ttl:csoft_username:Examples:_raw \
        credit_gate_role:credit_gate_min_credit:credit_gate_required_reply_to:credit_gate_accounts \
        docsite/guide_credit_gate:credit_gate \
        docsite/guide_event_driven:credit_watch:interval_floor_for_tests:credit_low:decision-environment:sms_inbox \
        docsite/guide_approve_by_sms:csoft_sms_inbox:sent_at:spoofed \
        docsite/guide_reply_to_act:sms_inbox:allowed_senders:spoofed; do
        IFS=: read -r -a words <<<"$page"
        if [ ! -f "$pages/${words[0]}.html" ]; then
            echo "ERROR: the site has no page $pages/${words[0]}.html"
            rc=1
            continue
        fi
        for word in "${words[@]:1}"; do
            grep -q "$word" "$pages/${words[0]}.html" || { echo "ERROR: $pages/${words[0]}.html does not mention $word"; rc=1; }
        done
    done
    [ "$rc" = 0 ] && echo "pages: module, lookup and role pages with their options; the guides"
    return $rc
}

gate_sanity() { bash scripts/lib/ansible_test.sh sanity "$@"; }
gate_units() { bash scripts/lib/ansible_test.sh units "$@"; }

gate_integration() {
    if ! find tests/integration/targets -mindepth 1 -maxdepth 1 -type d 2>/dev/null | grep -q .; then
        echo "no integration targets under tests/integration/targets: nothing to run"
        return 0
    fi
    # Without target names ansible-test runs every target (setup_* ones as dependencies).
    local rc=0 left
    bash scripts/lib/ansible_test.sh integration "$@" || rc=$?
    # The targets start the simulator (setup_csoft_simulator) and stop it in always: sections
    # or runme.sh traps; a survivor is a bug in a target. Its command line holds the copy's path.
    left=$(pgrep -f "csoft-sms-ansible-test-$(id -u)[^ ]*/tests/simulator/csoft_simulator\.py" || true)
    if [ -n "$left" ]; then
        echo "ERROR: simulator processes left running by the integration targets:"
        ps -o pid,etime,args -p "$(echo "$left" | paste -sd,)"
        rc=1
    else
        echo "ok: no simulator process left running"
    fi
    return $rc
}

# --- running the gates ------------------------------------------------------------------

RESULTS=()

run_gate() {
    local gate=$1 log start end rc secs status
    log=$LOGDIR/$gate.log
    start=$(date +%s.%N)
    if [ "$VERBOSE" = 1 ]; then
        "gate_${gate//-/_}" 2>&1 | tee "$log"
        rc=${PIPESTATUS[0]}
    else
        "gate_${gate//-/_}" >"$log" 2>&1
        rc=$?
    fi
    end=$(date +%s.%N)
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    if [ "$rc" = 0 ]; then status=PASS; else status=FAIL; fi
    if [ "$rc" != 0 ] && [ "$VERBOSE" = 0 ]; then
        echo "---- last lines of $log:"
        tail -n 40 "$log"
    fi
    echo "$status $gate ${secs}s"
    RESULTS+=("$status $gate ${secs}s")
    return "$rc"
}

main() {
    if [ "${1:-}" = -v ]; then
        VERBOSE=1
        shift
    fi
    case ${1:-} in
    "") usage; exit 2 ;;
    -h | --help) usage; exit 0 ;;
    esac
    local gates=() gate failed=0
    for gate in "$@"; do
        case $gate in
        all) gates+=("${ALL_GATES[@]}") ;;
        list) printf '%s\n' "${ALL_GATES[@]}"; exit 0 ;;
        *) declare -F "gate_${gate//-/_}" >/dev/null || die "unknown gate: $gate (try: ${ALL_GATES[*]} all)"; gates+=("$gate") ;;
        esac
    done
    setup_env
    for gate in "${gates[@]}"; do
        run_gate "$gate" || failed=1
    done
    if [ "${#gates[@]}" -gt 1 ]; then
        echo "==== summary"
        printf '%s\n' "${RESULTS[@]}"
    fi
    return $failed
}

main "$@"
