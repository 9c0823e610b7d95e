# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""CollectMessages (replies sent to the account's numbers) for the Connection Software SOAP API (private to the collection).

The request is sent with the one shared client, ``CsoftClient.request``: the
same fail-over (only when no connection could be made), time-outs, size cap
and hardened parser as every other call, and never a retry. This file adds:

* a strict parse of ``CollectMessagesResponse`` (WSDL v5.7): ``Report``
  (xsd:int) then ``MessageList`` of ``item`` (``MOMessage``: ``SendTo``,
  ``ReplyTo``, ``Timestamp1``, ``Message/TextMessage``). An empty or absent
  ``MessageList`` is no messages; ``Report`` other than 0 is a failure that
  shows the code (``CsoftCollectError``). An answer whose envelope does not
  parse (``Report``, the ``MessageList``) is refused whole; an ``item`` with
  a value that does not parse is left out and described in one line in
  ``unreadable``, so that the good messages of that answer are not lost
  (collecting may have removed them from the service);
* ``Reply``: one collected message, whose public form is
  ``{from, to, text, received}`` with ``received`` in ISO 8601 UTC. Its text
  is data: nothing here or in the callers templates or runs it;
* ``Seen``: de-duplication by (sender, received, text), bounded, because the
  vendor does not say whether collecting removes a message;
* ``Matcher``: the ``from`` / ``match`` / ``since`` filter of csoft_sms_inbox,
  with every input checked once and a ``match`` search stopped after
  ``MAX_SEARCH_SECONDS`` (a pattern with nested repeats can take exponential
  time on a hostile text);
* ``validate_senders``: sender numbers in the rule of recipients.

