# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The state machine of the event source csoft.sms.credit_watch (controller only, private to the collection).

``Watch`` is a ``_source_state.SourceState`` (the client of each poll, the
outage, the backoff) that holds the last figures and the credit and messages
states (with hysteresis): ``poll`` reads the account once (one request per
operation, through the collection's one client), ``answered`` and ``failed``
turn a poll into the events to emit, ``delay`` is the wait before the next
poll. With ``min_runway`` it also keeps the credit runway (``_runway``): a
sample per answered poll, its estimate and state in every event,
``runway_low``/``runway_ok`` on changes; ``load_runway`` and ``save_runway``
(its ``prepare`` and ``persist``) read and write the ``state_file``
(``_runway_state``). No I/O but the client's and the state file's; no asyncio.
"""

import logging
import math
import time
from datetime import datetime, timezone

from ansible_collections.csoft.sms.plugins.plugin_utils import _runway, _runway_state
from ansible_collections.csoft.sms.plugins.plugin_utils._source_state import SourceState

LOG = logging.getLogger("csoft.sms.credit_watch")


def next_state(current, value, threshold, band):
    """``low`` below the threshold; back to ``ok`` only at or above threshold + band (hysteresis)."""
    if value < threshold or (current == "low" and value < threshold + band):
        return "low"
    return "ok"


class Watch(SourceState):
    """The polling loop's state: the last figures, the two states (and the outage, of SourceState)."""

    def __init__(self, settings, clock=time.time):
        super().__init__(settings)
        self.clock = clock  # the wall clock of the runway's samples (seconds since the epoch)
        self.runway = None if settings.min_runway is None else _runway.Runway(settings.runway_window)
        self.estimate = None
        self.runway_state = None  # the last decided state, low or ok
        self.unsaved = False
        self.save_failed = False
        self.figures = dict.fromkeys(("credit", "currency", "messages", "endpoint", "failed_over"))
        self.states = {"credit": None, "messages": None}

    def read(self, client):
        """One request per operation; the AccountFigures (a bounded parse refuses a figure that is not finite or too long)."""
        return client.figures(("credit", "messages", "reply_to") if self.settings.reply_to else ("credit", "messages"))

    def event(self, kind, error=None):
        figures = self.figures
        body = {
            "type": kind,
            "credit": figures["credit"],
            "currency": figures["currency"],
            "messages": figures["messages"],
            "endpoint": figures["endpoint"],
            "failed_over": figures["failed_over"],
            "min_credit": float(self.settings.min_credit),
            "min_messages": self.settings.min_messages,
            "credit_state": self.states["credit"],
            "messages_state": self.states["messages"],
            "reachable": self.reachable,
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        if self.settings.reply_to:
            body["permitted_reply_to"] = figures.get("permitted_reply_to")
        if self.runway is not None:
            body.update(self.estimate.public() if self.estimate is not None else {"burn_per_hour": None, "runway_hours": None})
            body["min_runway"] = float(self.settings.min_runway)
            body["runway_state"] = "unknown" if self.estimate is None else self.runway_state
        if error is not None:
            body["error"] = error
        return {"csoft": body}

    def answered(self, figures):
        """The events of a poll that got its AccountFigures: ``status`` after the first poll, then only the changes.

        States are decided on the exact figures (credit a Decimal); events carry their JSON-safe form.
        """
        first = self.reachable is None
        exact = {"credit": figures.credit, "messages": figures.messages}
        self.figures = figures = figures.public()
        events = ["reachable"] if self.recovered(figures["endpoint"]) else []
        s = self.settings
        bands = {"credit": s.min_credit * s.hysteresis, "messages": math.ceil(s.min_messages * s.hysteresis)}
        for name, threshold in (("credit", s.min_credit), ("messages", s.min_messages)):
            previous, state = self.states[name], next_state(self.states[name], exact[name], threshold, bands[name])
            # a change; or low once the figures are known when the first poll had failed
            if previous != state and (previous is not None or state == "low"):
                events.append(f"{name}_{state}")
            self.states[name] = state
        if self.runway is not None:
            events.extend(self._runway_events(exact["credit"]))
        return [self.event("status")] if first else [self.event(kind) for kind in events]

    def _runway_events(self, credit):
        """Add the poll's sample; ``runway_low``/``runway_ok`` on a change of the decided state (low once known at start)."""
        self.runway.add(self.clock(), credit)
        self.unsaved = True
        self.estimate = self.runway.estimate()
        s = self.settings
        previous = self.runway_state
        self.runway_state = _runway.runway_state(previous, self.estimate, s.min_runway, s.hysteresis)
        if self.runway_state is not None and previous != self.runway_state and (previous is not None or self.runway_state == "low"):
            return [f"runway_{self.runway_state}"]
        return []

    def load_runway(self):
        """Read the samples of ``state_file`` (blocking, at start): a file of no use is one log line and a fresh window."""
        if self.runway is not None and self.settings.state_file:
            self.runway.restore(_runway_state.load(self.settings.state_file, self.settings.state_key, LOG), self.clock())

    def save_runway(self):
        """Write the samples to ``state_file`` after a new one (blocking); a failure is one warning line per streak."""
        if self.runway is None or not self.settings.state_file or not self.unsaved:
            return
        try:
            _runway_state.save(self.settings.state_file, self.settings.state_key, self.runway.samples)
        except OSError as exc:
            if not self.save_failed:
                LOG.warning("csoft.sms.credit_watch: cannot write the runway state file %s: %s; the estimate goes on in memory", self.settings.state_file, exc)
            self.save_failed = True
        else:
            self.unsaved = self.save_failed = False

    def failed(self, failure):
        """The events of a poll that failed: one ``unreachable`` per outage (after ``status`` when it is the first poll)."""
        first = self.reachable is None
        starts = self.lost(failure)
        events = [self.event("status", failure.text)] if first else []
        if starts:
            events.append(self.event("unreachable", failure.text))
        return events

    prepare = load_runway
    persist = save_runway
