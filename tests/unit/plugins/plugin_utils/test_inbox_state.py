# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The state of csoft.sms.sms_inbox (plugins/plugin_utils/_inbox_state.py): events from replies, without an event loop."""

import json
from datetime import datetime, timezone

import pytest

from ansible_collections.csoft.sms.plugins.module_utils._collect import Collected, CsoftCollectError, Reply
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftFaultError, CsoftInputError, CsoftUnreachableError
from ansible_collections.csoft.sms.plugins.plugin_utils._inbox_arguments import Settings
from ansible_collections.csoft.sms.plugins.plugin_utils._inbox_state import Inbox
from ansible_collections.csoft.sms.plugins.plugin_utils._source_state import PollFailed
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME

URL = "https://one.example/sendsms5"
ALLOWED, STRANGER, ACCOUNT = "447700900123", "447700900999", "447700912345"
DOWN = PollFailed("down", CsoftUnreachableError("no endpoint could be reached", [(URL, "connection refused")]))


def inbox(**args):
    base = {"username": USERNAME, "pin": PIN, "endpoints": [URL], "interval": 10, "allowed_senders": [ALLOWED], "commands": ["ACK", "ROLLBACK"]}
    return Inbox(Settings(dict(base, **args)))


def reply(text, sender=ALLOWED, second=5):
    return Reply(sender, ACCOUNT, text, datetime(2026, 12, 7, 12, 0, second, tzinfo=timezone.utc))


def bodies(events):
    assert all(list(event) == ["csoft_sms"] for event in events)
    return [event["csoft_sms"] for event in events]


def test_a_received_event_per_reply_in_order():
    (ack, other) = bodies(inbox().answered(Collected(0, [reply("ack"), reply("ROLLBACK otp", STRANGER)])))
    assert ack == {
        "type": "received",
        "from": ALLOWED,
        "to": ACCOUNT,
        "text": "ack",
        "received": "2026-12-07T12:00:05Z",
        "sender_allowed": True,
        "command": "ACK",
        "args": [],
    }
    assert (other["sender_allowed"], other["command"], other["args"], other["text"]) == (False, None, [], "ROLLBACK otp")


def test_a_reply_seen_before_is_no_event_again():
    state = inbox()
    assert len(state.answered(Collected(0, [reply("ack"), reply("ack")]))) == 1
    assert state.answered(Collected(0, [reply("ack")])) == []
    assert len(state.answered(Collected(0, [reply("ack", second=6)]))) == 1


def test_one_unreachable_per_outage_then_reachable_with_the_endpoint():
    state = inbox()
    assert state.answered(Collected(0, [])) == []  # the first answer: no event
    (unreachable,) = bodies(state.failed(DOWN))
    assert (unreachable["type"], unreachable["error"], unreachable["reachable"]) == ("unreachable", "down", False)
    assert unreachable["time"].endswith("Z")
    assert state.failed(DOWN) == []
    state.endpoint = URL
    (reachable, received) = bodies(state.answered(Collected(0, [reply("ack")])))
    assert (reachable["type"], reachable["reachable"], reachable["endpoint"]) == ("reachable", True, URL) and "error" not in reachable
    assert received["type"] == "received"


def test_a_failure_at_the_first_poll_is_unreachable_alone():
    assert [body["type"] for body in bodies(inbox().failed(DOWN))] == ["unreachable"]


def test_a_report_other_than_0_is_a_failed_poll_even_at_start():
    error = CsoftCollectError("csoft CollectMessages failed: the service answered Report 2", 2, URL)
    assert [body["type"] for body in bodies(inbox().failed(PollFailed(str(error), error)))] == ["unreachable"]


def test_a_login_rejected_at_start_ends_the_source():
    fault = CsoftFaultError("login rejected", "soap:Client", "Invalid login", 500, URL, "CollectMessages")
    with pytest.raises(CsoftInputError, match=r"^csoft\.sms\.sms_inbox: login rejected$"):
        inbox().failed(PollFailed("login rejected", fault))


def test_events_are_json_and_never_hold_the_username_or_pin():
    state = inbox()
    events = state.answered(Collected(0, [reply("ack")])) + state.failed(DOWN)
    text = json.dumps(events, allow_nan=False)
    assert USERNAME not in text and PIN not in text


def test_poll_is_one_collect_messages_request_with_the_pin_masked(pair):
    pair.inject_reply(USERNAME, ALLOWED, f"pin {PIN}")
    state = inbox(endpoints=pair.urls)
    answer = state.poll()
    (collected,) = answer.replies
    assert (collected.sender, collected.text, state.endpoint) == (ALLOWED, "pin ********", pair.urls[0])
    assert answer.unreadable == []
    assert pair.counts()["primary"]["CollectMessages"] == 1 and pair.counts()["primary"]["total"] == 1


BAD_STAMP = (
    "csoft CollectMessages at https://one.example/sendsms5: the service sent Timestamp1 'soon' in item 1, "
    "which is not an xsd:dateTime; this message was left out"
)


def test_an_unreadable_message_is_one_warning_once_and_no_event(caplog):
    state = inbox()
    with caplog.at_level("WARNING"):
        (ack,) = bodies(state.answered(Collected(0, [reply("ack")], [BAD_STAMP])))
        assert state.answered(Collected(0, [reply("ack")], [BAD_STAMP])) == []  # returned again at the next poll
    assert ack["command"] == "ACK"
    assert [record.getMessage() for record in caplog.records] == [f"csoft.sms.sms_inbox: {BAD_STAMP}"]


def test_unreadable_messages_past_the_lines_kept_are_counted(caplog):
    with caplog.at_level("WARNING"):
        assert inbox().answered(Collected(0, [], [BAD_STAMP], unreadable_count=25)) == []
    assert [record.getMessage() for record in caplog.records] == [
        f"csoft.sms.sms_inbox: {BAD_STAMP}",
        "csoft.sms.sms_inbox: 24 more messages of that answer could not be read either",
    ]


def test_lines_warned_about_are_bounded(monkeypatch, caplog):
    monkeypatch.setattr("ansible_collections.csoft.sms.plugins.plugin_utils._inbox_state.MAX_WARNED", 3)
    state = inbox()
    for n in range(10):
        state.answered(Collected(0, [], [f"line {n}"]))
    assert len(state.warned) == 3
    caplog.clear()
    with caplog.at_level("WARNING"):
        for n in (7, 8, 9, 6):  # the last 3 are remembered; line 6 was forgotten, so it warns again
            state.answered(Collected(0, [], [f"line {n}"]))
    assert [record.getMessage() for record in caplog.records] == ["csoft.sms.sms_inbox: line 6"]
