# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SubmitMessage (send an SMS) for the Connection Software SOAP API (private to the collection).

The request is sent with the one shared client, ``CsoftClient.request``, so
fail-over, TLS, time-outs and the hardened parser are those of every other
call. This file adds what is particular to sending:

* input validation before anything goes on the wire (recipients, text
  with the rules of ``_sms_text.py``, ReplyTo, delivery option, message
  identifier, and the send time, read with ``_times.parse_time`` and refused
  when it is not in the future);
* the request children in the order of the vendor's WSDL (v5.7)::

    SubmitMessage: Username, PIN, Recipient, Message, ReplyTo, MessageIdentifier, Reserved
    Recipient:     SendTo, SendCc, SendBcc, ..., SendOptions (last)
    SendOptions:   SendTimeAbsolute, SendTimeDelay, DeliveryOption, ...
    Message:       TextMessage, FlashMessage, ...

  Only ``SendTo``, ``SendOptions/SendTimeAbsolute`` (xsd:dateTime, written
  with ``_times.iso_utc``), ``SendOptions/DeliveryOption``, ``TextMessage``,
  ``ReplyTo`` and ``MessageIdentifier`` are ever sent; every other element is
  ``minOccurs="0"`` and left out;
* a strict parse of ``SubmitMessageResponse`` (``MessageIdentifier``,
  ``Report``, ``Text``, ``LibraryNumber``; ``Reserved`` is ignored);
* the classification: ``Report`` ``0`` with a ``MessageIdentifier`` other
  than ``-1`` is accepted, anything else is a rejection. An accepted result
  carries ``sent_at``, the time taken just before the request was sent.

