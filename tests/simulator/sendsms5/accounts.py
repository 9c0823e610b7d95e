# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator's accounts: ``load_accounts`` and the thread-safe ``AccountStore``."""

import json
import os
import threading

DEFAULT_ACCOUNTS_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "accounts.json")


def _normalise_account(raw):
    if not isinstance(raw, dict):
        raise TypeError("an account must be a mapping")
    try:
        username = str(raw["username"])
        pin = str(raw["pin"])
    except KeyError as exc:
        raise ValueError(f"account is missing {exc}") from None
    credit = raw.get("credit", "0.0000")
    if isinstance(credit, float):
        credit = f"{credit:.4f}"
    reply_to = raw.get("permitted_reply_to", ["csoft.co.uk"])
    if isinstance(reply_to, str):
        reply_to = [item for item in reply_to.split(",") if item]
    return {
        "username": username,
        "pin": pin,
        "credit": str(credit),
        "currency": str(raw.get("currency", "GBP")),
        "messages": str(raw.get("messages", 0)),
        "permitted_reply_to": [str(item) for item in reply_to],
    }


def load_accounts(source=None):
    """Return a list of account dicts from ``source``.

    ``source``: None (the default ``accounts.json``), a path, a list of account
    dicts, ``{"accounts": [...]}`` or ``{username: {...}}``.
    """
    if source is None:
        source = DEFAULT_ACCOUNTS_FILE
    if isinstance(source, (str, os.PathLike)):
        with open(source, encoding="utf-8") as handle:
            source = json.load(handle)
    if isinstance(source, dict):
        if "accounts" in source:
            source = source["accounts"]
        else:
            source = [dict(value, username=key) for key, value in source.items()]
    return [_normalise_account(item) for item in source]


class AccountStore:
    """Thread-safe accounts table; one store can be shared by several servers."""

    def __init__(self, accounts=None):
        self._lock = threading.Lock()
        self._accounts = {acct["username"]: acct for acct in load_accounts(accounts)}

    @classmethod
    def coerce(cls, accounts):
        return accounts if isinstance(accounts, cls) else cls(accounts)

    def authenticate(self, username, pin):
        """Return a copy of the account when username and PIN match, else None."""
        with self._lock:
            acct = self._accounts.get(username)
            if acct is None or acct["pin"] != pin:
                return None
            return dict(acct, permitted_reply_to=list(acct["permitted_reply_to"]))

    def update(self, username, **fields):
        """Create or change an account (e.g. ``update("ANother.123456", credit="9.0000")``)."""
        with self._lock:
            current = self._accounts.get(username, {"username": username, "pin": ""})
            merged = dict(current, **fields)
            merged["username"] = username
            self._accounts[username] = _normalise_account(merged)

    def pins(self):
        with self._lock:
            return [acct["pin"] for acct in self._accounts.values() if acct["pin"]]

    def usernames(self):
        with self._lock:
            return list(self._accounts)