Imports nothing from the Ansible controller, so it can run on any host.
"""

import collections
import re
import signal
import threading
import time
from contextlib import contextmanager

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError, CsoftResponseError
from ansible_collections.csoft.sms.plugins.module_utils._sms_text import BAD_TEXT_RE
from ansible_collections.csoft.sms.plugins.module_utils._soap import elements, local_name
from ansible_collections.csoft.sms.plugins.module_utils._submit import _RECIPIENT_RE, _recipient_hint
from ansible_collections.csoft.sms.plugins.module_utils._times import iso_utc, parse_time
from ansible_collections.csoft.sms.plugins.module_utils._values import shown

OPERATION = "CollectMessages"
MAX_NUMBER_CHARS = 64  # SendTo / ReplyTo: a number, a short code or an alphanumeric sender
MAX_TEXT_CHARS = 10000  # far above any SMS (4 parts of 153); a longer text is not a reply
MAX_PATTERN_CHARS = 1000
MAX_SEARCH_SECONDS = 1.0
MAX_SEEN = 10000
MAX_UNREADABLE = 20  # lines kept about items left out of one answer (the count is exact)
_REPORT_RE = re.compile(r"^[+-]?[0-9]{1,9}\Z")
_NUMBER_RE = re.compile(r"^[\x21-\x7e]+\Z")
# Report codes that this collection knows; the vendor publishes no table for CollectMessages.
_REPORT_HINTS = {2: "check the username and PIN (Report 2 is 'Invalid Login' in the vendor's other API)"}


class CsoftCollectError(CsoftResponseError):
    """The service answered CollectMessages with a ``Report`` other than 0: nothing was collected."""

    def __init__(self, message, report, endpoint=None, operation=OPERATION, missing_element=None):
        super().__init__(message, endpoint, operation, missing_element)
        self.report = report

    def _fields(self):
        return dict(super()._fields(), report=self.report)


class Reply:
    """One collected message: ``sender`` (ReplyTo), ``to`` (SendTo), ``text``, ``received`` (aware UTC datetime)."""

    __slots__ = ("sender", "to", "text", "received")

    def __init__(self, sender, to, text, received):
        self.sender = sender
        self.to = to
        self.text = text
        self.received = received

    def __repr__(self):
        return f"Reply(sender={self.sender!r}, to={self.to!r}, received={iso_utc(self.received)!r}, text={self.text[:40]!r})"

    def __eq__(self, other):
        return isinstance(other, Reply) and self.key() == other.key() and self.to == other.to

    def __hash__(self):
        return hash(self.key())

    def key(self):
        """What makes a message the same message again: (sender, received, text)."""
        return (self.sender, iso_utc(self.received), self.text)

    def public(self):
        """The JSON-safe form tasks and events return: ``{from, to, text, received}``."""
        return {"from": self.sender, "to": self.to, "text": self.text, "received": iso_utc(self.received)}


class Collected:
    """The parsed CollectMessagesResponse.

    ``report`` (int), ``replies`` (list of Reply, in the service's order),
    ``unreadable`` (the first MAX_UNREADABLE one-line reasons, one per item
    left out because a value did not parse) and ``unreadable_count`` (all of them).
    """

    __slots__ = ("report", "replies", "unreadable", "unreadable_count")

    def __init__(self, report, replies, unreadable=(), unreadable_count=None):
        self.report = report
        self.replies = replies
        self.unreadable = list(unreadable)
        self.unreadable_count = len(self.unreadable) if unreadable_count is None else unreadable_count


# Response --------------------------------------------------------------


def _children(parent, name):
    return [child for child in elements(parent) if local_name(child.tag) == name]


def _one_text(parent, name, where, required=True):
    found = _children(parent, name)
    if not found:
        if required:
            raise CsoftResponseError(f"the {where} has no {name} element", missing_element=name)
        return None
    if len(found) > 1:
        raise CsoftResponseError(f"the {where} has {len(found)} {name} elements, expected 1")
    if elements(found[0]):
        raise CsoftResponseError(f"the {name} element of the {where} holds elements, expected text")
    return "".join(found[0].itertext())


def _unchanged(text):
    return text


def _number(item, name, index, redact):
    value = (_one_text(item, name, f"CollectMessagesResponse item {index}") or "").strip()
    if not value or len(value) > MAX_NUMBER_CHARS or not _NUMBER_RE.match(value):
        raise CsoftResponseError(f"the service sent {name} {shown(redact(value))} in item {index}, which is not a number or sender name")
    return value


def _text(item, index):
    """The text of the item's Message (TextMessage, else FlashMessage); '' for a message of another kind (binary)."""
    messages = _children(item, "Message")
    if len(messages) != 1:
        raise CsoftResponseError(f"the CollectMessagesResponse item {index} has {len(messages)} Message elements, expected 1", missing_element="Message")
    for kind in ("TextMessage", "FlashMessage"):
        text = _one_text(messages[0], kind, f"Message of item {index}", required=False)
        if text is not None:
            if len(text) > MAX_TEXT_CHARS:
                raise CsoftResponseError(f"the service sent a {kind} of {len(text)} characters in item {index}; at most {MAX_TEXT_CHARS} are accepted")
            # control characters (other than line breaks and tabs) are shown as '?': the text reaches terminals and logs
            return BAD_TEXT_RE.sub("?", text)
    return ""


def _item(item, index, redact):
    to = _number(item, "SendTo", index, redact)
    sender = _number(item, "ReplyTo", index, redact)
    stamp = (_one_text(item, "Timestamp1", f"CollectMessagesResponse item {index}") or "").strip()
    try:
        received = parse_time("Timestamp1", stamp)
    except CsoftInputError:
        raise CsoftResponseError(f"the service sent Timestamp1 {shown(redact(stamp))} in item {index}, which is not an xsd:dateTime") from None
    return Reply(sender, to, _text(item, index), received)


def parse_collect_response(wrapper, redact=_unchanged):
    """Turn the checked CollectMessagesResponse wrapper into Collected; CsoftResponseError if malformed.

    ``Report`` is required (a whole number); ``MessageList`` may be absent or
    empty (no messages) and holds ``item`` elements only (others are ignored).
    ``redact`` masks the PIN in a value before it is quoted in a line of
    ``unreadable``: quoting escapes and shortens, which could leave part of it.
    """
    report = (_one_text(wrapper, "Report", "CollectMessagesResponse") or "").strip()
    if not _REPORT_RE.match(report):
        raise CsoftResponseError(f"the service sent Report {shown(report)}, which is not a report code (a whole number)")
    lists = _children(wrapper, "MessageList")
    if len(lists) > 1:
        raise CsoftResponseError(f"the CollectMessagesResponse has {len(lists)} MessageList elements, expected 1")
    replies, unreadable, count = [], [], 0
    for index, item in enumerate(_children(lists[0], "item") if lists else [], 1):
        try:
            replies.append(_item(item, index, redact))
        except CsoftResponseError as exc:
            count += 1
            if len(unreadable) < MAX_UNREADABLE:
                unreadable.append(str(exc))
    return Collected(int(report), replies, unreadable, count)


def collect_messages(client):
    """One CollectMessages request with ``client``: a Collected (``replies`` in the service's order, ``unreadable``).

    Should an answer echo the PIN, it is masked in every field of the replies
    and in the reasons of ``unreadable`` (``client.redact``), as in errors: no
    PIN reaches a task's result, an event or a log line. Raises
    CsoftCollectError (one line, PIN-free) when the service answers a Report
    other than 0, and the client's errors otherwise. Never retries.
    """
    collected = client.request(OPERATION, (), lambda wrapper: parse_collect_response(wrapper, client.redact))
    if collected.report != 0:
        hint = _REPORT_HINTS.get(collected.report, "nothing was collected; the vendor publishes no table of the codes, so ask its support what it means")
        message = f"csoft {OPERATION} at {client.endpoint} failed: the service answered Report {collected.report}; {hint}"
        raise CsoftCollectError(client.redact(message), collected.report, client.endpoint)
    redact = client.redact
    replies = [Reply(redact(reply.sender), redact(reply.to), redact(reply.text), reply.received) for reply in collected.replies]
    unreadable = [f"csoft {OPERATION} at {client.endpoint}: {redact(reason)}; this message was left out" for reason in collected.unreadable]
    return Collected(collected.report, replies, unreadable, collected.unreadable_count)


# De-duplication --------------------------------------------------------


class Seen:
    """The messages already handed on, by (sender, received, text); the oldest are forgotten after ``limit``.

    ``key`` gives what counts as the same item (a Reply's ``key()`` by default;
    the event source also keeps its "could not be read" lines in one).
    """

    def __init__(self, limit=MAX_SEEN, key=Reply.key):
        self.limit = limit
        self._key = key
        self._keys = collections.OrderedDict()

    def __len__(self):
        return len(self._keys)

    def new(self, replies):
        """The replies (items) not seen before, in order (a repeat within ``replies`` counts once); remembers them."""
        fresh = []
        for reply in replies:
            key = self._key(reply)
            if key in self._keys:
                continue
            self._keys[key] = None
            if len(self._keys) > self.limit:
                self._keys.popitem(last=False)
            fresh.append(reply)
        return fresh


# Filters ---------------------------------------------------------------


def validate_senders(name, values):
    """Sender numbers (international format without '+'), each once; CsoftInputError naming option ``name``."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = values.split(",")
    if not isinstance(values, (list, tuple)):
        raise CsoftInputError(f"csoft {name} is {shown(values)}, which is not a list of numbers; check the {name} option")
    senders = []
    for value in values:
        number = "" if value is None else str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        if number is None:
            raise CsoftInputError(f"csoft {name} holds {shown(value)}, which is not a number; give numbers such as 447700912345")
        if not number:
            continue
        if not _RECIPIENT_RE.match(number):
            raise CsoftInputError(f"csoft {name} holds {shown(number)}, which is not a mobile number: {_recipient_hint(number)}")
        if number not in senders:
            senders.append(number)
    return tuple(senders)


def compile_match(name, pattern):
    """``pattern`` compiled case-insensitive, or None when not given; CsoftInputError naming option ``name``."""
    if pattern is None or pattern == "":
        return None
    if not isinstance(pattern, str):
        raise CsoftInputError(f"csoft {name} is {shown(pattern)}, which is not a regular expression (a text); check the {name} option")
    if len(pattern) > MAX_PATTERN_CHARS:
        raise CsoftInputError(f"csoft {name} is {len(pattern)} characters long; at most {MAX_PATTERN_CHARS} are accepted")
    try:
        return re.compile(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError, ValueError) as exc:
        raise CsoftInputError(f"csoft {name} {shown(pattern)} is not a Python regular expression ({exc}); check the {name} option") from None


class _Stopped(Exception):
    pass


@contextmanager
def _time_limit(seconds):
    """Interrupt the block after ``seconds`` with _Stopped (SIGALRM; only in the main thread, elsewhere no limit)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def stop(signum, frame):
        raise _Stopped()

    previous = signal.signal(signal.SIGALRM, stop)
    old_timer = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if old_timer[0]:
            # The caller's timer ran on meanwhile: what is left of it, or at once when it fell due.
            left = old_timer[0] - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.000001), old_timer[1])


