# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The public servers: ``SimulatorServer`` (one service on a background thread), ``ServerPair`` and ``start_pair``."""

import os
import shutil
import ssl
import sys
import tempfile
import threading
import time
from collections import deque

from .accounts import AccountStore
from .http_server import HTTPServer
from .inbox import Inbox
from .modes import parse_mode
from .operations import OPERATIONS
from .operations.submit_message import FIRST_MESSAGE_ID
from .request_log import LOG_LIMIT, redact

COUNT_KEYS = OPERATIONS + ("total", "invalid")


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
        inbox=None,
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
        self._inbox = inbox if inbox is not None else Inbox()

    # ----- lifecycle -----

    def start(self):
        """Bind and serve on a background thread; returns self."""
        if self._httpd is not None:
            raise RuntimeError(f"simulator {self.name} already started")
        context = self._ssl_context() if self.tls else None
        self._stop_event.clear()
        self._httpd = HTTPServer((self.host, self._requested_port), self, context)
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
        """Zero the counters, set mode ``ok`` everywhere, clear the request log, sent messages and the inbound queue."""
        with self._lock:
            self._counts = dict.fromkeys(COUNT_KEYS, 0)
            self._mode = "ok"
            self._op_modes = {}
            self._log.clear()
            self._messages = []
            self._next_id = FIRST_MESSAGE_ID
        self._inbox.clear()

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

    def inject_reply(self, username, sender, text, to=None, received=None, delay=None, keep=None):
        """Queue a reply for CollectMessages (``inbox.Inbox.add``); ``username`` must be an account. Returns the queue's length."""
        if username not in self.accounts.usernames():
            raise ValueError("username is not an account of the simulator")
        return self._inbox.add(username, sender, text, to, received, delay, keep)

    def inbox(self):
        """The inbound queue (shared by a pair), due or not, oldest first."""
        return self._inbox.messages()

    # ----- internals used by the handler -----

    def _count(self, *keys):
        with self._lock:
            for key in keys:
                self._counts[key] += 1

    def _record(self, entry):
        with self._lock:
            self._log.append(entry)

    def _store_message(self, message_id, message):
        """Record a message SubmitMessage accepted; return its identifier (the client's own, else the next number)."""
        with self._lock:
            if not message_id:
                message_id = str(self._next_id)
                self._next_id += 1
            self._messages.append(dict({"message_identifier": message_id}, **message, time=time.time()))
        return message_id

    def _collect(self, username):
        """The due replies of ``username`` for CollectMessages; they leave the queue unless kept."""
        return self._inbox.collect(username)

    def _redaction_pins(self, extra=()):
        pins = set(self.accounts.pins())
        pins.update(pin for pin in extra if pin and len(pin) >= 4)
        return sorted(pins, key=len, reverse=True)

    def _debug(self, message, extra_pins=()):
        if self.verbose:
            text = redact(message, self._redaction_pins(extra_pins))
            sys.stderr.write(f"[csoft simulator {self.name}] {text}\n")
            sys.stderr.flush()


class ServerPair:
    """A primary and a secondary simulator sharing one accounts store, one inbound queue and (with TLS) one CA."""

    def __init__(self, tls=False, host="127.0.0.1", accounts=None, primary_port=0, secondary_port=0, verbose=False, ca=None):
        store = AccountStore.coerce(accounts)
        if tls and ca is None:
            ca = _new_ca()
        inbox = Inbox()
        self.primary = SimulatorServer(host, primary_port, tls, "primary", store, ca, verbose, inbox=inbox)
        self.secondary = SimulatorServer(host, secondary_port, tls, "secondary", store, ca, verbose, inbox=inbox)
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

    def inject_reply(self, username, sender, text, **options):
        """Queue a reply for CollectMessages on both servers (one shared queue)."""
        return self.primary.inject_reply(username, sender, text, **options)

    def inbox(self):
        """The inbound queue both servers answer from."""
        return self.primary.inbox()


def start_pair(tls=False, **kwargs):
    """Start and return a ServerPair (keyword arguments as for ServerPair)."""
    return ServerPair(tls=tls, **kwargs).start()
