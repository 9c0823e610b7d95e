# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The threading HTTP(S) server under one ``SimulatorServer``: TLS per connection, every open socket tracked so ``stop()`` is prompt."""

import socket
import socketserver
import ssl
import sys
import threading
from http.server import ThreadingHTTPServer

from .handler import Handler


def _quiet_shutdown(sock):
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except (OSError, ValueError):
        pass


class HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, sim, ssl_context):
        self.sim = sim
        self.ssl_context = ssl_context
        self._conn_lock = threading.Lock()
        self._conns = set()
        super().__init__(address, Handler)

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
