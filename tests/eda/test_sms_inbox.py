# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the event source csoft.sms.sms_inbox against the simulator (in this process).

Replies are queued on the simulator's inbound queue (``inject_reply``) before
the source starts or between polls; the waits are patched by ``run()`` and
``live()`` of tests/eda/helpers.py, as for csoft.sms.credit_watch.
"""

import asyncio
import json
import logging

import pytest

from ansible_collections.csoft.sms.tests.eda.helpers import ListQueue, closed_clients, live, run
from ansible_collections.csoft.sms.tests.simulator.sendsms5 import documents
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.network import RawServer, closed_port, echo_credentials, http_answer

KEY = "csoft_sms"
ALLOWED = "447700900123"
OTHER_ALLOWED = "447700900456"
STRANGER = "447700900999"
ACCOUNT_NUMBER = "447700912345"  # the simulator's default "to"
JINJA = "{{ lookup('pipe','id') }}"


def arguments(pair, **extra):
    """The arguments against the simulator ``pair`` (None: give ``endpoints``)."""
    base = {
        "username": USERNAME,
        "pin": PIN,
        "endpoints": None if pair is None else pair.urls,
        "timeout": 2,
        "interval": 10,
        "allowed_senders": [ALLOWED, OTHER_ALLOWED],
        "commands": ["ACK", "ROLLBACK"],
    }
    return dict(base, **extra)


def polls(source, monkeypatch, args, *steps):
    """The events (bodies) and delays of ``len(steps) + 1`` polls."""
    return run(source, monkeypatch, args, *steps, key=KEY)


def reply(pair, text, sender=ALLOWED, **options):
    """A step: queue a reply."""
    return lambda: pair.inject_reply(USERNAME, sender, text, **options)


def nothing():
    """A poll with nothing new."""


# (sender, text, command, args): sender_allowed is whether the sender is ALLOWED or OTHER_ALLOWED
PARSED = [
    (ALLOWED, "ACK", "ACK", []),
    (ALLOWED, "ack", "ACK", []),
    (OTHER_ALLOWED, "  Ack \n", "ACK", []),
    (ALLOWED, "rollback otp", "ROLLBACK", ["otp"]),
    (ALLOWED, "ROLLBACK web v1.2.3 at:12:00 a_b-c", "ROLLBACK", ["web", "v1.2.3", "at:12:00", "a_b-c"]),
    (ALLOWED, "ROLLBACK " + " ".join("abcdefgh"), "ROLLBACK", list("abcdefgh")),  # 8 arguments: the most
    (ALLOWED, "ROLLBACK " + "x" * 64, "ROLLBACK", ["x" * 64]),
    # no command: more than 8 arguments, a bad or too long token, an unknown word, empty text, Jinja-looking text
    (ALLOWED, "ROLLBACK " + " ".join("abcdefghi"), None, []),
    (ALLOWED, "ROLLBACK " + "x" * 65, None, []),
    (ALLOWED, "ROLLBACK otp;id", None, []),
    (ALLOWED, "ROLLBACK $(id)", None, []),
    (ALLOWED, "ROLLBACK 'otp'", None, []),
    (ALLOWED, "ROLLBACK otp/../web", None, []),
    (ALLOWED, "DEPLOY web", None, []),
    (ALLOWED, "ACKNOWLEDGED", None, []),
    (ALLOWED, "Yes, go ahead", None, []),
    (ALLOWED, "\uff21\uff23\uff2b", None, []),  # fullwidth ACK: not the ASCII word
    (ALLOWED, "", None, []),
    (ALLOWED, JINJA, None, []),
    (ALLOWED, "ACK " + JINJA, None, []),
    (ALLOWED, "ACK {{7*7}}", None, []),
    (ALLOWED, "{% for x in range(9) %}ACK{% endfor %}", None, []),
    # a sender not allowed never gets a command
    (STRANGER, "ACK", None, []),
    (STRANGER, "ROLLBACK otp", None, []),
]


@pytest.mark.parametrize(("sender", "text", "command", "args"), PARSED, ids=[f"{s[-3:]}-{t[:24]!r}" for s, t, _c, _a in PARSED])
def test_each_reply_is_one_received_event_with_a_command_only_when_allowed(inbox_source, monkeypatch, pair, sender, text, command, args):
    pair.inject_reply(USERNAME, sender, text, received="2026-12-07T12:00:05Z")
    events, _unused = polls(inbox_source, monkeypatch, arguments(pair))
    assert events == [
        {
            "type": "received",
            "from": sender,
            "to": ACCOUNT_NUMBER,
            "text": text,  # data: copied as it came, never rendered or run
            "received": "2026-12-07T12:00:05Z",
            "sender_allowed": sender != STRANGER,
            "command": command,
            "args": args,
        }
    ]
    assert "uid=" not in json.dumps(events) and "49" not in json.dumps(events)


def test_no_command_without_allowed_senders_or_commands(inbox_source, monkeypatch, pair):
    pair.inject_reply(USERNAME, ALLOWED, "ACK")
    events, _unused = polls(inbox_source, monkeypatch, arguments(pair, allowed_senders=None, commands=None))
    assert [(e["sender_allowed"], e["command"]) for e in events] == [(False, None)]


def test_a_rendered_template_of_senders_and_commands_is_accepted(inbox_source, monkeypatch, pair):
    """A rulebook may give both as comma-separated text, the senders as whole numbers (YAML without quotes)."""
    pair.inject_reply(USERNAME, OTHER_ALLOWED, "rollback web")
    events, _unused = polls(inbox_source, monkeypatch, arguments(pair, allowed_senders=[int(ALLOWED), int(OTHER_ALLOWED)], commands="ack, Rollback"))
    assert [(e["command"], e["args"]) for e in events] == [("Rollback", ["web"])]


def test_a_reply_answered_again_is_emitted_once_with_one_request_per_poll(inbox_source, monkeypatch, pair):
    """The vendor does not say whether collecting removes a message: one kept in the queue comes back at every poll."""
    pair.inject_reply(USERNAME, ALLOWED, "ACK", keep=True)
    steps = [nothing, reply(pair, "ROLLBACK web"), nothing]
    events, delays = polls(inbox_source, monkeypatch, arguments(pair), *steps)
    assert [(e["from"], e["text"]) for e in events] == [(ALLOWED, "ACK"), (ALLOWED, "ROLLBACK web")]
    assert delays == [10, 10, 10, 10]
    assert len(pair.inbox()) == 1  # the kept reply was answered at each of the 4 polls
    counts = pair.counts()
    assert counts["primary"]["CollectMessages"] == 4 and counts["primary"]["total"] == 4 and counts["secondary"]["total"] == 0


def test_the_same_text_at_another_time_is_another_reply(inbox_source, monkeypatch, pair):
    """De-duplication is by sender, time and text: a second ACK a second later is a new reply."""
    first = reply(pair, "ACK", received="2026-12-07T12:00:05Z", keep=True)
    first()
    events, _unused = polls(inbox_source, monkeypatch, arguments(pair), reply(pair, "ACK", received="2026-12-07T12:00:06Z"), first)
    assert [e["received"] for e in events] == ["2026-12-07T12:00:05Z", "2026-12-07T12:00:06Z"]


def test_an_unreadable_message_is_one_warning_and_the_others_still_events(inbox_source, monkeypatch, pair, caplog):
    """A Timestamp1 that is not a time costs that message alone, not the answer (which collecting may have removed)."""
    caplog.set_level(logging.WARNING, logger="csoft.sms.sms_inbox")
    pair.inject_reply(USERNAME, ALLOWED, "ACK", received="soon", keep=True)  # back at every poll: warned about once
    pair.inject_reply(USERNAME, OTHER_ALLOWED, "ROLLBACK web")
    events, delays = polls(inbox_source, monkeypatch, arguments(pair), nothing)
    assert [(e["from"], e["command"]) for e in events] == [(OTHER_ALLOWED, "ROLLBACK")]
    assert delays == [10, 10] and pair.counts()["primary"]["CollectMessages"] == 2
    (line,) = [record.getMessage() for record in caplog.records]
    assert line == (
        f"csoft.sms.sms_inbox: csoft CollectMessages at {pair.urls[0]}: the service sent Timestamp1 'soon' in item 1, "
        "which is not an xsd:dateTime; this message was left out"
    )


def test_nothing_to_collect_is_no_event(inbox_source, monkeypatch, pair):
    events, delays = polls(inbox_source, monkeypatch, arguments(pair), nothing)
    assert events == [] and delays == [10, 10]
    assert pair.counts()["primary"]["CollectMessages"] == 2


def test_outage_one_unreachable_with_backoff_then_reachable(inbox_source, monkeypatch, pair):
    steps = [lambda: pair.set_mode("status:503"), nothing, nothing, lambda: pair.set_mode("ok"), reply(pair, "ACK")]
    events, delays = polls(inbox_source, monkeypatch, arguments(pair, backoff_max=70), *steps)
    assert [e["type"] for e in events] == ["unreachable", "reachable", "received"]
    outage, back = events[0], events[1]
    assert "HTTP 503" in outage["error"] and "\n" not in outage["error"] and outage["reachable"] is False
    assert outage["time"].endswith("Z") and back["reachable"] is True and back["endpoint"] == pair.urls[0]
    # interval after an answer; 2, 4, 8 x interval during an outage, at most backoff_max
    assert delays == [10, 20, 40, 70, 10, 10]
    counts = pair.counts()
    assert counts["primary"]["CollectMessages"] == 6 and counts["secondary"]["total"] == 0  # an answer is final: no fail-over


def test_a_login_rejected_later_is_an_outage_not_the_end(inbox_source, monkeypatch, pair):
    events, _unused = polls(inbox_source, monkeypatch, arguments(pair), lambda: pair.set_mode("fault"), lambda: pair.set_mode("ok"))
    assert [e["type"] for e in events] == ["unreachable", "reachable"]
    assert "login rejected" in events[0]["error"]


def collect_answer(report):
    """A CollectMessagesResponse with ``report`` and no messages, as the service writes it."""
    head, tail = documents.document_parts(
        "CollectMessagesResponse", [documents.element("Report", str(report)), documents.element("MessageList", ())], reserved=False
    )
    return http_answer("200 OK", head + tail)


def test_a_report_other_than_0_is_a_failed_poll_even_at_start(inbox_source, monkeypatch):
    """Report 2 ('Invalid Login' in the vendor's other API) is not a fault: the source goes on, with one unreachable event."""
    answers = [collect_answer(2), collect_answer(2), collect_answer(0)]

    def answer(server, conn, request):
        server.send(conn, answers.pop(0))

    with RawServer(answer) as server:
        events, delays = polls(inbox_source, monkeypatch, arguments(None, endpoints=[server.url]), nothing, nothing)
    assert [e["type"] for e in events] == ["unreachable", "reachable"]
    assert "Report 2" in events[0]["error"] and "\n" not in events[0]["error"]
    assert delays == [20, 40, 10] and len(server.requests) == 3


def test_unreachable_at_start_is_an_outage(inbox_source, monkeypatch):
    url = closed_port()
    events, delays = polls(inbox_source, monkeypatch, arguments(None, endpoints=[url], backoff_max=30), nothing)
    assert [e["type"] for e in events] == ["unreachable"]
    assert "connection refused" in events[0]["error"] and url in events[0]["error"] and events[0]["endpoint"] is None
    assert delays == [20, 30]


def test_a_login_rejected_at_start_ends_the_source_with_one_line(inbox_source, pair):
    wrong = "WrongPin7Zq3Xv8Kd"
    with pytest.raises(inbox_source.CsoftInputError) as caught:
        asyncio.run(asyncio.wait_for(inbox_source.main(ListQueue(), arguments(pair, pin=wrong)), 10))
    text = str(caught.value)
    assert text.startswith("csoft.sms.sms_inbox: ") and "login rejected" in text
    assert "\n" not in text and wrong not in text and USERNAME not in text
    counts = pair.counts()
    assert counts["primary"]["CollectMessages"] == 1 and counts["primary"]["total"] == 1 and counts["secondary"]["total"] == 0


BAD = [
    ({"interval": 5}, "interval"),
    ({"interval": "1e400"}, "interval"),
    ({"interval": 1e400}, "interval"),  # a float infinity
    ({"interval": "nan"}, "interval"),
    ({"interval": float("nan")}, "interval"),
    ({"interval": "inf"}, "interval"),
    ({"interval": True}, "interval"),
    ({"interval": {"seconds": 60}}, "interval"),
    ({"backoff_max": 3}, "backoff_max"),
    ({"backoff_max": "1e400"}, "backoff_max"),
    ({"backoff_max": "nan"}, "backoff_max"),
    ({"backoff_max": float("inf")}, "backoff_max"),
    ({"backoff_max": False}, "backoff_max"),
    ({"backoff_max": {}}, "backoff_max"),
    ({"interval_floor_for_tests": 30}, "interval_floor_for_tests"),
    ({"interval_floor_for_tests": 0}, "interval_floor_for_tests"),
    ({"interval_floor_for_tests": "1e400"}, "interval_floor_for_tests"),
    ({"interval_floor_for_tests": "nan"}, "interval_floor_for_tests"),
    ({"interval_floor_for_tests": True}, "interval_floor_for_tests"),
    ({"interval_floor_for_tests": {"x": 1}}, "interval_floor_for_tests"),
    ({"allowed_senders": True}, "allowed_senders"),
    ({"allowed_senders": {"oncall": ALLOWED}}, "allowed_senders"),
    ({"allowed_senders": [True]}, "allowed_senders"),
    ({"allowed_senders": [4.477e11]}, "allowed_senders"),
    ({"allowed_senders": ["+447700900123"]}, "leading '+'"),
    ({"allowed_senders": ["07700900123"]}, "allowed_senders"),
    ({"allowed_senders": "oncall"}, "allowed_senders"),
    ({"commands": True}, "commands"),
    ({"commands": {"ACK": "ack"}}, "commands"),
    ({"commands": [1]}, "commands"),
    ({"commands": ["roll back"]}, "commands"),
    ({"commands": ["A" * 33]}, "commands"),
    ({"commands": ["{{x}}"]}, "commands"),
    ({"commands": ["ack", "ACK"]}, "case-insensitively"),
    ({"threshold": 3}, "unknown argument threshold"),
    ({"min_credit": 1}, "unknown argument min_credit"),  # credit_watch's, not this source's
    ({"pin": ""}, "pin"),
    ({"endpoints": []}, "endpoints is empty"),
    ({"ca_path": "/nonexistent/ca.pem"}, "ca_path"),
    ({"timeout": float("nan")}, "timeout"),
]


@pytest.mark.parametrize(("change", "word"), BAD, ids=[f"{next(iter(c))}-{next(iter(c.values()))!r}"[:60] for c, _w in BAD])
def test_bad_argument_fails_at_start_with_one_line(inbox_source, monkeypatch, pair, change, word):
    monkeypatch.delenv("CSOFT_PIN", raising=False)
    with pytest.raises(inbox_source.CsoftInputError) as caught:
        asyncio.run(asyncio.wait_for(inbox_source.main(ListQueue(), arguments(pair, **change)), 10))
    error = caught.value
    text = str(error)
    assert text.startswith("csoft.sms.sms_inbox: ") and word in text
    assert "\n" not in text and PIN not in text and "Traceback" not in text
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)  # no chained traceback
    assert pair.counts()["primary"]["total"] == 0  # nothing sent


