# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The control API under ``/_sim/``: never counted, never logged. A new endpoint is one entry in a table."""

import json


def _health(sim):
    return {"ok": True, "name": sim.name, "url": sim.url}


def _reset(sim, payload):
    sim.reset()
    return {"ok": True}


def _mode(sim, payload):
    if "mode" not in payload:
        raise ValueError('expected {"mode": "...", "operation": optional}')
    sim.set_mode(payload["mode"], payload.get("operation"))
    return dict(sim.modes(), ok=True)


def _account(sim, payload):
    username = payload.pop("username", None)
    if not isinstance(username, str) or not username:
        raise ValueError('expected {"username": "...", field: value, ...}')
    sim.accounts.update(username, **payload)
    return {"ok": True, "username": username}


_INBOX_FIELDS = {"username", "from", "text", "to", "received", "delay", "keep"}


def _inbox(sim, payload):
    unknown = sorted(set(payload) - _INBOX_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {unknown}; expected {sorted(_INBOX_FIELDS)}")
    missing = [name for name in ("username", "from", "text") if name not in payload]
    if missing:
        raise ValueError(f'missing {missing}: expected {{"username": "...", "from": "...", "text": "...", optional "to", "received", "delay", "keep"}}')
    options = {name: payload.get(name) for name in ("to", "received", "delay", "keep")}
    return {"ok": True, "queued": sim.inject_reply(payload["username"], payload["from"], payload["text"], **options)}


# GET (and HEAD) endpoints: name -> function(sim) returning the JSON payload.
GETTERS = {
    "counts": lambda sim: sim.counts(),
    "log": lambda sim: sim.requests_log(),
    "messages": lambda sim: sim.messages(),
    "inbox": lambda sim: sim.inbox(),
    "mode": lambda sim: sim.modes(),
    "health": _health,
}
# POST endpoints: name -> function(sim, JSON object of the body) returning the JSON payload; ValueError/TypeError -> 400.
POSTS = {"reset": _reset, "mode": _mode, "account": _account, "inbox": _inbox}


def answer(sim, method, action, body):
    """``(status, JSON payload)`` of the control request ``method /_sim/<action>`` with ``body`` (bytes)."""
    if method in ("GET", "HEAD") and action in GETTERS:
        return 200, GETTERS[action](sim)
    if method == "POST" and action in POSTS:
        try:
            payload = json.loads(body.decode("utf-8")) if body.strip() else {}
            if not isinstance(payload, dict):
                raise TypeError("JSON object expected")
            return 200, POSTS[action](sim, payload)
        except (ValueError, TypeError) as exc:
            return 400, {"error": str(exc)}
    if action in GETTERS or action in POSTS:
        return 405, {"error": "method not allowed"}
    return 404, {"error": "unknown control endpoint", "endpoints": sorted(set(GETTERS) | set(POSTS))}
