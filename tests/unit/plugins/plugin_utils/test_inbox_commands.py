# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The command words of csoft.sms.sms_inbox (plugins/plugin_utils/_inbox_commands.py): pure, no network."""

import pytest

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.plugins.plugin_utils._inbox_commands import MAX_ARGS, check_commands, parse_command

COMMANDS = ("ACK", "Rollback", "page-2")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ACK", ("ACK", [])),
        ("ack", ("ACK", [])),
        ("aCk", ("ACK", [])),
        ("ROLLBACK otp", ("Rollback", ["otp"])),  # the command as written in commands
        ("\t rollback \n otp \r\n", ("Rollback", ["otp"])),
        ("PAGE-2 db.example.com:5432 v1.2_3", ("page-2", ["db.example.com:5432", "v1.2_3"])),
        ("ack " + " ".join(["a"] * MAX_ARGS), ("ACK", ["a"] * MAX_ARGS)),
        ("ack " + "x" * 64, ("ACK", ["x" * 64])),
        ("ack " + " ".join(["a"] * (MAX_ARGS + 1)), (None, [])),
        ("ack " + "x" * 65, (None, [])),
        ("", (None, [])),
        ("   ", (None, [])),
        ("ACKNOWLEDGED", (None, [])),
        ("page", (None, [])),
        ("ack!", (None, [])),
        ("ack, thanks", (None, [])),
        ("ack thanks!", (None, [])),
        ("rollback otp;reboot", (None, [])),
        ("rollback $(id)", (None, [])),
        ("rollback `id`", (None, [])),
        ("rollback a/b", (None, [])),
        ("rollback 'otp'", (None, [])),
        ("rollback \u00f6tp", (None, [])),
        ("{{ lookup('pipe','id') }}", (None, [])),
        ("ack {{7*7}}", (None, [])),
        ("ack {%raw%}", (None, [])),
        ("\uff21\uff23\uff2b", (None, [])),  # fullwidth A C K: lower() would not make it ascii, the word pattern refuses it
        ("AC\u212a", (None, [])),  # a Kelvin sign, which lower() turns into k: "ack", but not the ASCII word
    ],
)
def test_parse_command(text, expected):
    assert parse_command(text, COMMANDS) == expected


def test_no_commands_no_command():
    assert parse_command("ACK", ()) == (None, [])


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ()), ([], ()), (["ACK", "rollback"], ("ACK", "rollback")), ("ACK, ROLLBACK", ("ACK", "ROLLBACK")), (["A" * 32, "a_b-9"], ("A" * 32, "a_b-9"))],
)
def test_check_commands(value, expected):
    assert check_commands("commands", value) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (True, "is True, which is not a list"),
        ({"ACK": 1}, "which is not a list"),
        ([1], "item 1 is 1, which is not a text"),
        (["roll back"], "'roll back', which is not a command word"),
        (["A" * 33], "which is not a command word"),
        (["{{x}}"], "which is not a command word"),
        (["ACK", "ack"], "holds 'ACK' and 'ack'; commands are compared case-insensitively"),
        ([f"c{n}" for n in range(33)], "has 33 words; give at most 32"),
    ],
)
def test_check_commands_refuses_in_one_line(value, words):
    with pytest.raises(CsoftInputError) as caught:
        check_commands("commands", value)
    assert words in str(caught.value) and "\n" not in str(caught.value)
