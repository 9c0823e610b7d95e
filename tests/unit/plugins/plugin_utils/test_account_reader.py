# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""AccountReader: one view of the account per run, shared by the lookup and the gate (against the simulator)."""

import os
from decimal import Decimal

import pytest

from ansible_collections.csoft.sms.plugins.module_utils._account import OPERATIONS, AccountCredit
from ansible_collections.csoft.sms.plugins.module_utils._connection import ConnectionSettings
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftError, CsoftResponseError
from ansible_collections.csoft.sms.plugins.plugin_utils import _account_reader as reader_mod
from ansible_collections.csoft.sms.plugins.plugin_utils._account_reader import AccountReader, decode, encode, open_cache
from ansible_collections.csoft.sms.plugins.plugin_utils._cache import CacheError, RunCache
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.clients import operation_counts
from ansible_collections.csoft.sms.tests.support.network import closed_port

CREDIT, MESSAGES, REPLY_TO = OPERATIONS["credit"], OPERATIONS["messages"], OPERATIONS["reply_to"]


@pytest.fixture
def cache(tmp_path):
    return RunCache(120, directory=str(tmp_path / "cache"), identity={"pid": os.getpid(), "start": "proc:1", "boot": "b"})


class Lines:
    def __init__(self):
        self.lines = []

    def __call__(self, line):
        self.lines.append(line)


def new_reader(endpoints, cache, log=None, warn=None, pin=PIN):
    settings = ConnectionSettings.from_values({"username": USERNAME, "pin": pin, "endpoints": list(endpoints), "timeout": 5})
    return AccountReader(settings, cache, log or Lines(), warn or Lines())


def test_encode_decode_round_trip_keeps_the_endpoint():
    url = "https://www.csoft.co.uk/sendsms5"
    for operation, value in ((CREDIT, AccountCredit(Decimal("2.8950"), "GBP")), (MESSAGES, 24), (REPLY_TO, ["447700912345", "csoft.co.uk"])):
        assert decode(operation, encode(operation, value, url), [url]) == (value, url)


@pytest.mark.parametrize(
    ("operation", "entry"),
    [
        (MESSAGES, 24),  # an entry of the old form, without its endpoint
        (MESSAGES, {"value": 24, "endpoint": "u"}),
        (MESSAGES, {"value": True, "endpoint": "u"}),
        (MESSAGES, {"value": "9" * 5000, "endpoint": "u"}),  # a huge figure: no int() of 5,000 digits
        (MESSAGES, {"value": "24", "endpoint": "elsewhere"}),  # an endpoint that is not this account's
        (REPLY_TO, {"value": [1], "endpoint": "u"}),
        (REPLY_TO, {"value": "", "endpoint": "u"}),
        (CREDIT, {"value": {"credit": "x", "currency": "GBP"}, "endpoint": "u"}),
        (CREDIT, {"value": {"credit": "1" + "0" * 400, "currency": "GBP"}, "endpoint": "u"}),
        (CREDIT, {"value": {"credit": "NaN", "currency": "GBP"}, "endpoint": "u"}),
        (CREDIT, {"value": {"credit": 1.5, "currency": "GBP"}, "endpoint": "u"}),
        (CREDIT, {"value": {"credit": "1"}, "endpoint": "u"}),
        (CREDIT, {"value": {"credit": "1", "currency": "GBP"}, "endpoint": None}),
        (CREDIT, [[[[]]]]),
    ],
)
def test_unreadable_entries_are_refused(operation, entry):
    """A stored answer is parsed with the bounds of an answer from the service: never a crash, never a huge number."""
    with pytest.raises(CsoftResponseError):
        decode(operation, entry, ["u"])


def test_refresh_always_asks_and_read_reuses_its_answer(pair, cache):
    with new_reader([pair.primary.url], cache) as first:
        assert first.refresh(CREDIT) == (AccountCredit(Decimal("2.8950"), "GBP"), pair.primary.url)
        assert first.refresh(CREDIT)[0].credit == Decimal("2.8950")
    assert operation_counts(pair.primary) == [2, 0, 0]
    with new_reader([pair.primary.url], cache) as later:
        assert later.read(CREDIT) == (AccountCredit(Decimal("2.8950"), "GBP"), pair.primary.url)
        assert later.read(MESSAGES) == (24, pair.primary.url)
        assert later.read(MESSAGES) == (24, pair.primary.url)
    assert operation_counts(pair.primary) == [2, 1, 0]


