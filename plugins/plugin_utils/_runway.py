# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The credit runway of the event source csoft.sms.credit_watch: how long the credit lasts at the current rate.

Pure arithmetic, no I/O, no clock (the caller gives each sample's time):

* ``Runway(window_hours)`` keeps the polls' samples ``(time in seconds, credit
  as a Decimal)`` of the last ``window_hours``, oldest first. A rise in credit
  (a top-up) or a clock that went back starts a new window, so a top-up is
  never read as negative spending. At most ``MAX_SAMPLES`` + 2 are kept: a
  last sample closer than ``window / MAX_SAMPLES`` to the one before it is
  replaced by the next, so the newest figure is always there.
* ``estimate()`` is the least-squares slope of credit over time
  (``burn_per_hour``, credit spent per hour, 0 or more) and ``runway_hours`` =
  credit / ``burn_per_hour``, both Decimals; None (unknown) until the window
  holds ``MIN_SAMPLES`` samples spanning ``1 / SPAN_DIVISOR`` of it. With no
  spending the runway is unbounded: ``burn_per_hour`` 0 and ``runway_hours``
  None, never an infinity.
* ``runway_state`` decides ``low`` / ``ok`` with the hysteresis rule of the
  credit.

Imports nothing but the standard library.
"""

import math
from decimal import Context, Decimal, localcontext

MAX_SAMPLES = 1000
MIN_SAMPLES = 3
SPAN_DIVISOR = 12
_SECONDS_PER_HOUR = 3600
# Enough digits for sums of squares of times (seconds with a fraction) and credits (15 + 8 digits).
_CONTEXT = Context(prec=60)
_RESULT = Context(prec=28)


class Estimate:
    """``burn_per_hour`` (Decimal, 0 or more) and ``runway_hours`` (Decimal, or None when nothing is spent)."""

    __slots__ = ("burn_per_hour", "runway_hours")

    def __init__(self, burn_per_hour, runway_hours):
        self.burn_per_hour = burn_per_hour
        self.runway_hours = runway_hours

    def __repr__(self):
        return f"Estimate(burn_per_hour={self.burn_per_hour!r}, runway_hours={self.runway_hours!r})"

    def public(self):
        """The JSON-safe figures: finite floats or None."""
        return {"burn_per_hour": _finite(self.burn_per_hour), "runway_hours": _finite(self.runway_hours)}


def _finite(value):
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


class Runway:
    """The samples of one window and the estimate they give."""

    def __init__(self, window_hours):
        self.window = Decimal(str(window_hours)) * _SECONDS_PER_HOUR  # seconds, exact
        self.spacing = float(self.window) / MAX_SAMPLES
        self.samples = []  # (time in seconds, credit Decimal), oldest first

    def add(self, when, credit):
        """Add the credit read at ``when`` (seconds); a top-up or a clock gone back starts a new window."""
        when, credit = float(when), Decimal(credit)
        samples = self.samples
        if samples and (credit > samples[-1][1] or when < samples[-1][0]):
            samples.clear()
        if len(samples) >= 2 and samples[-1][0] - samples[-2][0] < self.spacing:
            samples[-1] = (when, credit)  # the last was too close to the one before it: the newest figure replaces it
        else:
            samples.append((when, credit))
        self.drop_before(when)

    def restore(self, samples, now):
        """Replay stored samples (as ``add`` would have seen them), then drop those older than the window at ``now``."""
        self.samples = []
        for when, credit in samples:
            self.add(when, credit)
        if self.samples and now < self.samples[-1][0]:
            self.samples = []  # the clock went back since: nothing of it can be trusted
        self.drop_before(now)

    def drop_before(self, now):
        """Drop the samples older than the window that ends at ``now``."""
        oldest = Decimal(repr(float(now))) - self.window
        keep = 0
        while keep < len(self.samples) and Decimal(repr(self.samples[keep][0])) < oldest:
            keep += 1
        if keep:
            del self.samples[:keep]

    def span(self):
        return self.samples[-1][0] - self.samples[0][0] if self.samples else 0.0

    def estimate(self):
        """The Estimate of the window, or None while it holds fewer than 3 samples or spans less than 1/12 of it."""
        samples = self.samples
        if len(samples) < MIN_SAMPLES or Decimal(repr(self.span())) * SPAN_DIVISOR < self.window:
            return None
        with localcontext(_CONTEXT):
            first = Decimal(repr(samples[0][0]))
            xs = [Decimal(repr(when)) - first for when, _credit in samples]
            ys = [credit for _when, credit in samples]
            n = len(samples)
            sum_x, sum_y = sum(xs), sum(ys)
            # least squares: slope = (n Sxy - Sx Sy) / (n Sxx - Sx^2), in credit per second; spending is its opposite
            sxx = n * sum(x * x for x in xs) - sum_x * sum_x
            sxy = n * sum(x * y for x, y in zip(xs, ys, strict=True)) - sum_x * sum_y
            if sxx <= 0:  # pragma: no cover - a span of at least 1/12 of the window means two different times
                return None
            burn = -sxy * _SECONDS_PER_HOUR / sxx
        if burn <= 0:
            return Estimate(Decimal(0), None)
        # the figures to 28 significant digits (the default context's), far more than a float event keeps
        burn = _RESULT.plus(burn)
        return Estimate(burn, _RESULT.divide(max(samples[-1][1], Decimal(0)), burn))


def runway_state(current, estimate, min_runway, hysteresis):
    """``low`` below ``min_runway`` hours; ``ok`` again only at ``min_runway`` x (1 + hysteresis) or more.

    ``current`` is the last decided state (None before the first estimate); an unknown estimate keeps it,
    an unbounded runway (nothing spent) is ``ok``.
    """
    if estimate is None:
        return current
    hours = estimate.runway_hours
    if hours is None:
        return "ok"
    threshold = Decimal(str(min_runway))
    band = threshold * Decimal(str(hysteresis))
    if hours < threshold or (current == "low" and hours < threshold + band):
        return "low"
    return "ok"
