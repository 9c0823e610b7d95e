#!/usr/bin/env bash
# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Probe the real Connection Software service with your account, read-only, and print a report that is safe
# to paste into a bug report.
#
#   CSOFT_USERNAME=... CSOFT_PIN=... bash scripts/live-probe.sh [ENDPOINT...]
#
# Each read-only account query (AvailableCredit, AvailableMessages, PermittedReplyTo) is sent once to each
# endpoint: the arguments, else CSOFT_ENDPOINTS, else the vendor's two. The report gives, per endpoint and
# query, the HTTP status, the time, the Content-Type, the answer's wrapper (namespace and local name), its
# child elements' names and whether each value parsed. It never shows the PIN, the username, a value or the
# body of an answer; it never sends an SMS nor collects replies. CSOFT_CA_PATH, CSOFT_VALIDATE_CERTS and
# CSOFT_TIMEOUT apply as in the modules. Its Python: CSOFT_PYTHON, else the active venv, else this checkout's
# .venv, else python3 (it needs requests and lxml: pip install -r requirements.txt).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=${CSOFT_PYTHON:-}
if [ -z "$python" ]; then
    if [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/python" ]; then
        python=$VIRTUAL_ENV/bin/python
    elif [ -x "$here/../.venv/bin/python" ]; then
        python=$here/../.venv/bin/python
    else
        python=python3
    fi
fi
exec "$python" "$here/lib/live_probe.py" "$@"
