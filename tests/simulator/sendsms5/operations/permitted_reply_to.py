# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PermittedReplyTo: the ReplyTo values the account may use, comma-separated."""

from ..operation import Operation


def values(account, result):
    return [("PermittedReplyTo", ",".join(account["permitted_reply_to"]))]


OPERATION = Operation("PermittedReplyTo", values, value_elements=("PermittedReplyTo",))
