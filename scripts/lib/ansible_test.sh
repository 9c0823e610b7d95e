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
#    fetched from PyPI once (with ansible-core 2.16 also its pinned setuptools and wheel).
# 3. Runs `ansible-test "$@" --venv --python $CSOFT_TEST_PYTHON` in the copy
#    (no --venv/--python added when the arguments already choose an
#    environment), then copies tests/output back into the checkout.
#
# Runs are serialised with a lock on $CSOFT_TEST_ROOT.lock (the copy is shared).
#
# Environment:
#   CSOFT_ANSIBLE_TEST ansible-test of another ansible-core (version matrix), e.g.
#                      CSOFT_ANSIBLE_TEST=$PWD/.venv-2.16/bin/ansible-test; wins over ANSIBLE_TEST,
#                      and the copy then defaults to its own root (suffix -core<version>)
#   ANSIBLE_TEST       ansible-test executable (default: from PATH, else $VIRTUAL_ENV/bin)
#   CSOFT_TEST_PYTHON  Python version for --python (default: the version of the Python that runs ansible-test)
#   CSOFT_TEST_FILES   a NUL-separated list of the files to copy, relative to the checkout (default: asks git)
#   CSOFT_VENDOR_PAGE  the vendor page for tests/unit/test_vendor_fixtures.py (default: ../shared/seeds/ beside
#                      the checkout); copied into the copy's tests/output/vendor-page/, where the test finds it
#                      (ansible-test passes no environment variable of ours to the tests)
#   CSOFT_TEST_ROOT    where the copy lives (default ${TMPDIR:-/tmp}/csoft-sms-ansible-test-$UID)
#   CSOFT_TEST_KEEP_OUTPUT=0  do not copy tests/output back
#   CSOFT_TEST_OUTPUT  where to copy it (default tests/output of the checkout; relative to the checkout)
#   CSOFT_TEST_FRESH=1 recreate ansible-test's delegation venvs (kept between runs otherwise)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PY_VERSION=${CSOFT_TEST_PYTHON:-}
ROOT=${CSOFT_TEST_ROOT:-${TMPDIR:-/tmp}/csoft-sms-ansible-test-$(id -u)}
CACHE=$HOME/.ansible/test/cache

log() { echo "ansible_test.sh: $*" >&2; }

usage() {
    cat <<'USAGE'
Run ansible-test on this checkout without a container engine.

  scripts/lib/ansible_test.sh sanity [ansible-test options...]
  scripts/lib/ansible_test.sh units
  scripts/lib/ansible_test.sh integration [target...]
USAGE
}

