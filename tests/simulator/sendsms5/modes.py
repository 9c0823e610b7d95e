# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator's modes: what each kind does, ``parse_mode``, and the answers of the modes that ignore the login.

Three kinds (see tests/simulator/README.md):

* ``PRE_MODES`` replace the answer before the login is looked at (``pre_answer``);
* ``CONTENT_MODES`` corrupt a successful answer (``responses.response_parts``): value modes
  replace one operation's value (``VALUE_MODES``), DTD modes put a DOCTYPE in (``DTD_MODES``);
* ``DELIVERY_MODES`` change how any answer is delivered (``handler``).
"""

from http import HTTPStatus

from .documents import XML_CONTENT_TYPE, fault_document

REDIRECT_LOCATION = "http://127.0.0.2:9/elsewhere"
REMOTE_DTD_URL = "http://127.0.0.1:9/evil.dtd"

# --------------------------------------------------------------------------
# Modes that answer before the login is looked at
# --------------------------------------------------------------------------

_HTML_500 = (
    b'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n'
    b"<html><head>\n<title>500 Internal Server Error</title>\n</head><body>\n"
    b"<h1>Internal Server Error</h1>\n"
    b"<p>The server encountered an internal error or misconfiguration and was unable to complete your request.</p>\n"
    b"</body></html>\n"
)
_GARBAGE = b"\x00\x01\xfe\xffHTTP/1.1 ok?? <<<not xml>>> &&& \x89PNG\r\n\x1a\n\xc3\x28 ]]> <? ?>\x00garbage\n"


def _status(code):
    headers = {}
    if code == 401:
        headers["WWW-Authenticate"] = 'Basic realm="csoft"'
    elif code in (429, 503):
        headers["Retry-After"] = "120"
    try:
        phrase = HTTPStatus(code).phrase
    except ValueError:
        phrase = "Status"
    body = b"" if code in (204, 304) else f"{code} {phrase}\n".encode("ascii")
    return code, body, "text/plain; charset=utf-8", headers


def _redirect(code):
    body = (f'<html><body><a href="{REDIRECT_LOCATION}">Moved</a></body></html>\n').encode("ascii")
    return code, body, "text/html; charset=utf-8", {"Location": REDIRECT_LOCATION}


# name -> answer(argument) = (status, body, content type, headers)
_PRE_ANSWERS = {
    "fault": lambda arg: (500, fault_document("Invalid Login"), XML_CONTENT_TYPE, {}),
    "fault200": lambda arg: (200, fault_document("Invalid Login"), XML_CONTENT_TYPE, {}),
    "html500": lambda arg: (500, _HTML_500, "text/html; charset=iso-8859-1", {}),
    "status": _status,
    "redirect": _redirect,
    "garbage": lambda arg: (200, _GARBAGE, XML_CONTENT_TYPE, {}),
    "empty": lambda arg: (200, b"", XML_CONTENT_TYPE, {}),
}
# Pre-modes that send no answer at all: "hang" waits until the server stops, "close" closes at once.
SILENT_MODES = frozenset(("hang", "close"))
PRE_MODES = frozenset(_PRE_ANSWERS) | SILENT_MODES


def pre_answer(name, arg):
    """``(status, body, content type, headers)`` of pre-mode ``name`` (not a silent one)."""
    return _PRE_ANSWERS[name](arg)


# --------------------------------------------------------------------------
# Modes that corrupt a successful answer (a bad login still gets the normal Fault)
# --------------------------------------------------------------------------

# mode -> (operation, value element, the value it gets); other operations are answered normally.
VALUE_MODES = {
    "credit-na": ("AvailableCredit", "Credit", "N/A"),
    "messages-negative": ("AvailableMessages", "Messages", "-5"),
    "messages-fraction": ("AvailableMessages", "Messages", "24.5"),
    "replyto-empty": ("PermittedReplyTo", "PermittedReplyTo", ""),
}


def _lol_entity(level):
    ref = f"&lol{level - 1 or ''};"
    return f'<!ENTITY lol{level} "{ref * 10}">\n'


_XXE_DOCTYPE = '<!DOCTYPE SOAP-ENV:Envelope [\n<!ENTITY xxe SYSTEM "file:///etc/hostname">\n]>\n'
_BOMB_DOCTYPE = '<!DOCTYPE SOAP-ENV:Envelope [\n<!ENTITY lol "lol">\n' + "".join(_lol_entity(level) for level in range(1, 10)) + "]>\n"
_REMOTE_DOCTYPE = f'<!DOCTYPE SOAP-ENV:Envelope SYSTEM "{REMOTE_DTD_URL}">\n'

# mode -> (DOCTYPE, entity reference that replaces the first value element, or None: values unchanged)
DTD_MODES = {
    "xxe": (_XXE_DOCTYPE, "&xxe;"),
    "bomb": (_BOMB_DOCTYPE, "&lol9;"),
    "dtd-remote": (_REMOTE_DOCTYPE, None),
}
# "truncated" and "big" are sent by the handler; "missing" and "wrong-wrapper" built by responses.py.
CONTENT_MODES = frozenset(("truncated", "missing", "wrong-wrapper", "big")) | frozenset(VALUE_MODES) | frozenset(DTD_MODES)

# --------------------------------------------------------------------------
# Modes that change how any answer is delivered (the handler)
# --------------------------------------------------------------------------

DELIVERY_MODES = frozenset(("ok", "slow", "drip"))

# --------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------

_ARG_MODES = {"status": int, "redirect": int, "big": float, "slow": float, "drip": float}
_NEEDS_ARG = ("status", "redirect", "big", "slow")
_REDIRECT_CODES = (301, 302, 303, 307, 308)
MODES = tuple(sorted(PRE_MODES | CONTENT_MODES | DELIVERY_MODES))


def parse_mode(mode):
    """Validate ``mode`` and return ``(name, argument)``; raise ValueError when it is not a known mode."""
    if not isinstance(mode, str) or not mode.strip():
        raise ValueError("mode must be a non-empty string")
    name, sep, raw = mode.strip().partition(":")
    if name not in MODES:
        raise ValueError("unknown simulator mode {!r} (known: {})".format(mode, ", ".join(MODES)))
    if not sep:
        if name in _NEEDS_ARG:
            raise ValueError(f"mode {name!r} needs an argument, e.g. {name}:N")
        return name, (1.0 if name == "drip" else None)
    if name not in _ARG_MODES:
        raise ValueError(f"mode {name!r} takes no argument")
    try:
        arg = _ARG_MODES[name](raw)
    except ValueError:
        raise ValueError(f"bad argument {raw!r} for mode {name!r}") from None
    if name == "status" and not 200 <= arg <= 599:
        raise ValueError("status:NNN needs 200 <= NNN <= 599")
    if name == "redirect" and arg not in _REDIRECT_CODES:
        raise ValueError("redirect:NNN needs one of {}".format(", ".join(str(code) for code in _REDIRECT_CODES)))
    if name in ("big", "slow", "drip") and not 0 <= arg < float("inf"):
        raise ValueError(f"mode {name!r} needs a finite, non-negative number")
    return name, arg
