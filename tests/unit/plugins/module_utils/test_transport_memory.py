# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Peak memory of a process that meets a 50 MB answer stays within 20 MB of one that meets normal answers.

The client runs in a fresh subprocess (so nothing else in the pytest process
counts); the services run here: the simulator (``big:50``, which announces its
length) and a raw server that streams 50 MB with no length (chunked, or ended
by closing the connection), which the client can only stop by counting (tests/support/network.py).
Two measurements: the process's peak RSS (``VmHWM``) after normal answers
and after the hostile ones, and the peak of Python allocations (tracemalloc)
during one normal and one hostile call. A control run proves the measurement
sees a client that reads the whole answer.
"""

import json
import os
import subprocess
import sys

import pytest

from ansible_collections.csoft.sms.tests.simulator import csoft_simulator as sim
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.network import MIB, StreamingServer
from ansible_collections.csoft.sms.tests.support.playbook_env import collections_base

LIMIT = 20 * MIB

CHILD = r"""
import gc, json, resource, sys, tracemalloc
from ansible_collections.csoft.sms.plugins.module_utils._client import CsoftClient
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftError

normal, hostile, mode, username, pin = json.loads(sys.argv[1])

def peak_rss():
    # VmHWM is this process's own peak. ru_maxrss also counts the parent's peak at the time of
    # exec (the kernel carries it over from the vfork'ed memory), so a large pytest process would hide growth.
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) * 1024  # kB
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux

def query(url):
    with CsoftClient.from_values(username, pin, endpoints=[url], timeout=30) as c:
        try:
            c.available_credit(); c.available_messages(); c.permitted_reply_to()
            return "ok"
        except CsoftError as exc:
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


@pytest.fixture(scope="module")
def services():
    pair = sim.start_pair()
    pair.secondary.set_mode("big:50")
    chunked, unframed = StreamingServer("chunked", mib=50), StreamingServer("close", mib=50)
    try:
        yield pair.primary.url, {"big:50 (Content-Length)": pair.secondary.url, "chunked 50 MB": chunked.url, "close-delimited 50 MB": unframed.url}
    finally:
        chunked.stop()
        unframed.stop()
        pair.stop()


def run_child(normal, hostile, mode):
    env = dict(os.environ, PYTHONPATH=collections_base(), NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
    argument = json.dumps([normal, hostile, mode, USERNAME, PIN])
    done = subprocess.run([sys.executable, "-c", CHILD, argument], capture_output=True, text=True, timeout=120, env=env, check=False)
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
