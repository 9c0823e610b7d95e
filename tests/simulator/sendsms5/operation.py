# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What one sendsms5 operation is to the simulator (``Operation``), and the helpers its request reader uses."""


class BadRequest(Exception):
    """The request is not a valid sendsms5 SOAP request (answered with a Client Fault)."""


def local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else None


def namespace(tag):
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def child_text(parent, name, deep=False):
    """Text of the first element with local name ``name`` (children only, or any descendant)."""
    candidates = parent.iter() if deep else list(parent)
    for element in candidates:
        if element is not parent and local(element.tag) == name:
            return element.text or ""
    return None


def _no_fields(wrapper, request):
    pass


def _no_action(sim, request, account):
    return None


class Operation:
    """One operation: its name, how to read its request, what it does and the values it answers.

    * ``values(account, result)``: the ``(element, value)`` pairs of the success answer, in
      document order, where a value is a string or a sequence of such pairs (a nested
      element); ``result`` is what ``perform`` returned (None when not performed);
    * ``value_elements``: the value element(s) that the modes ``missing``, ``xxe`` and ``bomb``
      remove or replace (the first one for the entity modes);
    * ``read(wrapper, request)``: adds the operation's own fields to ``request`` (a dict that
      already holds ``operation``, ``username`` and ``pin``), or raises ``BadRequest``;
    * ``perform(sim, request, account)``: what a successful login does on the server ``sim``;
      its result goes to ``values``;
    * ``inline_envelope``: the vendor's example of this answer keeps the first namespace on
      the Envelope line;
    * ``reserved``: the answer ends with the ``Reserved`` block (the WSDL has none in
      CollectMessagesResponse).
    """

    def __init__(self, name, values, value_elements, read=_no_fields, perform=_no_action, inline_envelope=False, reserved=True):
        self.name = name
        self.values = values
        self.value_elements = tuple(value_elements)
        self.read = read
        self.perform = perform
        self.inline_envelope = inline_envelope
        self.reserved = reserved

    def __repr__(self):
        return f"Operation({self.name!r})"