Sending is not idempotent. This file never retries, and the client fails
over only when no connection could be made at all. The send path (the
ReplyTo check, the request and its outcome) is ``_send.send``.
"""

import re

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError, CsoftResponseError
from ansible_collections.csoft.sms.plugins.module_utils._sms_text import BAD_TEXT_RE, validate_message
from ansible_collections.csoft.sms.plugins.module_utils._soap import child_text, has_child
from ansible_collections.csoft.sms.plugins.module_utils._times import iso_utc, parse_time, utc_now
from ansible_collections.csoft.sms.plugins.module_utils._values import is_missing

OPERATION = "SubmitMessage"

# The DeliveryOption enumeration of the WSDL, in its order.
DELIVERY_OPTIONS = ("Default", "Premier", "LeastCost", "Economy")

# International format without "+": E.164 allows at most 15 digits; 7 is the
# shortest complete international number in use. Country codes never start with 0.
RECIPIENT_MIN_DIGITS = 7
RECIPIENT_MAX_DIGITS = 15
_RECIPIENT_RE = re.compile(rf"^[1-9][0-9]{{{RECIPIENT_MIN_DIGITS - 1},{RECIPIENT_MAX_DIGITS - 1}}}\Z")

MESSAGE_IDENTIFIER_MAX = 50
REPLY_TO_MAX = 64

_TOKEN_RE = re.compile(r"^[\x21-\x7e]+\Z")
_REPORT_RE = re.compile(r"^-?[0-9]{1,9}\Z")
_UINT_RE = re.compile(r"^[0-9]{1,18}\Z")

# What is known of the Report codes. The vendor publishes no table; this is
# all that public sources show, so it is incomplete on purpose.
KNOWN_REPORTS = {
    "0": "accepted (the vendor's text is 'Message Sent OK'), when MessageIdentifier is not -1",
    "2": "Invalid Login: check the username and PIN",
}
# The hint shown after a known failure code.
_REPORT_HINTS = {
    "2": "check the username and PIN",
}
REJECTED_IDENTIFIER = "-1"


class CsoftRejectedError(CsoftResponseError):
    """The service answered SubmitMessage and did not accept the message.

    The message was not sent. ``report``, ``text`` and ``message_identifier``
    hold the service's values.
    """

    def __init__(self, message, result, endpoint=None):
        super().__init__(message, endpoint, OPERATION)
        self.result = result
        self.report = result.report
        self.text = result.text
        self.message_identifier = result.message_identifier

    def _fields(self):
        return {"message": self.message, "result": self.result, "endpoint": self.endpoint}


class SubmitRequest:
    """A validated SubmitMessage: build with ``prepare_submit``."""

    __slots__ = ("recipients", "duplicates", "message", "reply_to", "delivery_option", "message_identifier", "encoding", "parts", "length", "send_at")

    def __init__(self, recipients, duplicates, message, reply_to, delivery_option, message_identifier, encoding, parts, length, send_at=None):
        self.recipients = recipients
        self.duplicates = duplicates
        self.message = message
        self.reply_to = reply_to
        self.delivery_option = delivery_option
        self.message_identifier = message_identifier
        self.encoding = encoding
        self.parts = parts
        self.length = length
        # An aware UTC datetime in whole seconds (the SendTimeAbsolute sent), or None to send now.
        self.send_at = send_at

    def __repr__(self):
        return (
            f"SubmitRequest(recipients={self.recipients!r}, parts={self.parts}, encoding={self.encoding!r}, "
            f"reply_to={self.reply_to!r}, delivery_option={self.delivery_option!r}, message_identifier={self.message_identifier!r}, "
            f"send_at={self.scheduled_for!r})"
        )

    @property
    def scheduled_for(self):
        """The SendTimeAbsolute as sent (``2026-12-08T09:00:00Z``), or None when the message goes now."""
        return iso_utc(self.send_at) if self.send_at is not None else None

    def fields(self):
        """The SubmitMessage children after Username and PIN, in WSDL order (see ``submit_fields``)."""
        return submit_fields(self)


class SubmitResult:
    """The parsed SubmitMessageResponse.

    ``sent_at`` (an aware UTC datetime) is set by ``submit_message`` on an
    accepted result: the time taken just before the request went out, so any
    reply arrives at or after it. It is not part of the answer, so equality and
    ``returned`` leave it out.
    """

    __slots__ = ("message_identifier", "report", "text", "library_number", "sent_at")

    def __init__(self, message_identifier, report, text=None, library_number=None):
        self.message_identifier = message_identifier
        self.report = report
        self.text = text
        self.library_number = library_number
        self.sent_at = None

    def __repr__(self):
        return (
            f"SubmitResult(message_identifier={self.message_identifier!r}, report={self.report!r}, text={self.text!r}, library_number={self.library_number!r})"
        )

    def __eq__(self, other):
        return isinstance(other, SubmitResult) and self.as_tuple() == other.as_tuple()

    def __hash__(self):
        return hash(self.as_tuple())

    def as_tuple(self):
        return (self.message_identifier, self.report, self.text, self.library_number)

    def returned(self):
        """The values a task returns: message_identifier and report, text and library_number when present."""
        values = {"message_identifier": self.message_identifier, "report": self.report, "text": self.text, "library_number": self.library_number}
        return {name: value for name, value in values.items() if value is not None}

    @property
    def accepted(self):
        """Report 0 with a real MessageIdentifier; everything else is a failure."""
        return _report_value(self.report) == 0 and self.message_identifier not in ("", REJECTED_IDENTIFIER)


# Validation ------------------------------------------------------------


def _shown(value, limit=40):
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "...")


def validate_recipients(to):
    """Return ``(recipients, duplicates)``: the numbers in order, each once, and the repeats dropped.

    Every number is in international format without ``+``: digits only,
    7 to 15 long, not starting with 0. A repeated number is sent to once
    (a second copy would be charged and delivered twice).
    """
    if isinstance(to, (str, bytes)) or to is None:
        to = [to] if to else []
    recipients, duplicates, seen = [], [], set()
    for raw in to:
        number = "" if raw is None else str(raw).strip()
        if not number:
            raise CsoftInputError("csoft SubmitMessage not sent: an entry of the to option is empty; give mobile numbers such as 447700912345")
        if not _RECIPIENT_RE.match(number):
            raise CsoftInputError(f"csoft SubmitMessage not sent: recipient {_shown(number)} is invalid: {_recipient_hint(number)}")
        if number in seen:
            duplicates.append(number)
            continue
        seen.add(number)
        recipients.append(number)
    if not recipients:
        raise CsoftInputError("csoft SubmitMessage not sent: the to option holds no recipient; give at least one mobile number such as 447700912345")
    return recipients, duplicates


def _recipient_hint(number):
    if number.startswith("+"):
        return "leave out the leading '+' (international format without '+', e.g. 447700912345)"
    if number.startswith("00"):
        return "leave out the leading '00' international prefix (e.g. 447700912345)"
    digits = bool(re.match(r"^[0-9]+\Z", number))
    if number.startswith("0") and digits:
        return "use the international format with the country code instead of the national one (e.g. 447700912345, not 07700912345)"
    if "," in number:
        return "give one number per list entry, not a comma-separated string"
    if not digits:
        return "use digits only, without spaces, dashes or brackets (e.g. 447700912345)"
    return f"use {RECIPIENT_MIN_DIGITS} to {RECIPIENT_MAX_DIGITS} digits in international format (e.g. 447700912345); it has {len(number)}"


def validate_reply_to(reply_to):
    """Return the ReplyTo value (or None); it must be one token without spaces or controls."""
    if reply_to is None or reply_to == "":
        return None
    value = str(reply_to).strip()
    if not value or len(value) > REPLY_TO_MAX or not _TOKEN_RE.match(value):
        raise CsoftInputError(
            f"csoft SubmitMessage not sent: reply_to {_shown(value)} is invalid: it must be 1 to {REPLY_TO_MAX} printable characters without spaces, "
            "one of the account's permitted ReplyTo values (for example 447700912345 or csoft.co.uk)"
        )
    return value


def validate_delivery_option(option):
    if option is None or option == "":
        return None
    if option not in DELIVERY_OPTIONS:
        raise CsoftInputError(f"csoft SubmitMessage not sent: delivery_option {_shown(option)} is not one of {', '.join(DELIVERY_OPTIONS)}")
    return option


def validate_message_identifier(identifier):
    if identifier is None or identifier == "":
        return None
    value = str(identifier)
    if len(value) > MESSAGE_IDENTIFIER_MAX or not _TOKEN_RE.match(value) or value == REJECTED_IDENTIFIER:
        raise CsoftInputError(
            f"csoft SubmitMessage not sent: message_identifier {_shown(value)} is invalid: it must be 1 to {MESSAGE_IDENTIFIER_MAX} "
            f"printable ASCII characters without spaces, and not {REJECTED_IDENTIFIER} (which means 'not accepted')"
        )
    return value


def validate_send_at(send_at, now=None):
    """Return the send time as an aware UTC datetime in whole seconds (or None to send now); refuse it unless it is in the future.

    ``send_at`` is read with ``_times.parse_time`` (ISO 8601; UTC when it has
    no zone); None and an empty text mean "send now". ``now`` (an aware
    datetime, the current time when None) is there for tests. The time is
    compared as it goes on the wire, in whole seconds, and must be later than
    ``now``. No upper limit: the vendor documents none.
    """
    if is_missing(send_at):
        return None
    try:
        moment = parse_time("send_at", send_at)
    except CsoftInputError as exc:
        raise CsoftInputError(str(exc).replace("csoft ", "csoft SubmitMessage not sent: ", 1)) from None
    moment = moment.replace(microsecond=0)
    now = utc_now() if now is None else now
    if moment <= now:
        raise CsoftInputError(
            f"csoft SubmitMessage not sent: send_at {_shown(send_at)} is in the past (now {iso_utc(now)}); give a future time, or leave send_at out to send now"
        )
    return moment


def prepare_submit(to, message, reply_to=None, delivery_option=None, message_identifier=None, send_at=None, now=None):
    """Validate every input of SubmitMessage; return a SubmitRequest or raise CsoftInputError. Sends nothing.

    ``now`` (an aware datetime) is the current time that ``send_at`` must be later than; None is the clock's.
    """
    recipients, duplicates = validate_recipients(to)
    message, encoding, length, parts = validate_message(message)
    return SubmitRequest(
        recipients=tuple(recipients),
        duplicates=tuple(duplicates),
        message=message,
        reply_to=validate_reply_to(reply_to),
        delivery_option=validate_delivery_option(delivery_option),
        message_identifier=validate_message_identifier(message_identifier),
        encoding=encoding,
        parts=parts,
        length=length,
        send_at=validate_send_at(send_at, now),
    )


def check_reply_to(reply_to, permitted):
    """Raise CsoftInputError unless ``reply_to`` is one of the account's ``permitted`` values (exact match)."""
    if reply_to is None or reply_to in permitted:
        return
    allowed = ", ".join(permitted[:10]) + (", ..." if len(permitted) > 10 else "")
    raise CsoftInputError(
        f"csoft SubmitMessage not sent: reply_to {_shown(reply_to)} is not permitted for this account (permitted: {allowed}); "
        "use one of those values, or register it with Connection Software first"
    )


