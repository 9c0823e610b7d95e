# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The client against hostile services on loopback: what test_client_transport.py does not already prove.

Besides the simulator, a small raw TCP server (``RawServer``) writes answers byte
for byte, for what the simulator cannot do: drip the headers, stream 50 MB
without a length, redirect to a listener the test owns, echo the request back.
Only 127.0.0.0/8 is ever contacted.
"""

import os
import socket
import threading
import time
from decimal import Decimal
from urllib.parse import quote
from xml.sax.saxutils import escape

import pytest

from ansible_collections.csoft.sms.plugins.module_utils import _client as client
from ansible_collections.csoft.sms.tests.simulator import csoft_simulator as sim
from ansible_collections.csoft.sms.tests.support.vendor import vendor

USERNAME = "ANother.123456"
PIN = "Sim7PinQx42Zr9Lk"
OPS = ("AvailableCredit", "AvailableMessages", "PermittedReplyTo")
MIB = 1024 * 1024
# How far past the time-out a failing call may return (scheduling on a busy 2-core CI machine).
DEADLINE_SLACK = 0.4


@pytest.fixture
def pair():
    servers = sim.start_pair(tls=False)
    try:
        yield servers
    finally:
        servers.stop()


def make(endpoints, pin=PIN, username=USERNAME, **kwargs):
    kwargs.setdefault("timeout", 5)
    return client.CsoftClient(username, pin, endpoints=endpoints, **kwargs)


def ops(server):
    counts = server.counts()
    return [counts[op] for op in OPS]


def pin_forms(pin):
    """The PIN as an echo could show it: as is, XML/HTML-escaped, percent-encoded."""
    return {pin, escape(pin), escape(pin, {'"': "&quot;", "'": "&#x27;"}), quote(pin, safe=""), quote(pin)}


def pin_fragments(pin=PIN, size=6):
    """Every run of ``size`` characters of every form of the PIN: a truncated echo must not leak part of it either."""
    return {form[i : i + size] for form in pin_forms(pin) for i in range(len(form) - size + 1)}


def exception_texts(exc):
    """str, repr and args of the exception, of every exception chained to it, and of its public attributes."""
    texts, seen, todo = [], set(), [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        texts += [str(current), repr(current), repr(current.args)]
        texts += [repr(value) for name, value in vars(current).items() if not name.startswith("_")]
        todo += [current.__cause__, current.__context__]
    return texts


def assert_no_pin(exc, pin=PIN):
    for text in exception_texts(exc):
        leaked = [fragment for fragment in pin_fragments(pin) if fragment in text]
        assert not leaked, f"PIN fragment {leaked[0]!r} in {text[:300]!r}"


# A raw loopback HTTP server ---------------------------------------------------------------------


def read_request(conn):
    """Read one HTTP request (head + Content-Length body) from ``conn``; return the bytes."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _unused, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _unused, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class RawServer:
    """Accepts connections on 127.x.x.x and lets ``handler(server, conn, request)`` write the answer."""

    def __init__(self, handler, host="127.0.0.1"):
        self.handler = handler
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.05)
        self.url = f"http://{host}:{self.sock.getsockname()[1]}/sendsms5"
        self.connections = 0
        self.requests = []
        self.sent = 0
        self.stopping = threading.Event()
        self._conns = []
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _accept(self):
        while not self.stopping.is_set():
            try:
                conn, _unused = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._conns.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn):
        try:
            conn.settimeout(10)
            request = read_request(conn)
            self.requests.append(request)
            self.handler(self, conn, request)
        except OSError:
            pass
        finally:
            conn.close()

    def send(self, conn, data):
        conn.sendall(data)
        self.sent += len(data)

    def stop(self):
        self.stopping.set()
        for conn in self._conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.sock.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def http_answer(status, body, content_type="text/xml; charset=utf-8", extra=b""):
    return f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n".encode() + extra + b"\r\n" + body


class Listener:
    """A listening socket nobody accepts from: ``connected()`` tells whether anything connected to it."""

    def __init__(self, host="127.0.0.1"):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.sock.listen(8)
        self.sock.setblocking(False)
        self.url = f"http://{host}:{self.sock.getsockname()[1]}/elsewhere"

    def connected(self):
        try:
            conn, _unused = self.sock.accept()
        except BlockingIOError:
            return False
        conn.close()
        return True

    def close(self):
        self.sock.close()


