#!/usr/bin/env bash
# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Try the README's Quick start against the simulator, before you have an account.
#
#   bash scripts/try.sh              a shell in the try directory; `exit` stops the simulator
#   bash scripts/try.sh CMD [ARG...] run CMD there instead of a shell
#
# It starts this repository's simulator of the vendor service (HTTPS, primary and secondary on 127.0.0.1)
# with the account of the README's examples: username ANOther.61234, 25.0000 GBP, 1000 messages, ReplyTo
# ACMEOTP (and 447700912345), its PIN made up anew each time. In the shell, CSOFT_USERNAME, CSOFT_PIN,
# CSOFT_ENDPOINTS and CSOFT_CA_PATH are exported, the venv is first on PATH and this checkout is the
# collection csoft.sms. Write the Quick start's files there and run its ansible-playbook command as written.
# Without a terminal, the shell reads its commands from standard input.
#
# Environment: CSOFT_TRY_DIR (default tests/output/try; kept, with your files), CSOFT_VENV (a venv with
# ansible-core and the requirements, used as it is; default .venv, prepared like the demo's).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/venv.sh
. scripts/lib/venv.sh

USERNAME=ANOther.61234
if [ -n "${CSOFT_VENV:-}" ]; then
    VENV=$CSOFT_VENV
else
    VENV=.venv
    csoft_venv "$VENV" demo -r tests/requirements.txt -c tests/constraints.txt
fi
[ -x "$VENV/bin/ansible-playbook" ] || { echo "try.sh: $VENV has no ansible-playbook (set CSOFT_VENV to a venv with ansible-core)" >&2; exit 1; }
VENV=$(cd "$VENV" && pwd)
DIR=${CSOFT_TRY_DIR:-tests/output/try}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
SIM=$DIR/.simulator
CLI=$PWD/tests/support/cli.py
support() { "$VENV/bin/python" "$CLI" "$@"; }

support stop "$SIM" >/dev/null 2>&1 || true # a simulator a killed try left behind
rm -rf "$SIM"
mkdir -m 0700 "$SIM"
cleanup() { support stop "$SIM" >/dev/null 2>&1 || true; }
trap cleanup EXIT

# The account, with a PIN made up for this try.
"$VENV/bin/python" - "$SIM/accounts.json" "$USERNAME" <<'EOF'
import json, secrets, string, sys

pin = "Try" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(13))
account = {"username": sys.argv[2], "pin": pin, "credit": "25.0000", "currency": "GBP", "messages": 1000,
           "permitted_reply_to": ["ACMEOTP", "447700912345"]}
with open(sys.argv[1], "w") as handle:
    json.dump({"accounts": [account]}, handle)
EOF
support start "$SIM" --tls --accounts "$SIM/accounts.json" >"$SIM/urls.json" || { echo "try.sh: the simulator did not start" >&2; exit 1; }
read -r PRIMARY SECONDARY CA PIN < <("$VENV/bin/python" -c '
import json, sys
urls, accounts = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
print(urls["primary"], urls["secondary"], urls["ca"], accounts["accounts"][0]["pin"])' "$SIM/urls.json" "$SIM/accounts.json")

# The environment of ansible-playbook (ANSIBLE_* and CSOFT_* of this shell left out), plus the account's.
eval "$(support env "$(csoft_collections)" "$SIM" --color \
    --set CSOFT_USERNAME="$USERNAME" --set CSOFT_PIN="$PIN" --set CSOFT_ENDPOINTS="$PRIMARY,$SECONDARY" \
    --set CSOFT_CA_PATH="$CA" --set ANSIBLE_LOCALHOST_WARNING=false \
    --set ANSIBLE_INVENTORY_UNPARSED_WARNING=false --set VIRTUAL_ENV="$VENV")"
unset PIN

cat >&2 <<EOF
try.sh: the simulator answers for $USERNAME (25.0000 GBP, 1000 messages, ReplyTo ACMEOTP)
try.sh:   at $PRIMARY and $SECONDARY;
try.sh:   CSOFT_USERNAME, CSOFT_PIN, CSOFT_ENDPOINTS and CSOFT_CA_PATH are exported, csoft.sms is this checkout.
try.sh: in $DIR: write the Quick start's files and run its ansible-playbook command; exit stops the simulator.
EOF
cd "$DIR"
if [ $# -gt 0 ]; then
    "$@"
elif [ -t 0 ]; then
    # an interactive bash with the user's rc file, then this environment again and a prompt that says where
    printf '[ -f ~/.bashrc ] && . ~/.bashrc\nexport PATH=%q\nPS1="(csoft.sms try) \\w\\$ "\n' "$PATH" >"$SIM/bashrc"
    bash --rcfile "$SIM/bashrc" -i
else
    bash -s
fi
