# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The three account queries of the Connection Software SOAP API (private to the collection).

``AvailableCredit``, ``AvailableMessages`` and ``PermittedReplyTo`` send only
Username and PIN; this file holds what is particular to them (the
counterpart of ``_submit.py`` for SubmitMessage):

* ``OPERATIONS``: the friendly names the module, the lookup and the role use;
* ``AccountCredit``: the value of AvailableCredit;
* a strict parse of each answer's values (ASCII digits only, an ISO 4217
  currency, a non-empty ReplyTo list without spaces or control characters).

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

_DECIMAL_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$", re.ASCII)  # ASCII digits only: int() and Decimal() accept any script
_UINT_RE = re.compile(r"^\+?\d+$", re.ASCII)
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
    if not _DECIMAL_RE.match(text):
        raise _bad_value("Credit", text, "a decimal number")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above prevents it
        raise _bad_value("Credit", text, "a decimal number") from None


def parse_currency(text):
    if not _CURRENCY_RE.match(text):
        raise _bad_value("Currency", text, "an ISO 4217 three-letter code")
    return text


def parse_messages(text):
    if not _UINT_RE.match(text):
        raise _bad_value("Messages", text, "a whole number of zero or more")
    return int(text)


def parse_reply_to(text):
    values = [item.strip() for item in text.split(",")]
    values = [item for item in values if item]
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
