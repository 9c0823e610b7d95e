# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Peak memory of a process that meets a 50 MB answer stays within 20 MB of one that meets normal answers.

The client runs in a fresh subprocess (so nothing else in the pytest process
counts); the services run here: the simulator (``big:50``, which announces its
length) and a raw server that streams 50 MB with no length (chunked, or ended
by closing the connection), which the client can only stop by counting.
Two measurements: the process's peak RSS (``ru_maxrss``) after normal answers
and after the hostile ones, and the peak of Python allocations (tracemalloc)
during one normal and one hostile call. A control run proves the measurement
sees a client that reads the whole answer.
"""

import json
import os
import socket
import subprocess
import sys
import threading

import pytest

import ansible_collections
from ansible_collections.csoft.sms.tests.simulator import csoft_simulator as sim

MIB = 1024 * 1024
LIMIT = 20 * MIB

CHILD = r"""
import gc, json, resource, sys, tracemalloc
from ansible_collections.csoft.sms.plugins.module_utils import _client as client

normal, hostile, mode = json.loads(sys.argv[1])

def peak_rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux

def query(url):
    with client.CsoftClient("ANother.123456", "Sim7PinQx42Zr9Lk", endpoints=[url], timeout=30) as c:
        try:
            c.available_credit(); c.available_messages(); c.permitted_reply_to()
            return "ok"
        except client.CsoftError as exc:
            return type(exc).__name__ + ": " + str(exc)[:120]

result = {}
if mode == "control":  # what reading the whole answer costs: the measurement must see it
    import requests
    for _ in range(3):
        query(normal)
    result["normal_rss"] = peak_rss()
    for name, url in hostile.items():
        size = len(requests.post(url, data=b"x", headers={"Content-Type": "text/xml", "SOAPAction": '""'}, timeout=30).content)
        result[name] = {"rss": peak_rss(), "outcome": f"read {size} bytes"}
elif mode == "rss":
    for _ in range(3):  # every code path and import warmed up on normal answers
        query(normal)
    gc.collect()
    result["normal_rss"] = peak_rss()
    for name, url in hostile.items():
        outcome = query(url)
        gc.collect()
        result[name] = {"rss": peak_rss(), "outcome": outcome}
else:  # tracemalloc: peak of Python allocations during one call
    query(normal)
    tracemalloc.start()
    query(normal)
    result["normal_traced"] = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    for name, url in hostile.items():
        tracemalloc.start()
        outcome = query(url)
        result[name] = {"traced": tracemalloc.get_traced_memory()[1], "outcome": outcome}
        tracemalloc.stop()
print(json.dumps(result))
"""


def collections_base():
    for path in ansible_collections.__path__:
        if os.path.isdir(os.path.join(path, "csoft", "sms")):
            return os.path.dirname(path)
    raise RuntimeError("csoft.sms is not on the Python path")  # pragma: no cover


def _close_gracefully(conn):
    """Close without a reset: bytes of the request still unread (its body) would make close() send RST,
    and the client could lose the end of the answer it has not read yet."""
    try:
        conn.shutdown(socket.SHUT_WR)
        conn.settimeout(10)
        while conn.recv(65536):
            pass
    except OSError:
        pass
    finally:
        conn.close()


class StreamServer:
    """Answers every request with 50 MB of XML comment and no Content-Length (chunked or close-delimited)."""

    def __init__(self, chunked):
        self.chunked = chunked
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/sendsms5"
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn = self.sock.accept()[0]
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        framing = b"Transfer-Encoding: chunked" if self.chunked else b"Connection: close"
        piece = b"<!--" + b"x" * (65536 - 7) + b"-->"
        try:
            conn.settimeout(30)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n" + framing + b"\r\n\r\n")
            for data in [b"<?xml version='1.0'?>"] + [piece] * (50 * MIB // len(piece)):
                conn.sendall(b"%x\r\n%s\r\n" % (len(data), data) if self.chunked else data)
            if self.chunked:
                conn.sendall(b"0\r\n\r\n")
        except OSError:
            pass
        finally:
            _close_gracefully(conn)

    def stop(self):
        self.sock.close()


@pytest.fixture(scope="module")
def services():
    pair = sim.start_pair()
    pair.secondary.set_mode("big:50")
    chunked, unframed = StreamServer(chunked=True), StreamServer(chunked=False)
    try:
        yield pair.primary.url, {"big:50 (Content-Length)": pair.secondary.url, "chunked 50 MB": chunked.url, "close-delimited 50 MB": unframed.url}
    finally:
        chunked.stop()
        unframed.stop()
        pair.stop()


def run_child(normal, hostile, mode):
    env = dict(os.environ, PYTHONPATH=collections_base(), NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps([normal, hostile, mode])], capture_output=True, text=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def mib(value):
    return f"{value / MIB:.2f} MiB"


def test_peak_rss_grows_less_than_20_mb(services):
    normal, hostile = services
    result = run_child(normal, hostile, "rss")
    base = result["normal_rss"]
    for name in hostile:
        outcome, rss = result[name]["outcome"], result[name]["rss"]
        assert "larger than" in outcome, f"{name}: {outcome}"
        assert rss - base < LIMIT, f"{name}: peak RSS {mib(rss)} after the 50 MB answer vs {mib(base)} after normal answers (+{mib(rss - base)})"
    print(f"peak RSS: normal {mib(base)}; " + "; ".join(f"{name} {mib(result[name]['rss'])} (+{mib(result[name]['rss'] - base)})" for name in hostile))


def test_python_allocations_peak_stays_small(services):
    normal, hostile = services
    result = run_child(normal, hostile, "traced")
    base = result["normal_traced"]
    for name in hostile:
        traced = result[name]["traced"]
        assert "larger than" in result[name]["outcome"], result[name]["outcome"]
        assert traced - base < LIMIT, f"{name}: tracemalloc peak {mib(traced)} during the 50 MB answer vs {mib(base)} during a normal call"
    print(f"tracemalloc peak: normal {mib(base)}; " + "; ".join(f"{name} {mib(result[name]['traced'])}" for name in hostile))


def test_measurement_sees_a_client_that_reads_everything(services):
    """Control: plain requests reading the chunked 50 MB answer whole raises the peak RSS by far more than the limit."""
    normal, hostile = services
    result = run_child(normal, {"chunked 50 MB": hostile["chunked 50 MB"]}, "control")
    grown = result["chunked 50 MB"]["rss"] - result["normal_rss"]
    print(f"control (plain requests, whole answer): peak RSS +{mib(grown)}")
    assert result["chunked 50 MB"]["outcome"].startswith("read 5")
    assert grown > 2 * LIMIT, f"the control only grew by {mib(grown)}: the RSS measurement cannot see a 50 MB read"
