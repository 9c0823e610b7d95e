# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The event source's state machine (plugins/plugin_utils/_watch_state.py), without a network or an event loop."""

import json
from decimal import Decimal

import pytest

from ansible_collections.csoft.sms.plugins.module_utils._account import AccountCredit, AccountFigures
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftFaultError, CsoftInputError, CsoftUnreachableError
from ansible_collections.csoft.sms.plugins.plugin_utils._source_state import PollFailed
from ansible_collections.csoft.sms.plugins.plugin_utils._watch_arguments import Settings
from ansible_collections.csoft.sms.plugins.plugin_utils._watch_state import Watch, next_state
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME

URL, OTHER = "https://one.example/sendsms5", "https://two.example/sendsms5"


def watch(**args):
    return Watch(Settings(dict({"username": USERNAME, "pin": PIN, "endpoints": [URL, OTHER], "interval": 10}, **args)))


def figures(credit="2.8950", messages=24, endpoint=URL):
    answers = {"AvailableCredit": AccountCredit(Decimal(credit), "GBP"), "AvailableMessages": messages}
    return AccountFigures(answers, [endpoint, endpoint], URL)


def kinds(events):
    return [event["csoft"]["type"] for event in events]


def test_status_first_then_only_changes_with_hysteresis():
    state = watch(min_credit=10, hysteresis="0.1")
    (status,) = state.answered(figures("12"))
    assert status["csoft"]["credit_state"] == "ok" and status["csoft"]["credit"] == 12.0
    assert kinds(state.answered(figures("9.99"))) == ["credit_low"]
    assert kinds(state.answered(figures("10.5"))) == []  # inside the band: no flap
    assert kinds(state.answered(figures("10.9999"))) == []
    assert kinds(state.answered(figures("11"))) == ["credit_ok"]
    assert kinds(state.answered(figures("11"))) == []


def test_the_decision_is_exact_at_the_threshold():
    """2.8950 is not below 2.895: the credit is compared as a Decimal, not as the float 2.8949999..."""
    state = watch(min_credit="2.895")
    assert state.answered(figures("2.8950"))[0]["csoft"]["credit_state"] == "ok"


def test_messages_band_rounds_up():
    state = watch(min_messages=10, hysteresis="0.05")  # band ceil(0.5) = 1
    state.answered(figures(messages=12))
    assert kinds(state.answered(figures(messages=9))) == ["messages_low"]
    assert kinds(state.answered(figures(messages=10))) == []
    assert kinds(state.answered(figures(messages=11))) == ["messages_ok"]


def test_one_unreachable_per_outage_with_backoff_then_reachable():
    state = watch(backoff_max=50)
    state.answered(figures())
    error = CsoftUnreachableError("no endpoint could be reached", [(URL, "connection refused")])
    assert kinds(state.failed(PollFailed("down", error))) == ["unreachable"]
    assert state.delay() == 20
    assert state.failed(PollFailed("down", error)) == []
    assert (state.delay(), state.failures) == (40, 2)
    state.failed(PollFailed("down", error))
    assert state.delay() == 50  # backoff_max
    back = state.answered(figures(endpoint=OTHER))
    assert kinds(back) == ["reachable"] and back[0]["csoft"]["failed_over"] is True and state.delay() == 10


def test_a_login_rejected_at_start_ends_the_source_in_one_line():
    state = watch()
    fault = CsoftFaultError("login rejected", "soap:Client", "Invalid login", 500, URL, "AvailableCredit")
    with pytest.raises(CsoftInputError, match="credit_watch"):
        state.failed(PollFailed("login rejected", fault))


def test_events_are_json_and_never_hold_the_username_or_pin():
    state = watch()
    events = state.answered(figures()) + state.failed(PollFailed("x", CsoftUnreachableError("x", [])))
    text = json.dumps(events, allow_nan=False)
    assert USERNAME not in text and PIN not in text


@pytest.mark.parametrize(("current", "value", "expected"), [(None, 5, "low"), ("low", 10, "low"), ("low", 11, "ok"), ("ok", 10, "ok"), (None, 10, "ok")])
def test_next_state(current, value, expected):
    assert next_state(current, value, 10, 1) == expected
