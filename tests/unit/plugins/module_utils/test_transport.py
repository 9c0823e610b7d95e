# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_transport.py and _deadline.py through the client, over real HTTP(S) on loopback.

The simulator where it can; ``RawServer``, ``StreamingServer`` and ``BlackHole``
(tests/support/network.py) where it cannot: drip the headers, stream 50 MB
without a length, drop SYNs. Only 127.0.0.0/8 is ever contacted.
"""

import threading
import time
from decimal import Decimal

import pytest

from ansible_collections.csoft.sms.plugins.module_utils import _client as client
from ansible_collections.csoft.sms.plugins.module_utils import _errors as errors
from ansible_collections.csoft.sms.tests.simulator import csoft_simulator as sim
from ansible_collections.csoft.sms.tests.support.clients import assert_no_pin, make_client
from ansible_collections.csoft.sms.tests.support.network import MIB, RawServer, StreamingServer, closed_port, http_answer
from ansible_collections.csoft.sms.tests.support.vendor import vendor

# How far past the time-out a failing call may return (scheduling on a busy 2-core CI machine).
DEADLINE_SLACK = 0.4


# Overall deadline -----------------------------------------------------------------------------------
# Each read may block up to the time-out, so a drip just inside it used to return after almost twice the
# time-out, and dripped headers held the client for ever. The bound here is time-out + 0.4 s.


def test_dripping_server_hits_the_overall_deadline(pair):
    pair.primary.set_mode("drip:0.2")
    start = time.monotonic()
    with make_client([pair.primary.url], timeout=1.5) as c, pytest.raises(errors.CsoftTimeoutError, match="did not complete within"):
        c.available_credit()
    assert time.monotonic() - start < 3.5
    assert pair.primary.counts()["total"] == 1


def test_slow_but_in_time_answer_succeeds(pair):
    pair.primary.set_mode("slow:0.3")
    with make_client([pair.primary.url], timeout=3) as c:
        assert c.available_messages() == 24


@pytest.mark.parametrize("delay", [0.3, 0.9])
def test_body_drip_stops_at_the_deadline(pair, delay):
    pair.primary.set_mode(f"drip:{delay}")
    start = time.monotonic()
    with (
        make_client([pair.primary.url, pair.secondary.url], timeout=1.0) as c,
        pytest.raises(errors.CsoftTimeoutError, match="did not complete within") as info,
    ):
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
        with make_client([tls_pair.primary.url, tls_pair.secondary.url], timeout=1.0, ca_path=tls_pair.ca_pem_path) as c:
            with pytest.raises(errors.CsoftTimeoutError, match="did not complete within"):
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
        with make_client([server.url], timeout=1.0) as c, pytest.raises(errors.CsoftTimeoutError, match="did not complete within"):
            c.available_credit()
        elapsed = time.monotonic() - start
    assert elapsed < 1.0 + DEADLINE_SLACK, f"returned after {elapsed:.3f} s with a 1 s time-out"
    assert server.connections == 1


def test_watchdog_never_touches_a_finished_request(pair):
    """The deadline timer of a request that answered in time neither fires later nor leaks a thread."""
    with make_client([pair.primary.url], timeout=0.5) as c:
        for _unused in range(5):
            assert c.available_messages() == 24
        time.sleep(0.7)  # past every request's deadline
        assert c.available_credit().credit == Decimal("2.8950")
        assert c.permitted_reply_to() == ["447700912345", "csoft.co.uk"]
    time.sleep(0.05)
    assert not [thread for thread in threading.enumerate() if isinstance(thread, threading.Timer) and thread.is_alive()]
    assert pair.primary.counts()["total"] == 7


# Size cap and encoding ------------------------------------------------------------------------------


def test_size_cap_is_configurable(pair):
    with make_client([pair.primary.url], max_response_bytes=100) as c, pytest.raises(errors.CsoftResponseError, match="larger than 100 bytes"):
        c.available_credit()


@pytest.mark.parametrize("framing", ["chunked", "close-delimited"])
def test_50mb_body_without_length_stops_at_the_cap(framing):
    with StreamingServer("chunked" if framing == "chunked" else "close", mib=50) as server:
        start = time.monotonic()
        with make_client([server.url], timeout=10) as c, pytest.raises(errors.CsoftResponseError, match=f"larger than {client.MAX_RESPONSE_BYTES} bytes"):
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
        with make_client([server.url], timeout=5) as c, pytest.raises(errors.CsoftResponseError, match="larger than"):
            c.available_credit()
        elapsed = time.monotonic() - start
        release.set()
    assert elapsed < 1.0, f"took {elapsed:.2f} s: the client waited for the body"


def test_compressed_answer_is_refused(pair):
    import gzip

    body = gzip.compress(vendor("credit_response"))

    def gzipped(server, conn, request):
        server.send(conn, http_answer("200 OK", body, extra=b"Content-Encoding: gzip\r\n"))

    with RawServer(gzipped) as server, make_client([server.url]) as c, pytest.raises(errors.CsoftResponseError, match="Content-Encoding 'gzip'"):
        c.available_credit()
    assert b"accept-encoding: identity" in server.requests[0].lower()


# No retries -----------------------------------------------------------------------------------------


def test_urllib3_retries_are_zero(pair):
    with make_client([pair.primary.url]) as c:
        for url in (pair.primary.url, "https://127.0.0.1/sendsms5"):
            retry = c._session.get_adapter(url).max_retries  # pylint: disable=protected-access
            assert (retry.total, retry.connect, retry.read, retry.redirect, retry.status) == (0, 0, 0, 0, 0)


def test_closed_connection_is_one_tcp_connection():
    def hang_up(server, conn, request):
        pass  # read the request, close without answering

    with RawServer(hang_up) as server, make_client([server.url, closed_port()]) as c, pytest.raises(errors.CsoftTimeoutError, match="connection broke"):
        c.available_credit()
    assert server.connections == 1 and len(server.requests) == 1


# Connect failures: TLS, connect time-outs -----------------------------------------------------------


def test_https_with_ca_path(tls_pair):
    assert tls_pair.primary.url.startswith("https://")
    with make_client([tls_pair.primary.url], ca_path=tls_pair.primary.ca_pem_path) as c:
        assert c.available_credit().currency == "GBP"


def test_https_untrusted_ca_is_a_connect_failure(tls_pair):
    with make_client([tls_pair.primary.url, tls_pair.secondary.url]) as c, pytest.raises(errors.CsoftUnreachableError) as info:
        c.available_credit()
    assert str(info.value).count("TLS certificate not trusted") == 2
    assert tls_pair.primary.counts()["total"] == 0  # the request never reached the service


def test_validate_certs_false_accepts_any_certificate(tls_pair):
    with make_client([tls_pair.primary.url], validate_certs=False) as c:
        assert c.available_messages() == 24


def test_two_black_holes_name_both_as_connect_time_outs(black_hole):
    start = time.monotonic()
    with make_client([black_hole, black_hole.replace("/sendsms5", "/other/sendsms5")], timeout=0.5) as c:
        with pytest.raises(errors.CsoftUnreachableError) as info:
            c.available_messages()
    elapsed = time.monotonic() - start
    assert [attempt[1] for attempt in info.value.attempts] == ["connect time-out", "connect time-out"]
    assert str(info.value).count("connect time-out") == 2
    assert 0.95 <= elapsed < 1.0 + DEADLINE_SLACK


def test_pin_in_no_unreachable_error(black_hole):
    with make_client([closed_port(), black_hole, "http://csoft.invalid/sendsms5"], timeout=0.3) as c:
        with pytest.raises(errors.CsoftUnreachableError) as info:
            c.available_credit()
    assert [attempt[1] for attempt in info.value.attempts] == ["connection refused", "connect time-out", "host name could not be resolved"]
    assert_no_pin(info.value)


# The environment: read once per client, with requests' rules ----------------------------------------


def _clear_proxy_env(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def test_proxy_from_the_environment_is_used(pair, monkeypatch):
    _clear_proxy_env(monkeypatch)
    dead_proxy = closed_port().rsplit("/", 1)[0]
    monkeypatch.setenv("http_proxy", dead_proxy)
    with make_client([pair.primary.url, pair.secondary.url]) as c, pytest.raises(errors.CsoftUnreachableError) as info:
        c.available_credit()
    # Both endpoints were tried through the proxy, which could not be reached: a connect failure, so fail-over.
    assert str(info.value).count("proxy connection failed") == 2
    assert pair.primary.counts()["total"] == 0 and pair.secondary.counts()["total"] == 0


def test_no_proxy_from_the_environment_is_honoured(pair, monkeypatch):
    _clear_proxy_env(monkeypatch)
    monkeypatch.setenv("http_proxy", closed_port().rsplit("/", 1)[0])
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    with make_client([pair.primary.url]) as c:
        assert c.available_messages() == 24


def test_requests_ca_bundle_from_the_environment_is_trusted(tls_pair, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", tls_pair.primary.ca_pem_path)
    with make_client([tls_pair.primary.url]) as c:
        assert c.available_messages() == 24


def test_ca_path_wins_over_requests_ca_bundle(tls_pair, monkeypatch):
    other = sim.SimulatorServer(tls=True, name="rogue")  # its own CA
    other.start()
    try:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", other.ca_pem_path)
        with make_client([tls_pair.primary.url], ca_path=tls_pair.primary.ca_pem_path) as c:
            assert c.available_messages() == 24
    finally:
        other.stop()


def test_netrc_credentials_are_never_sent(pair, monkeypatch, tmp_path):
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login netrc-user password netrc-secret-Zq81\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    with make_client([pair.primary.url]) as c:
        assert c.available_messages() == 24
    (entry,) = [e for e in pair.primary.requests_log() if e.get("operation") == "AvailableMessages"]
    assert "Authorization" not in entry["headers"]
    assert entry["headers"]["Content-Type"] == "text/xml; charset=utf-8"  # the log does hold headers
