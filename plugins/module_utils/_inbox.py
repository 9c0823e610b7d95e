# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reading the account's inbox once or until a reply matches: the loop of csoft_sms_inbox (private to the collection).

``InboxOptions.from_values`` checks the module's own options once (``wait``,
``poll_interval`` with its floor, ``from``, ``match``, ``since``) with the
collection's rules; ``read_inbox`` collects (one ``CollectMessages`` request
per poll, through ``_collect.collect_messages``) until a reply matches or
``wait`` runs out. Every message collected is kept, de-duplicated, because
collecting may remove it from the service: a failure mid-wait
(``InboxError``) still carries them, and a message of an answer that could
not be read is described in ``unreadable`` (one line each) rather than lost
without a word.

Imports nothing from the Ansible controller, so it can run on any host.
"""

import time

from ansible_collections.csoft.sms.plugins.module_utils import _values
from ansible_collections.csoft.sms.plugins.module_utils._collect import MAX_UNREADABLE, Matcher, Seen, collect_messages
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftError

MAX_WAIT = 86400.0  # a day: longer belongs in a rulebook (csoft.sms.sms_inbox), not in a task
POLL_INTERVAL_FLOOR = 5.0
DEFAULT_POLL_INTERVAL = 10.0
MAX_POLL_INTERVAL = 3600.0


class InboxOptions:
    """The module's options, checked once: ``wait``, ``poll_interval`` (seconds, floats) and the ``Matcher``."""

    __slots__ = ("wait", "poll_interval", "matcher")

    def __init__(self, wait, poll_interval, matcher):
        self.wait = wait
        self.poll_interval = poll_interval
        self.matcher = matcher

    @classmethod
    def from_values(cls, get):
        """From ``module.params.get``: CsoftInputError (one line, naming the option) for a bad value."""

        def number(name, default, low, high, low_open=False):
            value = get(name)
            if _values.is_missing(value):
                return default
            return float(_values.as_number(name, value, low=low, high=high, low_open=low_open))

        floor = number("poll_interval_floor_for_tests", POLL_INTERVAL_FLOOR, 0, POLL_INTERVAL_FLOOR, low_open=True)
        wait = number("wait", 0.0, 0, MAX_WAIT)
        poll_interval = number("poll_interval", DEFAULT_POLL_INTERVAL, floor, MAX_POLL_INTERVAL)
        return cls(wait, poll_interval, Matcher(get("from"), get("match"), get("since")))


class Unreadable:
    """The messages left out of the answers of a read because a value did not parse: ``lines`` and ``count``.

    ``lines``: distinct, at most MAX_UNREADABLE over all polls (as in one answer); ``count``: all of them.
    """

    __slots__ = ("lines", "count")

    def __init__(self):
        self.lines = []
        self.count = 0

    def add(self, collected):
        self.count += collected.unreadable_count
        for line in collected.unreadable:
            if line not in self.lines and len(self.lines) < MAX_UNREADABLE:
                self.lines.append(line)

    def warning(self):
        """One line for the task's warnings, or None when every message could be read."""
        if not self.count:
            return None
        return (
            f"{self.count} collected message(s) could not be read and are not in 'messages' (the service may have removed them): "
            f"{self.lines[0]}; see 'unreadable', and ask the vendor's support about the message"
        )


class InboxResult:
    """``messages`` (every Reply collected, each once, in order), ``matched`` (Reply or None), ``polls``, ``timed_out``, ``unreadable``."""

    __slots__ = ("messages", "matched", "polls", "timed_out", "unreadable")

    def __init__(self, messages, matched, polls, timed_out, unreadable=None):
        self.messages = messages
        self.matched = matched
        self.polls = polls
        self.timed_out = timed_out
        self.unreadable = unreadable if unreadable is not None else Unreadable()

    def public(self):
        """The task's values: ``messages``, ``matched``, ``polls``, ``unreadable``."""
        return {
            "messages": [reply.public() for reply in self.messages],
            "matched": self.matched.public() if self.matched is not None else None,
            "polls": self.polls,
            "unreadable": list(self.unreadable.lines),
        }


class InboxError(CsoftError):
    """A poll failed (``error``, the client's one-line error); ``result`` holds what was collected before it."""

    def __init__(self, error, result):
        super().__init__(str(error), error.endpoint, error.operation)
        self.error = error
        self.result = result

    def _fields(self):
        return {"error": self.error, "result": self.result}

    def redacted(self, redact):
        return InboxError(self.error.redacted(redact), self.result)


def read_inbox(client, options, sleep=time.sleep, clock=time.monotonic):
    """Collect once (``wait`` 0) or until a reply matches or ``wait`` seconds have passed; an InboxResult.

    The last poll is at the deadline at the latest. Raises InboxError when a
    poll fails (or a ``match`` search is stopped); never retries a request.
    """
    seen = Seen()
    messages = []
    unreadable = Unreadable()
    polls = 0
    deadline = clock() + options.wait
    while True:
        polls += 1
        try:
            collected = collect_messages(client)
            unreadable.add(collected)
            fresh = seen.new(collected.replies)
            messages.extend(fresh)
            matched = options.matcher.first(fresh)
        except CsoftError as exc:
            raise InboxError(exc, InboxResult(messages, None, polls, False, unreadable)) from None
        if matched is not None or options.wait <= 0:
            return InboxResult(messages, matched, polls, False, unreadable)
        remaining = deadline - clock()
        if remaining <= 0:
            return InboxResult(messages, None, polls, True, unreadable)
        sleep(min(options.poll_interval, remaining))
