# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The overall deadline of one request (private to the collection).

A socket time-out bounds each read, not the answer: a service (or a proxy)
that sends one byte just inside every time-out, in the headers or in the
body, would hold the client for ever. So each request has a ``Deadline``
that shuts its socket down when it passes; the blocked read then returns at
once and the transport reports a time-out. One watchdog thread per process
expires the deadlines in time order.

Standard library only; imports nothing from the Ansible controller.
"""

import heapq
import itertools
import os
import socket
import threading
import time


class Deadline:
    """Shut the watched socket down once ``seconds`` have passed, unless stopped before."""

    def __init__(self, seconds):
        self._lock = threading.Lock()
        self._sock = None
        self._passed = False
        self._stopped = False
        self.fired = False  # a socket was shut down because the deadline passed
        self._seconds = max(0.0, seconds)

    def start(self):
        _WATCHDOG.add(time.monotonic() + self._seconds, self)
        return self

    def watch(self, sock):
        """Watch the socket the answer is read from (a connection's socket is known only once it is connected)."""
        with self._lock:
            if sock is None or self._stopped:
                return
            self._sock = sock
            if self._passed:
                self._shutdown()

    def stop(self):
        with self._lock:
            self._stopped = True
            self._sock = None  # the watchdog drops this deadline when its time comes

    def _expire(self):
        with self._lock:
            if self._stopped:
                return
            self._passed = True
            if self._sock is not None:
                self._shutdown()

    def _shutdown(self):  # with the lock held
        self.fired = True
        sock = self._sock
        try:
            if isinstance(sock, socket.socket):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the TCP socket itself, also under TLS
            else:  # pragma: no cover - e.g. TLS inside a TLS proxy tunnel
                sock.shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError, ValueError):
            pass  # already closed: nothing left to interrupt


class _Watchdog:
    """One daemon thread that expires the pending deadlines of the process in time order.

    A thread per request (threading.Timer) cost 0.1 to 1 ms per call, most of
    the client's own time on a kept-alive connection; a shared thread costs a
    heap push. It starts on first use, and again in a forked child, where the
    parent's thread does not exist.
    """

    def __init__(self):
        self._start_lock = threading.Lock()
        self._pid = None
        self._cond = None
        self._heap = None
        self._order = itertools.count()

    def forked(self):
        self._start_lock = threading.Lock()
        self._pid = None

    def add(self, when, deadline):
        if self._pid != os.getpid():
            self._start()
        with self._cond:
            heapq.heappush(self._heap, (when, next(self._order), deadline))
            if self._heap[0][2] is deadline:  # earlier than what the thread waits for
                self._cond.notify()

    def _start(self):
        with self._start_lock:
            if self._pid == os.getpid():
                return
            self._cond, self._heap = threading.Condition(threading.Lock()), []
            threading.Thread(target=self._run, args=(self._cond, self._heap), name="csoft-sms-deadline", daemon=True).start()
            self._pid = os.getpid()

    @staticmethod
    def _run(cond, heap):
        with cond:
            while True:
                now = time.monotonic()
                while heap and heap[0][0] <= now:
                    heapq.heappop(heap)[2]._expire()
                cond.wait(heap[0][0] - now if heap else None)


_WATCHDOG = _Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_WATCHDOG.forked)
