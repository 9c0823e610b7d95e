# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The request log's entries, which never hold a PIN."""

import time
from urllib.parse import unquote

LOG_LIMIT = 500
REDACTED = "********"
LOGGED_HEADERS = (
    "Host",
    "Content-Type",
    "Content-Length",
    "Transfer-Encoding",
    "SOAPAction",
    "User-Agent",
    "Accept",
    "Accept-Encoding",
    "Connection",
    "Authorization",
)


def redact(text, pins):
    if not text:
        return text
    for pin in pins:
        text = text.replace(pin, REDACTED)
    return text


def new_entry(sim, handler, path, query, pins):
    """The log entry of the request ``handler`` is answering on ``sim``, with every PIN in ``pins`` masked.

    ``pin_in_url_or_headers`` says whether one of them appeared in the URL or a header (a client bug).
    """
    raw = [handler.path, unquote(handler.path)] + [f"{key}: {value}" for key, value in handler.headers.items()]
    leaked = any(pin in text for pin in pins for text in raw)
    headers = {}
    for key in LOGGED_HEADERS:
        value = handler.headers.get(key)
        if value is not None:
            headers[key] = redact(value, pins)
    return {
        "time": time.time(),
        "server": sim.name,
        "client_port": handler.client_address[1],
        "tls": sim.tls,
        "method": handler.command,
        "path": redact(path, pins),
        "query": redact(query, pins),
        "headers": headers,
        "operation": None,
        "username": None,
        "pin_ok": False,
        "pin_in_url_or_headers": leaked,
        "mode": None,
        "status": None,
        "error": None,
    }
