# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SubmitMessage (send an SMS) for the Connection Software SOAP API (private to the collection).

The request is sent with the one shared client, ``CsoftClient.request``, so
fail-over, TLS, time-outs and the hardened parser are those of every other
call. This file adds what is particular to sending:

* input validation before anything goes on the wire (recipients, text,
  ReplyTo, delivery option, message identifier);
* the request children in the order of the vendor's WSDL (v5.7)::

    SubmitMessage: Username, PIN, Recipient, Message, ReplyTo, MessageIdentifier, Reserved
    Recipient:     SendTo, SendCc, SendBcc, ..., SendOptions (last)
    SendOptions:   SendTimeAbsolute, SendTimeDelay, DeliveryOption, ...
    Message:       TextMessage, FlashMessage, ...

  Only ``SendTo``, ``SendOptions/DeliveryOption``, ``TextMessage``,
  ``ReplyTo`` and ``MessageIdentifier`` are ever sent; every other element is
  ``minOccurs="0"`` and left out;
* a strict parse of ``SubmitMessageResponse`` (``MessageIdentifier``,
  ``Report``, ``Text``, ``LibraryNumber``; ``Reserved`` is ignored);
* the classification: ``Report`` ``0`` with a ``MessageIdentifier`` other
  than ``-1`` is accepted, anything else is a rejection.

