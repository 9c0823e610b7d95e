# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A client for the tests, and the checks that nothing it raises holds the PIN (imports the collection)."""

from urllib.parse import quote
from xml.sax.saxutils import escape

from ansible_collections.csoft.sms.plugins.module_utils._client import CsoftClient

from .accounts import PIN, USERNAME

ACCOUNT_OPERATIONS = ("AvailableCredit", "AvailableMessages", "PermittedReplyTo")


def make_client(endpoints, pin=PIN, username=USERNAME, **kwargs):
    """A CsoftClient of the default account (time-out 5 s unless given)."""
    kwargs.setdefault("timeout", 5)
    return CsoftClient.from_values(username, pin, endpoints=endpoints, **kwargs)


def operation_counts(server):
    """How many AvailableCredit, AvailableMessages and PermittedReplyTo requests a simulator counted."""
    counts = server.counts()
    return [counts[op] for op in ACCOUNT_OPERATIONS]


def pin_forms(pin):
    """The PIN as an echo could show it: as is, XML/HTML-escaped, percent-encoded."""
    return {pin, escape(pin), escape(pin, {'"': "&quot;", "'": "&#x27;"}), quote(pin, safe=""), quote(pin)}


def pin_fragments(pin=PIN, size=6):
    """Every run of ``size`` characters of every form of the PIN: a truncated echo must not leak part of it either."""
    return {form[i : i + size] for form in pin_forms(pin) for i in range(len(form) - size + 1)}


def exception_texts(exc):
    """str, repr and args of the exception, of every exception chained to it, and of its public attributes."""
    texts, seen, todo = [], set(), [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        texts += [str(current), repr(current), repr(current.args)]
        texts += [repr(value) for name, value in vars(current).items() if not name.startswith("_")]
        todo += [current.__cause__, current.__context__]
    return texts


def assert_no_pin(exc, pin=PIN):
    for text in exception_texts(exc):
        leaked = [fragment for fragment in pin_fragments(pin) if fragment in text]
        assert not leaked, f"PIN fragment {leaked[0]!r} in {text[:300]!r}"
