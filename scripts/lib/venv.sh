# shellcheck shell=bash
# Copyright (c) 2026 csoft.sms contributors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# csoft_venv DIR PROFILE PIP-ARGS... : create DIR as a Python venv (once) and
# install the pip arguments into it; skip the install when neither they nor
# the files they name changed since the last successful install for PROFILE
# (a stamp per profile holds their hash, so the demo's smaller set and the
# test suite's larger one can share one venv).

csoft_python() {
    local candidate
    for candidate in "${CSOFT_PYTHON:-}" python3.11 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    echo "csoft.sms: Python 3.11 or newer is needed (set CSOFT_PYTHON to its path)" >&2
    return 1
}

csoft_venv() {
    local dir=$1 profile=$2
    shift 2
    local python stamp want arg
    python=$(csoft_python) || return 1
    # The stamp covers the pip arguments and the content of every file they name.
    want=$(
        {
            printf '%s\n' "$@"
            for arg in "$@"; do
                [ -f "$arg" ] && cat "$arg"
            done
            # requirement files may include others (-r ../requirements.txt)
            cat requirements.txt tests/requirements.txt tests/constraints.txt 2>/dev/null
        } | sha256sum | cut -c1-32
    )
    stamp="$dir/.csoft-stamp-$profile"
    if [ -x "$dir/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    echo "csoft.sms: preparing $dir (pip install $*)" >&2
    [ -x "$dir/bin/python" ] || "$python" -m venv "$dir" || return 1
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "$@" || return 1
    echo "$want" >"$stamp"
}

# csoft_collections: print a directory that holds ansible_collections/csoft/sms, a symlink to this checkout,
# for ANSIBLE_COLLECTIONS_PATH. It lives outside the checkout and is kept, so that paths Ansible prints
# (such as a failed task's Origin) still exist after the run.
csoft_collections() {
    local base tag
    tag=$(printf '%s' "$PWD" | sha256sum | cut -c1-10)
    base=${XDG_CACHE_HOME:-$HOME/.cache}/csoft-sms/collections-$tag
    mkdir -p "$base/ansible_collections/csoft"
    [ -L "$base/ansible_collections/csoft/sms" ] || ln -sfn "$PWD" "$base/ansible_collections/csoft/sms"
    echo "$base"
}