# Overall deadline ----------------------------------------------------------------------------------
# test_client_transport.py drips every 0.2 s under a 1.5 s time-out with a 2 s margin. Each read
# may block up to the time-out, so a drip just inside it used to return after almost twice the
# time-out, and dripped headers held the client for ever. The bound here is time-out + 0.4 s.


@pytest.mark.parametrize("delay", [0.3, 0.9])
def test_body_drip_stops_at_the_deadline(pair, delay):
    pair.primary.set_mode(f"drip:{delay}")
    start = time.monotonic()
    with make([pair.primary.url, pair.secondary.url], timeout=1.0) as c, pytest.raises(client.CsoftTimeoutError, match="did not complete within") as info:
        c.available_credit()
    elapsed = time.monotonic() - start
    assert 0.95 <= elapsed < 1.0 + DEADLINE_SLACK, f"returned after {elapsed:.3f} s with a 1 s time-out"
    assert "not retried" in str(info.value)
    assert pair.primary.counts()["total"] == 1
    assert pair.secondary.counts()["total"] == 0


def test_body_drip_over_tls_stops_at_the_deadline():
    with sim.start_pair(tls=True) as tls_pair:
        tls_pair.primary.set_mode("drip:0.9")
        start = time.monotonic()
        with make([tls_pair.primary.url, tls_pair.secondary.url], timeout=1.0, ca_path=tls_pair.ca_pem_path) as c:
            with pytest.raises(client.CsoftTimeoutError, match="did not complete within"):
                c.available_messages()
        elapsed = time.monotonic() - start
        assert elapsed < 1.0 + DEADLINE_SLACK, f"returned after {elapsed:.3f} s with a 1 s time-out"
        assert tls_pair.secondary.counts()["total"] == 0


def test_header_drip_stops_at_the_deadline():
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nX-Padding: " + b"a" * 200 + b"\r\n"

    def drip_headers(server, conn, request):
        for byte in head:
            if server.stopping.wait(0.3):
                return
            server.send(conn, bytes([byte]))

    with RawServer(drip_headers) as server:
        start = time.monotonic()
        with make([server.url], timeout=1.0) as c, pytest.raises(client.CsoftTimeoutError, match="did not complete within"):
            c.available_credit()
        elapsed = time.monotonic() - start
    assert elapsed < 1.0 + DEADLINE_SLACK, f"returned after {elapsed:.3f} s with a 1 s time-out"
    assert server.connections == 1


def test_watchdog_never_touches_a_finished_request(pair):
    """The deadline timer of a request that answered in time neither fires later nor leaks a thread."""
    with make([pair.primary.url], timeout=0.5) as c:
        for _unused in range(5):
            assert c.available_messages() == 24
        time.sleep(0.7)  # past every request's deadline
        assert c.available_credit().credit == Decimal("2.8950")
        assert c.permitted_reply_to() == ["447700912345", "csoft.co.uk"]
    time.sleep(0.05)
    assert not [thread for thread in threading.enumerate() if isinstance(thread, threading.Timer) and thread.is_alive()]
    assert pair.primary.counts()["total"] == 7


# XXE and DTDs: nothing is read, fetched or echoed ---------------------------------------------------


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-7c1f9e")
    return path