# Envelope --------------------------------------------------------------


def submit_fields(request):
    """SubmitMessage children after Username and PIN, as ``(name, value | nested pairs)`` in WSDL order."""
    recipient = [("SendTo", ",".join(request.recipients))]
    options = []
    if request.send_at is not None:
        options.append(("SendTimeAbsolute", request.scheduled_for))
    if request.delivery_option:
        options.append(("DeliveryOption", request.delivery_option))
    if options:
        recipient.append(("SendOptions", tuple(options)))
    return (
        ("Recipient", tuple(recipient)),
        ("Message", (("TextMessage", request.message),)),
        ("ReplyTo", request.reply_to),
        ("MessageIdentifier", request.message_identifier),
    )


# Response --------------------------------------------------------------


def _optional_text(wrapper, name):
    """Text of the child ``name`` when present (at most once), else None."""
    if not has_child(wrapper, name):
        return None
    return child_text(wrapper, name, OPERATION)


def _report_value(report):
    return int(report) if isinstance(report, str) and _REPORT_RE.match(report) else None


def parse_submit_response(wrapper):
    """Turn the checked SubmitMessageResponse wrapper into a SubmitResult; raise CsoftResponseError if malformed.

    MessageIdentifier and Report are required (exactly once), Text and
    LibraryNumber optional (at most once); Reserved and unknown elements are
    ignored. Report must be a whole number, LibraryNumber empty or one.
    """
    identifier = child_text(wrapper, "MessageIdentifier", OPERATION)
    report = child_text(wrapper, "Report", OPERATION)
    text = _optional_text(wrapper, "Text")
    library = _optional_text(wrapper, "LibraryNumber")
    if not identifier:
        raise CsoftResponseError("the SubmitMessageResponse has an empty MessageIdentifier")
    if len(identifier) > 100 or BAD_TEXT_RE.search(identifier) or re.search(r"\s", identifier):
        raise CsoftResponseError(f"the service sent MessageIdentifier {_shown(identifier)}, which is not an identifier")
    if not _REPORT_RE.match(report):
        raise CsoftResponseError(f"the service sent Report {_shown(report)}, which is not a report code (a whole number)")
    if library and not _UINT_RE.match(library):
        raise CsoftResponseError(f"the service sent LibraryNumber {_shown(library)}, which is not a whole number")
    if text is not None:
        text = " ".join(BAD_TEXT_RE.sub("?", text).split())[:300]
    return SubmitResult(identifier, report, text, int(library) if library else None)


