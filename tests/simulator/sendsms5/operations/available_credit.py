# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""AvailableCredit: the account's credit and its currency."""

from ..operation import Operation


def values(account, result):
    return [("Currency", account["currency"]), ("Credit", account["credit"])]


OPERATION = Operation("AvailableCredit", values, value_elements=("Credit",))
