#!/usr/bin/env bash
# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Run ansible-test on this checkout without a container engine.
#
#   scripts/lib/ansible_test.sh sanity [ansible-test options...]
#   scripts/lib/ansible_test.sh units
#   scripts/lib/ansible_test.sh integration [target...]
#
# 1. Copies the checkout (the files git would track: tracked + untracked that
#    .gitignore does not exclude; a plain tar with excludes when git is absent)
#    into $CSOFT_TEST_ROOT/ansible_collections/csoft/sms. ansible-test needs a
#    real ansible_collections/<ns>/<name> directory; a symlink is resolved and
#    rejected.
# 2. Places an offline get-pip stand-in in ~/.ansible/test/cache/: ansible-test
#    creates its venvs without pip and downloads get-pip-<ver>.py from
#    ci-files.testing.ansible.com, which is unreachable here. The stand-in
#    installs pip==<ver> (the version this ansible-test pins) from a wheel
#    fetched from PyPI once.
# 3. Runs `ansible-test "$@" --venv --python $CSOFT_TEST_PYTHON` in the copy
#    (no --venv/--python added when the arguments already choose an
#    environment), then copies tests/output back into the checkout.
#
# Environment:
#   ANSIBLE_TEST       ansible-test executable (default: from PATH, else $VIRTUAL_ENV/bin)
#   CSOFT_TEST_PYTHON  Python version for --python (default 3.11)
#   CSOFT_TEST_ROOT    where the copy lives (default ${TMPDIR:-/tmp}/csoft-sms-ansible-test-$UID)
#   CSOFT_TEST_KEEP_OUTPUT=0  do not copy tests/output back
#   CSOFT_TEST_FRESH=1 recreate ansible-test's delegation venvs (kept between runs otherwise)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY_VERSION=${CSOFT_TEST_PYTHON:-3.11}
ROOT=${CSOFT_TEST_ROOT:-${TMPDIR:-/tmp}/csoft-sms-ansible-test-$(id -u)}
DEST=$ROOT/ansible_collections/csoft/sms
CACHE=$HOME/.ansible/test/cache

log() { echo "ansible_test.sh: $*" >&2; }

