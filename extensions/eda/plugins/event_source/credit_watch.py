# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""csoft.sms.credit_watch: an ansible-rulebook event source that watches a Connection Software account.

Every ``interval`` seconds it asks the service for the account's credit and
message allowance (and its permitted ReplyTo values when ``reply_to`` is
true), one request per operation, with the collection's one client
(``plugins/module_utils/_client.py``). It puts one ``status`` event on the
queue at start, then an event only when a state changes.

Arguments:
    username, pin, endpoints, validate_certs, ca_path, timeout
        the connection options of every csoft.sms module (same names and
        defaults; each falls back to its ``CSOFT_*`` environment variable).
        Pass the PIN as a template variable (``--vars``, ``--env-vars`` or an
        EDA credential), never literally: ansible-rulebook logs source
        arguments as written at ``-vv``.
    min_credit      credit below which the account is low (number, default 0)
    min_messages    messages below which the account is low (integer, default 0)
    interval        seconds between polls (default 60, at least 10)
    backoff_max     longest wait between polls while the service cannot be
                    reached (default 900; the wait doubles from 2 x interval)
    hysteresis      fraction of a threshold a figure must climb above it to
                    be ``ok`` again (default 0.1), so a figure at the
                    threshold does not flap
    reply_to        also query PermittedReplyTo (default false)
    interval_floor_for_tests
                    FOR TESTS AGAINST THE SIMULATOR ONLY: lowers the 10 s floor
                    of ``interval`` (0 < value <= 10). Never set it against the
                    real service, which blocks clients that poll too often.

Events: ``{"csoft": {"type": ..., ...}}``, ``type`` one of ``status`` (the
first), ``credit_low``, ``credit_ok``, ``messages_low``, ``messages_ok``,
``unreachable``, ``reachable``, with the figures ``credit``, ``currency``,
``messages``, ``endpoint``, ``failed_over``, ``min_credit``,
``min_messages``, ``time`` and the states ``credit_state``,
``messages_state`` (``low``/``ok``) and ``reachable``. Never the username or
the PIN.

Example (the credentials from CSOFT_USERNAME and CSOFT_PIN of ansible-rulebook's
environment; EXAMPLES below passes them as template variables):
    - csoft.sms.credit_watch:
        min_credit: 25.5
        interval: 120
"""

import asyncio
import importlib.machinery
import importlib.util
import logging
import math
import os
import sys
from datetime import datetime, timezone
from decimal import Decimal

DOCUMENTATION = r"""
---
short_description: Watch the credit and message allowance of a Connection Software (csoft.co.uk) SMS account.
description:
  - Polls the account every O(interval) seconds with the csoft.sms client, one request per operation,
    and emits an event at start and on every change of state.
  - The service's rule holds here too, fail-over only when no connection could be made, no retry after an answer.
  - A bad argument or a login the service rejects at start ends the source with one line.
    Later faults, time-outs or an unreachable service emit one C(unreachable) event per outage and back off.
