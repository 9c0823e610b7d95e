# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The credit runway's estimator (plugins/plugin_utils/_runway.py) and its use by the watch's state machine."""

import json
from decimal import Decimal

import pytest

from ansible_collections.csoft.sms.plugins.module_utils._account import AccountCredit, AccountFigures
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.plugins.plugin_utils._runway import MAX_SAMPLES, Estimate, Runway, runway_state
from ansible_collections.csoft.sms.plugins.plugin_utils._watch_arguments import Settings
from ansible_collections.csoft.sms.plugins.plugin_utils._watch_state import Watch
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME

START = 1767225600.0  # 2026-01-01T00:00:00Z
URL = "https://one.example/sendsms5"


def filled(window_hours, credits, every=60.0, start=START):
    runway = Runway(window_hours)
    for index, credit in enumerate(credits):
        runway.add(start + index * every, Decimal(credit))
    return runway


def steps(first, step, count):
    return [Decimal(first) - Decimal(step) * index for index in range(count)]


def test_a_constant_spend_gives_the_exact_rate_and_runway():
    # 0.05 every minute for an hour: 3 per hour exactly; the runway is the last credit / 3
    runway = filled(1, steps("10", "0.05", 61))
    estimate = runway.estimate()
    assert estimate.burn_per_hour == 3
    assert estimate.runway_hours == Decimal("7.00") / 3
    assert estimate.public() == {"burn_per_hour": 3.0, "runway_hours": float(Decimal(7) / 3)}


def test_uneven_polls_at_a_constant_rate_give_the_exact_rate():
    """The least-squares slope of points on a line is the line's slope, however the polls are spaced."""
    runway = Runway(24)
    for seconds in (0, 7, 19, 20, 61, 3600, 5000, 7213):
        runway.add(START + seconds, Decimal("100") - Decimal("0.0025") * seconds)  # 9 per hour
    assert runway.estimate().burn_per_hour == 9


def test_least_squares_weighs_every_sample_not_only_the_ends():
    # 1.0 spent at once in the middle of a quiet hour: the slope of the fit, not first-to-last (1.0 per hour)
    credits = ["10"] * 30 + ["9"] * 31
    estimate = filled(1, credits).estimate()
    assert estimate.burn_per_hour > 0 and estimate.burn_per_hour != 1
    assert estimate.runway_hours == Decimal(9) / estimate.burn_per_hour


def test_a_top_up_starts_a_new_window_and_is_never_negative_spending():
    runway = filled(1, steps("5", "0.5", 6), every=120)  # 15 per hour, down to 2.5
    assert runway.estimate().burn_per_hour == 15
    runway.add(START + 720, Decimal("50"))  # topped up
    assert runway.samples == [(START + 720, Decimal("50"))]
    assert runway.estimate() is None  # one sample: unknown, not a negative rate
    runway.add(START + 840, Decimal("49.9"))
    runway.add(START + 960, Decimal("49.8"))
    assert runway.estimate() is None  # 3 samples, but 240 s is less than 1/12 of the hour
    runway.add(START + 1080, Decimal("49.7"))  # 0.1 per 2 minutes: 3 per hour, the old rate forgotten
    assert runway.estimate().burn_per_hour == 3


def test_flat_credit_gives_no_spending_and_a_null_runway_not_infinity():
    estimate = filled(1, ["2.8950"] * 10).estimate()
    assert estimate.burn_per_hour == 0 and estimate.runway_hours is None
    assert json.dumps(estimate.public(), allow_nan=False) == '{"burn_per_hour": 0.0, "runway_hours": null}'
    assert runway_state(None, estimate, 48, "0.1") == "ok"  # an unbounded runway is never low


def test_fewer_than_three_samples_is_unknown():
    assert filled(1, []).estimate() is None
    assert filled(1, ["3"]).estimate() is None
    assert filled(1, ["3", "2"], every=1800).estimate() is None  # two samples, however far apart


def test_a_span_shorter_than_a_twelfth_of_the_window_is_unknown():
    # window 1 h: the samples must span 300 s
    assert filled(1, ["3", "2.9", "2.8"], every=149.5).estimate() is None  # 299 s
    assert filled(1, ["3", "2.9", "2.8"], every=150).estimate().burn_per_hour == Decimal("2.4")  # 300 s: known


def test_samples_older_than_the_window_are_dropped():
    runway = filled(1, steps("10", "0.1", 5), every=1000)  # 0, 1000, ..., 4000 s
    assert [when - START for when, _credit in runway.samples] == [1000, 2000, 3000, 4000]  # 0 is older than 3600 s
    runway.add(START + 4600, Decimal("9.5"))
    assert [when - START for when, _credit in runway.samples] == [1000, 2000, 3000, 4000, 4600]  # 1000 is exactly at the edge: kept
    runway.restore(list(runway.samples), START + 9000)  # a restart much later
    assert runway.samples == [] and runway.estimate() is None


def test_a_clock_gone_back_starts_a_new_window():
    runway = filled(1, steps("10", "0.1", 5))
    runway.add(START + 100, Decimal("9.5"))
    assert runway.samples == [(START + 100, Decimal("9.5"))]
    stored = list(filled(1, steps("10", "0.1", 5)).samples)
    runway.restore(stored, START)  # the clock now reads before the last stored sample
    assert runway.samples == []


