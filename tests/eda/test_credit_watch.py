# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Unit tests of the event source csoft.sms.credit_watch against the simulator (in this process).

The waits between polls are patched: ``run()`` (tests/eda/helpers.py) gives
the source a list-backed queue and a fake ``_sleep`` that records each delay,
runs the next scripted step (change the account, a mode, start a server) and
cancels the source when the script is done, as a rulebook's shutdown would.
"""

import asyncio
import json
import logging

import pytest

from ansible_collections.csoft.sms.tests.eda.helpers import ListQueue, closed_clients, live, run
from ansible_collections.csoft.sms.tests.simulator import csoft_simulator as sim
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.network import RawServer, closed_port, echo_credentials

OPERATIONS = ("AvailableCredit", "AvailableMessages", "PermittedReplyTo")


def arguments(pair, **extra):
    return dict({"username": USERNAME, "pin": PIN, "endpoints": pair.urls, "timeout": 2, "interval": 10}, **extra)


def nothing():
    """A poll with nothing changed."""


def credit(pair, value):
    return lambda: pair.update_account(USERNAME, credit=value)


def messages(pair, value):
    return lambda: pair.update_account(USERNAME, messages=value)


def test_start_event_then_nothing_while_nothing_changes(source, monkeypatch, pair):
    events, delays = run(source, monkeypatch, arguments(pair, min_credit=1, min_messages="10"), nothing, nothing)
    assert [e["type"] for e in events] == ["status"]
    status = events[0]
    assert status["credit"] == 2.895 and isinstance(status["credit"], float)
    assert (status["currency"], status["messages"]) == ("GBP", 24)
    assert (status["endpoint"], status["failed_over"]) == (pair.urls[0], False)
    assert (status["min_credit"], status["min_messages"]) == (1.0, 10)
    assert (status["credit_state"], status["messages_state"], status["reachable"]) == ("ok", "ok", True)
    assert status["time"].endswith("+00:00")
    assert "permitted_reply_to" not in status
    assert delays == [10, 10, 10]
    # exactly one request per operation per poll (3 polls), ReplyTo only when asked
    counts = pair.counts()
    assert {op: counts["primary"][op] for op in OPERATIONS} == {"AvailableCredit": 3, "AvailableMessages": 3, "PermittedReplyTo": 0}
    assert counts["primary"]["total"] == 6 and counts["secondary"]["total"] == 0


def test_reply_to_when_asked_one_request_each(source, monkeypatch, pair):
    events, _unused = run(source, monkeypatch, arguments(pair, reply_to=True), nothing)
    assert events[0]["permitted_reply_to"] == ["447700912345", "csoft.co.uk"]
    assert {op: pair.counts()["primary"][op] for op in OPERATIONS} == dict.fromkeys(OPERATIONS, 2)


def test_crossing_down_and_up_with_hysteresis(source, monkeypatch, pair):
    # min_credit 2 with hysteresis 0.1: low below 2.0000, ok again only at 2.2000 or more
    steps = [credit(pair, v) for v in ("1.5000", "2.1000", "1.9500", "2.2000", "2.1500", "1.9999")]
    events, _unused = run(source, monkeypatch, arguments(pair, min_credit="2"), *steps)
    assert [(e["type"], e["credit"]) for e in events] == [("status", 2.895), ("credit_low", 1.5), ("credit_ok", 2.2), ("credit_low", 1.9999)]
    assert [e["credit_state"] for e in events] == ["ok", "low", "ok", "low"]


def test_messages_cross_with_hysteresis_and_start_low(source, monkeypatch, pair):
    # min_messages 30: low at start; ok again only at 33 (30 + ceil(3.0)); 31 and 32 hover
    steps = [messages(pair, n) for n in (31, 32, 33, 29)]
    events, _unused = run(source, monkeypatch, arguments(pair, min_messages=30), *steps)
    assert [(e["type"], e["messages"]) for e in events] == [("status", 24), ("messages_ok", 33), ("messages_low", 29)]
    assert events[0]["messages_state"] == "low"


def test_no_hysteresis_when_zero(source, monkeypatch, pair):
    steps = [credit(pair, "0.9000"), credit(pair, "1.0000")]
    events, _unused = run(source, monkeypatch, arguments(pair, min_credit=1, hysteresis=0), *steps)
    assert [e["type"] for e in events] == ["status", "credit_low", "credit_ok"]


def test_outage_and_recovery_with_backoff(source, monkeypatch, pair):
    """An HTTP error and a fault later: one unreachable event per outage, backoff, one request per poll, no fail-over."""
    steps = [
        lambda: pair.set_mode("status:503"),
        nothing,
        nothing,
        nothing,
        lambda: pair.set_mode("ok"),
        lambda: pair.set_mode("fault"),  # a login rejected later is an outage too, not the end
        lambda: (pair.set_mode("ok"), pair.update_account(USERNAME, credit="0.1000")),
    ]
    events, delays = run(source, monkeypatch, arguments(pair, min_credit=1, backoff_max=70), *steps)
    assert [e["type"] for e in events] == ["status", "unreachable", "reachable", "unreachable", "reachable", "credit_low"]
    outage = events[1]
    assert "HTTP 503" in outage["error"] and outage["reachable"] is False
    assert outage["credit"] == 2.895  # the last figures known
    assert "login rejected" in events[3]["error"]
    assert events[4]["reachable"] is True
    # interval after an answer; 2, 4, 8 x interval during an outage, at most backoff_max
    assert delays == [10, 20, 40, 70, 70, 10, 20, 10]
    counts = pair.counts()
    # 8 polls: 3 answered (one request per operation), 5 failed, each after its one failed request
    assert counts["primary"]["AvailableCredit"] == 8
    assert counts["primary"]["AvailableMessages"] == 3
    assert counts["secondary"]["total"] == 0  # an answer is final: no fail-over


def test_unreachable_from_the_start_then_recovery(source, monkeypatch):
    """No endpoint listens at start: status (not reachable) and unreachable; the service comes up: reachable with figures."""
    url = closed_port()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    servers = []
    events, delays = run(
        source,
        monkeypatch,
        {"username": USERNAME, "pin": PIN, "endpoints": [url], "interval": 10, "backoff_max": 30, "min_credit": 5},
        nothing,
        lambda: servers.append(sim.SimulatorServer(port=port).start()),
    )
    try:
        assert [e["type"] for e in events] == ["status", "unreachable", "reachable", "credit_low"]
        assert events[0]["reachable"] is False and events[0]["credit"] is None and events[0]["credit_state"] is None
        assert "connection refused" in events[1]["error"] and url in events[1]["error"]
        assert events[2]["credit"] == 2.895 and events[3]["credit_state"] == "low"
        assert delays == [20, 30, 10]
    finally:
        for server in servers:
            server.stop()


BAD = [
    ({"interval": 5}, "interval"),
    ({"interval": "soon"}, "interval"),
    ({"interval_floor_for_tests": 30}, "interval_floor_for_tests"),
    ({"min_credit": "lots"}, "min_credit"),
    ({"min_messages": 2.5}, "min_messages"),
    ({"min_messages": True}, "min_messages"),
    ({"hysteresis": 2}, "hysteresis"),
    ({"backoff_max": 3}, "backoff_max"),
    ({"validate_certs": "perhaps"}, "validate_certs"),
    ({"ca_path": "/nonexistent/ca.pem"}, "ca_path"),
    ({"endpoints": "ftp://example.invalid/sendsms5"}, "endpoint"),
    ({"endpoints": []}, "endpoints is empty"),
    ({"timeout": 0}, "timeout"),
    ({"pin": ""}, "pin"),
    ({"pin": "has spaces in it"}, "pin"),
    ({"threshold": 3}, "unknown argument threshold"),
    # the collection's one set of rules: non-finite, huge and wrong-typed values are refused in one line
    ({"interval": "1e400"}, "interval"),
    ({"interval": "inf"}, "interval"),
    ({"interval": float("nan")}, "interval"),
    ({"min_credit": "nan"}, "min_credit"),
    ({"min_credit": "-inf"}, "min_credit"),
    ({"min_messages": 10**400}, "min_messages"),
    ({"timeout": 1e10}, "timeout"),
    ({"endpoints": 123}, "endpoints"),
    ({"endpoints": [123]}, "endpoints"),
    ({"pin": 12.5}, "pin"),
]


@pytest.mark.parametrize(("change", "word"), BAD, ids=[next(iter(c)) + "-" + str(next(iter(c.values()))) for c, _w in BAD])
def test_bad_argument_fails_at_start_with_one_line(source, monkeypatch, pair, change, word):
    monkeypatch.delenv("CSOFT_PIN", raising=False)
    with pytest.raises(source.CsoftInputError) as caught:
        asyncio.run(asyncio.wait_for(source.main(ListQueue(), arguments(pair, **change)), 10))
    text = str(caught.value)
    assert word in text and "\n" not in text and PIN not in text
    assert pair.counts()["primary"]["total"] == 0  # nothing sent


def test_an_all_digit_pin_rendered_to_an_int_is_accepted(source, monkeypatch, pair):
    """ansible-rulebook renders "{{ CSOFT_PIN }}" of an all-digit PIN to an int: the source reads its decimal text."""
    digits = "48151623421"
    pair.update_account(USERNAME, pin=digits)
    events, _unused = run(source, monkeypatch, arguments(pair, pin=int(digits)))
    assert events[0]["type"] == "status" and events[0]["reachable"] is True


@pytest.mark.parametrize(("field", "value"), [("messages", "9" * 4301), ("credit", "1" + "0" * 400)])
def test_a_figure_out_of_bounds_is_an_unreachable_event_not_a_crash(source, monkeypatch, pair, field, value):
    """A <Messages> of 4,301 digits crashed the source (int() limit); a credit of 10^400 became Infinity, which
    ansible-rulebook cannot read. Both are now one-line failures of the poll: the events stay valid JSON."""
    events, _unused = run(source, monkeypatch, arguments(pair), lambda: pair.update_account(USERNAME, **{field: value}), nothing)
    assert [e["type"] for e in events] == ["status", "unreachable"]
    assert field.capitalize() in events[1]["error"] and "\n" not in events[1]["error"]
    json.dumps(events, allow_nan=False)


def test_credentials_from_the_environment(source, monkeypatch, pair):
    monkeypatch.setenv("CSOFT_USERNAME", USERNAME)
    monkeypatch.setenv("CSOFT_PIN", PIN)
    monkeypatch.setenv("CSOFT_ENDPOINTS", ",".join(pair.urls))
    events, _unused = run(source, monkeypatch, {"eda_feedback_queue": object(), "min_credit": ""})
    assert events[0]["type"] == "status" and events[0]["min_credit"] == 0.0


def test_rejected_login_fails_at_start_with_one_line(source, monkeypatch, pair):
    wrong = "WrongPin7Zq3Xv8Kd"
    with pytest.raises(source.CsoftInputError) as caught:
        asyncio.run(source.main(ListQueue(), arguments(pair, pin=wrong)))
    text = str(caught.value)
    assert "login rejected" in text and "\n" not in text and wrong not in text
    counts = pair.counts()
    assert counts["primary"]["AvailableCredit"] == 1 and counts["primary"]["total"] == 1 and counts["secondary"]["total"] == 0


def test_no_pin_or_username_in_any_event_or_log_line(source, monkeypatch, caplog):
    """A proxy that echoes the request (PIN included) in its error page: the events and logs hold neither secret."""

    caplog.set_level(logging.DEBUG, logger="csoft.sms.credit_watch")
    with RawServer(echo_credentials) as server:
        events, _unused = run(source, monkeypatch, {"username": USERNAME, "pin": PIN, "endpoints": [server.url], "interval": 10}, nothing)
    assert [e["type"] for e in events] == ["status", "unreachable"]
    assert "HTTP 500" in events[1]["error"] and "with PIN ********" in events[1]["error"] and "no account <username>" in events[1]["error"]
    text = json.dumps(events) + "\n".join(record.getMessage() for record in caplog.records)
    assert len(caplog.records) == 2  # one warning per outage, then debug lines
    assert PIN not in text and USERNAME not in text


def test_cancellation_during_a_hung_request_closes_the_client_promptly(source, monkeypatch, pair):
    closed = closed_clients(source, monkeypatch)
    pair.set_mode("hang")
    # cancelled once the poll's request is in, unanswered
    kinds, elapsed = live(source, arguments(pair, timeout=1), (None, lambda events: pair.counts()["primary"]["AvailableCredit"]))
    assert kinds == [] and elapsed < 0.5 and closed


def test_cancellation_while_waiting(source, pair):
    kinds, elapsed = live(source, arguments(pair, interval=60), (None, bool))
    assert kinds == ["status"] and elapsed < 0.5


def test_test_only_floor_allows_a_short_interval(source, pair):
    """interval_floor_for_tests lets the simulator be polled every 0.05 s (real sleeps)."""
    args = arguments(pair, interval=0.05, interval_floor_for_tests=0.05, min_credit=1)
    kinds, _unused = live(source, args, (None, bool), (credit(pair, "0.2500"), lambda events: len(events) >= 2))
    assert kinds == ["status", "credit_low"]
