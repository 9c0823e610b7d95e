# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The client and the outage every polling source keeps (plugins/plugin_utils/_source_state.py), against the simulator."""

import logging

import pytest

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftFaultError, CsoftHTTPError, CsoftInputError, CsoftUnreachableError
from ansible_collections.csoft.sms.plugins.plugin_utils._inbox_arguments import Settings
from ansible_collections.csoft.sms.plugins.plugin_utils._source_state import PollFailed, SourceState, login_rejected
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME

URL = "https://one.example/sendsms5"
DOWN = PollFailed("down", CsoftUnreachableError("no endpoint could be reached", [(URL, "connection refused")]))
FAULT = CsoftFaultError("login rejected", "soap:Client", "Invalid login", 500, URL, "CollectMessages")


class Credit(SourceState):
    """A state whose poll reads the credit."""

    def read(self, client):
        return client.available_credit()


def state(endpoints=(URL,), **args):
    return Credit(Settings(dict({"username": USERNAME, "pin": PIN, "endpoints": list(endpoints), "interval": 10, "backoff_max": 50}, **args)))


def test_one_outage_from_the_first_failure_to_the_next_answer(caplog):
    caplog.set_level(logging.DEBUG, logger="csoft.sms.sms_inbox")
    outage = state()
    assert outage.reachable is None and outage.delay() == 10
    assert outage.lost(DOWN) is True and outage.reachable is False
    assert [outage.lost(DOWN), outage.lost(DOWN)] == [False, False]
    assert outage.failures == 3
    assert outage.recovered(URL) is True and outage.reachable is True and outage.failures == 0
    assert outage.recovered(URL) is False
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "csoft.sms.sms_inbox: down"),
        ("DEBUG", "csoft.sms.sms_inbox: still failing: down"),
        ("DEBUG", "csoft.sms.sms_inbox: still failing: down"),
        ("INFO", f"csoft.sms.sms_inbox: the service answers again at {URL}"),
    ]


def test_the_first_answer_is_not_a_recovery():
    assert state().recovered(URL) is False


def test_backoff_doubles_from_twice_the_interval_up_to_backoff_max():
    outage = state()
    delays = []
    for _unused in range(4):
        outage.lost(DOWN)
        delays.append(outage.delay())
    assert delays == [20, 40, 50, 50]
    outage.recovered(URL)
    assert outage.delay() == 10


def test_a_login_rejected_at_the_first_poll_ends_the_source_later_it_is_an_outage():
    with pytest.raises(CsoftInputError, match=r"^csoft\.sms\.sms_inbox: rejected$"):
        state().lost(PollFailed("rejected", FAULT))
    later = state()
    later.recovered(URL)
    assert later.lost(PollFailed("rejected", FAULT)) is True


@pytest.mark.parametrize(
    ("error", "rejected"),
    [
        (FAULT, True),
        (CsoftFaultError("fault", "soap:Server", "Internal error", 500, URL), False),
        (CsoftHTTPError("forbidden", 403, URL), True),
        (CsoftHTTPError("unauthorized", 401, URL), True),
        (CsoftHTTPError("unavailable", 503, URL), False),
        (DOWN.error, False),
    ],
)
def test_login_rejected(error, rejected):
    assert login_rejected(error) is rejected


def test_poll_reads_in_a_fresh_client_and_closes_it(pair):
    source = state(pair.urls)
    credit = source.poll()
    assert str(credit.credit) == "2.8950" and source.client.endpoint == pair.urls[0]
    assert pair.counts()["primary"]["AvailableCredit"] == 1


def test_a_failed_poll_is_one_line_without_pin_or_username(pair):
    pair.set_mode("status:503")
    source = state(pair.urls)
    with pytest.raises(PollFailed) as caught:
        source.poll()
    assert "HTTP 503" in caught.value.text and isinstance(caught.value.error, CsoftHTTPError)
    assert source.one_line(source.client, f"a\nb {USERNAME} {PIN}") == "a b <username> ********"


def test_close_closes_the_client_of_the_poll_under_way_and_is_safe_before_any():
    source = state()
    source.close()  # no poll yet
    closed = []
    source.client = type("Client", (), {"close": lambda self: closed.append(True)})()
    source.close()
    assert closed == [True]


def test_prepare_and_persist_do_nothing_by_default():
    source = state()
    assert source.prepare() is None and source.persist() is None


def test_read_is_the_subclass_s():
    with pytest.raises(NotImplementedError):
        SourceState.read(state(), None)