def test_the_samples_stay_bounded_and_the_newest_figure_is_kept():
    runway = filled(1, steps("10000", "0.001", 20000), every=0.18)  # 20,000 polls over one hour
    assert len(runway.samples) <= MAX_SAMPLES + 2
    assert runway.samples[-1] == (START + 19999 * 0.18, Decimal("10000") - Decimal("19.999"))
    assert runway.estimate().burn_per_hour == pytest.approx(20, rel=1e-9)


def test_a_credit_below_zero_has_no_runway_left():
    estimate = filled(1, ["0.2", "0.1", "0", "-0.1"], every=600).estimate()
    assert estimate.burn_per_hour == Decimal("0.6") and estimate.runway_hours == 0


def test_extreme_figures_stay_finite_json():
    window = Decimal("0.0001")  # 0.36 s: a span of 0.03 s is enough
    estimate = filled(window, ["999999999999999.99999999", "1", "0.00000001"], every=0.02).estimate()
    text = json.dumps(estimate.public(), allow_nan=False)
    assert "Infinity" not in text and estimate.public()["burn_per_hour"] > 1e19
    slow = filled(8760, ["999999999999999", "999999999999999", "999999999999998.99999999"], every=3e6).estimate()
    assert json.dumps(slow.public(), allow_nan=False) and slow.public()["runway_hours"] > 1e20


HOVER = [
    # (runway hours, state) with min_runway 10 and hysteresis 0.1: low below 10, ok again only at 11
    (12, "ok"),
    (9.99, "low"),
    (10, "low"),
    (10.99, "low"),
    (9.5, "low"),
    (11, "ok"),
    (10.5, "ok"),
    (10, "ok"),
    (9.999, "low"),
]


def test_a_runway_hovering_at_min_runway_does_not_flap():
    state, seen = None, []
    for hours, _expected in HOVER:
        state = runway_state(state, Estimate(Decimal(1), Decimal(str(hours))), Decimal(10), Decimal("0.1"))
        seen.append(state)
    assert seen == [expected for _hours, expected in HOVER]
    assert runway_state("low", None, 10, "0.1") == "low"  # unknown (a new window after a top-up): the state is kept
    assert runway_state(None, None, 10, "0.1") is None


# In the watch's state machine ---------------------------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self):
        return self.now


def watch(clock, **args):
    return Watch(Settings(dict({"username": USERNAME, "pin": PIN, "endpoints": [URL], "interval": 10}, **args)), clock=clock)


def figures(credit):
    return AccountFigures({"AvailableCredit": AccountCredit(Decimal(credit), "GBP"), "AvailableMessages": 24}, [URL, URL], URL)


def test_the_watch_emits_runway_events_on_changes_only_and_does_not_flap():
    clock = Clock()
    state = watch(clock, min_runway="0.02", runway_window="0.03")  # 72 s; ok again at 79.2 s; window 108 s
    (status,) = state.answered(figures("2.895"))
    assert (status["csoft"]["runway_state"], status["csoft"]["burn_per_hour"], status["csoft"]["runway_hours"]) == ("unknown", None, None)
    assert status["csoft"]["min_runway"] == 0.02
    events, hours = [], []
    # 0.25 every 10 s (90 per hour) down to 1.645 (65.8 s: low), then a spend that keeps the runway between 72 and 79.2 s
    for credit in ("2.645", "2.395", "2.145", "1.895", "1.645", "1.645", "1.562", "1.439", "1.340", "1.255", "1.109"):
        clock.now += 10
        events += state.answered(figures(credit))
        hours.append(state.estimate and state.estimate.runway_hours * 3600)
    assert [event["csoft"]["type"] for event in events] == ["runway_low"]
    assert all(72 <= seconds < Decimal("79.2") for seconds in hours[-6:]), hours  # inside the band: stays low
    low = events[0]["csoft"]
    assert (low["credit"], low["burn_per_hour"], low["runway_state"]) == (1.645, 90.0, "low")
    assert low["runway_hours"] == pytest.approx(1.645 / 90, rel=1e-12)
    clock.now += 10
    (back,) = state.answered(figures("1.109"))  # nothing spent for 10 s: the runway climbs above the band
    assert back["csoft"]["type"] == "runway_ok" and back["csoft"]["runway_hours"] * 3600 >= 79.2
    events.append(back)
    json.dumps(events, allow_nan=False)


def test_without_min_runway_the_events_are_as_before():
    state = watch(Clock())
    (status,) = state.answered(figures("2.895"))
    assert not {"burn_per_hour", "runway_hours", "min_runway", "runway_state"} & set(status["csoft"])
    assert state.runway is None


@pytest.mark.parametrize(
    ("args", "word"),
    [
        ({"runway_window": 1}, "runway_window is set without min_runway"),
        ({"state_file": "/tmp/x.json", "runway_window": 1}, "runway_window and state_file are set without min_runway"),
        ({"min_runway": "nan"}, "min_runway"),
        ({"min_runway": -1}, "min_runway"),
        ({"min_runway": 1, "runway_window": 0}, "runway_window"),
        ({"min_runway": 1, "runway_window": "1e9"}, "runway_window"),
        ({"min_runway": 1, "runway_window": "0.008"}, "shorter than 3 polls"),  # 28.8 s < 3 x 10 s
        ({"min_runway": 1, "state_file": "/nonexistent-dir/state.json"}, "state_file"),
        ({"min_runway": 1, "state_file": "/tmp"}, "state_file"),
    ],
)
def test_bad_runway_arguments_are_one_line(args, word):
    with pytest.raises(CsoftInputError) as caught:
        watch(Clock(), **args)
    assert word in str(caught.value) and "\n" not in str(caught.value) and PIN not in str(caught.value)
