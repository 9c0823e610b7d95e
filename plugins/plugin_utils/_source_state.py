# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every polling event source of csoft.sms keeps between polls: the client and the outage (controller only, private).

``SourceState`` is the base of each source's state (``_watch_state.Watch``,
``_inbox_state.Inbox``):

* ``poll`` reads the service once in a fresh client (the subclass's
  ``read(client)``), kept in ``client`` so that ``close`` can end a poll under
  way; a failure becomes ``PollFailed`` with one line without the PIN or the
  username;
* ``recovered`` and ``lost`` keep the outage: ``reachable`` (None before the
  first poll), the failures in a row, one warning line per outage; a login
  the service rejects at the first poll ends the source (CsoftInputError, one
  line), later it is an outage like any other;
* ``delay`` is the wait before the next poll: ``interval``, and during an
  outage 2, 4, 8... x interval, at most ``backoff_max``.

The subclass turns these into its events. No I/O but the client's; no asyncio.
"""

import logging

from ansible_collections.csoft.sms.plugins.module_utils import _errors
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftError


def login_rejected(error):
    """Whether an error at start says the service refused the username or PIN."""
    if isinstance(error, _errors.CsoftFaultError):
        return error.login_rejected
    return isinstance(error, _errors.CsoftHTTPError) and error.status in (401, 403)


class PollFailed(Exception):
    """A poll got no usable answer; ``text`` is one line without the PIN or the username, ``error`` the client's error."""

    def __init__(self, text, error):
        super().__init__(text)
        self.text = text
        self.error = error


class SourceState:
    """The client of the poll under way and the outage, for ``settings`` (a ``_source_arguments.SourceArguments``)."""

    def __init__(self, settings):
        self.settings = settings
        self.log = logging.getLogger(settings.prefix)
        self.reachable = None  # None until the first poll, then whether the last poll got its answer
        self.failures = 0  # failed polls in a row
        self.client = None

    def read(self, client):
        """The subclass's one reading of the service with ``client`` (blocking); raises the client's errors."""
        raise NotImplementedError

    def one_line(self, client, text):
        """``text`` on one line, without the PIN (in any form the answer echoed it) or the username."""
        text = " ".join(client.redact(str(text)).split())
        return text.replace(self.settings.username, "<username>")

    def poll(self):
        """One poll (blocking, run off the event loop) in a fresh client: what ``read`` returns, or PollFailed."""
        client = self.client = self.settings.client()
        try:
            return self.read(client)
        except CsoftError as exc:
            raise PollFailed(self.one_line(client, exc), exc) from None
        finally:
            client.close()

    def recovered(self, endpoint):
        """Note a poll that got its answer from ``endpoint``; True when it ends an outage (a ``reachable`` event is due)."""
        ended = self.reachable is False
        self.reachable = True
        self.failures = 0
        if ended:
            self.log.info("%s: the service answers again at %s", self.settings.prefix, endpoint)
        return ended

    def lost(self, failure):
        """Note a failed poll (PollFailed); True when it starts an outage (an ``unreachable`` event is due).

        Raises CsoftInputError (one line) when the service rejected the login at the first poll.
        """
        if self.reachable is None and login_rejected(failure.error):
            raise self.settings.error(failure.text) from None
        self.reachable = False
        self.failures += 1
        if self.failures == 1:
            self.log.warning("%s: %s", self.settings.prefix, failure.text)
            return True
        self.log.debug("%s: still failing: %s", self.settings.prefix, failure.text)
        return False

    def delay(self):
        """``interval`` after an answer; during an outage 2, 4, 8... x interval, at most ``backoff_max``."""
        if not self.failures:
            return self.settings.interval
        return min(self.settings.interval * 2 ** min(self.failures, 32), self.settings.backoff_max)

    def prepare(self):
        """Blocking work before the first poll (nothing here; the watch reads its runway's state file)."""

    def persist(self):
        """Blocking work after each poll's events (nothing here; the watch writes its runway's state file)."""

    def close(self):
        """Close the client of a poll under way (cancellation): its request ends at once."""
        if self.client is not None:
            self.client.close()
