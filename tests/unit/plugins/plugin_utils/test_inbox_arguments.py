# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The arguments of csoft.sms.sms_inbox (plugins/plugin_utils/_inbox_arguments.py); the shared ones in test_source_arguments.py."""

import pytest

from ansible_collections.csoft.sms.plugins.module_utils._connection import NAMES
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.plugins.plugin_utils._inbox_arguments import Settings
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME

URL = "https://one.example/sendsms5"


def settings(**args):
    return Settings(dict({"username": USERNAME, "pin": PIN, "endpoints": [URL]}, **args))


def test_the_arguments():
    assert Settings.ARGUMENTS == NAMES + ("allowed_senders", "commands", "interval", "backoff_max", "interval_floor_for_tests")


def test_defaults_allow_no_sender_and_no_command():
    checked = settings()
    assert (checked.allowed_senders, checked.commands, checked.interval, checked.backoff_max) == ((), (), 60.0, 900.0)


def test_senders_and_commands_as_lists_or_comma_separated_text():
    checked = settings(allowed_senders="447700900123, 447700900456,447700900123", commands=["ACK", "Rollback"])
    assert checked.allowed_senders == ("447700900123", "447700900456")  # each once
    assert checked.commands == ("ACK", "Rollback")
    assert settings(allowed_senders=[447700900123], commands="ack").allowed_senders == ("447700900123",)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"allowed_senders": ["+447700900123"]}, "csoft.sms.sms_inbox: csoft allowed_senders holds '+447700900123', which is not a mobile number"),
        ({"allowed_senders": False}, "csoft.sms.sms_inbox: csoft allowed_senders is False, which is not a list of numbers; check the source argument"),
        ({"commands": {"ACK": 1}}, "csoft.sms.sms_inbox: csoft commands is {'ACK': 1}, which is not a list or a ','-separated text; check the source"),
        ({"min_credit": 1}, "csoft.sms.sms_inbox: unknown argument min_credit; the arguments are username"),
    ],
)
def test_a_bad_argument_is_one_line_that_names_it(args, expected):
    with pytest.raises(CsoftInputError) as caught:
        settings(**args)
    assert str(caught.value).startswith(expected)