def test_credentials_from_the_environment_and_eda_arguments_ignored(inbox_source, monkeypatch, pair):
    monkeypatch.setenv("CSOFT_USERNAME", USERNAME)
    monkeypatch.setenv("CSOFT_PIN", PIN)
    monkeypatch.setenv("CSOFT_ENDPOINTS", ",".join(pair.urls))
    pair.inject_reply(USERNAME, ALLOWED, "ACK")
    events, _unused = polls(inbox_source, monkeypatch, {"eda_feedback_queue": object(), "allowed_senders": ALLOWED, "commands": "ACK", "interval": ""})
    assert [(e["type"], e["command"]) for e in events] == [("received", "ACK")]


def test_no_pin_or_username_in_any_event_or_log_line(inbox_source, monkeypatch, caplog):
    """A proxy that echoes the request (PIN included) in its error page: the events and logs hold neither secret."""

    caplog.set_level(logging.DEBUG, logger="csoft.sms.sms_inbox")
    with RawServer(echo_credentials) as server:
        events, _unused = polls(inbox_source, monkeypatch, arguments(None, endpoints=[server.url]), nothing)
    assert [e["type"] for e in events] == ["unreachable"]
    assert "HTTP 500" in events[0]["error"] and "with PIN ********" in events[0]["error"] and "no account <username>" in events[0]["error"]
    text = json.dumps(events) + "\n".join(record.getMessage() for record in caplog.records)
    assert [record.levelname for record in caplog.records] == ["WARNING", "DEBUG"]  # one warning per outage
    assert PIN not in text and USERNAME not in text


