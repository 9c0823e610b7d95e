# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The state of the event source csoft.sms.sms_inbox (controller only, private to the collection).

``Inbox`` is a ``_source_state.SourceState`` (the client of each poll, the
outage, the backoff): ``poll`` collects the replies once (one
``CollectMessages`` request, ``_collect.collect_messages``; a ``Report`` other
than 0 is a failed poll), ``answered`` turns the replies not seen before
(``_collect.Seen``: by sender, time and text) into one ``received`` event
each, and ``failed`` into one ``unreachable`` event per outage; the first
answer after an outage is a ``reachable`` event. A message of an answer that
could not be read (a value did not parse) is left out with one warning in the
log, once per distinct line (the service may return it at every poll).

Events are ``{"csoft_sms": {...}}``. A ``received`` event has ``from``, ``to``,
``text``, ``received`` (ISO 8601 UTC), ``sender_allowed`` and ``command`` /
``args`` (``_inbox_commands``), set only for a sender in ``allowed_senders``.
The text is data: it is copied, never templated or run. No I/O but the
client's; no asyncio.
"""

from datetime import datetime, timezone

from ansible_collections.csoft.sms.plugins.module_utils._collect import Seen, collect_messages
from ansible_collections.csoft.sms.plugins.module_utils._times import iso_utc
from ansible_collections.csoft.sms.plugins.plugin_utils._inbox_commands import parse_command
from ansible_collections.csoft.sms.plugins.plugin_utils._source_state import SourceState

KEY = "csoft_sms"
MAX_WARNED = 1000  # distinct "could not be read" lines remembered, so a message returned at every poll warns once


class Inbox(SourceState):
    """The replies already handed on (``seen``) and the outage (of SourceState)."""

    def __init__(self, settings):
        super().__init__(settings)
        self.seen = Seen()
        self.warned = Seen(MAX_WARNED, key=str)  # the "could not be read" lines logged already
        self.endpoint = None  # the endpoint that answered the last poll

    def read(self, client):
        """One CollectMessages request: a ``_collect.Collected`` (the PIN masked should the answer echo it: ``collect_messages``)."""
        collected = collect_messages(client)
        self.endpoint = client.endpoint
        return collected

    def received(self, reply):
        """The ``received`` event of one reply: ``command`` and ``args`` only for an allowed sender."""
        allowed = reply.sender in self.settings.allowed_senders
        command, args = parse_command(reply.text, self.settings.commands) if allowed else (None, [])
        return {KEY: {"type": "received", **reply.public(), "sender_allowed": allowed, "command": command, "args": args}}

    def status(self, kind, error=None):
        """A ``reachable`` or ``unreachable`` event (with the one-line ``error``)."""
        body = {"type": kind, "reachable": self.reachable, "endpoint": self.endpoint, "time": iso_utc(datetime.now(timezone.utc))}
        if error is not None:
            body["error"] = error
        return {KEY: body}

    def warn_unreadable(self, collected):
        """Log each line of ``collected.unreadable`` once (one line each, PIN-free, no event: there is no message to act on)."""
        for line in self.warned.new(collected.unreadable):
            self.log.warning("%s: %s", self.settings.prefix, line)
        hidden = collected.unreadable_count - len(collected.unreadable)
        if hidden > 0:
            self.log.warning("%s: %d more messages of that answer could not be read either", self.settings.prefix, hidden)

    def answered(self, collected):
        """The events of a poll that got its answer: ``reachable`` after an outage, then one ``received`` per new reply."""
        events = [self.status("reachable")] if self.recovered(self.endpoint) else []
        self.warn_unreadable(collected)
        fresh = self.seen.new(collected.replies)
        if fresh:
            self.log.debug("%s: %d new replies", self.settings.prefix, len(fresh))
        return events + [self.received(reply) for reply in fresh]

    def failed(self, failure):
        """The events of a poll that failed: one ``unreachable`` per outage."""
        return [self.status("unreachable", failure.text)] if self.lost(failure) else []
