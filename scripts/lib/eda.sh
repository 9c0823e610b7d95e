#!/usr/bin/env bash
# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The event sources' tests (tests/eda): unit tests of csoft.sms.credit_watch and csoft.sms.sms_inbox, their
# loading by path, and the real ansible-rulebook running the example rulebooks against the simulator.
#
#   bash scripts/lib/eda.sh [pytest arguments...]
#   bash scripts/lib/eda.sh --prepare     prepare the venv only (scripts/test.sh does it in the background)
#
# They run in a venv of their own, .venv-eda (CSOFT_VENV_EDA overrides it), prepared from
# tests/eda/requirements.txt with tests/constraints.txt: ansible-rulebook must not enter the main
# venv. ansible-rulebook needs Java 17 on PATH (java).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=scripts/lib/venv.sh
. scripts/lib/venv.sh

VENV=${CSOFT_VENV_EDA:-.venv-eda}
command -v java >/dev/null 2>&1 || {
    echo "eda.sh: ansible-rulebook needs Java 17 and no java is on PATH; install it (Debian: apt-get install openjdk-17-jre-headless)" >&2
    exit 1
}
t0=$(date +%s)
csoft_venv "$VENV" eda -r tests/eda/requirements.txt -c tests/constraints.txt || {
    echo "eda.sh: could not prepare $VENV from tests/eda/requirements.txt; see pip's message above" >&2
    exit 1
}
t1=$(date +%s)
if [ "${1:-}" = --prepare ]; then
    echo "eda.sh: $VENV ready in $((t1 - t0)) s"
    exit 0
fi
# CSOFT_EDA_REQUIRED: a missing ansible-rulebook or java fails the integration test instead of skipping it.
status=0
CSOFT_EDA_REQUIRED=1 "$VENV/bin/python" -m pytest -p no:cacheprovider "$@" tests/eda || status=$?
t2=$(date +%s)
echo "eda.sh: $VENV ready in $((t1 - t0)) s, tests/eda ran in $((t2 - t1)) s"
exit "$status"