def test_a_reply_that_echoes_the_pin_is_masked(inbox_source, monkeypatch, pair):
    pair.inject_reply(USERNAME, ALLOWED, f"my pin is {PIN}")
    events, _unused = polls(inbox_source, monkeypatch, arguments(pair))
    assert events[0]["text"] == "my pin is ********"


def test_cancellation_during_a_hung_request_closes_the_client_promptly(inbox_source, monkeypatch, pair):
    closed = closed_clients(inbox_source, monkeypatch)
    pair.set_mode("hang")
    # cancelled once the poll's request is in, unanswered
    kinds, elapsed = live(inbox_source, arguments(pair, timeout=1), (None, lambda events: pair.counts()["primary"]["CollectMessages"]), key=KEY)
    assert kinds == [] and elapsed < 0.5 and closed


def test_cancellation_while_waiting(inbox_source, pair):
    pair.inject_reply(USERNAME, ALLOWED, "ACK")
    kinds, elapsed = live(inbox_source, arguments(pair, interval=60), (None, bool), key=KEY)
    assert kinds == ["received"] and elapsed < 0.5


def test_test_only_floor_allows_a_short_interval(inbox_source, pair):
    """interval_floor_for_tests lets the simulator be polled every 0.05 s (real sleeps): a reply queued later arrives."""
    args = arguments(pair, interval=0.05, interval_floor_for_tests=0.05)
    first_poll = (None, lambda events: pair.counts()["primary"]["CollectMessages"] >= 1)
    kinds, _unused = live(inbox_source, args, first_poll, (reply(pair, "ACK"), bool), key=KEY)
    assert kinds == ["received"]