def xxe_documents(secret, sentinel):
    envelope = (
        '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>'
        '<ns2:AvailableMessagesResponse xmlns:ns2="http://www.csoft.co.uk/dtd/sendsms5.xsd"><Messages>{value}</Messages>'
        "</ns2:AvailableMessagesResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )
    xinclude = f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://{secret}" parse="text"/>'
    return {
        "file entity": f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>' + envelope.format(value="&e;"),
        "parameter entity": f'<!DOCTYPE x [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>' + envelope.format(value="1"),
        "remote DTD": f'<!DOCTYPE x SYSTEM "{sentinel}">' + envelope.format(value="1"),
        "remote entity": f'<!DOCTYPE x [<!ENTITY e SYSTEM "{sentinel}">]>' + envelope.format(value="&e;"),
        "xinclude": envelope.format(value=xinclude),
        "utf-16 file entity": f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>' + envelope.format(value="&e;"),
        "utf-16 remote DTD": f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x SYSTEM "{sentinel}">' + envelope.format(value="1"),
    }


@pytest.mark.parametrize("status", [200, 500])
def test_xxe_variants_read_and_fetch_nothing(secret_file, status):
    sentinel = Listener()
    try:
        documents = xxe_documents(secret_file, sentinel.url)
        for name, text in documents.items():
            body = text.encode("utf-16") if name.startswith("utf-16") else text.encode()

            def answer(server, conn, request, body=body):
                server.send(conn, http_answer(f"{status} X", body))

            with RawServer(answer) as server, make([server.url]) as c, pytest.raises(client.CsoftError) as info:
                c.available_messages()
            for text_ in exception_texts(info.value):
                assert "TOP-SECRET" not in text_, name
            assert not sentinel.connected(), f"{name}: the client fetched the DTD or entity"
    finally:
        sentinel.close()


def test_simulator_xxe_modes_never_echo_the_file(pair):
    hostname = open("/etc/hostname").read().strip() if os.path.exists("/etc/hostname") else ""  # noqa: SIM115
    for mode in ("xxe", "bomb", "dtd-remote"):
        pair.primary.set_mode(mode)
        for op in OPS:
            with make([pair.primary.url]) as c, pytest.raises(client.CsoftResponseError, match="DOCTYPE") as info:
                c.call(op)
            if len(hostname) >= 4:  # a short host name would match by chance
                assert all(hostname not in text for text in exception_texts(info.value))
    assert ops(pair.primary) == [3, 3, 3]


# Size cap ------------------------------------------------------------------------------------------


def stream_50mb(framing):
    def handler(server, conn, request):
        if framing == "chunked":
            server.send(conn, b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n")
        else:  # no length: the body ends when the connection closes
            server.send(conn, b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\n\r\n")

        def emit(data):
            server.send(conn, b"%x\r\n%s\r\n" % (len(data), data) if framing == "chunked" else data)

        emit(b"<?xml version='1.0'?>")
        piece = b"<!--" + b"x" * (65536 - 7) + b"-->"
        for _unused in range(50 * MIB // len(piece)):
            emit(piece)

    return handler


@pytest.mark.parametrize("framing", ["chunked", "close-delimited"])
def test_50mb_body_without_length_stops_at_the_cap(framing):
    with RawServer(stream_50mb(framing)) as server:
        start = time.monotonic()
        with make([server.url], timeout=10) as c, pytest.raises(client.CsoftResponseError, match=f"larger than {client.MAX_RESPONSE_BYTES} bytes"):
            c.available_credit()
        elapsed = time.monotonic() - start
        time.sleep(0.2)  # let the server notice the closed connection
        sent = server.sent
    print(f"{framing}: the server wrote {sent / MIB:.1f} MiB of 50 MiB before the client hung up after {elapsed:.3f} s")
    # What the server could push = the cap + one read + what the loopback socket buffers hold.
    assert sent < 50 * MIB // 4, f"the server wrote {sent} bytes before the client hung up"
    assert elapsed < 3, elapsed
    assert server.connections == 1


def test_content_length_over_the_cap_is_refused_before_reading():
    """The answer announces 50 MB and then sends nothing: reading any of it would wait for the time-out."""
    release = threading.Event()

    def announce(server, conn, request):
        server.send(conn, b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n" % (50 * MIB))
        release.wait(10)

    with RawServer(announce) as server:
        start = time.monotonic()
        with make([server.url], timeout=5) as c, pytest.raises(client.CsoftResponseError, match="larger than"):
            c.available_credit()
        elapsed = time.monotonic() - start
        release.set()
    assert elapsed < 1.0, f"took {elapsed:.2f} s: the client waited for the body"


def test_compressed_answer_is_refused(pair):
    import gzip

    body = gzip.compress(vendor("credit_response"))

    def gzipped(server, conn, request):
        server.send(conn, http_answer("200 OK", body, extra=b"Content-Encoding: gzip\r\n"))

    with RawServer(gzipped) as server, make([server.url]) as c, pytest.raises(client.CsoftResponseError, match="Content-Encoding 'gzip'"):
        c.available_credit()
    assert b"accept-encoding: identity" in server.requests[0].lower()


# No retries, no redirects -----------------------------------------------------------------------------


def test_urllib3_retries_are_zero(pair):
    with make([pair.primary.url]) as c:
        for url in (pair.primary.url, "https://127.0.0.1/sendsms5"):
            retry = c._session.get_adapter(url).max_retries  # pylint: disable=protected-access
            assert (retry.total, retry.connect, retry.read, retry.redirect, retry.status) == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("mode", ["close", "status:503"])
def test_failure_on_a_kept_alive_connection_is_not_retried(pair, mode):
    """http.client and urllib3 retry a request whose reused connection dropped; the client must not."""
    with make([pair.primary.url, pair.secondary.url]) as c:
        assert c.available_messages() == 24
        pair.primary.set_mode(mode)
        with pytest.raises(client.CsoftError) as info:
            c.available_credit()
        assert c.requests_sent == 2
    assert pair.primary.url in str(info.value)
    assert pair.primary.counts()["total"] == 2
    assert len(pair.primary.requests_log()) == 2
    assert pair.secondary.counts()["total"] == 0


def test_closed_connection_is_one_tcp_connection():
    def hang_up(server, conn, request):
        pass  # read the request, close without answering

    with RawServer(hang_up) as server, make([server.url, sim.closed_port()]) as c, pytest.raises(client.CsoftTimeoutError, match="connection broke"):
        c.available_credit()
    assert server.connections == 1 and len(server.requests) == 1


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_simulator_redirect_is_final(pair, code):
    pair.primary.set_mode(f"redirect:{code}")
    with make([pair.primary.url, pair.secondary.url]) as c, pytest.raises(client.CsoftHTTPError, match=f"HTTP {code} redirect") as info:
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
        with RawServer(redirect) as server, make([server.url]) as c, pytest.raises(client.CsoftHTTPError, match="not followed"):
            c.available_messages()
        time.sleep(0.05)
        assert not target.connected(), f"the client followed the {code} redirect to {target.url}"
        assert server.connections == 1
    finally:
        target.close()


# A black-holed primary: the TCP handshake never completes --------------------------------------------


@pytest.fixture
def black_hole():
    """A loopback port that drops SYNs: its accept queue (backlog 0) is full and nobody accepts.

    Linux drops a SYN to a listener whose accept queue is full (unless
    net.ipv4.tcp_abort_on_overflow is set), so connect() neither succeeds
    nor is refused: the client sees a connect time-out, as with a firewalled host.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _unused in range(4):
        filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.1)
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.settimeout(0.3)
    try:
        probe.connect(("127.0.0.1", port))
    except TimeoutError:
        pass
    else:  # pragma: no cover - depends on the kernel
        pytest.skip("this kernel completes handshakes beyond the accept queue; no black hole on loopback")
    finally:
        probe.close()
    try:
        yield f"http://127.0.0.1:{port}/sendsms5"
    finally:
        for sock in fillers + [listener]:
            sock.close()


def test_black_holed_primary_fails_over_after_timeout_once(pair, black_hole):
    timeout = 1.0
    with make([black_hole, pair.secondary.url], timeout=timeout) as c:
        start = time.monotonic()
        assert c.available_credit() == client.AccountCredit(Decimal("2.8950"), "GBP")
        first = time.monotonic() - start
        assert c.available_messages() == 24
        assert c.permitted_reply_to() == ["447700912345", "csoft.co.uk"]
        total = time.monotonic() - start
        assert c.failed_over is True and c.endpoint == pair.secondary.url
        assert c.requests_sent == 4  # one connect attempt at the black hole, three requests to the secondary
    print(f"black hole: failover after {first:.3f} s (timeout {timeout} s), three calls in {total:.3f} s")
    assert timeout - 0.05 <= first < timeout + DEADLINE_SLACK, f"failover took {first:.3f} s"
    assert total - first < 0.5, f"the later calls took {total - first:.3f} s: the black hole was tried again"
    assert ops(pair.secondary) == [1, 1, 1]
    assert pair.primary.counts()["total"] == 0


def test_two_black_holes_name_both_as_connect_time_outs(black_hole):
    start = time.monotonic()
    with make([black_hole, black_hole.replace("/sendsms5", "/other/sendsms5")], timeout=0.5) as c:
        with pytest.raises(client.CsoftUnreachableError) as info:
            c.available_messages()
    elapsed = time.monotonic() - start
    assert [attempt[1] for attempt in info.value.attempts] == ["connect time-out", "connect time-out"]
    assert str(info.value).count("connect time-out") == 2
    assert 0.95 <= elapsed < 1.0 + DEADLINE_SLACK


# The PIN never leaves the request body ------------------------------------------------------------------

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
            with make([pair.primary.url, pair.secondary.url], timeout=0.6) as c:
                try:
                    c.call(op)
                except client.CsoftError as exc:
                    failures[mode] += 1
                    assert_no_pin(exc)
                    assert "\n" not in str(exc) and pair.primary.url in str(exc), (mode, op, str(exc))
    assert not [mode for mode, count in failures.items() if count == 0]  # every mode breaks something
    log = pair.primary.requests_log()
    assert len(log) == len(ALL_MODES) * 3
    assert not [entry for entry in log if entry["pin_in_url_or_headers"]]
    assert PIN not in repr(log)
    assert pair.secondary.counts()["total"] == 0


def test_pin_in_no_unreachable_error(black_hole):
    with make([sim.closed_port(), black_hole, "http://csoft.invalid/sendsms5"], timeout=0.3) as c:
        with pytest.raises(client.CsoftUnreachableError) as info:
            c.available_credit()
    assert [attempt[1] for attempt in info.value.attempts] == ["connection refused", "connect time-out", "host name could not be resolved"]
    assert_no_pin(info.value)


def test_pin_sent_only_in_the_body_element():
    def capture(server, conn, request):
        server.send(conn, http_answer("200 OK", vendor("messages_response")))

    with RawServer(capture) as server:
        with make([server.url]) as c:
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

        with RawServer(echo) as server, make([server.url], pin=pin) as c, pytest.raises(client.CsoftError) as info:
            c.available_credit()
        for text in exception_texts(info.value):
            leaked = [fragment for fragment in pin_fragments(pin) if fragment in text]
            assert not leaked, f"{name}: PIN fragment {leaked[0]!r} in {text[:300]!r}"


def test_pin_that_equals_a_value_never_alters_a_good_answer(pair):
    """Masking is for error excerpts only: a numeric PIN may well equal a figure or a ReplyTo number."""
    pair.update_account("Numeric.pin", pin="24", credit="24.0000", messages=24, permitted_reply_to="24,csoft.co.uk")
    with make([pair.primary.url], username="Numeric.pin", pin="24") as c:
        assert c.available_credit().credit == Decimal("24.0000")
        assert c.available_messages() == 24
        assert c.permitted_reply_to() == ["24", "csoft.co.uk"]


# Username and PIN: validated before sending, sent exactly ------------------------------------------------


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
    with make([pair.primary.url], username=username, pin=pin) as c:
        assert c.available_credit().credit == Decimal("1.2345")
        assert c.available_messages() == 7
    log = pair.primary.requests_log()
    assert [entry["username"] for entry in log] == [username, username]
    assert all(entry["pin_ok"] for entry in log)


def test_special_characters_are_escaped_on_the_wire():
    def capture(server, conn, request):
        server.send(conn, http_answer("200 OK", vendor("messages_response")))

    with RawServer(capture) as server, make([server.url], username="a<b&c>d", pin="p</PIN><x>&y") as c:
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
    ("pin", 12345678),
    ("username", b"bytes.user"),
]


@pytest.mark.parametrize("field, value", INVALID, ids=[f"{f}-{i}" for i, (f, _value) in enumerate(INVALID)])
def test_invalid_credentials_send_nothing(pair, field, value):
    kwargs = {"username": USERNAME, "pin": PIN, field: value}
    with pytest.raises(client.CsoftInputError, match=field) as info:
        make([pair.primary.url], **kwargs)
    if isinstance(value, str) and len(value) >= 4:
        assert value not in str(info.value)
    assert_no_pin(info.value)
    assert pair.primary.counts()["total"] == 0