class Matcher:
    """Which replies satisfy ``from`` (senders), ``match`` (a regex searched case-insensitive) and ``since`` (time)."""

    def __init__(self, senders=None, match=None, since=None, names=("from", "match", "since")):
        self.senders = validate_senders(names[0], senders)
        self.pattern = compile_match(names[1], match)
        self.since = None if since is None or since == "" else parse_time(names[2], since)
        self.names = names

    def describe(self):
        """The filter in words for messages: "matching '...' from ... since ..."."""
        parts = []
        if self.pattern is not None:
            parts.append(f"matching {shown(self.pattern.pattern, limit=60)}")
        if self.senders:
            parts.append(f"from {', '.join(self.senders[:5])}{', ...' if len(self.senders) > 5 else ''}")
        if self.since is not None:
            parts.append(f"since {iso_utc(self.since)}")
        return " ".join(parts)

    def matches(self, reply):
        if self.senders and reply.sender not in self.senders:
            return False
        if self.since is not None and reply.received < self.since:
            return False
        return self.pattern is None or self._found(reply.text)

    def _found(self, text):
        try:
            with _time_limit(MAX_SEARCH_SECONDS):
                return self.pattern.search(text) is not None
        except _Stopped:
            raise CsoftInputError(
                f"csoft {self.names[1]} {shown(self.pattern.pattern, limit=60)} was stopped after {MAX_SEARCH_SECONDS:g} s on a reply's text of "
                f"{len(text)} characters; use a pattern without nested repeats such as (a+)+"
            ) from None

    def first(self, replies):
        """The first reply that matches, or None."""
        for reply in replies:
            if self.matches(reply):
                return reply
        return None