Sending is not idempotent. This file never retries, and the client fails
over only when no connection could be made at all.
"""

import re

from ansible_collections.csoft.sms.plugins.module_utils._client import (
    CsoftInputError,
    CsoftResponseError,
    child_text,
)

OPERATION = "SubmitMessage"

# The DeliveryOption enumeration of the WSDL, in its order.
DELIVERY_OPTIONS = ("Default", "Premier", "LeastCost", "Economy")

# International format without "+": E.164 allows at most 15 digits; 7 is the
# shortest complete international number in use. Country codes never start with 0.
RECIPIENT_MIN_DIGITS = 7
RECIPIENT_MAX_DIGITS = 15
_RECIPIENT_RE = re.compile(rf"^[1-9][0-9]{{{RECIPIENT_MIN_DIGITS - 1},{RECIPIENT_MAX_DIGITS - 1}}}\Z")

# The WSDL puts no limit on TextMessage (xsd:string) and the vendor publishes
# none, so the collection sets a conservative one: at most MAX_PARTS SMS parts
# (612 GSM-7 characters, or 268 characters when the text needs UCS-2). Every
# part is charged, so more than one part is sent with a warning.
MAX_PARTS = 4
GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
MAX_GSM7_CHARS = MAX_PARTS * GSM7_PART
MAX_UCS2_CHARS = MAX_PARTS * UCS2_PART

MESSAGE_IDENTIFIER_MAX = 50
REPLY_TO_MAX = 64

# GSM 03.38 default alphabet (without the escape character) and its extension table.
_GSM7_BASIC = frozenset("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM7_EXTENDED = frozenset("^{}\\[~]|€")

# Characters XML 1.0 cannot carry, plus the other C0/C1 controls: refused in the text.
_BAD_TEXT_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
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


class SubmitRequest:
    """A validated SubmitMessage: build with ``prepare_submit``."""

    __slots__ = ("recipients", "duplicates", "message", "reply_to", "delivery_option", "message_identifier", "encoding", "parts", "length")

    def __init__(self, recipients, duplicates, message, reply_to, delivery_option, message_identifier, encoding, parts, length):
        self.recipients = recipients
        self.duplicates = duplicates
        self.message = message
        self.reply_to = reply_to
        self.delivery_option = delivery_option
        self.message_identifier = message_identifier
        self.encoding = encoding
        self.parts = parts
        self.length = length

    def __repr__(self):
        return (
            f"SubmitRequest(recipients={self.recipients!r}, parts={self.parts}, encoding={self.encoding!r}, "
            f"reply_to={self.reply_to!r}, delivery_option={self.delivery_option!r}, message_identifier={self.message_identifier!r})"
        )

    def fields(self):
        """The SubmitMessage children after Username and PIN, in WSDL order (see ``submit_fields``)."""
        return submit_fields(self)


class SubmitResult:
    """The parsed SubmitMessageResponse."""

    __slots__ = ("message_identifier", "report", "text", "library_number")

    def __init__(self, message_identifier, report, text=None, library_number=None):
        self.message_identifier = message_identifier
        self.report = report
        self.text = text
        self.library_number = library_number

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


def message_parts(text):
    """Return ``(encoding, length, parts)`` the text needs as SMS: GSM-7 when it can, else UCS-2.

    ``length`` counts GSM-7 septets (extension characters count 2) or UTF-16
    code units. It is the usual estimate; the service decides the final split.
    """
    if all(char in _GSM7_BASIC or char in _GSM7_EXTENDED for char in text):
        length = sum(2 if char in _GSM7_EXTENDED else 1 for char in text)
        single, part, encoding = GSM7_SINGLE, GSM7_PART, "GSM-7"
    else:
        length = sum(2 if ord(char) > 0xFFFF else 1 for char in text)
        single, part, encoding = UCS2_SINGLE, UCS2_PART, "UCS-2"
    parts = 1 if length <= single else -(-length // part)
    return encoding, length, parts


def validate_message(message):
    """Return ``(message, encoding, length, parts)``; refuse empty, control characters and more than MAX_PARTS parts."""
    if message is None or not isinstance(message, str) or not message.strip():
        raise CsoftInputError("csoft SubmitMessage not sent: the msg option is empty; give the text to send")
    bad = _BAD_TEXT_RE.search(message)
    if bad:
        raise CsoftInputError(
            f"csoft SubmitMessage not sent: the message holds the control character U+{ord(bad.group()):04X} at position {bad.start() + 1}; "
            "only line breaks and tabs are allowed"
        )
    encoding, length, parts = message_parts(message)
    if parts > MAX_PARTS:
        limit = MAX_GSM7_CHARS if encoding == "GSM-7" else MAX_UCS2_CHARS
        raise CsoftInputError(
            f"csoft SubmitMessage not sent: the message needs {parts} SMS parts ({length} {encoding} characters) and this collection "
            f"sends at most {MAX_PARTS} ({limit} {encoding} characters); shorten the message"
        )
    return message, encoding, length, parts


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


def prepare_submit(to, message, reply_to=None, delivery_option=None, message_identifier=None):
    """Validate every input of SubmitMessage; return a SubmitRequest or raise CsoftInputError. Sends nothing."""
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
    if request.delivery_option:
        recipient.append(("SendOptions", (("DeliveryOption", request.delivery_option),)))
    return (
        ("Recipient", tuple(recipient)),
        ("Message", (("TextMessage", request.message),)),
        ("ReplyTo", request.reply_to),
        ("MessageIdentifier", request.message_identifier),
    )


# Response --------------------------------------------------------------


def _local_name(tag):
    return tag.rpartition("}")[2] if isinstance(tag, str) else None


def _optional_text(wrapper, name):
    """Text of the child ``name`` when present (at most once), else None."""
    if not any(_local_name(child.tag) == name for child in wrapper):
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
    if len(identifier) > 100 or _BAD_TEXT_RE.search(identifier) or re.search(r"\s", identifier):
        raise CsoftResponseError(f"the service sent MessageIdentifier {_shown(identifier)}, which is not an identifier")
    if not _REPORT_RE.match(report):
        raise CsoftResponseError(f"the service sent Report {_shown(report)}, which is not a report code (a whole number)")
    if library and not _UINT_RE.match(library):
        raise CsoftResponseError(f"the service sent LibraryNumber {_shown(library)}, which is not a whole number")
    if text is not None:
        text = " ".join(_BAD_TEXT_RE.sub("?", text).split())[:300]
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


def submit_message(client, request):
    """Send ``request`` once with ``client``; return the accepted SubmitResult.

    Raises CsoftRejectedError when the service answers but does not accept
    it, and the client's errors otherwise (CsoftTimeoutError means the
    message may have been sent). Never retries.
    """
    result = client.request(OPERATION, submit_fields(request), parse_submit_response)
    if result.text:
        result.text = client.redact(result.text)
    return check_result(result, client.endpoint)
