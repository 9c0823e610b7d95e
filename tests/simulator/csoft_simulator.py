#!/usr/bin/env python
# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Simulator of the Connection Software (csoft.co.uk) ``sendsms5`` SOAP service.

Faithful to the vendor's "Account Query Web Services SOAP API" page: success
responses are the page's example documents byte for byte, with only the
values substituted.  Also answers ``SubmitMessage`` and can be switched into
hostile modes (faults, HTTP errors, broken XML, XXE, slow or hung answers...).

Standard library only; ``trustme`` is imported lazily when HTTPS is wanted.
See ``tests/simulator/README.md`` for the modes and the control API.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import socketserver
import ssl
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
import xml.parsers.expat
from collections import deque
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
TNS = "http://www.csoft.co.uk/dtd/sendsms5.xsd"
OPERATIONS = ("AvailableCredit", "AvailableMessages", "PermittedReplyTo", "SubmitMessage")
COUNT_KEYS = OPERATIONS + ("total", "invalid")
DEFAULT_ACCOUNTS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "accounts.json")
REDIRECT_LOCATION = "http://127.0.0.2:9/elsewhere"
REMOTE_DTD_URL = "http://127.0.0.1:9/evil.dtd"
FIRST_MESSAGE_ID = 1000
MAX_REQUEST_BODY = 1024 * 1024
LOG_LIMIT = 500
_MIB = 1024 * 1024
_REDACTED = "********"
_XML_CONTENT_TYPE = "text/xml; charset=utf-8"
_LOGGED_HEADERS = (
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

# --------------------------------------------------------------------------
# Response documents, as on the vendor page (LF line ends, trailing newline).
# --------------------------------------------------------------------------

_XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NS_TAIL = (
    'xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/"\n'
    'xmlns:xsi="http://www.w3.org/1999/XMLSchema-instance"\n'
    'xmlns:xsd="http://www.w3.org/1999/XMLSchema"\n'
    'xmlns:ns2="http://www.csoft.co.uk/dtd/sendsms5.xsd">\n'
)
# Most of the vendor's response examples break the line after "<SOAP-ENV:Envelope" ...
_ENVELOPE_OPEN = '<SOAP-ENV:Envelope\nxmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"\n' + _NS_TAIL
# ... but the AvailableMessagesResponse example keeps the first namespace on that line.
_ENVELOPE_OPEN_INLINE = '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"\n' + _NS_TAIL
_RESERVED = "<Reserved><Field1/><Field2/><Field3/><Field4/></Reserved>\n"
_DOC_TAIL = "</SOAP-ENV:Body>\n</SOAP-ENV:Envelope>\n"

_XXE_DOCTYPE = '<!DOCTYPE SOAP-ENV:Envelope [\n<!ENTITY xxe SYSTEM "file:///etc/hostname">\n]>\n'


def _lol_entity(level):
    ref = f"&lol{level - 1 or ''};"
    return f'<!ENTITY lol{level} "{ref * 10}">\n'


_BOMB_DOCTYPE = '<!DOCTYPE SOAP-ENV:Envelope [\n<!ENTITY lol "lol">\n' + "".join(_lol_entity(level) for level in range(1, 10)) + "]>\n"
_REMOTE_DOCTYPE = f'<!DOCTYPE SOAP-ENV:Envelope SYSTEM "{REMOTE_DTD_URL}">\n'

_HTML_500 = (
    b'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n'
    b"<html><head>\n<title>500 Internal Server Error</title>\n</head><body>\n"
    b"<h1>Internal Server Error</h1>\n"
    b"<p>The server encountered an internal error or misconfiguration and was unable to complete your request.</p>\n"
    b"</body></html>\n"
)
_GARBAGE = b"\x00\x01\xfe\xffHTTP/1.1 ok?? <<<not xml>>> &&& \x89PNG\r\n\x1a\n\xc3\x28 ]]> <? ?>\x00garbage\n"

# The value element(s) of each response wrapper, used by "missing", "xxe" and "bomb".
_VALUE_ELEMENTS = {
    "AvailableCredit": ("Credit",),
    "AvailableMessages": ("Messages",),
    "PermittedReplyTo": ("PermittedReplyTo",),
    "SubmitMessage": ("MessageIdentifier", "Report", "Text", "LibraryNumber"),
}

# --------------------------------------------------------------------------
# Modes
# --------------------------------------------------------------------------

# Modes that replace the answer before the login is even looked at.
_PRE_MODES = frozenset(("fault", "fault200", "html500", "status", "redirect", "garbage", "empty", "hang", "close"))
# Modes that corrupt a successful answer (a bad login still gets the normal Fault).
_CONTENT_MODES = frozenset(
    (
        "truncated",
        "missing",
        "wrong-wrapper",
        "credit-na",
        "messages-negative",
        "messages-fraction",
        "replyto-empty",
        "xxe",
        "bomb",
        "dtd-remote",
        "big",
    )
)
# Modes that change how any answer is delivered.
_DELIVERY_MODES = frozenset(("ok", "slow", "drip"))
_ARG_MODES = {"status": int, "redirect": int, "big": float, "slow": float, "drip": float}
_REDIRECT_CODES = (301, 302, 303, 307, 308)
MODES = tuple(sorted(_PRE_MODES | _CONTENT_MODES | _DELIVERY_MODES))


def parse_mode(mode):
    """Validate ``mode`` and return ``(name, argument)``; raise ValueError when it is not a known mode."""
    if not isinstance(mode, str) or not mode.strip():
        raise ValueError("mode must be a non-empty string")
    name, sep, raw = mode.strip().partition(":")
    if name not in MODES:
        raise ValueError("unknown simulator mode {!r} (known: {})".format(mode, ", ".join(MODES)))
    if not sep:
        if name in ("status", "redirect", "big", "slow"):
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


# --------------------------------------------------------------------------
# Accounts
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# Request parsing
# --------------------------------------------------------------------------


class BadRequest(Exception):
    """The request is not a valid sendsms5 SOAP request (answered with a Client Fault)."""


class _RequestTooLarge(Exception):
    pass


class _ClientGone(Exception):
    pass


def _local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else None


def _namespace(tag):
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _reject_dtd(*args):
    raise BadRequest("DOCTYPE and entity declarations are not allowed")


def _precheck_xml(body):
    """Well-formedness check with expat that refuses any DTD before ElementTree sees the body."""
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _reject_dtd
    parser.EntityDeclHandler = _reject_dtd
    parser.ExternalEntityRefHandler = _reject_dtd
    try:
        parser.Parse(body, True)
    except xml.parsers.expat.ExpatError as exc:
        raise BadRequest(f"Request body is not well-formed XML ({xml.parsers.expat.ErrorString(exc.code)})") from None


def _child_text(parent, name, deep=False):
    """Text of the first element with local name ``name`` (children only, or any descendant)."""
    candidates = parent.iter() if deep else list(parent)
    for element in candidates:
        if element is not parent and _local(element.tag) == name:
            return element.text or ""
    return None


def parse_soap_request(headers, body):
    """Validate a sendsms5 request; return a dict with ``operation``, ``username``, ``pin`` and fields.

    Raises BadRequest with a message that never contains request values.
    """
    content_type = headers.get("Content-Type") or ""
    if not content_type.strip().lower().startswith("text/xml"):
        raise BadRequest("Content-Type must be text/xml")
    if headers.get("SOAPAction") is None:
        raise BadRequest("Missing SOAPAction header")
    if not body or not body.strip():
        raise BadRequest("Empty request body")
    _precheck_xml(body)
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise BadRequest("Request body is not well-formed XML") from None
    if root.tag != f"{{{SOAP_ENV_NS}}}Envelope":
        raise BadRequest("Root element is not a SOAP 1.1 Envelope")
    soap_body = None
    for child in root:
        if child.tag == f"{{{SOAP_ENV_NS}}}Body":
            soap_body = child
            break
        if child.tag != f"{{{SOAP_ENV_NS}}}Header":
            raise BadRequest("Unexpected element in SOAP Envelope")
    if soap_body is None:
        raise BadRequest("Missing SOAP Body")
    operations = list(soap_body)
    if not operations:
        raise BadRequest("SOAP Body is empty")
    wrapper = operations[0]
    if _namespace(wrapper.tag) != TNS:
        raise BadRequest(f"Operation element is not in namespace {TNS}")
    operation = _local(wrapper.tag)
    if operation not in OPERATIONS:
        raise BadRequest("Unknown operation")
    request = {"operation": operation}
    for name in ("Username", "PIN"):
        value = _child_text(wrapper, name)
        if value is None:
            raise BadRequest(f"Missing {name} element")
        request[name.lower()] = value
    if operation == "SubmitMessage":
        for key, name in (
            ("send_to", "SendTo"),
            ("delivery_option", "DeliveryOption"),
            ("text", "TextMessage"),
            ("reply_to", "ReplyTo"),
            ("message_identifier", "MessageIdentifier"),
        ):
            request[key] = _child_text(wrapper, name, deep=True)
        if not request["send_to"]:
            raise BadRequest("Missing Recipient/SendTo")
        if request["text"] is None:
            raise BadRequest("Missing Message/TextMessage")
    return request


# --------------------------------------------------------------------------
# Response building
# --------------------------------------------------------------------------


def _element(name, value, raw=False):
    if value == "" and not raw:
        return f"<{name}/>\n" if name == "LibraryNumber" else f"<{name}></{name}>\n"
    return f"<{name}>{value if raw else escape(value)}</{name}>\n"


def _document_parts(wrapper, children, doctype="", inline=False):
    """Return ``(head, tail)`` of a response document; ``head`` ends after the wrapper start tag."""
    head = "".join(
        (
            _XML_DECL,
            doctype,
            _ENVELOPE_OPEN_INLINE if inline else _ENVELOPE_OPEN,
            "<SOAP-ENV:Body>\n",
            f"<ns2:{wrapper}>\n",
        )
    )
    tail = "".join(children) + _RESERVED + f"</ns2:{wrapper}>\n" + _DOC_TAIL
    return head.encode("utf-8"), tail.encode("utf-8")


def fault_document(faultstring, faultcode="SOAP-ENV:Client"):
    """A SOAP 1.1 Fault in the same document style as the vendor's responses."""
    text = (
        _XML_DECL
        + _ENVELOPE_OPEN
        + "<SOAP-ENV:Body>\n<SOAP-ENV:Fault>\n"
        + f"<faultcode>{escape(faultcode)}</faultcode>\n"
        + f"<faultstring>{escape(faultstring)}</faultstring>\n"
        + "</SOAP-ENV:Fault>\n"
        + _DOC_TAIL
    )
    return text.encode("utf-8")


def success_values(operation, account, submit=None):
    """The (element, value) pairs of a successful answer to ``operation``."""
    if operation == "AvailableCredit":
        return [("Currency", account["currency"]), ("Credit", account["credit"])]
    if operation == "AvailableMessages":
        return [("Messages", account["messages"])]
    if operation == "PermittedReplyTo":
        return [("PermittedReplyTo", ",".join(account["permitted_reply_to"]))]
    submit = submit or {"message_identifier": str(FIRST_MESSAGE_ID), "report": "0", "text": "Message Sent OK"}
    return [
        ("MessageIdentifier", submit["message_identifier"]),
        ("Report", submit["report"]),
        ("Text", submit["text"]),
        ("LibraryNumber", ""),
    ]


def response_parts(operation, account, mode="ok", submit=None):
    """``(head, tail)`` of the answer to ``operation`` for ``account``, corrupted as ``mode`` says."""
    name = parse_mode(mode)[0]
    wrapper = operation
    values = success_values(operation, account, submit)
    doctype = ""
    raw_value = None
    if name == "wrong-wrapper":
        # AvailableMessagesResponse for every operation; AvailableMessages itself gets the credit wrapper
        # so that the mode is wrong for every operation.
        wrapper = "AvailableCredit" if operation == "AvailableMessages" else "AvailableMessages"
        values = success_values(wrapper, account)
    elif name == "credit-na" and operation == "AvailableCredit":
        values = [("Currency", account["currency"]), ("Credit", "N/A")]
    elif name == "messages-negative" and operation == "AvailableMessages":
        values = [("Messages", "-5")]
    elif name == "messages-fraction" and operation == "AvailableMessages":
        values = [("Messages", "24.5")]
    elif name == "replyto-empty" and operation == "PermittedReplyTo":
        values = [("PermittedReplyTo", "")]
    elif name == "missing":
        values = [pair for pair in values if pair[0] not in _VALUE_ELEMENTS[operation]]
    elif name == "xxe":
        doctype, raw_value = _XXE_DOCTYPE, "&xxe;"
    elif name == "bomb":
        doctype, raw_value = _BOMB_DOCTYPE, "&lol9;"
    elif name == "dtd-remote":
        doctype = _REMOTE_DOCTYPE
    target = _VALUE_ELEMENTS[operation][0]
    children = [_element(key, raw_value, raw=True) if raw_value is not None and key == target else _element(key, value) for key, value in values]
    return _document_parts(wrapper + "Response", children, doctype, inline=wrapper == "AvailableMessages")


def response_document(operation, account, mode="ok", submit=None):
    """The complete answer document (bytes) to ``operation`` for ``account``."""
    head, tail = response_parts(operation, account, mode, submit)
    return head + tail


# --------------------------------------------------------------------------
# HTTP server
# --------------------------------------------------------------------------


def _quiet_shutdown(sock):
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except (OSError, ValueError):
        pass


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, sim, ssl_context):
        self.sim = sim
        self.ssl_context = ssl_context
        self._conn_lock = threading.Lock()
        self._conns = set()
        super().__init__(address, _Handler)

    def server_bind(self):
        # HTTPServer.server_bind() does a reverse DNS lookup (getfqdn); not wanted here.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def _track(self, sock, old=None):
        with self._conn_lock:
            if old is not None:
                self._conns.discard(old)
            if sock is not None:
                self._conns.add(sock)

    def process_request(self, request, client_address):
        self._track(request)
        # The response head and body go out in two send() calls: without TCP_NODELAY, Nagle's
        # algorithm holds the body back until the client's delayed ACK (~40 ms on every
        # kept-alive request). Real web servers set it too.
        try:
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        super().process_request(request, client_address)

    def finish_request(self, request, client_address):
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(10)
        try:
            conn = self.ssl_context.wrap_socket(request, server_side=True)
        except (OSError, ValueError) as exc:
            self.sim._debug(f"TLS handshake with {client_address[0]}:{client_address[1]} failed: {exc}")
            return
        self._track(conn, old=request)
        try:
            if not self.sim.stopping:
                self.RequestHandlerClass(conn, client_address, self)
        finally:
            self._track(None, old=conn)
            try:
                conn.shutdown(socket.SHUT_WR)
            except (OSError, ValueError):
                pass
            conn.close()

    def shutdown_request(self, request):
        self._track(None, old=request)
        super().shutdown_request(request)

    def close_connections(self):
        """Wake every handler blocked on a socket; the handler threads close their own sockets."""
        with self._conn_lock:
            conns = list(self._conns)
        for conn in conns:
            _quiet_shutdown(conn)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, ssl.SSLError)) or self.sim.stopping:
            return
        self.sim._debug(f"error handling request from {client_address[0]}:{client_address[1]}: {type(exc).__name__}: {exc}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "csoft-simulator/1.0"
    sys_version = ""
    timeout = 120

    request_pin = None

    def version_string(self):
        return self.server_version

    def log_message(self, format, *args):
        self.server.sim._debug(f"{self.address_string()} - {format % args}", extra_pins=[self.request_pin])

    # All methods go through one dispatcher; only POST is valid on the SOAP path.
    def do_POST(self):
        self._dispatch()

    def do_GET(self):
        self._dispatch()

    def do_HEAD(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def do_PATCH(self):
        self._dispatch()

    def do_OPTIONS(self):
        self._dispatch()

    # ----- plumbing -----

    @property
    def sim(self):
        return self.server.sim

    def _send(self, status, body=b"", content_type="text/plain; charset=utf-8", headers=None):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if self.close_connection or self.sim.stopping:
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _send_json(self, status, payload):
        body = (json.dumps(payload, indent=1, sort_keys=True) + "\n").encode("utf-8")
        self._send(status, body, "application/json")

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return None
        try:
            size = int(length)
        except ValueError:
            size = -1
        if size < 0:
            self.close_connection = True
            raise BadRequest("Bad Content-Length")
        if size > MAX_REQUEST_BODY:
            raise _RequestTooLarge()
        data = self.rfile.read(size)
        if len(data) < size:
            raise _ClientGone()
        return data

    def _read_chunked(self):
        data = bytearray()
        while True:
            line = self.rfile.readline(1026)
            if not line:
                raise _ClientGone()
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                self.close_connection = True
                raise BadRequest("Bad chunked encoding") from None
            if size == 0:
                while self.rfile.readline(8194) not in (b"\r\n", b"\n", b""):
                    pass
                return bytes(data)
            if len(data) + size > MAX_REQUEST_BODY:
                raise _RequestTooLarge()
            chunk = self.rfile.read(size)
            if len(chunk) < size:
                raise _ClientGone()
            data += chunk
            self.rfile.readline(3)

    def _new_entry(self, path, query):
        pins = self.sim._redaction_pins([self.request_pin])
        raw = [self.path, unquote(self.path)] + [f"{key}: {value}" for key, value in self.headers.items()]
        leaked = any(pin in text for pin in pins for text in raw)
        headers = {}
        for key in _LOGGED_HEADERS:
            value = self.headers.get(key)
            if value is not None:
                headers[key] = _redact(value, pins)
        return {
            "time": time.time(),
            "server": self.sim.name,
            "client_port": self.client_address[1],
            "tls": self.sim.tls,
            "method": self.command,
            "path": _redact(path, pins),
            "query": _redact(query, pins),
            "headers": headers,
            "operation": None,
            "username": None,
            "pin_ok": False,
            "pin_in_url_or_headers": leaked,
            "mode": None,
            "status": None,
            "error": None,
        }

    # ----- dispatch -----

    def _dispatch(self):
        self.request_pin = None
        parts = urlsplit(self.path)
        path = parts.path
        if path.startswith("/_sim/") or path == "/_sim":
            self._control(path)
            return
        if path.endswith("/sendsms5") and self.command == "POST":
            self._soap(path, parts.query)
            return
        self._drain_body()
        entry = self._new_entry(path, parts.query)
        if path.endswith("/sendsms5"):
            entry["status"] = 405
            self.sim._record(entry)
            self._send(405, b"405 Method Not Allowed: use POST\n", headers={"Allow": "POST"})
        else:
            entry["status"] = 404
            self.sim._record(entry)
            self._send(404, b"404 Not Found\n")

    def _drain_body(self):
        try:
            body = self._read_body()
        except (BadRequest, _RequestTooLarge, _ClientGone):
            self.close_connection = True
            return
        del body

    # ----- control API -----

    def _control(self, path):
        try:
            body = self._read_body() or b""
        except (BadRequest, _RequestTooLarge, _ClientGone):
            self.close_connection = True
            self._send_json(400, {"error": "bad request body"})
            return
        action = path[len("/_sim/") :].strip("/")
        getters = {
            "counts": self.sim.counts,
            "log": self.sim.requests_log,
            "messages": self.sim.messages,
            "mode": self.sim.modes,
            "health": lambda: {"ok": True, "name": self.sim.name, "url": self.sim.url},
        }
        posts = {"reset": self._control_reset, "mode": self._control_mode, "account": self._control_account}
        if self.command in ("GET", "HEAD") and action in getters:
            self._send_json(200, getters[action]())
        elif self.command == "POST" and action in posts:
            try:
                payload = json.loads(body.decode("utf-8")) if body.strip() else {}
                if not isinstance(payload, dict):
                    raise TypeError("JSON object expected")
                result = posts[action](payload)
            except (ValueError, TypeError) as exc:
                self._send_json(400, {"error": str(exc)})
                return
            self._send_json(200, result)
        elif action in getters or action in posts:
            self._send_json(405, {"error": "method not allowed"})
        else:
            self._send_json(404, {"error": "unknown control endpoint", "endpoints": sorted(set(getters) | set(posts))})

    def _control_reset(self, payload):
        self.sim.reset()
        return {"ok": True}

    def _control_mode(self, payload):
        if "mode" not in payload:
            raise ValueError('expected {"mode": "...", "operation": optional}')
        self.sim.set_mode(payload["mode"], payload.get("operation"))
        return dict(self.sim.modes(), ok=True)

    def _control_account(self, payload):
        username = payload.pop("username", None)
        if not isinstance(username, str) or not username:
            raise ValueError('expected {"username": "...", field: value, ...}')
        self.sim.accounts.update(username, **payload)
        return {"ok": True, "username": username}

    # ----- SOAP -----

    def _soap(self, path, query):
        sim = self.sim
        error = None
        try:
            body = self._read_body()
        except _ClientGone:
            self.close_connection = True
            return
        except _RequestTooLarge:
            self._reject(path, query, 413, "Request body too large", b"413 Request Entity Too Large\n")
            return
        except BadRequest as exc:
            body, error = None, str(exc)
        if body is None:
            self._reject(path, query, 411, error or "Content-Length required", b"411 Length Required\n")
            return
        try:
            request = parse_soap_request(self.headers, body)
        except BadRequest as exc:
            sim._count("total", "invalid")
            entry = self._new_entry(path, query)
            entry.update(status=500, error=str(exc))
            sim._record(entry)
            self._send(500, fault_document(str(exc)), _XML_CONTENT_TYPE)
            return
        operation = request["operation"]
        sim._count("total", operation)
        self.request_pin = request["pin"]
        mode = sim.mode(operation)
        name, arg = parse_mode(mode)
        account = sim.accounts.authenticate(request["username"], request["pin"])
        entry = self._new_entry(path, query)
        entry.update(operation=operation, username=request["username"], mode=mode, pin_ok=account is not None)
        if name in _PRE_MODES:
            self._pre_mode(entry, name, arg)
            return
        if name == "slow" and sim.wait_stop(arg):
            self.close_connection = True
            sim._record(entry)
            return
        if account is None:
            status, head, tail = 500, fault_document("Invalid Login"), b""
            entry["error"] = "Invalid Login"
        else:
            status = 200
            submit = sim._submit(request, account) if operation == "SubmitMessage" else None
            head, tail = response_parts(operation, account, mode if name in _CONTENT_MODES else "ok", submit)
        entry["status"] = status
        sim._record(entry)
        if status == 200 and name == "big":
            self._send_big(head, tail, int(arg * _MIB))
        elif status == 200 and name == "truncated":
            document = head + tail
            self._send(200, document[: len(document) // 2], _XML_CONTENT_TYPE)
        elif name == "drip":
            self._send_drip(status, head + tail, arg)
        else:
            self._send(status, head + tail, _XML_CONTENT_TYPE)

    def _reject(self, path, query, status, error, body):
        """Answer a request whose body could not be read (counted as invalid; the connection is closed)."""
        self.sim._count("total", "invalid")
        self.close_connection = True
        entry = self._new_entry(path, query)
        entry.update(status=status, error=error)
        self.sim._record(entry)
        self._send(status, body)

    def _pre_mode(self, entry, name, arg):
        sim = self.sim
        if name in ("hang", "close"):
            sim._record(entry)
            self.close_connection = True
            if name == "hang":
                sim.wait_stop()
            return
        if name in ("fault", "fault200"):
            status, body, ctype, headers = (
                500 if name == "fault" else 200,
                fault_document("Invalid Login"),
                _XML_CONTENT_TYPE,
                {},
            )
        elif name == "html500":
            status, body, ctype, headers = 500, _HTML_500, "text/html; charset=iso-8859-1", {}
        elif name == "status":
            headers = {}
            if arg == 401:
                headers["WWW-Authenticate"] = 'Basic realm="csoft"'
            elif arg in (429, 503):
                headers["Retry-After"] = "120"
            try:
                phrase = HTTPStatus(arg).phrase
            except ValueError:
                phrase = "Status"
            body = b"" if arg in (204, 304) else f"{arg} {phrase}\n".encode("ascii")
            status, ctype = arg, "text/plain; charset=utf-8"
        elif name == "redirect":
            headers = {"Location": REDIRECT_LOCATION}
            body = (f'<html><body><a href="{REDIRECT_LOCATION}">Moved</a></body></html>\n').encode("ascii")
            status, ctype = arg, "text/html; charset=utf-8"
        elif name == "garbage":
            status, body, ctype, headers = 200, _GARBAGE, _XML_CONTENT_TYPE, {}
        else:  # empty
            status, body, ctype, headers = 200, b"", _XML_CONTENT_TYPE, {}
        entry["status"] = status
        sim._record(entry)
        self._send(status, body, ctype, headers)

    def _start_body(self, status, length, content_type=_XML_CONTENT_TYPE):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def _send_big(self, head, tail, size):
        opener, closer = b"<!--", b"-->\n"
        padding = max(0, size - len(head) - len(tail) - len(opener) - len(closer))
        self._start_body(200, len(head) + len(opener) + padding + len(closer) + len(tail))
        if self.command == "HEAD":
            return
        self.wfile.write(head + opener)
        chunk = b"x" * 65536
        while padding > 0:
            if self.sim.stopping:
                self.close_connection = True
                return
            piece = chunk if padding >= len(chunk) else chunk[:padding]
            self.wfile.write(piece)
            padding -= len(piece)
        self.wfile.write(closer + tail)

    def _send_drip(self, status, body, delay):
        self._start_body(status, len(body))
        if self.command == "HEAD":
            return
        self.wfile.flush()
        for index in range(len(body)):
            if self.sim.wait_stop(delay if index else 0):
                self.close_connection = True
                return
            self.wfile.write(body[index : index + 1])


def _redact(text, pins):
    if not text:
        return text
    for pin in pins:
        text = text.replace(pin, _REDACTED)
    return text


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def _new_ca():
    try:
        import trustme  # lazily: only needed for HTTPS
    except ImportError:
        raise ImportError(
            "HTTPS (--tls) needs the Python package trustme, which is not installed: pip install trustme (tests/requirements.txt lists it)"
        ) from None
    return trustme.CA()


class SimulatorServer:
    """One simulated sendsms5 service (primary or secondary) on a background thread."""

    def __init__(
        self,
        host="127.0.0.1",
        port=0,
        tls=False,
        name="primary",
        accounts=None,
        ca=None,
        verbose=False,
        cert_hosts=None,
    ):
        self.host = host
        self.name = name
        self.tls = bool(tls)
        self.verbose = verbose
        self.accounts = AccountStore.coerce(accounts)
        self.ca = ca
        self.ca_pem_path = None
        self._cert_hosts = cert_hosts
        self._requested_port = port
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._httpd = None
        self._thread = None
        self._tmpdir = None
        self._port = None
        self._counts = dict.fromkeys(COUNT_KEYS, 0)
        self._mode = "ok"
        self._op_modes = {}
        self._log = deque(maxlen=LOG_LIMIT)
        self._messages = []
        self._next_id = FIRST_MESSAGE_ID

    # ----- lifecycle -----

    def start(self):
        """Bind and serve on a background thread; returns self."""
        if self._httpd is not None:
            raise RuntimeError(f"simulator {self.name} already started")
        context = self._ssl_context() if self.tls else None
        self._stop_event.clear()
        self._httpd = _HTTPServer((self.host, self._requested_port), self, context)
        self._port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"csoft-sim-{self.name}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        """Stop serving; returns promptly even while handlers hang (their sockets are shut down)."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stop_event.set()
        httpd.shutdown()
        httpd.server_close()
        httpd.close_connections()
        self._thread.join(timeout=2)
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self):
        if self._httpd is None:
            self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def stopping(self):
        return self._stop_event.is_set()

    def wait_stop(self, timeout=None):
        """Sleep up to ``timeout`` seconds (forever when None); True when the server is stopping."""
        return self._stop_event.wait(timeout)

    def _ssl_context(self):
        if self.ca is None:
            self.ca = _new_ca()
        hosts = list(self._cert_hosts or dict.fromkeys((self.host, "127.0.0.1", "localhost")))
        cert = self.ca.issue_cert(*hosts)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        cert.configure_cert(context)
        self._tmpdir = tempfile.mkdtemp(prefix="csoft-sim-")
        self.ca_pem_path = os.path.join(self._tmpdir, "ca.pem")
        self.ca.cert_pem.write_to_path(self.ca_pem_path)
        return context

    @property
    def ca_pem(self):
        """The CA certificate (PEM bytes) when TLS is on, else None."""
        return self.ca.cert_pem.bytes() if self.ca is not None else None

    # ----- addresses -----

    @property
    def port(self):
        if self._port is None:
            raise RuntimeError(f"simulator {self.name} is not started")
        return self._port

    @property
    def base_url(self):
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def url(self):
        return self.base_url + "/sendsms5"

    # ----- state -----

    def counts(self):
        with self._lock:
            return dict(self._counts)

    def reset(self):
        """Zero the counters, set mode ``ok`` everywhere, clear the request log and sent messages."""
        with self._lock:
            self._counts = dict.fromkeys(COUNT_KEYS, 0)
            self._mode = "ok"
            self._op_modes = {}
            self._log.clear()
            self._messages = []
            self._next_id = FIRST_MESSAGE_ID

    def set_mode(self, mode, operation=None):
        """Set ``mode`` for every operation (clearing per-operation modes) or for one ``operation``."""
        mode = mode.strip() if isinstance(mode, str) else mode
        parse_mode(mode)
        if operation is not None and operation not in OPERATIONS:
            raise ValueError("unknown operation {!r} (known: {})".format(operation, ", ".join(OPERATIONS)))
        with self._lock:
            if operation is None:
                self._mode = mode
                self._op_modes = {}
            else:
                self._op_modes[operation] = mode

    def mode(self, operation=None):
        """The mode in force for ``operation`` (or the global mode)."""
        with self._lock:
            return self._op_modes.get(operation, self._mode)

    def modes(self):
        with self._lock:
            return {"mode": self._mode, "operations": dict(self._op_modes)}

    def requests_log(self):
        """Recent non-control requests (newest last); never holds a PIN."""
        with self._lock:
            return [dict(entry, headers=dict(entry["headers"])) for entry in self._log]

    def messages(self):
        """Messages accepted by SubmitMessage (newest last)."""
        with self._lock:
            return [dict(msg, recipients=list(msg["recipients"])) for msg in self._messages]

    def update_account(self, username, **fields):
        self.accounts.update(username, **fields)

    # ----- internals used by the handler -----

    def _count(self, *keys):
        with self._lock:
            for key in keys:
                self._counts[key] += 1

    def _record(self, entry):
        with self._lock:
            self._log.append(entry)

    def _submit(self, request, account):
        reply_to = request.get("reply_to")
        if reply_to and reply_to not in account["permitted_reply_to"]:
            return {"message_identifier": "-1", "report": "3", "text": "ReplyTo not permitted"}
        with self._lock:
            message_id = request.get("message_identifier")
            if not message_id:
                message_id = str(self._next_id)
                self._next_id += 1
            self._messages.append(
                {
                    "message_identifier": message_id,
                    "username": account["username"],
                    "recipients": [item.strip() for item in request["send_to"].split(",") if item.strip()],
                    "text": request["text"],
                    "reply_to": reply_to,
                    "delivery_option": request.get("delivery_option"),
                    "time": time.time(),
                }
            )
        return {"message_identifier": message_id, "report": "0", "text": "Message Sent OK"}

    def _redaction_pins(self, extra=()):
        pins = set(self.accounts.pins())
        pins.update(pin for pin in extra if pin and len(pin) >= 4)
        return sorted(pins, key=len, reverse=True)

    def _debug(self, message, extra_pins=()):
        if self.verbose:
            text = _redact(message, self._redaction_pins(extra_pins))
            sys.stderr.write(f"[csoft simulator {self.name}] {text}\n")
            sys.stderr.flush()


class ServerPair:
    """A primary and a secondary simulator sharing one accounts store and (with TLS) one CA."""

    def __init__(self, tls=False, host="127.0.0.1", accounts=None, primary_port=0, secondary_port=0, verbose=False, ca=None):
        store = AccountStore.coerce(accounts)
        if tls and ca is None:
            ca = _new_ca()
        self.primary = SimulatorServer(host, primary_port, tls, "primary", store, ca, verbose)
        self.secondary = SimulatorServer(host, secondary_port, tls, "secondary", store, ca, verbose)
        self.accounts = store

    @property
    def servers(self):
        return (self.primary, self.secondary)

    def start(self):
        self.primary.start()
        try:
            self.secondary.start()
        except Exception:
            self.primary.stop()
            raise
        return self

    def stop(self):
        for server in self.servers:
            server.stop()

    def __enter__(self):
        if self.primary._httpd is None:
            self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def urls(self):
        return [self.primary.url, self.secondary.url]

    @property
    def ca_pem_path(self):
        return self.primary.ca_pem_path

    def counts(self):
        return {"primary": self.primary.counts(), "secondary": self.secondary.counts()}

    def reset(self):
        for server in self.servers:
            server.reset()

    def set_mode(self, mode, operation=None):
        for server in self.servers:
            server.set_mode(mode, operation)

    def update_account(self, username, **fields):
        self.accounts.update(username, **fields)


def start_pair(tls=False, **kwargs):
    """Start and return a ServerPair (keyword arguments as for ServerPair)."""
    return ServerPair(tls=tls, **kwargs).start()


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------


def _write_atomic(path, data):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".csoft-sim-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _parse_args(argv):
    parser = argparse.ArgumentParser(description="Simulator of the csoft.co.uk sendsms5 SOAP service.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="primary port (default 0 = any free port)")
    parser.add_argument("--secondary-port", type=int, default=None, help="also start a secondary (0 = any free port)")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a throw-away trustme CA")
    parser.add_argument("--accounts", default=None, help="accounts JSON file (default tests/simulator/accounts.json)")
    parser.add_argument("--mode", default="ok", help="initial mode for every operation (default ok)")
    parser.add_argument("--ready-file", default=None, help="write JSON {primary, secondary, ca, pid} here once listening")
    parser.add_argument("--ca-out", default=None, help="with --tls, write the CA certificate (PEM) here")
    parser.add_argument("--verbose", action="store_true", help="access log and errors on stderr (PINs redacted)")
    args = parser.parse_args(argv)
    try:
        parse_mode(args.mode)
    except ValueError as exc:
        parser.error(str(exc))
    if args.ca_out and not args.tls:
        parser.error("--ca-out needs --tls")
    return args


def main(argv=None):
    args = _parse_args(argv)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        accounts = AccountStore(args.accounts)
        if args.secondary_port is not None:
            group = ServerPair(args.tls, args.host, accounts, args.port, args.secondary_port, args.verbose)
            servers = list(group.servers)
        else:
            group = SimulatorServer(args.host, args.port, args.tls, "primary", accounts, verbose=args.verbose)
            servers = [group]
        for server in servers:
            server.set_mode(args.mode)
        group.start()
    except (OSError, ValueError, ImportError) as exc:
        sys.stderr.write(f"csoft simulator: cannot start: {exc}\n")
        return 1
    try:
        ca_path = None
        if args.tls:
            ca_path = servers[0].ca_pem_path
            if args.ca_out:
                _write_atomic(args.ca_out, servers[0].ca_pem)
                ca_path = os.path.abspath(args.ca_out)
        for server in servers:
            print(f"csoft simulator {server.name}: {server.url}", flush=True)
        if ca_path:
            print(f"csoft simulator ca: {ca_path}", flush=True)
        if args.ready_file:
            ready = {
                "primary": servers[0].url,
                "secondary": servers[1].url if len(servers) > 1 else None,
                "ca": ca_path,
                "pid": os.getpid(),
            }
            _write_atomic(args.ready_file, (json.dumps(ready) + "\n").encode("utf-8"))
        while not stop.wait(0.5):
            pass
    finally:
        group.stop()
        if args.ready_file and os.path.exists(args.ready_file):
            os.unlink(args.ready_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
