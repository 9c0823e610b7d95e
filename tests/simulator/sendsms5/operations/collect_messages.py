# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""CollectMessages: the replies waiting for the account (the server's inbound queue), answered as the WSDL says.

``CollectMessagesResponse`` holds ``Report`` then ``MessageList`` of ``item`` (MOMessage:
``SendTo``, ``ReplyTo``, ``Timestamp1``, ``Message/TextMessage``), and no ``Reserved``
block (the WSDL has none there). An empty inbox is ``Report`` 0 and an empty ``MessageList``.
"""

from ..operation import Operation

REPORT_OK = "0"


def perform(sim, request, account):
    """Take the account's due replies from the queue (see ``../inbox.py``)."""
    return sim._collect(account["username"])


def _item(message):
    return (
        "item",
        (
            ("SendTo", message["to"]),
            ("ReplyTo", message["from"]),
            ("Timestamp1", message["received"]),
            ("Message", (("TextMessage", message["text"]),)),
        ),
    )


def values(account, result):
    return [("Report", REPORT_OK), ("MessageList", tuple(_item(message) for message in result or ()))]


OPERATION = Operation("CollectMessages", values, value_elements=("Report", "MessageList"), perform=perform, reserved=False)
