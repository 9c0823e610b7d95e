# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The arguments of the event source csoft.sms.credit_watch, checked once (controller only, private to the collection).

``Settings(args)`` checks every argument with the collection's one set of
rules: the connection options through ``_connection.ConnectionSettings``
(each falling back to its ``CSOFT_*`` environment variable), the thresholds
and waits through ``_values`` (finite, in range, the right type). A bad
argument is one ``CsoftInputError`` line that names it; nothing is sent.
Imports nothing from ansible-core: ansible-rulebook does not need it.
"""

import os
from decimal import Decimal

from ansible_collections.csoft.sms.plugins.module_utils import _account, _client, _connection, _values
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.plugins.plugin_utils import _runway_state

DEFAULT_INTERVAL = 60.0
INTERVAL_FLOOR = 10.0
MAX_INTERVAL = 86400.0
DEFAULT_BACKOFF_MAX = 900.0
MAX_BACKOFF = 7 * 86400.0
DEFAULT_HYSTERESIS = 0.1
DEFAULT_RUNWAY_WINDOW = 24
MAX_RUNWAY_HOURS = 10 * 8760  # ten years
MAX_RUNWAY_WINDOW = 8760  # a year
RUNWAY_ARGUMENTS = ("min_runway", "runway_window", "state_file")
ARGUMENTS = (
    _connection.NAMES + ("min_credit", "min_messages", "interval", "backoff_max", "hysteresis", "reply_to") + RUNWAY_ARGUMENTS + ("interval_floor_for_tests",)
)


def _argument_label(name):
    return f"the source argument {name} (or {_connection.BY_NAME[name].env})" if name in _connection.BY_NAME else f"the source argument {name}"


def _checked(name, check, *args, **kwargs):
    """``check(name, *args)`` with the collection's one set of rules; its error names the source argument."""
    try:
        return check(name, *args, **kwargs)
    except CsoftInputError as exc:
        raise CsoftInputError(f"csoft.sms.credit_watch: {_values.relabel(exc, name, _argument_label(name))}") from None


def _given(args, name):
    """The argument, or None when it is not given (an empty string counts as not given)."""
    value = args.get(name)
    return None if _values.is_missing(value) else value


def _number(args, name, default, low, high, integer=False, low_open=False):
    value = _given(args, name)
    if value is None:
        return default
    return _checked(name, _values.as_number, value, low=low, high=high, integer=integer, low_open=low_open)


class Settings:
    """The source's arguments, checked; a bad one raises CsoftInputError (one line, nothing sent)."""

    def __init__(self, args):
        unknown = sorted(key for key in args if key not in ARGUMENTS and not str(key).startswith("eda_"))
        if unknown:
            raise CsoftInputError(f"csoft.sms.credit_watch: unknown argument {', '.join(map(str, unknown))}; the arguments are {', '.join(ARGUMENTS)}")
        try:
            # The connection options: the collection's one declaration, each falling back to its CSOFT_* variable.
            self.connection = _connection.ConnectionSettings.from_values(args, environ=os.environ, label=_argument_label)
        except CsoftInputError as exc:
            raise CsoftInputError(f"csoft.sms.credit_watch: {exc}") from None
        self.username = self.connection.username
        self.min_credit = _number(args, "min_credit", Decimal(0), 0, 10**_account.MAX_CREDIT_DIGITS)
        self.min_messages = _number(args, "min_messages", 0, 0, 10**_account.MAX_MESSAGES_DIGITS, integer=True)
        floor = _number(args, "interval_floor_for_tests", Decimal(str(INTERVAL_FLOOR)), 0, INTERVAL_FLOOR, low_open=True)
        self.interval = float(_number(args, "interval", Decimal(str(DEFAULT_INTERVAL)), float(floor), MAX_INTERVAL))
        self.backoff_max = float(_number(args, "backoff_max", Decimal(str(max(DEFAULT_BACKOFF_MAX, self.interval))), self.interval, MAX_BACKOFF))
        self.hysteresis = _number(args, "hysteresis", Decimal(str(DEFAULT_HYSTERESIS)), 0, 1)
        reply_to = _given(args, "reply_to")
        self.reply_to = False if reply_to is None else _checked("reply_to", _values.as_bool, reply_to)
        self._runway(args)

    def _runway(self, args):
        """The credit runway's arguments: none without ``min_runway`` (the source then behaves as it did before)."""
        self.min_runway = _number(args, "min_runway", None, 0, MAX_RUNWAY_HOURS)
        self.runway_window = _number(args, "runway_window", Decimal(DEFAULT_RUNWAY_WINDOW), 0, MAX_RUNWAY_WINDOW, low_open=True)
        state_file = _given(args, "state_file")
        self.state_file = None if state_file is None else _checked("state_file", _runway_state.checked_path, state_file)
        self.state_key = None
        if self.min_runway is None:
            given = [name for name in RUNWAY_ARGUMENTS[1:] if _given(args, name) is not None]
            if given:
                raise CsoftInputError(
                    f"csoft.sms.credit_watch: {' and '.join(given)} {'is' if len(given) == 1 else 'are'} set without min_runway; "
                    "set min_runway (hours, 0 for the figures without runway events) or remove them"
                )
            return
        # the window must hold the 3 samples of an estimate: 3 polls
        if self.runway_window * 3600 < 3 * Decimal(str(self.interval)):
            raise CsoftInputError(
                f"csoft.sms.credit_watch: the source argument runway_window is {self.runway_window} hours, shorter than 3 polls "
                f"of interval {self.interval:g} s; set it to at least {3 * self.interval / 3600:.6g} hours"
            )
        self.state_key = _runway_state.state_key(self.username, self.connection.endpoints)

    def client(self):
        return _client.CsoftClient(self.connection)
