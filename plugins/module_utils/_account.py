# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The three account queries of the Connection Software SOAP API (private to the collection).

``AvailableCredit``, ``AvailableMessages`` and ``PermittedReplyTo`` send only
Username and PIN; this file holds what is particular to them (the
counterpart of ``_submit.py`` for SubmitMessage):

* ``OPERATIONS``: the friendly names the module, the lookup and the role use;
* ``AccountCredit``: the value of AvailableCredit;
* a strict, bounded parse of each answer's values (ASCII digits only, at most
  ``MAX_CREDIT_DIGITS`` digits before the point and ``MAX_MESSAGES_DIGITS`` in
  a count, so every figure is a finite float and no huge integer conversion
  runs; an ISO 4217 currency; a non-empty ReplyTo list without spaces or
  control characters);
* ``AccountFigures``: the one type of an account's figures (credit, currency,
  messages, reply_to, endpoint, failed_over) that the module, the lookup, the
  action, the run's cache and the event source share, with its one JSON-safe
  form (``public``) and the cache's form of each answer (``encode_answer`` /
  ``decode_answer``, which parses a stored answer with the same bounds).

The client (``CsoftClient.call``) sends them; ``parse_response`` reads a
saved answer without a client. Imports nothing from the Ansible controller.
"""

import re
from decimal import Decimal, InvalidOperation

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError, CsoftResponseError
from ansible_collections.csoft.sms.plugins.module_utils._soap import child_text, expect_wrapper, is_fault, parse_document

# Friendly names used by the module, the lookup and the role.
OPERATIONS = {
    "credit": "AvailableCredit",
    "messages": "AvailableMessages",
    "reply_to": "PermittedReplyTo",
}

# Bounds of the figures: a float keeps 15 significant digits, and no account holds 10^15 of anything.
MAX_CREDIT_DIGITS = 15
MAX_FRACTION_DIGITS = 8
MAX_MESSAGES_DIGITS = 15
MAX_REPLY_TO = 100
# ASCII digits only (int() and Decimal() accept any script); bounded lengths, so no huge conversion ever runs.
_DECIMAL_RE = re.compile(rf"^[+-]?(?:\d{{1,{MAX_CREDIT_DIGITS}}}(?:\.\d{{0,{MAX_FRACTION_DIGITS}}})?|\.\d{{1,{MAX_FRACTION_DIGITS}}})$", re.ASCII)
_UINT_RE = re.compile(rf"^\+?\d{{1,{MAX_MESSAGES_DIGITS}}}$", re.ASCII)
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


class AccountCredit:
    """The answer of AvailableCredit."""

    __slots__ = ("credit", "currency")

    def __init__(self, credit, currency):
        self.credit = credit
        self.currency = currency

    def __repr__(self):
        return f"AccountCredit(credit={self.credit!r}, currency={self.currency!r})"

    def __eq__(self, other):
        return isinstance(other, AccountCredit) and (self.credit, self.currency) == (other.credit, other.currency)

    def __hash__(self):
        return hash((self.credit, self.currency))


def _bad_value(name, value, expected):
    shown = value if len(value) <= 40 else value[:40] + "..."
    return CsoftResponseError(f"the service sent {name} {shown!r}, which is not {expected}")


def parse_credit(text):
    expected = f"a decimal number of at most {MAX_CREDIT_DIGITS} digits before the point and {MAX_FRACTION_DIGITS} after it"
    if not isinstance(text, str) or not _DECIMAL_RE.match(text):
        raise _bad_value("Credit", str(text), expected)
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above prevents it
        raise _bad_value("Credit", text, expected) from None


def parse_currency(text):
    if not _CURRENCY_RE.match(text):
        raise _bad_value("Currency", text, "an ISO 4217 three-letter code")
    return text


def parse_messages(text):
    if not isinstance(text, str) or not _UINT_RE.match(text):
        raise _bad_value("Messages", str(text), f"a whole number of zero or more with at most {MAX_MESSAGES_DIGITS} digits")
    return int(text)


def parse_reply_to(text):
    values = [item.strip() for item in text.split(",")]
    values = [item for item in values if item]
    if len(values) > MAX_REPLY_TO:
        raise CsoftResponseError(f"the service sent {len(values)} PermittedReplyTo values; at most {MAX_REPLY_TO} are read")
    if not values:
        raise CsoftResponseError("the service sent an empty PermittedReplyTo list (it always holds at least csoft.co.uk)")
    for item in values:
        if re.search(r"[\x00-\x20\x7f]", item):
            raise _bad_value("PermittedReplyTo entry", item, "a ReplyTo value without spaces or control characters")
    return values


def parse_operation_result(operation, wrapper):
    """Turn the (checked) response wrapper of an account query into a Python value."""
    if operation == "AvailableCredit":
        credit = parse_credit(child_text(wrapper, "Credit", operation))
        currency = parse_currency(child_text(wrapper, "Currency", operation))
        return AccountCredit(credit, currency)
    if operation == "AvailableMessages":
        return parse_messages(child_text(wrapper, "Messages", operation))
    if operation == "PermittedReplyTo":
        return parse_reply_to(child_text(wrapper, "PermittedReplyTo", operation))
    raise CsoftInputError(f"unknown csoft operation {operation!r}")  # pragma: no cover


def parse_response(operation, body):
    """Parse a successful answer of an account query (bytes) into its value; used by tests and tools."""
    element = parse_document(body)
    if is_fault(element):
        raise CsoftResponseError("the answer is a SOAP Fault")
    return parse_operation_result(operation, expect_wrapper(operation, element))


# The figures ---------------------------------------------------------------

# The figures each operation gives, in the order of the public form.
FIGURES_OF = {
    "AvailableCredit": ("credit", "currency"),
    "AvailableMessages": ("messages",),
    "PermittedReplyTo": ("permitted_reply_to",),
}


class AccountFigures:
    """One account's figures as read: ``credit`` (Decimal), ``currency``, ``messages`` (int), ``reply_to``
    (tuple), ``endpoint`` (the URL that answered last) and ``failed_over`` (any answer came from an endpoint
    other than the first configured one). A figure that was not asked for is None."""

    __slots__ = ("credit", "currency", "messages", "reply_to", "endpoint", "failed_over", "operations")

    def __init__(self, answers, endpoints, first_endpoint):
        """``answers``: operation -> parsed value; ``endpoints``: the URL that answered each, in order of the calls."""
        credit = answers.get("AvailableCredit")
        self.credit = None if credit is None else credit.credit
        self.currency = None if credit is None else credit.currency
        self.messages = answers.get("AvailableMessages")
        reply_to = answers.get("PermittedReplyTo")
        self.reply_to = None if reply_to is None else tuple(reply_to)
        self.endpoint = endpoints[-1] if endpoints else None
        self.failed_over = any(endpoint != first_endpoint for endpoint in endpoints)
        self.operations = tuple(answers)

    def __repr__(self):
        return f"AccountFigures({self.public()!r})"

    def public(self):
        """The JSON-safe form returned to plays and put in events: credit a finite float, messages an int."""
        result = {}
        for operation in self.operations:
            for name in FIGURES_OF[operation]:
                value = self.reply_to if name == "permitted_reply_to" else getattr(self, name)
                if name == "credit":
                    value = float(value)
                elif name == "permitted_reply_to":
                    value = list(value)
                result[name] = value
        result["endpoint"] = self.endpoint
        result["failed_over"] = self.failed_over
        return result


def gather(read, operations, first_endpoint):
    """The AccountFigures of ``operations`` (friendly names or SOAP names), each read once in order.

    ``read(operation)`` returns ``(value, endpoint)``: a client's call, or the run's cache on the controller.
    """
    answers, endpoints = {}, []
    for name in operations:
        operation = OPERATIONS.get(name, name)
        if operation not in FIGURES_OF:
            raise CsoftInputError(f"unknown csoft operation {name!r}; expected one of {', '.join(OPERATIONS)}")
        if operation in answers:
            continue
        answers[operation], endpoint = read(operation)
        endpoints.append(endpoint)
    return AccountFigures(answers, endpoints, first_endpoint)


def encode_answer(operation, value):
    """The JSON form of an operation's parsed value (as the run's cache stores it): the service's own texts."""
    if operation == "AvailableCredit":
        return {"credit": str(value.credit), "currency": value.currency}
    if operation == "AvailableMessages":
        return str(int(value))
    return ",".join(value)


def decode_answer(operation, stored):
    """The value of a stored answer, parsed with the bounds of an answer from the service (CsoftResponseError)."""
    if operation == "AvailableCredit":
        if not isinstance(stored, dict):
            raise CsoftResponseError("a stored credit is not an object")
        return AccountCredit(parse_credit(stored.get("credit")), parse_currency(str(stored.get("currency"))))
    if not isinstance(stored, str):
        raise CsoftResponseError(f"a stored {operation} answer is not a text")
    if operation == "AvailableMessages":
        return parse_messages(stored)
    return parse_reply_to(stored)
