# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The client over real HTTP(S) against the simulator on loopback: values, fail-over, no retry, TLS, time-outs."""

import time
from decimal import Decimal

import pytest

from ansible_collections.csoft.sms.plugins.module_utils import _client as client
from ansible_collections.csoft.sms.tests.simulator import csoft_simulator as sim

USERNAME = "ANother.123456"
PIN = "Sim7PinQx42Zr9Lk"
OPS = ("AvailableCredit", "AvailableMessages", "PermittedReplyTo")


@pytest.fixture
def pair():
    servers = sim.start_pair(tls=False)
    try:
        yield servers
    finally:
        servers.stop()


def make(endpoints, pin=PIN, **kwargs):
    kwargs.setdefault("timeout", 5)
    return client.CsoftClient(USERNAME, pin, endpoints=endpoints, **kwargs)


def sent(server):
    counts = server.counts()
    return [counts[op] for op in OPS]


def test_three_queries_on_one_kept_alive_session(pair):
    with make([pair.primary.url, pair.secondary.url]) as c:
        assert c.available_credit() == client.AccountCredit(Decimal("2.8950"), "GBP")
        assert c.available_messages() == 24
        assert c.permitted_reply_to() == ["447700912345", "csoft.co.uk"]
        assert c.endpoint == pair.primary.url
        assert c.failed_over is False
        assert c.requests_sent == 3
    assert sent(pair.primary) == [1, 1, 1]
    assert pair.secondary.counts()["total"] == 0


def test_pin_only_in_the_body(pair):
    with make([pair.primary.url]) as c:
        c.available_credit()
    (entry,) = [e for e in pair.primary.requests_log() if e.get("operation") == "AvailableCredit"]
    assert entry["pin_ok"] is True
    assert entry["pin_in_url_or_headers"] is False
    assert PIN not in repr(entry)


def test_refused_primary_fails_over_and_sticks_to_secondary(pair):
    dead = sim.closed_port()
    with make([dead, pair.secondary.url]) as c:
        assert c.available_messages() == 24
        assert c.failed_over is True and c.endpoint == pair.secondary.url
        c.available_credit()
        c.permitted_reply_to()
        # The dead primary was tried once, not once per operation.
        assert c.requests_sent == 4
    assert sent(pair.secondary) == [1, 1, 1]


def test_unresolvable_primary_fails_over(pair):
    with make(["http://csoft-primary.invalid/sendsms5", pair.secondary.url]) as c:
        assert c.available_messages() == 24
        assert c.failed_over is True


def test_all_endpoints_unreachable_names_each(pair):
    dead1, dead2 = sim.closed_port(), sim.closed_port()
    with make([dead1, dead2]) as c, pytest.raises(client.CsoftUnreachableError) as info:
        c.available_credit()
    message = str(info.value)
    assert f"{dead1}: connection refused" in message
    assert f"{dead2}: connection refused" in message
    assert [attempt[0] for attempt in info.value.attempts] == [dead1, dead2]
    assert "\n" not in message


FINAL_MODES = [
    ("fault", client.CsoftFaultError, "login rejected"),
    ("fault200", client.CsoftFaultError, "login rejected"),
    ("html500", client.CsoftHTTPError, "HTTP 500"),
    ("status:401", client.CsoftHTTPError, "HTTP 401"),
    ("status:403", client.CsoftHTTPError, "HTTP 403"),
    ("status:404", client.CsoftHTTPError, "HTTP 404"),
    ("status:429", client.CsoftHTTPError, "HTTP 429"),
    ("status:500", client.CsoftHTTPError, "HTTP 500"),
    ("status:502", client.CsoftHTTPError, "HTTP 502"),
    ("status:503", client.CsoftHTTPError, "HTTP 503"),
    ("redirect:301", client.CsoftHTTPError, "redirect, which is not followed"),
    ("redirect:302", client.CsoftHTTPError, "redirect, which is not followed"),
    ("garbage", client.CsoftResponseError, "not XML"),
    ("empty", client.CsoftResponseError, "empty body"),
    ("truncated", client.CsoftResponseError, "not well-formed"),
    ("missing", client.CsoftResponseError, "has no"),
    ("wrong-wrapper", client.CsoftResponseError, "was expected"),
    ("credit-na", client.CsoftResponseError, "'N/A'"),
    ("xxe", client.CsoftResponseError, "DOCTYPE"),
    ("bomb", client.CsoftResponseError, "DOCTYPE"),
    ("dtd-remote", client.CsoftResponseError, "DOCTYPE"),
    ("big:50", client.CsoftResponseError, "larger than"),
    ("close", client.CsoftTimeoutError, "connection broke after the request was sent"),
]


@pytest.mark.parametrize("mode, error, text", FINAL_MODES, ids=[m[0] for m in FINAL_MODES])
def test_any_answer_is_final_no_retry_no_failover(pair, mode, error, text):
    pair.primary.set_mode(mode)
    with make([pair.primary.url, pair.secondary.url]) as c, pytest.raises(error) as info:
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
    with make([pair.primary.url, pair.secondary.url], pin=wrong) as c, pytest.raises(client.CsoftFaultError) as info:
        c.available_credit()
    assert info.value.login_rejected
    assert "check the username and PIN" in str(info.value)
    assert wrong not in str(info.value)
    assert pair.primary.counts()["total"] == 1
    assert pair.secondary.counts()["total"] == 0


