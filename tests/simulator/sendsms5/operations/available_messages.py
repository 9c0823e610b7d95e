# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""AvailableMessages: how many messages the credit buys."""

from ..operation import Operation


def values(account, result):
    return [("Messages", account["messages"])]


# The vendor's AvailableMessagesResponse example keeps the first namespace on the Envelope line.
OPERATION = Operation("AvailableMessages", values, value_elements=("Messages",), inline_envelope=True)
