# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The arguments every polling event source of csoft.sms has, checked once (controller only, private to the collection).

``SourceArguments(args)`` is the base of each source's settings
(``_watch_arguments.Settings``, ``_inbox_arguments.Settings``): it refuses an
unknown argument, checks the connection options through
``_connection.ConnectionSettings`` (each falling back to its ``CSOFT_*``
environment variable) and the waits ``interval`` (with its 10 s floor, lower
only through ``interval_floor_for_tests``) and ``backoff_max`` through
``_values``. A subclass names its source (``SOURCE``) and its arguments
(``ARGUMENTS = source_arguments(own)``) and checks its own with ``given``,
``number`` and ``checked``; the arguments, PIN included, are not kept. A bad
argument is one ``CsoftInputError`` line, ``csoft.sms.<source>: ...``, that
names it; nothing is sent. Imports nothing from ansible-core.
"""

import os
from decimal import Decimal

from ansible_collections.csoft.sms.plugins.module_utils import _client, _connection, _values
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError

DEFAULT_INTERVAL = 60.0
INTERVAL_FLOOR = 10.0
MAX_INTERVAL = 86400.0
DEFAULT_BACKOFF_MAX = 900.0
MAX_BACKOFF = 7 * 86400.0
WAIT_ARGUMENTS = ("interval", "backoff_max", "interval_floor_for_tests")


def argument_label(name):
    """How the user sets argument ``name``: ``the source argument pin (or CSOFT_PIN)``."""
    if name in _connection.BY_NAME:
        return f"the source argument {name} (or {_connection.BY_NAME[name].env})"
    return f"the source argument {name}"


def source_arguments(own):
    """Every argument of a source whose own arguments are ``own``: the connection options, ``own``, then the waits."""
    return _connection.NAMES + tuple(own) + WAIT_ARGUMENTS


class SourceArguments:
    """The connection options and the waits of a polling source, checked; a bad one raises CsoftInputError (one line)."""

    SOURCE = None  # the source's name, e.g. "credit_watch"
    ARGUMENTS = _connection.NAMES + WAIT_ARGUMENTS  # a subclass: source_arguments(its own)

    def __init__(self, args):
        unknown = sorted(str(key) for key in args if key not in self.ARGUMENTS and not str(key).startswith("eda_"))
        if unknown:
            raise self.error(f"unknown argument {', '.join(unknown)}; the arguments are {', '.join(self.ARGUMENTS)}")
        try:
            # The connection options: the collection's one declaration, each falling back to its CSOFT_* variable.
            self.connection = _connection.ConnectionSettings.from_values(args, environ=os.environ, label=argument_label)
        except CsoftInputError as exc:
            raise self.error(exc) from None
        self.username = self.connection.username
        floor = self.number(args, "interval_floor_for_tests", Decimal(str(INTERVAL_FLOOR)), 0, INTERVAL_FLOOR, low_open=True)
        self.interval = float(self.number(args, "interval", Decimal(str(DEFAULT_INTERVAL)), float(floor), MAX_INTERVAL))
        self.backoff_max = float(self.number(args, "backoff_max", Decimal(str(max(DEFAULT_BACKOFF_MAX, self.interval))), self.interval, MAX_BACKOFF))

    @property
    def prefix(self):
        """What every error and log line of the source starts with: ``csoft.sms.<source>``."""
        return f"csoft.sms.{self.SOURCE}"

    def error(self, text):
        """The one-line CsoftInputError ``csoft.sms.<source>: text``."""
        return CsoftInputError(f"{self.prefix}: {text}")

    @staticmethod
    def given(args, name):
        """The argument, or None when it is not given (an empty string counts as not given)."""
        value = args.get(name)
        return None if _values.is_missing(value) else value

    def checked(self, name, check, *args, **kwargs):
        """``check(name, *args)`` with the collection's one set of rules; its error names the source argument."""
        try:
            return check(name, *args, **kwargs)
        except CsoftInputError as exc:
            raise self.error(_values.relabel(exc, name, argument_label(name))) from None

    def number(self, args, name, default, low, high, integer=False, low_open=False):
        """The argument as a finite Decimal (an int when ``integer``) within [low, high], or ``default`` when not given."""
        value = self.given(args, name)
        if value is None:
            return default
        return self.checked(name, _values.as_number, value, low=low, high=high, integer=integer, low_open=low_open)

    def client(self):
        """A fresh client of the account (one per poll)."""
        return _client.CsoftClient(self.connection)
