# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The arguments of the event source csoft.sms.credit_watch, checked once (controller only, private to the collection).

``Settings(args)`` is a ``_source_arguments.SourceArguments``: the connection
options, ``interval`` and ``backoff_max`` are checked there, as for every
polling source; this file checks the watch's own arguments, the thresholds,
``reply_to`` and the runway's, through ``_values`` (finite, in range, the
right type). A bad argument is one ``CsoftInputError`` line that names it;
nothing is sent. Imports nothing from ansible-core: ansible-rulebook does not need it.
"""

from decimal import Decimal

from ansible_collections.csoft.sms.plugins.module_utils import _account, _values
from ansible_collections.csoft.sms.plugins.plugin_utils import _runway_state
from ansible_collections.csoft.sms.plugins.plugin_utils._source_arguments import SourceArguments, source_arguments

DEFAULT_HYSTERESIS = 0.1
DEFAULT_RUNWAY_WINDOW = 24
MAX_RUNWAY_HOURS = 10 * 8760  # ten years
MAX_RUNWAY_WINDOW = 8760  # a year
RUNWAY_ARGUMENTS = ("min_runway", "runway_window", "state_file")


class Settings(SourceArguments):
    """The watch's arguments, checked; a bad one raises CsoftInputError (one line, nothing sent)."""

    SOURCE = "credit_watch"
    ARGUMENTS = source_arguments(("min_credit", "min_messages", "hysteresis", "reply_to") + RUNWAY_ARGUMENTS)

    def __init__(self, args):
        super().__init__(args)
        self.min_credit = self.number(args, "min_credit", Decimal(0), 0, 10**_account.MAX_CREDIT_DIGITS)
        self.min_messages = self.number(args, "min_messages", 0, 0, 10**_account.MAX_MESSAGES_DIGITS, integer=True)
        self.hysteresis = self.number(args, "hysteresis", Decimal(str(DEFAULT_HYSTERESIS)), 0, 1)
        reply_to = self.given(args, "reply_to")
        self.reply_to = False if reply_to is None else self.checked("reply_to", _values.as_bool, reply_to)
        self._runway(args)

    def _runway(self, args):
        """The credit runway's arguments: none without ``min_runway`` (the source then behaves as it did before)."""
        self.min_runway = self.number(args, "min_runway", None, 0, MAX_RUNWAY_HOURS)
        self.runway_window = self.number(args, "runway_window", Decimal(DEFAULT_RUNWAY_WINDOW), 0, MAX_RUNWAY_WINDOW, low_open=True)
        state_file = self.given(args, "state_file")
        self.state_file = None if state_file is None else self.checked("state_file", _runway_state.checked_path, state_file)
        self.state_key = None
        if self.min_runway is None:
            given = [name for name in RUNWAY_ARGUMENTS[1:] if self.given(args, name) is not None]
            if given:
                raise self.error(
                    f"{' and '.join(given)} {'is' if len(given) == 1 else 'are'} set without min_runway; "
                    "set min_runway (hours, 0 for the figures without runway events) or remove them"
                )
            return
        # the window must hold the 3 samples of an estimate: 3 polls
        if self.runway_window * 3600 < 3 * Decimal(str(self.interval)):
            raise self.error(
                f"the source argument runway_window is {self.runway_window} hours, shorter than 3 polls "
                f"of interval {self.interval:g} s; set it to at least {3 * self.interval / 3600:.6g} hours"
            )
        self.state_key = _runway_state.state_key(self.username, self.connection.endpoints)