def test_a_refresh_replaces_the_cached_answer(pair, cache):
    with new_reader([pair.primary.url], cache) as reader:
        reader.read(MESSAGES)
        pair.update_account(USERNAME, messages="3")
        assert reader.read(MESSAGES)[0] == 24
        assert reader.refresh(MESSAGES)[0] == 3
        assert reader.read(MESSAGES)[0] == 3
    assert operation_counts(pair.primary) == [0, 2, 0]


def test_the_answer_of_another_pin_or_endpoint_list_is_not_shared(pair, cache):
    with new_reader([pair.primary.url], cache) as reader:
        reader.refresh(CREDIT)
    with new_reader([pair.primary.url, pair.secondary.url], cache) as reader:
        reader.read(CREDIT)
    with new_reader([pair.primary.url], cache, pin="WrongPin5Yt8Hv2Q") as reader, pytest.raises(CsoftError):
        reader.read(CREDIT)
    assert operation_counts(pair.primary) == [3, 0, 0]


def test_a_cached_answer_keeps_the_endpoint_that_gave_it(pair, cache):
    endpoints = [closed_port(), pair.secondary.url]
    with new_reader(endpoints, cache) as reader:
        assert reader.refresh(REPLY_TO) == (["447700912345", "csoft.co.uk"], pair.secondary.url)
    log = Lines()
    with new_reader(endpoints, cache, log=log) as reader:
        assert reader.read(REPLY_TO) == (["447700912345", "csoft.co.uk"], pair.secondary.url)
        assert reader.refresh(MESSAGES) == (24, pair.secondary.url)
    assert any("which answered earlier in this run" in line for line in log.lines)  # no second connect attempt at the dead primary
    assert operation_counts(pair.secondary) == [0, 1, 1]


def test_errors_are_never_cached(pair, cache):
    pair.primary.set_mode("fault")
    with new_reader([pair.primary.url], cache) as reader, pytest.raises(CsoftError):
        reader.read(CREDIT)
    pair.primary.set_mode("ok")
    with new_reader([pair.primary.url], cache) as reader:
        assert reader.read(CREDIT)[0].credit == Decimal("2.8950")
    assert operation_counts(pair.primary) == [2, 0, 0]


def test_a_cache_failure_after_the_answer_never_asks_again(pair, cache, monkeypatch):
    def broken_put(key, value):
        raise CacheError("disk full")

    monkeypatch.setattr(cache, "put", broken_put)
    warn = Lines()
    with new_reader([pair.primary.url], cache, warn=warn) as reader:
        assert reader.refresh(CREDIT)[0].credit == Decimal("2.8950")
        assert reader.read(MESSAGES)[0] == 24
    assert operation_counts(pair.primary) == [1, 1, 0]
    assert [line for line in warn.lines if "caching" in line] == ["not caching answers: disk full"]


def test_without_a_cache_every_read_asks(pair):
    with new_reader([pair.primary.url], None) as reader:
        reader.read(CREDIT)
        reader.read(CREDIT)
    assert operation_counts(pair.primary) == [2, 0, 0]


def test_plain_http_warns_once_without_the_pin(pair):
    warn = Lines()
    with new_reader([pair.primary.url], None, warn=warn) as reader:
        reader.read(CREDIT)
        reader.read(MESSAGES)
    assert warn.lines == [f"the PIN was sent unencrypted to {pair.primary.url}; use an https:// endpoint"]


def test_plain_http_warns_also_when_the_call_fails(pair):
    pair.primary.set_mode("fault")
    warn = Lines()
    with new_reader([pair.primary.url], None, warn=warn) as reader, pytest.raises(CsoftError):
        reader.read(CREDIT)
    assert warn.lines == [f"the PIN was sent unencrypted to {pair.primary.url}; use an https:// endpoint"]


def test_no_plain_http_warning_when_no_connection_was_made():
    warn = Lines()
    with new_reader([closed_port()], None, warn=warn) as reader, pytest.raises(CsoftError):
        reader.read(CREDIT)
    assert warn.lines == []


def test_open_cache(monkeypatch, tmp_path):
    log, warn = Lines(), Lines()
    assert open_cache(False, 120, log, warn) is None and log.lines == ["cache disabled (cache=false)"]
    assert open_cache(True, 0, log, warn) is None and log.lines[-1] == "cache disabled (cache_ttl=0)"
    for ttl in (-1, 3601, None):
        with pytest.raises(ValueError, match="cache_ttl must be 0"):
            open_cache(True, ttl, log, warn)

    def refuse(ttl):
        raise CacheError("the cache directory is a symbolic link; refusing to use it")

    monkeypatch.setattr(reader_mod, "RunCache", refuse)
    assert open_cache(True, 60, log, warn) is None
    assert warn.lines == ["not caching answers: the cache directory is a symbolic link; refusing to use it"]
