# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Loopback network helpers for what the simulator cannot do (standard library only).

* ``closed_port``: a URL where nothing listens (connections are refused);
* ``RawServer``: accepts connections and lets a handler write the answer byte
  for byte (drip the headers, redirect, echo the request back, ...);
  ``echo_credentials`` is the handler of a proxy that quotes the request's
  Username and PIN in an HTTP 500 error page;
* ``StreamingServer``: answers every request with 50 MB (by default) of XML
  and no Content-Length, chunked or ended by closing the connection, which a
  client can only stop by counting;
* ``Listener``: a socket nobody accepts from, to tell whether anything connected;
* ``BlackHole``: a port whose TCP handshake never completes (connect time-outs).

Only 127.0.0.0/8 is ever used.
"""

import re
import socket
import threading

MIB = 1024 * 1024


def closed_port(host="127.0.0.1", scheme="http", path="/sendsms5"):
    """URL of a port on ``host`` where nothing listens (bound once, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port = sock.getsockname()[1]
    return f"{scheme}://{host}:{port}{path}"


def read_request(conn):
    """Read one HTTP request (head + Content-Length body) from ``conn``; return the bytes."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _unused, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _unused, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def http_answer(status, body, content_type="text/xml; charset=utf-8", extra=b""):
    """A complete HTTP/1.1 answer (bytes) with Content-Length and ``Connection: close``."""
    return f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n".encode() + extra + b"\r\n" + body


def echo_credentials(server, conn, request):
    """A ``RawServer`` handler: HTTP 500 whose text page quotes the request's Username and PIN as sent."""
    user, pin = (re.search(rb"<%s>([^<]*)<" % name, request).group(1) for name in (b"Username", b"PIN"))
    server.send(conn, http_answer("500 Internal Server Error", b"no account " + user + b" with PIN " + pin, "text/plain"))


class RawServer:
    """Accepts connections on 127.x.x.x and lets ``handler(server, conn, request)`` write the answer.

    ``connections`` counts the connections, ``requests`` holds each request
    read (bytes), ``sent`` counts the bytes written with ``send``.
    """

    def __init__(self, handler, host="127.0.0.1"):
        self.handler = handler
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.05)
        self.url = f"http://{host}:{self.sock.getsockname()[1]}/sendsms5"
        self.connections = 0
        self.requests = []
        self.sent = 0
        self.stopping = threading.Event()
        self._conns = []
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _accept(self):
        while not self.stopping.is_set():
            try:
                conn, _unused = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._conns.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn):
        try:
            conn.settimeout(10)
            request = read_request(conn)
            self.requests.append(request)
            self.handler(self, conn, request)
        except OSError:
            pass
        finally:
            conn.close()

    def send(self, conn, data):
        conn.sendall(data)
        self.sent += len(data)

    def stop(self):
        self.stopping.set()
        for conn in self._conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.sock.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


class StreamingServer(RawServer):
    """Answers every request with ``mib`` MiB of XML comment and no Content-Length.

    ``framing`` is ``"chunked"`` (Transfer-Encoding: chunked, ended by the
    last chunk) or ``"close"`` (the body ends when the connection closes). A
    client that reads it all (the control of a memory measurement) gets a
    complete answer; one that stops at a size cap makes the next write fail,
    and ``sent`` tells how far the server got.
    """

    def __init__(self, framing="chunked", mib=50, host="127.0.0.1"):
        if framing not in ("chunked", "close"):
            raise ValueError(f"framing must be chunked or close, not {framing!r}")
        self.framing = framing
        self.size = int(mib * MIB)
        super().__init__(StreamingServer._stream, host)

    def _stream(self, conn, request):
        chunked = self.framing == "chunked"
        framing = b"Transfer-Encoding: chunked" if chunked else b"Connection: close"
        self.send(conn, b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n" + framing + b"\r\n\r\n")
        piece = b"<!--" + b"x" * (65536 - 7) + b"-->"
        for data in [b"<?xml version='1.0'?>"] + [piece] * (self.size // len(piece)):
            if self.stopping.is_set():
                return
            self.send(conn, b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
        if chunked:
            self.send(conn, b"0\r\n\r\n")
        # Close without a reset: data the client still sends (or has not read) must not turn close() into RST.
        conn.shutdown(socket.SHUT_WR)
        while conn.recv(65536):
            pass


class Listener:
    """A listening socket nobody accepts from: ``connected()`` tells whether anything connected to it."""

    def __init__(self, host="127.0.0.1"):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.sock.listen(8)
        self.sock.setblocking(False)
        self.url = f"http://{host}:{self.sock.getsockname()[1]}/elsewhere"

    def connected(self):
        try:
            conn, _unused = self.sock.accept()
        except BlockingIOError:
            return False
        conn.close()
        return True

    def close(self):
        self.sock.close()


class BlackHole:
    """A loopback port that drops SYNs, so connecting to ``url`` times out, as with a firewalled host.

    Its accept queue (backlog 0) is full and nobody accepts: Linux drops a SYN
    to a listener whose accept queue is full (unless
    net.ipv4.tcp_abort_on_overflow is set), so connect() neither succeeds nor
    is refused. No root, no firewall rule. Raises RuntimeError when this
    kernel completes handshakes beyond the accept queue.
    """

    def __init__(self, host="127.0.0.1", probe_timeout=0.3):
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind((host, 0))
        self._listener.listen(0)
        address = self._listener.getsockname()
        self.url = f"http://{host}:{address[1]}/sendsms5"
        self._fillers = []
        for _unused in range(64):
            probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            probe.settimeout(probe_timeout)
            try:
                probe.connect(address)
            except OSError:  # the handshake did not complete: the queue is full
                probe.close()
                return
            self._fillers.append(probe)
        self.close()
        raise RuntimeError("this kernel completes handshakes beyond the accept queue; no black hole on loopback")

    def close(self):
        for sock in self._fillers + [self._listener]:
            sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
