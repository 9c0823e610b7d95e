# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The credit gate's decision: account figures against thresholds (private to the collection).

Pure functions without I/O, used by the action ``csoft.sms.csoft_account_check``
(and so by the role ``csoft.sms.credit_gate``). The texts are part of the
collection's interface: playbooks and monitoring match on them.

* ``shortfalls(figures, thresholds, label)``: one clause per threshold not met, e.g.
  ``csoft credit 2.8950 GBP is below the required 10.0000 GBP``;
* ``report(figures, label)``: one account's figures in one line;
* ``account_label(settings, index)``: the name shown for an account when several are checked.
"""

from decimal import Decimal


def _four_places(value):
    return f"{Decimal(str(value)):.4f}"


def account_label(settings, index):
    """The label of the account at ``index`` (0-based): its ``name``, else its ``username``, else its position (1-based)."""
    for key in ("name", "username"):
        if settings.get(key) not in (None, ""):
            return str(settings[key])
    return str(index + 1)


def shortfalls(figures, thresholds, label=None):
    """The clauses of every threshold the account does not meet, in a fixed order: credit, messages, ReplyTo.

    ``figures``: ``credit`` (number), ``currency``, ``messages`` (int), ``permitted_reply_to`` (list of str).
    ``thresholds``: ``min_credit`` (number), ``min_messages`` (int), ``required_reply_to`` (list; items are
    compared as strings). A threshold equal to the figure is met. ``label`` (when several accounts are
    checked) is appended to each clause as `` (account <label>)``.
    """
    where = f" (account {label})" if label is not None else ""
    problems = []
    credit, min_credit = Decimal(str(figures["credit"])), Decimal(str(thresholds["min_credit"]))
    if credit < min_credit:
        currency = figures["currency"]
        problems.append(f"csoft credit {_four_places(credit)} {currency} is below the required {_four_places(min_credit)} {currency}{where}")
    if int(figures["messages"]) < int(thresholds["min_messages"]):
        problems.append(f"csoft messages {int(figures['messages'])} is below the required {int(thresholds['min_messages'])}{where}")
    permitted = [str(item) for item in figures["permitted_reply_to"]]
    for wanted in thresholds["required_reply_to"]:
        if str(wanted) not in permitted:
            problems.append(f"csoft ReplyTo {wanted} is required but not permitted on the account (permitted: {', '.join(permitted)}){where}")
    return problems


def report(figures, label=None):
    """One account's figures in one line, e.g. ``credit 2.8950 GBP, 24 messages, ReplyTo csoft.co.uk (from URL)``."""
    prefix = f"account {label}: " if label is not None else ""
    origin = figures["endpoint"] + (", after failing over" if figures["failed_over"] else "")
    return (
        f"{prefix}credit {_four_places(figures['credit'])} {figures['currency']}, {int(figures['messages'])} messages, "
        f"ReplyTo {', '.join(str(item) for item in figures['permitted_reply_to'])} (from {origin})"
    )
