# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The answer document to an operation, corrupted as a content mode says."""

from . import operations
from .documents import document_parts, element
from .modes import DTD_MODES, VALUE_MODES, parse_mode


def _wrong_wrapper(operation):
    # AvailableMessagesResponse for every operation; AvailableMessages itself gets the credit wrapper
    # so that the mode is wrong for every operation.
    return "AvailableCredit" if operation == "AvailableMessages" else "AvailableMessages"


def response_parts(operation, account, mode="ok", submit=None):
    """``(head, tail)`` of the answer to ``operation`` for ``account``, corrupted as ``mode`` says.

    ``submit``: what the operation's ``perform`` returned (SubmitMessage's outcome, the messages
    CollectMessages collected).
    """
    name = parse_mode(mode)[0]
    spec = wrapper = operations.get(operation)
    values = spec.values(account, submit)
    doctype = ""
    raw_value = None
    if name == "wrong-wrapper":
        wrapper = operations.get(_wrong_wrapper(operation))
        values = wrapper.values(account, None)
    elif name in VALUE_MODES and VALUE_MODES[name][0] == operation:
        target, value = VALUE_MODES[name][1:]
        values = [(key, value if key == target else old) for key, old in values]
    elif name == "missing":
        values = [pair for pair in values if pair[0] not in spec.value_elements]
    elif name in DTD_MODES:
        doctype, raw_value = DTD_MODES[name]
    target = spec.value_elements[0]
    children = [element(key, raw_value, raw=True) if raw_value is not None and key == target else element(key, value) for key, value in values]
    return document_parts(wrapper.name + "Response", children, doctype, inline=wrapper.inline_envelope, reserved=wrapper.reserved)


def response_document(operation, account, mode="ok", submit=None):
    """The complete answer document (bytes) to ``operation`` for ``account``."""
    head, tail = response_parts(operation, account, mode, submit)
    return head + tail