def describe_report(report):
    """What is known of a Report code (str), or None."""
    value = _report_value(report)
    return KNOWN_REPORTS.get(str(value)) if value is not None else None


def check_result(result, endpoint=None):
    """Return ``result`` when accepted; otherwise raise CsoftRejectedError with the code and Text on one line."""
    if result.accepted:
        return result
    where = f"csoft SubmitMessage at {endpoint}" if endpoint else "csoft SubmitMessage"
    text = result.text or "no text given"
    value = _report_value(result.report)
    if value == 0:
        why = f"the service answered Report 0 ({text}) but MessageIdentifier {result.message_identifier}, which means not accepted"
    else:
        why = f"the service answered Report {result.report}: {text} (MessageIdentifier {result.message_identifier})"
    hint = _REPORT_HINTS.get(str(value), "the message was not sent; see the report codes in the collection's sending guide")
    raise CsoftRejectedError(f"{where} failed: {why}; {hint}", result, endpoint)


def submit_message(client, request, clock=utc_now):
    """Send ``request`` once with ``client``; return the accepted SubmitResult, its ``sent_at`` set.

    ``sent_at`` is ``clock()`` (an aware datetime) read just before the request
    goes out. Raises CsoftRejectedError when the service answers but does not
    accept it, and the client's errors otherwise (CsoftTimeoutError means the
    message may have been sent). Never retries.
    """
    fields = submit_fields(request)
    sent_at = clock()
    result = client.request(OPERATION, fields, parse_submit_response)
    if result.text:
        result.text = client.redact(result.text)
    check_result(result, client.endpoint)
    result.sent_at = sent_at
    return result