options:
  username:
    description: The account's Username. Falls back to E(CSOFT_USERNAME).
    type: str
  pin:
    description:
      - The account's PIN. Falls back to E(CSOFT_PIN).
      - Pass it as a template variable, never literally; ansible-rulebook logs source arguments as written.
    type: str
  endpoints:
    description: Service URLs tried in order (a list or a comma-separated string). Falls back to E(CSOFT_ENDPOINTS).
    type: list
    elements: str
    default: [https://www.csoft.co.uk/sendsms5, https://www2.csoft.co.uk/sendsms5]
  validate_certs:
    description: Verify TLS certificates. Falls back to E(CSOFT_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description: PEM bundle of CA certificates for HTTPS. Falls back to E(CSOFT_CA_PATH).
    type: path
  timeout:
    description: Time-out in seconds of each request. Falls back to E(CSOFT_TIMEOUT).
    type: float
    default: 10
  min_credit:
    description: The account is C(low) on credit below this figure.
    type: float
    default: 0
  min_messages:
    description: The account is C(low) on messages below this number.
    type: int
    default: 0
  interval:
    description: Seconds between polls; at least 10, so that no rulebook can hammer the service.
    type: float
    default: 60
  backoff_max:
    description: Longest wait in seconds between polls while the service cannot be reached; at least O(interval).
    type: float
    default: 900
  hysteresis:
    description: A low figure is C(ok) again only at or above threshold x (1 + hysteresis).
    type: float
    default: 0.1
  reply_to:
    description: Also query the permitted ReplyTo values and add C(permitted_reply_to) to the events.
    type: bool
    default: false
  interval_floor_for_tests:
    description: For tests against the simulator only; lowers the floor of O(interval) below 10 seconds.
    type: float
"""

EXAMPLES = r"""
- csoft.sms.credit_watch:
    username: "{{ CSOFT_USERNAME }}"
    pin: "{{ CSOFT_PIN }}"
    min_credit: 10
    min_messages: 200
    interval: 300
"""

LOG = logging.getLogger("csoft.sms.credit_watch")

DEFAULT_INTERVAL = 60.0
INTERVAL_FLOOR = 10.0
MAX_INTERVAL = 86400.0
DEFAULT_BACKOFF_MAX = 900.0
MAX_BACKOFF = 7 * 86400.0
DEFAULT_HYSTERESIS = 0.1


def _collection_root():
    """The collection's root: extensions/eda/plugins/event_source/ are the four directories above this file."""
    here = os.path.dirname(os.path.abspath(__file__))
    for _unused in range(4):
        here = os.path.dirname(here)
    return here


def _register_collection(root):
    """Make ``root`` importable as ``ansible_collections.csoft.sms`` (for a checkout or a collection path not on sys.path).

    ansible-rulebook runs this file by path (runpy), not as a package; the
    packages are made with importlib's own machinery, sys.path is left alone.
    """
    names = ("ansible_collections", "ansible_collections.csoft", "ansible_collections.csoft.sms")
    for name in names:
        if name in sys.modules:
            continue
        spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
        spec.submodule_search_locations = [root] if name == names[-1] else []
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        parent, _unused, child = name.rpartition(".")
        if parent:
            setattr(sys.modules[parent], child, module)


def _load_client():
    """The collection's shared modules, from the installed collection or from the collection this file belongs to."""
    try:
        from ansible_collections.csoft.sms.plugins.module_utils import _account, _client, _connection, _errors, _values
    except ImportError:
        _register_collection(_collection_root())
        from ansible_collections.csoft.sms.plugins.module_utils import _account, _client, _connection, _errors, _values
    return _account, _client, _connection, _errors, _values


_account, _client, _connection, _errors, _values = _load_client()
ARGUMENTS = _connection.NAMES + ("min_credit", "min_messages", "interval", "backoff_max", "hysteresis", "reply_to", "interval_floor_for_tests")
CsoftError = _errors.CsoftError
CsoftInputError = _errors.CsoftInputError


async def _sleep(seconds):
    """The wait between polls (a seam for the tests)."""
    await asyncio.sleep(seconds)


def _argument_label(name):
    return f"the source argument {name} (or {_connection.BY_NAME[name].env})" if name in _connection.BY_NAME else f"the source argument {name}"


def _checked(name, check, *args, **kwargs):
    """``check(name, *args)`` with the collection's one set of rules; its error names the source argument."""
    try:
        return check(name, *args, **kwargs)
    except CsoftInputError as exc:
        raise CsoftInputError(f"csoft.sms.credit_watch: {str(exc).replace(f'the {name} option', _argument_label(name))}") from None


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

    def client(self):
        return _client.CsoftClient(self.connection)


def login_rejected(error):
    """Whether an error at start says the service refused the username or PIN."""
    if isinstance(error, _errors.CsoftFaultError):
        return error.login_rejected
    return isinstance(error, _errors.CsoftHTTPError) and error.status in (401, 403)


def next_state(current, value, threshold, band):
    """``low`` below the threshold; back to ``ok`` only at or above threshold + band (hysteresis)."""
    if value < threshold or (current == "low" and value < threshold + band):
        return "low"
    return "ok"


class PollFailed(Exception):
    """A poll got no usable answer; ``text`` is one line without the PIN or the username, ``error`` the client's error."""

    def __init__(self, text, error):
        super().__init__(text)
        self.text = text
        self.error = error


class Watch:
    """The polling loop's state: the last figures, the two states and the outage."""

    def __init__(self, settings):
        self.settings = settings
        self.figures = dict.fromkeys(("credit", "currency", "messages", "endpoint", "failed_over"))
        self.states = {"credit": None, "messages": None}
        self.reachable = None
        self.failures = 0
        self.client = None

    def _text(self, client, text):
        text = " ".join(client.redact(str(text)).split())
        return text.replace(self.settings.username, "<username>")

    def poll(self):
        """One poll (blocking, run off the event loop): one request per operation, in a fresh client.

        Returns the AccountFigures; a bounded parse refuses a figure that is not finite or too long (a failed poll).
        """
        client = self.client = self.settings.client()
        operations = ("credit", "messages", "reply_to") if self.settings.reply_to else ("credit", "messages")
        try:
            return _account.gather(lambda operation: (client.call(operation), client.endpoint), operations, client.endpoints[0])
        except CsoftError as exc:
            raise PollFailed(self._text(client, exc), exc) from None
        finally:
            client.close()

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
        if error is not None:
            body["error"] = error
        return {"csoft": body}

    def answered(self, figures):
        """The events of a poll that got its AccountFigures: ``status`` after the first poll, then only the changes.

        States are decided on the exact figures (credit a Decimal); events carry their JSON-safe form.
        """
        first = self.reachable is None
        events = [] if first or self.reachable else ["reachable"]
        exact = {"credit": figures.credit, "messages": figures.messages}
        self.figures = figures = figures.public()
        self.reachable = True
        self.failures = 0
        s = self.settings
        bands = {"credit": s.min_credit * s.hysteresis, "messages": math.ceil(s.min_messages * s.hysteresis)}
        for name, threshold in (("credit", s.min_credit), ("messages", s.min_messages)):
            previous, state = self.states[name], next_state(self.states[name], exact[name], threshold, bands[name])
            # a change; or low once the figures are known when the first poll had failed
            if previous != state and (previous is not None or state == "low"):
                events.append(f"{name}_{state}")
            self.states[name] = state
        if "reachable" in events:
            LOG.info("csoft.sms.credit_watch: the service answers again at %s", figures["endpoint"])
        return [self.event("status")] if first else [self.event(kind) for kind in events]

    def failed(self, failure):
        """The events of a poll that failed: one ``unreachable`` per outage (after ``status`` when it is the first poll)."""
        if self.reachable is None and login_rejected(failure.error):
            raise CsoftInputError(f"csoft.sms.credit_watch: {failure.text}") from None
        self.failures += 1
        events = []
        if self.reachable is None:
            self.reachable = False
            events.append(self.event("status", failure.text))
        if self.failures == 1:
            self.reachable = False
            events.append(self.event("unreachable", failure.text))
            LOG.warning("csoft.sms.credit_watch: %s", failure.text)
        else:
            LOG.debug("csoft.sms.credit_watch: still failing: %s", failure.text)
        return events

    def delay(self):
        """``interval`` after an answer; during an outage 2, 4, 8... x interval, at most ``backoff_max``."""
        if not self.failures:
            return self.settings.interval
        return min(self.settings.interval * 2 ** min(self.failures, 32), self.settings.backoff_max)

    def close(self):
        if self.client is not None:
            self.client.close()


async def main(queue, args):
    """Poll the account until cancelled; put the events on ``queue``.

    Raises CsoftInputError (one line) for a bad argument or a login rejected at start.
    """
    watch = Watch(Settings(dict(args or {})))
    try:
        while True:
            try:
                events = watch.answered(await asyncio.to_thread(watch.poll))
            except PollFailed as failure:
                events = watch.failed(failure)
            for event in events:
                await queue.put(event)
            await _sleep(watch.delay())
    finally:
        # Cancelled (rulebook shutdown, Ctrl-C) or failed: close the client of a poll still under way.
        watch.close()


if __name__ == "__main__":  # pragma: no cover - a manual check: python credit_watch.py (credentials in CSOFT_*)

    class _PrintQueue:
        async def put(self, event):
            print(event)  # noqa: T201

    asyncio.run(main(_PrintQueue(), {"interval": DEFAULT_INTERVAL}))
