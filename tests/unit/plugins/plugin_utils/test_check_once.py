# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""read_once: the hosts of a batch that run the same run_once check share one reading (no network)."""

import os
import threading
import time
from decimal import Decimal

import pytest

from ansible_collections.csoft.sms.plugins.module_utils._account import AccountCredit
from ansible_collections.csoft.sms.plugins.module_utils._connection import ConnectionSettings
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftFaultError, CsoftUnreachableError
from ansible_collections.csoft.sms.plugins.plugin_utils._cache import CacheError, RunCache
from ansible_collections.csoft.sms.plugins.plugin_utils._check_once import OPERATIONS, Scope, StoredError, read_once
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME

PRIMARY, SECONDARY = "https://a.example/sendsms5", "https://b.example/sendsms5"
BATCH = ["h1", "h2", "h3"]
ANSWERS = {
    "AvailableCredit": AccountCredit(Decimal("2.8950"), "GBP"),
    "AvailableMessages": 24,
    "PermittedReplyTo": ["447700912345", "csoft.co.uk"],
}
FIGURES = {
    "credit": 2.895,
    "currency": "GBP",
    "messages": 24,
    "permitted_reply_to": ["447700912345", "csoft.co.uk"],
    "endpoint": SECONDARY,
    "failed_over": True,
}


@pytest.fixture
def cache(tmp_path):
    return RunCache(120, directory=str(tmp_path / "cache"), identity={"pid": os.getpid(), "start": "proc:1", "boot": "b"})


SETTINGS = ConnectionSettings.from_values({"username": USERNAME, "pin": PIN, "endpoints": [PRIMARY, SECONDARY]})


class Service:
    """A stand-in for AccountReader.refresh: counts the operations asked, answers from SECONDARY (failed over)."""

    def __init__(self, error=None, delay=0.0):
        self.asked = []
        self.error = error
        self.delay = delay
        self._lock = threading.Lock()

    def __call__(self, operation):
        with self._lock:
            self.asked.append(operation)
        time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return ANSWERS[operation], SECONDARY


def scope(host, task="task-1", batch=None, play="play-1"):
    return Scope(play, task, host, list(BATCH if batch is None else batch))


def once(cache, service, where, warn=None, settings=SETTINGS):
    return read_once(cache, where, settings, service, lambda line: None, warn or (lambda line: None)).public()


def test_the_hosts_of_a_batch_share_one_reading(cache):
    service = Service()
    results = [once(cache, service, scope(host)) for host in BATCH]
    assert results == [FIGURES] * 3  # the endpoint and failed_over of the first reading, on every host
    assert service.asked == list(OPERATIONS)


def test_without_a_scope_or_a_cache_every_call_asks(cache):
    service = Service()
    once(cache, service, None)
    once(cache, service, None)
    once(None, service, scope("h1"))
    once(None, service, scope("h2"))
    assert service.asked == list(OPERATIONS) * 4


@pytest.mark.parametrize(
    "second",
    [
        scope("h1"),  # the same host again: the same check run a second time (a loop, a second include)
        scope("h9", batch=["h9"]),  # a host of another serial batch
        scope("h2", task="task-2"),  # another check task
        scope("h2", play="play-2"),  # another play
    ],
)
def test_a_new_run_of_the_check_asks_again(cache, second):
    service = Service()
    once(cache, service, scope("h1"))
    once(cache, service, second)
    assert service.asked == list(OPERATIONS) * 2


def test_after_a_new_run_the_others_share_the_new_reading(cache):
    service = Service()
    once(cache, service, scope("h1"))
    once(cache, service, scope("h1"))
    once(cache, service, scope("h2"))
    once(cache, service, scope("h3"))
    assert service.asked == list(OPERATIONS) * 2


def test_another_account_asks_on_its_own(cache):
    service = Service()
    other = ConnectionSettings.from_values({"username": "Other.1", "pin": PIN, "endpoints": [PRIMARY, SECONDARY]})
    once(cache, service, scope("h1"))
    once(cache, service, scope("h2"), settings=other)
    assert service.asked == list(OPERATIONS) * 2


