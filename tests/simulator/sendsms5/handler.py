# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The HTTP request handler: reads a request, routes it (SOAP, control API, 404/405) and delivers the answer."""

import json
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

from . import control, operations
from .documents import XML_CONTENT_TYPE, fault_document
from .modes import CONTENT_MODES, PRE_MODES, SILENT_MODES, parse_mode, pre_answer
from .operation import BadRequest
from .request_log import new_entry
from .responses import response_parts
from .soap_request import parse_soap_request

MAX_REQUEST_BODY = 1024 * 1024
_MIB = 1024 * 1024


class _RequestTooLarge(Exception):
    pass


class _ClientGone(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
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
        return new_entry(self.sim, self, path, query, self.sim._redaction_pins([self.request_pin]))

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

    def _control(self, path):
        try:
            body = self._read_body() or b""
        except (BadRequest, _RequestTooLarge, _ClientGone):
            self.close_connection = True
            self._send_json(400, {"error": "bad request body"})
            return
        self._send_json(*control.answer(self.sim, self.command, path[len("/_sim/") :].strip("/"), body))

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
            self._send(500, fault_document(str(exc)), XML_CONTENT_TYPE)
            return
        operation = request["operation"]
        sim._count("total", operation)
        self.request_pin = request["pin"]
        mode = sim.mode(operation)
        name, arg = parse_mode(mode)
        account = sim.accounts.authenticate(request["username"], request["pin"])
        entry = self._new_entry(path, query)
        entry.update(operation=operation, username=request["username"], mode=mode, pin_ok=account is not None)
        if name in PRE_MODES:
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
            result = operations.get(operation).perform(sim, request, account)
            head, tail = response_parts(operation, account, mode if name in CONTENT_MODES else "ok", result)
        entry["status"] = status
        sim._record(entry)
        if status == 200 and name == "big":
            self._send_big(head, tail, int(arg * _MIB))
        elif status == 200 and name == "truncated":
            document = head + tail
            self._send(200, document[: len(document) // 2], XML_CONTENT_TYPE)
        elif name == "drip":
            self._send_drip(status, head + tail, arg)
        else:
            self._send(status, head + tail, XML_CONTENT_TYPE)

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
        if name in SILENT_MODES:
            sim._record(entry)
            self.close_connection = True
            if name == "hang":
                sim.wait_stop()
            return
        status, body, ctype, headers = pre_answer(name, arg)
        entry["status"] = status
        sim._record(entry)
        self._send(status, body, ctype, headers)

    # ----- delivery modes -----

    def _start_body(self, status, length, content_type=XML_CONTENT_TYPE):
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
