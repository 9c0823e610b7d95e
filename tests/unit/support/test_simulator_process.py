# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/support/simulator.py and cli.py: the simulator as a process of its own, started, ready and stopped."""

import io
import json
import os
import subprocess
import sys
import time

import requests

from ansible_collections.csoft.sms.plugins.module_utils._client import CsoftClient
from ansible_collections.csoft.sms.plugins.module_utils._submit import prepare_submit, submit_message
from ansible_collections.csoft.sms.tests.support import cli, simulator
from ansible_collections.csoft.sms.tests.support.accounts import ACCOUNTS_FILE, LOW_PIN, LOW_USERNAME, PIN, USERNAME


def counts(url):
    with requests.Session() as session:
        session.trust_env = False
        return session.get(url.rsplit("/", 1)[0] + "/_sim/counts", timeout=5).json()


def test_simulator_process_is_ready_and_stops_cleanly(tmp_path):
    with simulator.SimulatorProcess(str(tmp_path / "sim")) as process:
        assert process.primary.startswith("http://127.0.0.1:") and process.secondary.startswith("http://127.0.0.1:")
        assert process.closed.startswith("http://127.0.0.1:") and process.ca is None
        assert simulator.read_pid(process.workdir) == process.pid == process.ready["pid"]
        assert counts(process.primary)["total"] == 0
    assert process.proc.returncode == 0  # SIGTERM: the simulator exits 0
    assert not os.path.exists(simulator.ready_path(process.workdir))


def test_cli_starts_and_stops_a_simulator_in_the_background(tmp_path):
    workdir = str(tmp_path / "sim")
    script = os.path.abspath(cli.__file__)
    started = subprocess.run([sys.executable, script, "start", workdir, "--prefix", "csoft_demo_"], capture_output=True, text=True, timeout=60, check=True)
    ready = json.loads(started.stdout)
    try:
        assert sorted(ready) == ["csoft_demo_ca", "csoft_demo_closed", "csoft_demo_pid", "csoft_demo_primary", "csoft_demo_secondary"]
        assert simulator.alive(ready["csoft_demo_pid"])
        assert counts(ready["csoft_demo_secondary"])["invalid"] == 0
    finally:
        subprocess.run([sys.executable, script, "stop", workdir], timeout=60, check=True)
    assert not simulator.alive(ready["csoft_demo_pid"])
    assert not os.path.exists(simulator.ready_path(workdir))


def test_cli_prints_the_messages_of_both_servers_oldest_first(tmp_path):
    workdir = str(tmp_path / "sim")
    with simulator.SimulatorProcess(workdir, tls=True) as process:
        for url, text in ((process.secondary, "first, on the secondary"), (process.primary, "then on the primary")):
            with CsoftClient.from_values(USERNAME, PIN, endpoints=[url], ca_path=process.ca) as client:
                submit_message(client, prepare_submit(["447700900123"], text))
        printed = subprocess.run([sys.executable, os.path.abspath(cli.__file__), "messages", workdir], capture_output=True, text=True, timeout=60, check=True)
    assert printed.stdout.splitlines() == [
        "to 447700900123 (MessageIdentifier 1000): first, on the secondary",
        "to 447700900123 (MessageIdentifier 1000): then on the primary",
    ]


def test_default_accounts_are_those_of_the_simulator():
    with open(ACCOUNTS_FILE) as handle:
        pins = {account["username"]: account["pin"] for account in json.load(handle)["accounts"]}
    assert pins[USERNAME] == PIN and pins[LOW_USERNAME] == LOW_PIN


def test_cli_reply_waits_for_the_question_then_queues_the_reply(tmp_path):
    workdir = str(tmp_path / "sim")
    script = os.path.abspath(cli.__file__)
    with simulator.SimulatorProcess(workdir, tls=True) as process:
        command = [sys.executable, script, "reply", workdir, "447700900123", "YES", "--after", "Deploy?", "--timeout", "0.5"]
        # no question yet: one line, exit 1, nothing queued
        refused = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        assert refused.returncode == 1 and refused.stderr.strip().count("\n") == 0
        assert "accepted no SMS holding 'Deploy?' within 0.5 s" in refused.stderr
        assert simulator.inbox(process.primary, ca=process.ca) == []
        with CsoftClient.from_values(USERNAME, PIN, endpoints=[process.primary], ca_path=process.ca) as client:
            submit_message(client, prepare_submit(["447700900123"], "Deploy? Reply YES or NO"))
        subprocess.run([*command, "--delay", "30"], capture_output=True, text=True, timeout=60, check=True)
        (queued,) = simulator.inbox(process.primary, ca=process.ca)
    assert (queued["username"], queued["from"], queued["text"]) == (USERNAME, "447700900123", "YES")
    assert queued["due"] > time.time() + 20  # --delay 30: not collectable yet


# A shell that execs itself COUNT more times, every image with "csoft_simulator" in its argv,
# as simctl.py's "exec" becomes the simulator: each execve() shows an empty command line for a
# moment (a quarter of the reads of /proc/PID/cmdline in this loop, measured).
_EXEC_CHAIN = 'n=$1; if [ "$n" -gt 0 ]; then exec /bin/sh -c "$0" "$0" $((n-1)) csoft_simulator; fi'


def test_alive_holds_through_exec_and_ends_with_the_process():
    """The integration setup read a simulator inside execve() as "exited before it was ready" (a CI failure)."""
    process = subprocess.Popen(["/bin/sh", "-c", _EXEC_CHAIN, _EXEC_CHAIN, "300", "csoft_simulator"])  # noqa: S603, S607
    reads = 0
    try:
        while True:
            if simulator.alive(process.pid):
                reads += 1
                continue
            # not alive: only once the process has ended (a zombie counts as gone, and poll() reaps it)
            assert process.poll() is not None, f"alive() was false while the process was still exec'ing (after {reads} reads)"
            break
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0 and reads > 300
    assert not simulator.alive(process.pid)


def _fake_proc(monkeypatch, cmdline, stat):
    real_open = open

    def fake_open(path, *args, **kwargs):
        if path == "/proc/4242/cmdline":
            return _bytes(cmdline)
        if path == "/proc/4242/stat":
            return _bytes(stat)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(simulator, "open", fake_open, raising=False)


def _bytes(data):
    if data is None:
        raise FileNotFoundError("gone")
    return io.BytesIO(data)


def test_alive_reads_the_process_state_of_an_empty_command_line(monkeypatch):
    _fake_proc(monkeypatch, b"", b"4242 (python3) R 1 2 3")
    assert simulator.alive(4242)
    _fake_proc(monkeypatch, b"", b"4242 (odd ) Z name) S 1 2 3")  # the state follows the last ")"
    assert simulator.alive(4242)
    _fake_proc(monkeypatch, b"", b"4242 (python3) Z 1 2 3")  # a zombie has ended
    assert not simulator.alive(4242)
    _fake_proc(monkeypatch, b"", None)  # gone between the two reads
    assert not simulator.alive(4242)
    _fake_proc(monkeypatch, b"/usr/bin/sleep\x00100\x00", b"4242 (sleep) S 1 2 3")  # a reused PID
    assert not simulator.alive(4242)
    _fake_proc(monkeypatch, b"python3\x00/x/csoft_simulator.py\x00", b"4242 (python3) S 1 2 3")
    assert simulator.alive(4242)