def test_an_error_is_met_once_and_named_to_the_other_hosts(cache):
    message = "csoft login rejected by https://b.example/sendsms5: check the username and PIN"
    failing = Service(error=CsoftFaultError(message, faultcode="soap:Client", faultstring="Login failed", status=500))
    with pytest.raises(CsoftFaultError):
        once(cache, failing, scope("h1"))
    with pytest.raises(StoredError, match="^csoft login rejected by https://b.example/sendsms5: check the username and PIN$"):
        once(cache, failing, scope("h2"))
    assert failing.asked == ["AvailableCredit"]  # the vendor blocks clients that repeat a rejected login


@pytest.mark.parametrize(
    "answers",
    [
        None,
        "text",
        {"AvailableCredit": {"value": {"credit": "1" + "0" * 400, "currency": "GBP"}, "endpoint": SECONDARY}},
        {"AvailableMessages": {"value": "9" * 5000, "endpoint": SECONDARY}},
        {"PermittedReplyTo": {"value": "x", "endpoint": "https://elsewhere.example/"}},
    ],
)
def test_a_damaged_marker_is_read_afresh(cache, answers):
    service = Service()
    once(cache, service, scope("h1"))
    key = cache.key([PRIMARY, SECONDARY], USERNAME, PIN, "csoft.sms check play-1 task-1")
    stored = cache.get(key)
    if isinstance(answers, dict):
        stored["answers"].update(answers)
    else:
        stored["answers"] = answers
    cache.put(key, stored)
    assert once(cache, service, scope("h2")) == FIGURES
    assert service.asked == list(OPERATIONS) * 2


@pytest.mark.parametrize("field", ["batch", "served"])
def test_a_marker_with_a_hostile_host_list_is_ignored(cache, field):
    service = Service()
    once(cache, service, scope("h1"))
    key = cache.key([PRIMARY, SECONDARY], USERNAME, PIN, "csoft.sms check play-1 task-1")
    cache.put(key, dict(cache.get(key), **{field: {"h2": 1}}))
    once(cache, service, scope("h2"))
    assert service.asked == list(OPERATIONS) * 2


def test_many_workers_at_once_ask_once(cache):
    """The free strategy: every host's worker runs the check at the same moment; one asks, the others wait for it."""
    service = Service(delay=0.05)
    hosts = [f"h{n}" for n in range(12)]
    results, errors = [], []

    def worker(host):
        try:
            results.append(once(cache, service, scope(host, batch=hosts)))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(host,)) for host in hosts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results == [FIGURES] * len(hosts)
    assert service.asked == list(OPERATIONS)


def test_a_cache_that_fails_means_asking_with_a_warning(cache, monkeypatch):
    def broken(*args, **kwargs):
        raise CacheError("the cache folder went away")

    monkeypatch.setattr(RunCache, "get", broken)
    warnings, service = [], Service()
    assert once(cache, service, scope("h1"), warn=warnings.append) == FIGURES
    assert warnings == ["the check may ask once per host: the cache folder went away"]
    assert service.asked == list(OPERATIONS)


def test_a_marker_that_cannot_be_stored_never_repeats_a_request(cache, monkeypatch):
    def broken(*args, **kwargs):
        raise CacheError("disk full")

    monkeypatch.setattr(RunCache, "put", broken)
    warnings, service = [], Service()
    assert once(cache, service, scope("h1"), warn=warnings.append) == FIGURES
    assert service.asked == list(OPERATIONS)
    assert warnings == ["the check may ask once per host: disk full"]
    unreachable = Service(error=CsoftUnreachableError("no csoft endpoint could be reached", attempts=[]))
    with pytest.raises(CsoftUnreachableError):
        once(cache, unreachable, scope("h2", task="task-2"), warn=warnings.append)
    assert unreachable.asked == ["AvailableCredit"]