find_ansible_test() {
    if [ -n "${ANSIBLE_TEST:-}" ]; then
        echo "$ANSIBLE_TEST"
    elif command -v ansible-test >/dev/null 2>&1; then
        command -v ansible-test
    elif [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/ansible-test" ]; then
        echo "$VIRTUAL_ENV/bin/ansible-test"
    else
        log "ansible-test not found: activate the dev venv or set ANSIBLE_TEST"
        return 1
    fi
}

# The interpreter that runs ansible-test (its shebang): it has pip and ansible_test.
ansible_test_python() {
    local shebang
    shebang=$(head -n1 "$1")
    shebang=${shebang#\#!}
    # "#!/usr/bin/env python3" style
    # shellcheck disable=SC2086
    set -- $shebang
    if [ "$(basename "$1")" = env ]; then shift; fi
    command -v "$1"
}

# The pip version ansible-test bootstraps into its venvs (get_venv_packages()['pip']).
pinned_pip_version() {
    "$1" - "$PY_VERSION" <<'EOF'
import sys, types
try:
    from ansible_test._internal.python_requirements import get_venv_packages
    print(get_venv_packages(types.SimpleNamespace(version=sys.argv[1]))["pip"])
except Exception:  # fall back to reading the source
    import os, re, ansible_test
    path = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(path) as f:
        print(re.search(r"pip='([0-9.]+)'", f.read()).group(1))
EOF
}

prepare_get_pip() {
    local python=$1 version script wheel
    version=$(pinned_pip_version "$python")
    script=$CACHE/get_pip_${version//./_}.py
    mkdir -p "$CACHE"
    wheel=$(find "$CACHE" -maxdepth 1 -name "pip-$version-*.whl" -print -quit)
    if [ -z "$wheel" ]; then
        log "downloading pip==$version wheel into $CACHE (once)"
        "$python" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
            --dest "$CACHE" "pip==$version" >&2
        wheel=$(find "$CACHE" -maxdepth 1 -name "pip-$version-*.whl" -print -quit)
        [ -n "$wheel" ] || { log "could not fetch pip==$version"; return 1; }
    fi
    if [ -f "$script" ] && ! grep -q 'csoft.sms offline get-pip' "$script"; then
        return 0 # a real get-pip script someone placed there: keep it
    fi
    cat >"$script.tmp" <<EOF
# csoft.sms offline get-pip stand-in for ansible-test (written by scripts/lib/ansible_test.sh).
# ansible-test runs it through quiet_pip.py as:
#   get_pip [--disable-pip-version-check] pip==$version [--no-setuptools] [--no-wheel]
# and expects it to install those packages into the (pip-less) venv.
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "$(basename "$wheel")"))

from pip._internal.cli.main import main  # noqa: E402

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.exit(main(["install", "--no-index", "--find-links", HERE] + args))
EOF
    mv "$script.tmp" "$script"
}

copy_tree() {
    # Keep ansible-test's delegation venvs (tests/output/.tmp/delegation) between
    # runs: units/integration then skip the venv bootstrap. CSOFT_TEST_FRESH=1 drops them.
    local keep=$ROOT/.delegation
    rm -rf "$keep"
    if [ "${CSOFT_TEST_FRESH:-0}" = 0 ] && [ -d "$DEST/tests/output/.tmp/delegation" ]; then
        mv "$DEST/tests/output/.tmp/delegation" "$keep"
    fi
    rm -rf "$DEST"
    mkdir -p "$DEST"
    if git -C "$REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        # tracked + untracked-but-not-ignored files that exist (read-only git use)
        (cd "$REPO" && git ls-files -z --cached --others --exclude-standard |
            while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
            sort -zu | tar --null --files-from=- -cf -) | tar -xf - -C "$DEST"
    else
        tar -C "$REPO" -cf - \
            --exclude=./.git --exclude=./.venv --exclude='./.venv*' --exclude=./venv \
            --exclude=./tests/output --exclude=./.ansible --exclude=./collections \
            --exclude=__pycache__ --exclude='*.pyc' --exclude=.ruff_cache --exclude=.pytest_cache \
            --exclude=.hypothesis --exclude=./docs/build --exclude=./benchmarks/results \
            --exclude='*.tar.gz' --exclude=./changelogs/.plugin-cache.yaml . | tar -xf - -C "$DEST"
    fi
    if [ -d "$keep" ]; then
        mkdir -p "$DEST/tests/output/.tmp"
        mv "$keep" "$DEST/tests/output/.tmp/delegation"
    fi
}

main() {
    [ $# -gt 0 ] || { sed -n '6,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; return 2; }
    local ansible_test python rc=0 env_given=0 arg
    ansible_test=$(find_ansible_test)
    python=$(ansible_test_python "$ansible_test")
    prepare_get_pip "$python"
    copy_tree

    for arg in "$@"; do
        case $arg in
        --venv | --local | --docker* | --remote* | --controller* | --target* | --python | --python=*) env_given=1 ;;
        esac
    done
    local extra=()
    if [ "$env_given" = 0 ] && [ "$1" != coverage ] && [ "$1" != env ]; then
        extra=(--venv --python "$PY_VERSION")
    fi

    log "running: ansible-test $* ${extra[*]} (in $DEST)"
    (cd "$DEST" && "$ansible_test" "$@" "${extra[@]}") || rc=$?

    if [ "${CSOFT_TEST_KEEP_OUTPUT:-1}" != 0 ] && [ -d "$DEST/tests/output" ]; then
        # results (junit, bot, coverage, data, ...), each replacing its old copy; not
        # ansible-test's .tmp scratch and venvs, and nothing else under tests/output
        local entry
        mkdir -p "$REPO/tests/output"
        for entry in "$DEST"/tests/output/*; do
            [ -e "$entry" ] || continue
            rm -rf "$REPO/tests/output/${entry##*/}"
            cp -a "$entry" "$REPO/tests/output/"
        done
    fi
    return "$rc"
}

main "$@"
