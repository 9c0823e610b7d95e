# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator as a process of its own (standard library only).

Tests that can share a process with the simulator use its Python API
(``tests/simulator/csoft_simulator.py``: ``start_pair()``). The benchmarks
(which must not share the GIL with the client), ``scripts/demo.sh`` (through
``cli.py``) and the integration targets (through their ``simctl.py``) start
it as a process instead:

* ``command(workdir, ...)``: its command line, a primary and a secondary on
  free ports of 127.0.0.1, the ready file ``workdir/ready.json`` (and the CA
  in ``workdir/ca.pem`` with TLS);
* ``wait_ready(path, seconds, alive)``: wait for the ready file the simulator
  writes (atomically) once it listens, while ``alive()``;
* ``SimulatorProcess``: both, with the PID in ``workdir/pid`` and the output
  in ``workdir/simulator.log``; ``stop()``;
* ``stop_pid(pid, grace)``: SIGTERM, SIGKILL after ``grace`` seconds;
* ``control(url, action, payload, ca)``: one request to the ``/_sim/`` control
  API of the server of ``url``; ``inject_reply`` and ``inbox`` use it to queue
  a reply for CollectMessages and to read the queue.
"""

import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from .network import closed_port

SIMULATOR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "simulator", "csoft_simulator.py")


class SimulatorError(RuntimeError):
    """The simulator did not start."""


class ControlError(RuntimeError):
    """The simulator's control API refused a request (its status and error text are in the message)."""


def ready_path(workdir):
    return os.path.join(workdir, "ready.json")


def command(workdir, python=None, tls=False, host="127.0.0.1", accounts=None):
    """The simulator's command line: primary and secondary on free ports of ``host``, ready file in ``workdir``."""
    argv = [python or sys.executable, SIMULATOR, "--host", host, "--port", "0", "--secondary-port", "0", "--ready-file", ready_path(workdir)]
    if accounts:
        argv += ["--accounts", os.path.abspath(accounts)]
    if tls:
        argv += ["--tls", "--ca-out", os.path.join(workdir, "ca.pem")]
    return argv


def write_pid(workdir, pid):
    with open(os.path.join(workdir, "pid"), "w") as handle:
        handle.write(f"{pid}\n")


def read_pid(workdir):
    try:
        with open(os.path.join(workdir, "pid")) as handle:
            return int(handle.read())
    except (OSError, ValueError):
        return None


def _state(pid):
    """The process state letter of ``pid`` from /proc (``"Z"`` for a zombie), or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            # "PID (COMM) STATE ...": COMM may hold spaces and parentheses, so split at the last ")"
            return handle.read().rpartition(b")")[2].split()[0].decode()
    except (OSError, IndexError):
        return None


def alive(pid):
    """True while ``pid`` runs the simulator (a reused PID is not ours, a zombie is gone).

    While a process is inside execve() the kernel shows an empty command line for a
    moment (the new image is mapped, its arguments not yet); that process is still
    ours, on its way to becoming the simulator, so it counts as alive.
    """
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            cmdline = handle.read()
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True
    if b"csoft_simulator" in cmdline:
        return True
    return cmdline == b"" and _state(pid) not in (None, "Z", "X")


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def wait_ready(path, seconds, alive=lambda: True):
    """Wait for the simulator's ready file at ``path``; return its JSON plus ``closed``.

    ``closed`` is a URL of the primary's scheme where nothing listens (for
    fail-over tests). Raises SimulatorError when ``alive()`` turns false or
    ``seconds`` pass first. The file is written atomically: complete once it exists.
    """
    if not wait_for(lambda: os.path.exists(path) or not alive(), seconds):
        raise SimulatorError(f"the simulator wrote no ready file {path} within {seconds:g} s")
    if not os.path.exists(path):
        raise SimulatorError("the simulator exited before it was ready")
    with open(path) as handle:
        ready = json.load(handle)
    ready["closed"] = closed_port(scheme=urlsplit(ready["primary"]).scheme)
    return ready


def stop_pid(pid, grace):
    """SIGTERM the simulator ``pid`` (SIGKILL after ``grace`` seconds); return the last signal sent, or None if it was not running."""
    if not alive(pid):
        return None
    os.kill(pid, signal.SIGTERM)
    if wait_for(lambda: not alive(pid), grace):
        return "TERM"
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not alive(pid), 10)
    return "KILL"


class SimulatorProcess:
    """Start the simulator as a child process in ``workdir`` and wait until it is ready.

    ``primary``, ``secondary``, ``ca`` (with TLS), ``closed`` and ``pid``
    come from its ready file. ``detach=True`` starts it in a session of its
    own, to outlive the caller (``cli.py start``). A context manager.
    """

    def __init__(self, workdir, tls=False, python=None, timeout=20, detach=False, accounts=None):
        os.makedirs(workdir, mode=0o700, exist_ok=True)
        self.workdir = workdir
        self.log_path = os.path.join(workdir, "simulator.log")
        with open(self.log_path, "wb") as log:
            argv = command(workdir, python, tls, accounts=accounts)
            self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=workdir, start_new_session=detach)
        self.pid = self.proc.pid
        write_pid(workdir, self.pid)
        try:
            self.ready = wait_ready(ready_path(workdir), timeout, lambda: self.proc.poll() is None)
        except SimulatorError as exc:
            self.stop()
            with open(self.log_path, errors="replace") as log:
                raise SimulatorError(f"{exc}; its output: {log.read()[-2000:]}") from None
        self.primary, self.secondary = self.ready["primary"], self.ready["secondary"]
        self.ca, self.closed = self.ready["ca"], self.ready["closed"]

    def stop(self, grace=10):
        """SIGTERM (the simulator exits 0 and removes its ready file), SIGKILL after ``grace`` seconds."""
        if self.proc.poll() is None:
            stop_pid(self.pid, grace)
        self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def control(url, action, payload=None, ca=None, timeout=10):
    """``(status, JSON answer)`` of ``/_sim/<action>`` on the server of ``url`` (its SOAP or base URL).

    POST ``payload`` as JSON when it is not None, else GET; never through a proxy;
    ``ca``: the CA file of a TLS simulator. An HTTP error status is returned, not raised.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValueError("the simulator's URL must be http:// or https://")
    data = None if payload is None else json.dumps(payload).encode("utf-8")
    context = ssl.create_default_context(cafile=ca) if ca else None
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
    opener.addheaders = [("Content-Type", "application/json")]
    try:
        with opener.open(f"{parts.scheme}://{parts.netloc}/_sim/{action}", data, timeout) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.load(exc)


def _checked(status, answer, action):
    if status != 200:
        raise ControlError(f"/_sim/{action} answered {status}: {answer.get('error')}")
    return answer


def inject_reply(base_url, username, sender, text, *, to=None, received=None, delay=None, keep=None, ca=None):
    """Queue a reply from ``sender`` to ``username`` for CollectMessages (``POST /_sim/inbox``); return ``{"ok", "queued"}``.

    ``to``, ``received`` (sent as is in Timestamp1), ``delay`` (seconds) and ``keep`` are
    left to the simulator's defaults when None. Raises ControlError when it is refused.
    """
    options = {"to": to, "received": received, "delay": delay, "keep": keep}
    payload = dict({"username": username, "from": sender, "text": text}, **{key: value for key, value in options.items() if value is not None})
    return _checked(*control(base_url, "inbox", payload, ca), "inbox")


def inbox(base_url, *, ca=None):
    """The simulator's inbound queue (``GET /_sim/inbox``): every reply, due or not, oldest first."""
    return _checked(*control(base_url, "inbox", ca=ca), "inbox")
