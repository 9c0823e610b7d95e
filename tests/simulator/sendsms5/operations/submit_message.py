# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SubmitMessage: send an SMS (recorded by the server, never debited), answered as the WSDL says."""

from ..operation import BadRequest, Operation, child_text

FIRST_MESSAGE_ID = 1000

# The request's fields: (key in the request dict, element found anywhere below the wrapper).
# Their order in the request is not checked (Recipient/SendOptions: SendTimeAbsolute, SendTimeDelay,
# DeliveryOption, DisableRepurposing, DisableWalledGardenRule in the WSDL).
FIELDS = (
    ("send_to", "SendTo"),
    ("send_time_absolute", "SendTimeAbsolute"),
    ("delivery_option", "DeliveryOption"),
    ("text", "TextMessage"),
    ("reply_to", "ReplyTo"),
    ("message_identifier", "MessageIdentifier"),
)
SENT = {"report": "0", "text": "Message Sent OK"}
REPLY_TO_REFUSED = {"message_identifier": "-1", "report": "3", "text": "ReplyTo not permitted"}


def read(wrapper, request):
    for key, name in FIELDS:
        request[key] = child_text(wrapper, name, deep=True)
    if not request["send_to"]:
        raise BadRequest("Missing Recipient/SendTo")
    if request["text"] is None:
        raise BadRequest("Missing Message/TextMessage")


def perform(sim, request, account):
    """Refuse a ReplyTo the account may not use, else record the message on ``sim``."""
    reply_to = request.get("reply_to")
    if reply_to and reply_to not in account["permitted_reply_to"]:
        return dict(REPLY_TO_REFUSED)
    message_id = sim._store_message(
        request.get("message_identifier"),
        {
            "username": account["username"],
            "recipients": [item.strip() for item in request["send_to"].split(",") if item.strip()],
            "text": request["text"],
            "reply_to": reply_to,
            "delivery_option": request.get("delivery_option"),
            "send_time_absolute": request.get("send_time_absolute"),
        },
    )
    return dict(SENT, message_identifier=message_id)


def values(account, result):
    result = result or dict(SENT, message_identifier=str(FIRST_MESSAGE_ID))
    return [
        ("MessageIdentifier", result["message_identifier"]),
        ("Report", result["report"]),
        ("Text", result["text"]),
        ("LibraryNumber", ""),
    ]


OPERATION = Operation(
    "SubmitMessage",
    values,
    value_elements=("MessageIdentifier", "Report", "Text", "LibraryNumber"),
    read=read,
    perform=perform,
)
