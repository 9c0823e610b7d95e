# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The inbound queue: replies waiting to be collected with CollectMessages, per username.

Thread-safe; one ``Inbox`` is shared by the two servers of a pair. A message is
collectable once it is due (``delay`` seconds after it was added); collecting
answers the due messages of one account in arrival order and removes them,
except those added with ``keep``, which are answered again on every collect
(the vendor does not say whether collecting removes a message).
"""

import math
import re
import threading
import time

# The number a reply was sent to when the test does not say: the default account's two-way number.
DEFAULT_TO = "447700912345"
# Characters XML 1.0 cannot carry: a reply holding one would make the whole answer malformed.
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xsd_datetime(seconds):
    """``seconds`` since the epoch as an xsd:dateTime in UTC, whole seconds (``2026-12-07T12:00:05Z``)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _text(name, value, required=True):
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string")
    if required and not value:
        raise ValueError(f"{name} must not be empty")
    if _NOT_XML_RE.search(value):
        raise ValueError(f"{name} holds a character XML 1.0 cannot carry")
    return value


class Inbox:
    """Replies per username; ``clock`` (seconds since the epoch) is the seam for tests."""

    def __init__(self, clock=time.time):
        self.clock = clock
        self._lock = threading.Lock()
        self._queue = []

    def add(self, username, sender, text, to=None, received=None, delay=None, keep=None):
        """Queue one reply to ``username`` from ``sender``; return how many replies are queued (all accounts).

        ``received`` is sent as is in Timestamp1 (default: when the reply becomes due);
        ``delay``: seconds before it is collectable (default 0); ``keep``: never removed.
        Raises TypeError or ValueError on a bad value.
        """
        delay = 0 if delay is None else delay
        if isinstance(delay, bool) or not isinstance(delay, (int, float)) or not 0 <= delay < math.inf:
            raise ValueError("delay must be a finite, non-negative number of seconds")
        keep = False if keep is None else keep
        if not isinstance(keep, bool):
            raise TypeError("keep must be true or false")
        due = self.clock() + delay
        message = {
            "username": _text("username", username),
            "from": _text("from", sender),
            "to": _text("to", DEFAULT_TO if to is None else to),
            "text": _text("text", text, required=False),
            "received": xsd_datetime(due) if received is None else _text("received", received),
            "due": due,
            "keep": keep,
        }
        with self._lock:
            self._queue.append(message)
            return len(self._queue)

    def collect(self, username):
        """The due replies of ``username`` in arrival order; those without ``keep`` leave the queue."""
        now = self.clock()
        with self._lock:
            due = [msg for msg in self._queue if msg["username"] == username and msg["due"] <= now]
            taken = {id(msg) for msg in due if not msg["keep"]}
            self._queue = [msg for msg in self._queue if id(msg) not in taken]
        return [dict(msg) for msg in due]

    def messages(self):
        """Every queued reply, due or not, in arrival order."""
        with self._lock:
            return [dict(msg) for msg in self._queue]

    def clear(self):
        with self._lock:
            self._queue = []
