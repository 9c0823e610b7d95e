# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_client.py: input validation, fail-over, one request per call, interpretation of answers, the PIN.

Over real HTTP on loopback against the simulator, and ``RawServer`` and
``Listener`` (tests/support/network.py) for what the simulator cannot do:
redirect to a listener the test owns, echo the request back.
"""

import time
from decimal import Decimal
from urllib.parse import quote
from xml.sax.saxutils import escape

import pytest

from ansible_collections.csoft.sms.plugins.module_utils import _account as account
from ansible_collections.csoft.sms.plugins.module_utils import _client as client
from ansible_collections.csoft.sms.plugins.module_utils import _errors as errors
from ansible_collections.csoft.sms.tests.simulator import csoft_simulator as sim
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.clients import ACCOUNT_OPERATIONS as OPS
from ansible_collections.csoft.sms.tests.support.clients import (
    assert_no_pin,
    exception_texts,
    make_client,
    operation_counts,
    pin_forms,
    pin_fragments,
)
from ansible_collections.csoft.sms.tests.support.network import Listener, RawServer, closed_port, http_answer
from ansible_collections.csoft.sms.tests.support.vendor import vendor

# How far past the time-out a failing call may return (scheduling on a busy 2-core CI machine).
DEADLINE_SLACK = 0.4


def test_client_repr_hides_pin():
    pin = "Zq8rT4pinXw2Lk9A"
    instance = client.CsoftClient.from_values("user.name", pin, endpoints=["http://127.0.0.1:9/sendsms5"])
    assert pin not in repr(instance)
    assert pin not in str(vars(instance).get("username"))
    assert instance.redact(f"echo {pin} back") == "echo ******** back"


# One kept-alive session -----------------------------------------------------------------------------


def test_three_queries_on_one_kept_alive_session(pair):
    with make_client([pair.primary.url, pair.secondary.url]) as c:
        assert c.available_credit() == account.AccountCredit(Decimal("2.8950"), "GBP")
        assert c.available_messages() == 24
        assert c.permitted_reply_to() == ["447700912345", "csoft.co.uk"]
        assert c.endpoint == pair.primary.url
        assert c.failed_over is False
        assert c.requests_sent == 3
    assert operation_counts(pair.primary) == [1, 1, 1]
    assert pair.secondary.counts()["total"] == 0


def test_pin_only_in_the_body(pair):
    with make_client([pair.primary.url]) as c:
        c.available_credit()
    (entry,) = [e for e in pair.primary.requests_log() if e.get("operation") == "AvailableCredit"]
    assert entry["pin_ok"] is True
    assert entry["pin_in_url_or_headers"] is False
    assert PIN not in repr(entry)


# Fail-over only without a connection ----------------------------------------------------------------


def test_refused_primary_fails_over_and_sticks_to_secondary(pair):
    dead = closed_port()
    with make_client([dead, pair.secondary.url]) as c:
        assert c.available_messages() == 24
        assert c.failed_over is True and c.endpoint == pair.secondary.url
        c.available_credit()
        c.permitted_reply_to()
        # The dead primary was tried once, not once per operation.
        assert c.requests_sent == 4
    assert operation_counts(pair.secondary) == [1, 1, 1]


def test_unresolvable_primary_fails_over(pair):
    with make_client(["http://csoft-primary.invalid/sendsms5", pair.secondary.url]) as c:
        assert c.available_messages() == 24
        assert c.failed_over is True


def test_all_endpoints_unreachable_names_each(pair):
    dead1, dead2 = closed_port(), closed_port()
    with make_client([dead1, dead2]) as c, pytest.raises(errors.CsoftUnreachableError) as info:
        c.available_credit()
    message = str(info.value)
    assert f"{dead1}: connection refused" in message
    assert f"{dead2}: connection refused" in message
    assert [attempt[0] for attempt in info.value.attempts] == [dead1, dead2]
    assert "\n" not in message


def test_https_untrusted_primary_fails_over_to_trusted_secondary(tls_pair, tmp_path):
    other = sim.SimulatorServer(tls=True, name="rogue")  # its own CA, not in ca_path
    other.start()
    try:
        with make_client([other.url, tls_pair.secondary.url], ca_path=tls_pair.secondary.ca_pem_path) as c:
            assert c.available_messages() == 24
            assert c.failed_over is True
    finally:
        other.stop()


def test_black_holed_primary_fails_over_after_timeout_once(pair, black_hole):
    timeout = 1.0
    with make_client([black_hole, pair.secondary.url], timeout=timeout) as c:
        start = time.monotonic()
        assert c.available_credit() == account.AccountCredit(Decimal("2.8950"), "GBP")
        first = time.monotonic() - start
        assert c.available_messages() == 24
        assert c.permitted_reply_to() == ["447700912345", "csoft.co.uk"]
        total = time.monotonic() - start
        assert c.failed_over is True and c.endpoint == pair.secondary.url
        assert c.requests_sent == 4  # one connect attempt at the black hole, three requests to the secondary
    print(f"black hole: failover after {first:.3f} s (timeout {timeout} s), three calls in {total:.3f} s")
    assert timeout - 0.05 <= first < timeout + DEADLINE_SLACK, f"failover took {first:.3f} s"
    assert total - first < 0.5, f"the later calls took {total - first:.3f} s: the black hole was tried again"
    assert operation_counts(pair.secondary) == [1, 1, 1]
    assert pair.primary.counts()["total"] == 0


# Any answer is final --------------------------------------------------------------------------------


FINAL_MODES = [
    ("fault", errors.CsoftFaultError, "login rejected"),
    ("fault200", errors.CsoftFaultError, "login rejected"),
    ("html500", errors.CsoftHTTPError, "HTTP 500"),
    ("status:401", errors.CsoftHTTPError, "HTTP 401"),
    ("status:403", errors.CsoftHTTPError, "HTTP 403"),
    ("status:404", errors.CsoftHTTPError, "HTTP 404"),
    ("status:429", errors.CsoftHTTPError, "HTTP 429"),
    ("status:500", errors.CsoftHTTPError, "HTTP 500"),
    ("status:502", errors.CsoftHTTPError, "HTTP 502"),
    ("status:503", errors.CsoftHTTPError, "HTTP 503"),
    ("redirect:301", errors.CsoftHTTPError, "redirect, which is not followed"),
    ("redirect:302", errors.CsoftHTTPError, "redirect, which is not followed"),
    ("garbage", errors.CsoftResponseError, "not XML"),
    ("empty", errors.CsoftResponseError, "empty body"),
    ("truncated", errors.CsoftResponseError, "not well-formed"),
    ("missing", errors.CsoftResponseError, "has no"),
    ("wrong-wrapper", errors.CsoftResponseError, "was expected"),
    ("credit-na", errors.CsoftResponseError, "'N/A'"),
    ("xxe", errors.CsoftResponseError, "DOCTYPE"),
    ("bomb", errors.CsoftResponseError, "DOCTYPE"),
    ("dtd-remote", errors.CsoftResponseError, "DOCTYPE"),
    ("big:50", errors.CsoftResponseError, "larger than"),
    ("close", errors.CsoftTimeoutError, "connection broke after the request was sent"),
]


@pytest.mark.parametrize("mode, error, text", FINAL_MODES, ids=[m[0] for m in FINAL_MODES])
def test_any_answer_is_final_no_retry_no_failover(pair, mode, error, text):
    pair.primary.set_mode(mode)
    with make_client([pair.primary.url, pair.secondary.url]) as c, pytest.raises(error) as info:
        c.available_credit()
    message = str(info.value)
    assert text in message
    assert pair.primary.url in message
    assert "\n" not in message and "Traceback" not in message
    assert PIN not in message and PIN not in repr(info.value)
    assert pair.primary.counts()["AvailableCredit"] == 1
    assert pair.secondary.counts()["total"] == 0


def test_wrong_pin_is_one_request_and_never_echoed(pair):
    wrong = "WrongPin5Yt8Hv2Q"
    with make_client([pair.primary.url, pair.secondary.url], pin=wrong) as c, pytest.raises(errors.CsoftFaultError) as info:
        c.available_credit()
    assert info.value.login_rejected
    assert "check the username and PIN" in str(info.value)
    assert wrong not in str(info.value)
    assert pair.primary.counts()["total"] == 1
    assert pair.secondary.counts()["total"] == 0


def test_silent_server_times_out_once_without_failover(pair):
    pair.primary.set_mode("hang")
    start = time.monotonic()
    with make_client([pair.primary.url, pair.secondary.url], timeout=1) as c, pytest.raises(errors.CsoftTimeoutError, match="not retried"):
        c.available_credit()
    assert time.monotonic() - start < 3
    assert pair.primary.counts()["total"] == 1
    assert pair.secondary.counts()["total"] == 0


@pytest.mark.parametrize("mode", ["close", "status:503"])
def test_failure_on_a_kept_alive_connection_is_not_retried(pair, mode):
    """http.client and urllib3 retry a request whose reused connection dropped; the client must not."""
    with make_client([pair.primary.url, pair.secondary.url]) as c:
        assert c.available_messages() == 24
        pair.primary.set_mode(mode)
        with pytest.raises(errors.CsoftError) as info:
            c.available_credit()
        assert c.requests_sent == 2
    assert pair.primary.url in str(info.value)
    assert pair.primary.counts()["total"] == 2
    assert len(pair.primary.requests_log()) == 2
    assert pair.secondary.counts()["total"] == 0


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_simulator_redirect_is_final(pair, code):
    pair.primary.set_mode(f"redirect:{code}")
    with make_client([pair.primary.url, pair.secondary.url]) as c, pytest.raises(errors.CsoftHTTPError, match=f"HTTP {code} redirect") as info:
        c.available_credit()
    assert info.value.status == code
    assert pair.primary.counts()["total"] == 1
    assert pair.secondary.counts()["total"] == 0


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2"])
def test_redirect_target_is_never_contacted(code, host):
    target = Listener(host)

    def redirect(server, conn, request):
        server.send(conn, http_answer(f"{code} Moved", b"moved", "text/plain", f"Location: {target.url}\r\n".encode()))

    try:
        with RawServer(redirect) as server, make_client([server.url]) as c, pytest.raises(errors.CsoftHTTPError, match="not followed"):
            c.available_messages()
        time.sleep(0.05)
        assert not target.connected(), f"the client followed the {code} redirect to {target.url}"
        assert server.connections == 1
    finally:
        target.close()


# The PIN never leaves the request body --------------------------------------------------------------


ALL_MODES = [
    "fault",
    "fault200",
    "html500",
    "status:401",
    "status:503",
    "redirect:307",
    "garbage",
    "empty",
    "truncated",
    "missing",
    "wrong-wrapper",
    "credit-na",
    "messages-negative",
    "messages-fraction",
    "replyto-empty",
    "xxe",
    "bomb",
    "dtd-remote",
    "big:2",
    "close",
    "hang",
    "drip:0.3",
]


def test_pin_in_no_error_of_any_mode_nor_in_url_or_headers(pair):
    failures = dict.fromkeys(ALL_MODES, 0)
    for mode in ALL_MODES:
        pair.primary.set_mode(mode)
        for op in OPS:
            with make_client([pair.primary.url, pair.secondary.url], timeout=0.6) as c:
                try:
                    c.call(op)
                except errors.CsoftError as exc:
                    failures[mode] += 1
                    assert_no_pin(exc)
                    assert "\n" not in str(exc) and pair.primary.url in str(exc), (mode, op, str(exc))
    assert not [mode for mode, count in failures.items() if count == 0]  # every mode breaks something
    log = pair.primary.requests_log()
    assert len(log) == len(ALL_MODES) * 3
    assert not [entry for entry in log if entry["pin_in_url_or_headers"]]
    assert PIN not in repr(log)
    assert pair.secondary.counts()["total"] == 0


def test_pin_sent_only_in_the_body_element():
    def capture(server, conn, request):
        server.send(conn, http_answer("200 OK", vendor("messages_response")))

    with RawServer(capture) as server:
        with make_client([server.url]) as c:
            assert c.available_messages() == 24
    head, _sep, body = server.requests[0].partition(b"\r\n\r\n")
    assert PIN.encode() not in head
    assert body.count(PIN.encode()) == 1
    assert f"<PIN>{PIN}</PIN>".encode() in body


ECHO_PIN = "Ec&h<o>P1n'Zq8\"rT4"  # 18 characters, with every character that XML, HTML and URLs escape


def echo_answers(pin):
    """Answers of a service (or proxy) that echoes the request, the PIN in every form it could take."""
    forms = sorted(pin_forms(pin))
    answers = {}
    for number, form in enumerate(forms):
        for offset in (0, 150, 155, 158, 300):  # around the 160-character cut of the body excerpt
            page = b"<html><body><p>" + b"x" * offset + f"your request: PIN={form}".encode() + b"</p></body></html>"
            answers[f"html500 form{number} at {offset}"] = http_answer("500 Internal Server Error", page, "text/html")
        fault = sim.fault_document(f"Invalid PIN {form}")
        answers[f"fault form{number}"] = http_answer("500 Internal Server Error", fault)
        answers[f"fault200 form{number}"] = http_answer("200 OK", fault)
    credit = vendor("credit_response")
    value = escape(pin).encode()
    answers["credit value cut at 40"] = http_answer("200 OK", credit.replace(b"2.8950", b"9" * 33 + value))
    answers["currency value"] = http_answer("200 OK", credit.replace(b"<Currency>GBP", b"<Currency>" + value))
    answers["plain text"] = http_answer("200 OK", f"ERROR {pin}".encode(), "text/xml")
    answers["not well-formed"] = http_answer("200 OK", credit.replace(b"</Credit>", f"</{quote(pin, safe='')}>".encode()))
    return answers


@pytest.mark.parametrize("pin", [PIN, ECHO_PIN], ids=["plain", "escapable"])
def test_echoed_pin_never_reaches_an_error(pin):
    answers = echo_answers(pin)
    for name, answer in answers.items():

        def echo(server, conn, request, answer=answer):
            server.send(conn, answer)

        with RawServer(echo) as server, make_client([server.url], pin=pin) as c, pytest.raises(errors.CsoftError) as info:
            c.available_credit()
        for text in exception_texts(info.value):
            leaked = [fragment for fragment in pin_fragments(pin) if fragment in text]
            assert not leaked, f"{name}: PIN fragment {leaked[0]!r} in {text[:300]!r}"


def test_pin_that_equals_a_value_never_alters_a_good_answer(pair):
    """Masking is for error excerpts only: a numeric PIN may well equal a figure or a ReplyTo number."""
    pair.update_account("Numeric.pin", pin="24", credit="24.0000", messages=24, permitted_reply_to="24,csoft.co.uk")
    with make_client([pair.primary.url], username="Numeric.pin", pin="24") as c:
        assert c.available_credit().credit == Decimal("24.0000")
        assert c.available_messages() == 24
        assert c.permitted_reply_to() == ["24", "csoft.co.uk"]


# Username and PIN: validated before sending, sent exactly -------------------------------------------


@pytest.mark.parametrize(
    "username, pin",
    [
        ("u<&>'\"]]>x", "p&amp;<x>]]>'\"Z9"),  # XML-special characters, an entity reference, a CDATA end
        ("U" * 20, "P" * 20),  # the longest allowed
        ("a", "Z"),  # the shortest
        ("!#$%()*+,-./:;=?@[\\", "^_`{|}~0123456789AZ"),  # every other punctuation mark
    ],
)
def test_credentials_reach_the_service_exactly(pair, username, pin):
    pair.update_account(username, pin=pin, credit="1.2345", messages=7)
    with make_client([pair.primary.url], username=username, pin=pin) as c:
        assert c.available_credit().credit == Decimal("1.2345")
        assert c.available_messages() == 7
    log = pair.primary.requests_log()
    assert [entry["username"] for entry in log] == [username, username]
    assert all(entry["pin_ok"] for entry in log)


def test_special_characters_are_escaped_on_the_wire():
    def capture(server, conn, request):
        server.send(conn, http_answer("200 OK", vendor("messages_response")))

    with RawServer(capture) as server, make_client([server.url], username="a<b&c>d", pin="p</PIN><x>&y") as c:
        c.available_messages()
    body = server.requests[0].partition(b"\r\n\r\n")[2]
    assert b"<Username>a&lt;b&amp;c&gt;d</Username>" in body
    assert b"<PIN>p&lt;/PIN&gt;&lt;x&gt;&amp;y</PIN>" in body


INVALID = [
    ("username", "U" * 21),
    ("pin", "P" * 21),
    ("pin", "P" * 1000),
    ("username", ""),
    ("pin", ""),
    ("username", None),
    ("pin", None),
    ("pin", "abc\x7fdef"),
    ("pin", "\x1b[31mred"),
    ("pin", "line\r\nX-Injected: 1"),
    ("username", " leading"),
    ("username", "trailing "),
    ("pin", "\u00a3pound"),
    ("pin", 1234.5),  # a whole number is its decimal text (test_connection.py); a float is refused
    ("username", b"bytes.user"),
]


@pytest.mark.parametrize("field, value", INVALID, ids=[f"{f}-{i}" for i, (f, _value) in enumerate(INVALID)])
def test_invalid_credentials_send_nothing(pair, field, value):
    kwargs = {"username": USERNAME, "pin": PIN, field: value}
    with pytest.raises(errors.CsoftInputError, match=field) as info:
        make_client([pair.primary.url], **kwargs)
    if isinstance(value, str) and len(value) >= 4:
        assert value not in str(info.value)
    assert_no_pin(info.value)
    assert pair.primary.counts()["total"] == 0