find_ansible_test() {
    if [ -n "${CSOFT_ANSIBLE_TEST:-}" ]; then
        [ -x "$CSOFT_ANSIBLE_TEST" ] || { log "CSOFT_ANSIBLE_TEST=$CSOFT_ANSIBLE_TEST is not executable"; return 1; }
        echo "$CSOFT_ANSIBLE_TEST"
    elif [ -n "${ANSIBLE_TEST:-}" ]; then
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

# The packages ansible-test bootstraps into its venvs (get_venv_packages()), one "name==version"
# a line: pip only for ansible-core 2.17+, pip + setuptools + wheel for 2.16.
pinned_venv_packages() {
    "$1" - "$PY_VERSION" <<'EOF'
import sys, types
try:
    from ansible_test._internal.python_requirements import get_venv_packages
    packages = get_venv_packages(types.SimpleNamespace(version=sys.argv[1]))
except Exception:  # fall back to reading the source
    import os, re, ansible_test
    path = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(path) as f:
        packages = {"pip": re.search(r"pip='([0-9.]+)'", f.read()).group(1)}
for name, version in packages.items():
    if version:
        print(f"{name}=={version}")
EOF
}

prepare_get_pip() {
    local python=$1 version script wheel package name
    local -a packages
    mapfile -t packages < <(pinned_venv_packages "$python")
    version=$(printf '%s\n' "${packages[@]}" | sed -n 's/^pip==//p')
    [ -n "$version" ] || { log "could not tell which pip ansible-test pins"; return 1; }
    script=$CACHE/get_pip_${version//./_}.py
    mkdir -p "$CACHE"
    for package in "${packages[@]}"; do
        name=${package%%==*}
        if [ -z "$(find "$CACHE" -maxdepth 1 -name "$name-${package#*==}-*.whl" -print -quit)" ]; then
            log "downloading the $package wheel into $CACHE (once)"
            "$python" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
                --dest "$CACHE" "$package" >&2
            [ -n "$(find "$CACHE" -maxdepth 1 -name "$name-${package#*==}-*.whl" -print -quit)" ] ||
                { log "could not fetch $package"; return 1; }
        fi
    done
    wheel=$(find "$CACHE" -maxdepth 1 -name "pip-$version-*.whl" -print -quit)
    if [ -f "$script" ] && ! grep -q 'csoft.sms offline get-pip' "$script"; then
        return 0 # a real get-pip script someone placed there: keep it
    fi
    cat >"$script.tmp" <<EOF
# csoft.sms offline get-pip stand-in for ansible-test (written by scripts/lib/ansible_test.sh).
# ansible-test runs it through quiet_pip.py as:
#   get_pip [--disable-pip-version-check] pip==$version [setuptools==... wheel==...] [--no-setuptools] [--no-wheel]
# and expects it to install those packages into the (pip-less) venv; their wheels are next to this file.
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
    if [ -n "${CSOFT_TEST_FILES:-}" ]; then
        # a list made elsewhere (scripts/lib/newest.sh makes it with git outside its chroot)
        (cd "$REPO" && tar --null --files-from="$CSOFT_TEST_FILES" -cf -) | tar -xf - -C "$DEST"
    elif git -C "$REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
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
    # The vendor page lives outside the checkout; tests/unit/test_vendor_fixtures.py looks for it here too.
    local page=${CSOFT_VENDOR_PAGE:-$REPO/../shared/seeds/account-query-soap-api.txt}
    if [ -f "$page" ]; then
        mkdir -p "$DEST/tests/output/vendor-page"
        cp "$page" "$DEST/tests/output/vendor-page/account-query-soap-api.txt"
    fi
}

main() {
    [ $# -gt 0 ] || { usage >&2; return 2; }
    local ansible_test python rc=0 env_given=0 arg
    ansible_test=$(find_ansible_test)
    python=$(ansible_test_python "$ansible_test")
    if [ -n "${CSOFT_ANSIBLE_TEST:-}" ] && [ -z "${CSOFT_TEST_ROOT:-}" ]; then
        # another ansible-core: keep its copy and delegation venvs apart
        ROOT=$ROOT-core$("$python" -c 'from ansible.release import __version__; print(__version__)')
    fi
    DEST=$ROOT/ansible_collections/csoft/sms
    mkdir -p "$ROOT"
    # one run at a time per copy: a second run would replace the tree under the first
    exec 9>"$ROOT.lock"
    if ! flock -n 9; then
        log "waiting for another ansible_test.sh run on $ROOT"
        flock 9
    fi
    [ -n "$PY_VERSION" ] || PY_VERSION=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    log "ansible-test: $ansible_test ($("$python" -c 'from ansible.release import __version__; print("ansible-core", __version__)'), Python $PY_VERSION)"
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
        local entry output=${CSOFT_TEST_OUTPUT:-tests/output}
        case $output in /*) ;; *) output=$REPO/$output ;; esac
        mkdir -p "$output"
        for entry in "$DEST"/tests/output/*; do
            [ -e "$entry" ] || continue
            rm -rf "${output:?}/${entry##*/}"
            cp -a "$entry" "$output/"
        done
    fi
    return "$rc"
}

main "$@"