def test_silent_server_times_out_once_without_failover(pair):
    pair.primary.set_mode("hang")
    start = time.monotonic()
    with make([pair.primary.url, pair.secondary.url], timeout=1) as c, pytest.raises(client.CsoftTimeoutError, match="not retried"):
        c.available_credit()
    assert time.monotonic() - start < 3
    assert pair.primary.counts()["total"] == 1
    assert pair.secondary.counts()["total"] == 0


def test_dripping_server_hits_the_overall_deadline(pair):
    pair.primary.set_mode("drip:0.2")
    start = time.monotonic()
    with make([pair.primary.url], timeout=1.5) as c, pytest.raises(client.CsoftTimeoutError, match="did not complete within"):
        c.available_credit()
    assert time.monotonic() - start < 3.5
    assert pair.primary.counts()["total"] == 1


def test_slow_but_in_time_answer_succeeds(pair):
    pair.primary.set_mode("slow:0.3")
    with make([pair.primary.url], timeout=3) as c:
        assert c.available_messages() == 24


def test_size_cap_is_configurable(pair):
    with make([pair.primary.url], max_response_bytes=100) as c, pytest.raises(client.CsoftResponseError, match="larger than 100 bytes"):
        c.available_credit()


# HTTPS ---------------------------------------------------------------------------------------


@pytest.fixture
def tls_pair():
    servers = sim.start_pair(tls=True)
    try:
        yield servers
    finally:
        servers.stop()


def test_https_with_ca_path(tls_pair):
    assert tls_pair.primary.url.startswith("https://")
    with make([tls_pair.primary.url], ca_path=tls_pair.primary.ca_pem_path) as c:
        assert c.available_credit().currency == "GBP"


def test_https_untrusted_ca_is_a_connect_failure(tls_pair):
    with make([tls_pair.primary.url, tls_pair.secondary.url]) as c, pytest.raises(client.CsoftUnreachableError) as info:
        c.available_credit()
    assert str(info.value).count("TLS certificate not trusted") == 2
    assert tls_pair.primary.counts()["total"] == 0  # the request never reached the service


def test_https_untrusted_primary_fails_over_to_trusted_secondary(tls_pair, tmp_path):
    other = sim.SimulatorServer(tls=True, name="rogue")  # its own CA, not in ca_path
    other.start()
    try:
        with make([other.url, tls_pair.secondary.url], ca_path=tls_pair.secondary.ca_pem_path) as c:
            assert c.available_messages() == 24
            assert c.failed_over is True
    finally:
        other.stop()


def test_validate_certs_false_accepts_any_certificate(tls_pair):
    with make([tls_pair.primary.url], validate_certs=False) as c:
        assert c.available_messages() == 24


# The environment: read once per client, with requests' rules ------------------------------


def _clear_proxy_env(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def test_proxy_from_the_environment_is_used(pair, monkeypatch):
    _clear_proxy_env(monkeypatch)
    dead_proxy = sim.closed_port().rsplit("/", 1)[0]
    monkeypatch.setenv("http_proxy", dead_proxy)
    with make([pair.primary.url, pair.secondary.url]) as c, pytest.raises(client.CsoftUnreachableError) as info:
        c.available_credit()
    # Both endpoints were tried through the proxy, which could not be reached: a connect failure, so fail-over.
    assert str(info.value).count("proxy connection failed") == 2
    assert pair.primary.counts()["total"] == 0 and pair.secondary.counts()["total"] == 0


def test_no_proxy_from_the_environment_is_honoured(pair, monkeypatch):
    _clear_proxy_env(monkeypatch)
    monkeypatch.setenv("http_proxy", sim.closed_port().rsplit("/", 1)[0])
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    with make([pair.primary.url]) as c:
        assert c.available_messages() == 24


def test_requests_ca_bundle_from_the_environment_is_trusted(tls_pair, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", tls_pair.primary.ca_pem_path)
    with make([tls_pair.primary.url]) as c:
        assert c.available_messages() == 24


def test_ca_path_wins_over_requests_ca_bundle(tls_pair, monkeypatch):
    other = sim.SimulatorServer(tls=True, name="rogue")  # its own CA
    other.start()
    try:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", other.ca_pem_path)
        with make([tls_pair.primary.url], ca_path=tls_pair.primary.ca_pem_path) as c:
            assert c.available_messages() == 24
    finally:
        other.stop()


def test_netrc_credentials_are_never_sent(pair, monkeypatch, tmp_path):
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine 127.0.0.1 login netrc-user password netrc-secret-Zq81\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    with make([pair.primary.url]) as c:
        assert c.available_messages() == 24
    (entry,) = [e for e in pair.primary.requests_log() if e.get("operation") == "AvailableMessages"]
    assert "Authorization" not in entry["headers"]
    assert entry["headers"]["Content-Type"] == "text/xml; charset=utf-8"  # the log does hold headers
