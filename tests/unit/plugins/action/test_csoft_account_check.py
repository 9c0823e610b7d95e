# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action csoft_account_check: its arguments and how accounts inherit the task's values (no network)."""

from decimal import Decimal

import pytest
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.csoft.sms.plugins.action.csoft_account_check import account_settings, argument_spec, checked_thresholds
from ansible_collections.csoft.sms.plugins.module_utils._connection import NAMES as CONNECTION_OPTIONS
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.tests.support.accounts import PIN


def validated(args):
    result = ArgumentSpecValidator(argument_spec()).validate(dict(args))
    assert not result.error_messages, result.error_messages
    return result.validated_parameters


def test_defaults_and_environment(monkeypatch):
    monkeypatch.setenv("CSOFT_USERNAME", "Env.user")
    monkeypatch.setenv("CSOFT_PIN", PIN)
    monkeypatch.setenv("CSOFT_CACHE", "false")
    params = validated({})
    assert params["username"] == "Env.user" and params["pin"] == PIN
    assert params["min_credit"] == 0.0 and params["min_messages"] == 0 and params["required_reply_to"] == []
    assert params["cache"] is False and params["cache_ttl"] == 120
    assert params["endpoints"] == ["https://www.csoft.co.uk/sendsms5", "https://www2.csoft.co.uk/sendsms5"]


def test_the_pin_is_a_secret_everywhere():
    spec = argument_spec()
    assert spec["pin"]["no_log"] is True
    assert spec["accounts"]["options"]["pin"]["no_log"] is True
    result = ArgumentSpecValidator(spec).validate({"pin": PIN, "accounts": [{"pin": "OtherPin7Qw2Er5Ty"}]})
    assert {PIN, "OtherPin7Qw2Er5Ty"} <= result._no_log_values


def test_types_are_converted_as_ansible_does():
    params = validated({"username": "u", "pin": PIN, "min_credit": "2.5", "min_messages": "7", "required_reply_to": 447700912345})
    assert params["min_credit"] == 2.5 and params["min_messages"] == 7 and params["required_reply_to"] == ["447700912345"]


def test_wrong_types_and_unknown_suboptions_are_errors():
    spec = argument_spec()
    assert ArgumentSpecValidator(spec).validate({"min_credit": "lots"}).error_messages
    assert ArgumentSpecValidator(spec).validate({"accounts": ["not-a-dict"]}).error_messages
    assert ArgumentSpecValidator(spec).validate({"accounts": [{"min_credits": 1}]}).error_messages


def test_one_account_is_the_task_itself():
    params = validated({"username": "Main.1", "pin": PIN, "min_credit": 3})
    (settings,) = account_settings(params)
    assert settings == {name: params[name] for name in CONNECTION_OPTIONS + ("min_credit", "min_messages", "required_reply_to")}


def test_accounts_inherit_what_they_do_not_set():
    params = validated(
        {
            "endpoints": ["http://127.0.0.1:9/sendsms5"],
            "timeout": 4,
            "min_credit": 1,
            "min_messages": 5,
            "accounts": [
                {"name": "main", "username": "Main.1", "pin": PIN, "min_credit": 2},
                {"username": "Low.1", "pin": PIN, "endpoints": ["http://127.0.0.1:8/sendsms5"], "required_reply_to": ["ACME"]},
            ],
        }
    )
    first, second = account_settings(params)
    assert (first["username"], first["min_credit"], first["min_messages"], first["endpoints"], first["timeout"]) == (
        "Main.1",
        2.0,
        5,
        ["http://127.0.0.1:9/sendsms5"],
        4.0,
    )
    assert (second["min_credit"], second["endpoints"], second["required_reply_to"]) == (1.0, ["http://127.0.0.1:8/sendsms5"], ["ACME"])


@pytest.mark.parametrize(
    ("name", "value"),
    [("min_credit", float("nan")), ("min_credit", float("-inf")), ("min_credit", float("inf")), ("min_credit", -1), ("min_messages", 10**400)],
)
def test_thresholds_that_are_not_finite_or_in_range_are_refused(name, value):
    """min_credit: nan gave [<class 'decimal.InvalidOperation'>]; -inf made the gate always pass."""
    item = {"min_credit": 0.0, "min_messages": 0, "required_reply_to": [], name: value}
    with pytest.raises(CsoftInputError, match=name) as caught:
        checked_thresholds(item)
    assert "\n" not in str(caught.value)


def test_thresholds_in_range():
    assert checked_thresholds({"min_credit": "2.5", "min_messages": "7", "required_reply_to": [447700912345]}) == {
        "min_credit": Decimal("2.5"),
        "min_messages": 7,
        "required_reply_to": ["447700912345"],
    }
