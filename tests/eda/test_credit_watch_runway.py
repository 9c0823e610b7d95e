# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The credit runway of csoft.sms.credit_watch against the simulator (in this process).

``run()`` of test_credit_watch.py patches the waits; here each scripted step
also moves a fake clock (the source's ``_now``) by the interval, so the burn
rate and the runway are exact: the credit falls by a fixed step at each poll.
"""

import asyncio
import json
import logging
import os
import stat
from decimal import Decimal

import pytest

from ansible_collections.csoft.sms.tests.eda.helpers import ListQueue
from ansible_collections.csoft.sms.tests.eda.test_credit_watch import arguments, run
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME

INTERVAL = 10
STEP = Decimal("0.2500")  # per poll of 10 s: 90 per hour
BURN = float(STEP * 3600 / INTERVAL)
START_CREDIT = Decimal("2.8950")  # the simulator's account


class Clock:
    def __init__(self, source, monkeypatch):
        self.now = 1767225600.0
        monkeypatch.setattr(source, "_now", lambda: self.now)


def poll_at(clock, pair, credit):
    """A step: the next poll, 10 s later, reads ``credit``."""

    def step():
        clock.now += INTERVAL
        pair.update_account(USERNAME, credit=f"{credit:.4f}")

    return step


def runway_args(pair, **extra):
    # min_runway 0.02 h = 72 s (ok again at 79.2 s); a window of 108 s needs 3 polls spanning 9 s
    return arguments(pair, **dict({"min_runway": "0.02", "runway_window": "0.03"}, **extra))


def test_status_unknown_then_runway_low_once_then_runway_ok_after_a_top_up(source, monkeypatch, pair):
    clock = Clock(source, monkeypatch)
    credits = [START_CREDIT - STEP * k for k in range(1, 8)]  # 2.645 ... 1.145
    topped = [Decimal("10.0000") - STEP * k for k in range(4)]  # 10.0, 9.75, 9.5, 9.25
    steps = [poll_at(clock, pair, c) for c in credits + topped]
    events, delays = run(source, monkeypatch, runway_args(pair), *steps)
    json.dumps(events, allow_nan=False)
    assert [e["type"] for e in events] == ["status", "runway_low", "runway_ok"]
    status, low, ok = events
    assert (status["runway_state"], status["burn_per_hour"], status["runway_hours"], status["min_runway"]) == ("unknown", None, None, 0.02)
    # known from the third poll: 2.395 (95.8 s), 2.145 (85.8 s), 1.895 (75.8 s) are ok; 1.645 (65.8 s) is low
    assert (low["credit"], low["burn_per_hour"], low["runway_state"]) == (1.645, BURN, "low")
    assert low["runway_hours"] == pytest.approx(1.645 / BURN, rel=1e-12)
    # the top-up starts a new window: unknown for two polls (no event), then 9.5 / 90 h, above the band
    assert (ok["credit"], ok["burn_per_hour"], ok["runway_state"]) == (9.5, BURN, "ok")
    assert ok["runway_hours"] == pytest.approx(9.5 / BURN, rel=1e-12)
    assert all(e["credit_state"] == "ok" for e in events)  # min_credit 0: only the runway speaks
    assert delays == [INTERVAL] * len(delays)
    counts = pair.counts()["primary"]
    assert counts["AvailableCredit"] == counts["AvailableMessages"] == len(steps) + 1  # the estimate costs no request


def test_a_restart_with_state_file_keeps_the_estimate(source, monkeypatch, pair, tmp_path):
    clock = Clock(source, monkeypatch)
    state_file = tmp_path / "runway.json"
    args = runway_args(pair, state_file=str(state_file), min_runway="0.05")  # 180 s
    first, _unused = run(source, monkeypatch, args, *[poll_at(clock, pair, START_CREDIT - STEP * k) for k in (1, 2)])
    assert [(e["type"], e["runway_state"]) for e in first] == [("status", "unknown"), ("runway_low", "low")]
    assert stat.S_IMODE(os.stat(state_file).st_mode) == 0o600
    text = state_file.read_text()
    assert USERNAME not in text and PIN not in text and "127.0.0.1" not in text and len(json.loads(text)["samples"]) == 3
    # stopped, restarted 10 s later: the first status already has the estimate of the 4 samples
    poll_at(clock, pair, START_CREDIT - STEP * 3)()
    again, _unused = run(source, monkeypatch, args)
    (status,) = again
    assert (status["type"], status["runway_state"], status["burn_per_hour"]) == ("status", "low", BURN)
    assert status["runway_hours"] == pytest.approx(2.145 / BURN, rel=1e-12)
    # without the state file, the same restart has a new unknown period
    fresh, _unused = run(source, monkeypatch, runway_args(pair, min_runway="0.05"))
    assert fresh[0]["runway_state"] == "unknown" and fresh[0]["burn_per_hour"] is None


@pytest.mark.parametrize("content", ["{broken", json.dumps({"key": "0" * 64, "samples": [[1767225590.0, "3.0000"]]})], ids=["corrupt", "foreign"])
def test_a_corrupt_or_foreign_state_file_is_one_log_line_and_a_fresh_window(source, monkeypatch, pair, tmp_path, caplog, content):
    Clock(source, monkeypatch)
    state_file = tmp_path / "runway.json"
    state_file.write_text(content)
    caplog.set_level(logging.INFO, logger="csoft.sms.credit_watch")
    events, _unused = run(source, monkeypatch, runway_args(pair, state_file=str(state_file)))
    assert events[0]["runway_state"] == "unknown"
    lines = [r.getMessage() for r in caplog.records if "state file" in r.getMessage()]
    assert len(lines) == 1 and "ignored the runway state file" in lines[0], lines
    assert json.loads(state_file.read_text())["key"] != "0" * 64  # replaced by this watch's own samples


def test_an_unwritable_state_file_is_one_warning_and_the_watch_goes_on(source, monkeypatch, pair, tmp_path, caplog):
    clock = Clock(source, monkeypatch)
    state_file = tmp_path / "runway.json"
    caplog.set_level(logging.INFO, logger="csoft.sms.credit_watch")
    steps = [poll_at(clock, pair, START_CREDIT - STEP * k) for k in (1, 2, 3)]
    steps[0] = lambda first=steps[0]: (state_file.unlink(), state_file.mkdir(), first())  # written once, then a directory
    events, _unused = run(source, monkeypatch, runway_args(pair, state_file=str(state_file), min_runway="0.05"), *steps)
    assert [e["type"] for e in events] == ["status", "runway_low"]
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(lines) == 1 and "cannot write the runway state file" in lines[0], lines


def test_without_min_runway_the_events_are_as_before(source, monkeypatch, pair):
    events, _unused = run(source, monkeypatch, arguments(pair, min_credit=1))
    assert not {"burn_per_hour", "runway_hours", "min_runway", "runway_state"} & set(events[0])


BAD = [
    ({"runway_window": 24}, "without min_runway"),
    ({"state_file": "/tmp/runway.json"}, "without min_runway"),
    ({"min_runway": "soon"}, "min_runway"),
    ({"min_runway": "inf"}, "min_runway"),
    ({"min_runway": 1, "runway_window": "0.005"}, "runway_window"),  # 18 s: fewer than 3 polls of 10 s
    ({"min_runway": 1, "state_file": "/nonexistent/runway.json"}, "state_file"),
    # wrong types, huge and non-finite values: one line each, nothing sent
    ({"min_runway": [1]}, "min_runway"),
    ({"min_runway": True}, "min_runway"),
    ({"min_runway": 10**400}, "min_runway"),
    ({"min_runway": 1e308 * 10}, "min_runway"),
    ({"min_runway": float("nan")}, "min_runway"),
    ({"min_runway": -1}, "min_runway"),
    ({"min_runway": 1, "runway_window": {"hours": 24}}, "runway_window"),
    ({"min_runway": 1, "runway_window": "1" * 5000}, "runway_window"),
    ({"min_runway": 1, "runway_window": "-inf"}, "runway_window"),
    ({"min_runway": 1, "runway_window": 0}, "runway_window"),
    ({"min_runway": 1, "state_file": 4.2}, "state_file"),
    ({"min_runway": 1, "state_file": True}, "state_file"),
    ({"min_runway": 1, "state_file": ["/tmp/runway.json"]}, "state_file"),
    ({"min_runway": 1, "state_file": "/tmp/" + "r" * 5000}, "state_file"),
    ({"min_runway": 1, "state_file": "/tmp/runway\n.json"}, "state_file"),
    ({"min_runway": 1, "state_file": "/tmp"}, "state_file"),
]


@pytest.mark.parametrize(("change", "word"), BAD, ids=[f"{i}-{w}" for i, (_c, w) in enumerate(BAD)])
def test_bad_runway_argument_fails_at_start_with_one_line(source, pair, change, word):
    with pytest.raises(source.CsoftInputError) as caught:
        asyncio.run(asyncio.wait_for(source.main(ListQueue(), arguments(pair, **change)), 10))
    text = str(caught.value)
    assert word in text and "\n" not in text and PIN not in text
    assert pair.counts()["primary"]["total"] == 0  # nothing sent
