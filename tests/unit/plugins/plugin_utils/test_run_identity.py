# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The run's identity: main PID, start time, boot id, and whether a run read back from disk still runs."""

import multiprocessing
import os
import time

import pytest

from ansible_collections.csoft.sms.plugins.plugin_utils import _run_identity as ident_mod

HAS_PROC = os.path.exists("/proc/self/stat")


def test_run_identity_outside_a_worker_is_this_process():
    ident = ident_mod.run_identity()
    assert ident["pid"] == os.getpid()
    if HAS_PROC:
        assert ident["start"].startswith("proc:")
        assert ident["boot"]


def test_main_pid_in_a_worker_is_the_parent(monkeypatch):
    monkeypatch.setattr(ident_mod, "_in_ansible_worker", lambda: True)
    assert ident_mod.main_pid() == os.getppid()  # pytest has no multiprocessing parent: the OS parent


def test_outside_ansible_no_worker():
    assert ident_mod._in_ansible_worker() is False


@pytest.mark.skipif(not HAS_PROC, reason="needs /proc")
def test_start_time_tells_a_reused_pid_apart():
    # Two processes started 50 ms apart (the start time counts clock ticks of 10 ms): not this test's own
    # process, which ansible-test forks for each test, possibly in the same tick as a child.
    earlier = multiprocessing.get_context("fork").Process(target=time.sleep, args=(0.5,))
    earlier.start()
    time.sleep(0.05)
    child = multiprocessing.get_context("fork").Process(target=time.sleep, args=(0.5,))
    child.start()
    try:
        start = ident_mod.process_start_time(child.pid)
        assert start and start != ident_mod.process_start_time(earlier.pid)
        assert ident_mod.run_is_alive({"pid": child.pid, "start": start, "boot": ident_mod.boot_id()}) is True
        assert ident_mod.run_is_alive({"pid": child.pid, "start": "proc:1", "boot": ident_mod.boot_id()}) is False
    finally:
        child.join()
        earlier.join()
    assert ident_mod.run_is_alive({"pid": child.pid, "start": start, "boot": ident_mod.boot_id()}) is False


def test_start_time_is_read_afresh_for_a_reused_pid(monkeypatch):
    # Two processes, one after the other, with the same PID: the second must not get the first's start time.
    stats = iter([b"4242 (ansible-playbook) S" + b" 1" * 18 + b" 1000 rest", b"4242 (ansible playbook) S" + b" 1" * 18 + b" 2000 rest"])
    monkeypatch.setattr(ident_mod, "_read_small", lambda path, limit=4096: next(stats))
    assert ident_mod.process_start_time(4242) == "proc:1000"
    assert ident_mod.process_start_time(4242) == "proc:2000"


@pytest.mark.skipif(not HAS_PROC, reason="needs /proc")
def test_a_run_of_another_boot_is_over():
    assert ident_mod.run_is_alive({"pid": os.getpid(), "start": ident_mod.process_start_time(os.getpid()), "boot": "another-boot"}) is False
    assert ident_mod.run_is_alive({"pid": os.getpid(), "start": ident_mod.process_start_time(os.getpid()), "boot": ident_mod.boot_id()}) is True


def test_a_run_without_a_start_time_is_unknown():
    assert ident_mod.run_is_alive({"pid": os.getpid(), "start": None, "boot": None}) is None


@pytest.mark.parametrize(
    "identity",
    [
        None,
        [],
        "1",
        {},
        {"pid": "123"},
        {"pid": True},
        {"pid": 0},  # os.kill(0, 0) would ask about this process group
        {"pid": -1},  # ... and -1 about every process
        {"pid": 1.5},
        {"pid": float("inf")},
        {"pid": 10**30},
        {"pid": 2**31},
        {"pid": None},
        {"pid": [1]},
    ],
)
def test_a_hostile_identity_is_unknown_never_an_exception(identity):
    # Identities come back from files in the cache folder: whatever they hold, the answer is "unknown".
    assert ident_mod.run_is_alive(identity) is None


@pytest.mark.parametrize("field", [{"start": 5}, {"start": ["proc:1"]}, {"boot": 7}, {"boot": {"a": 1}}])
def test_odd_start_or_boot_fields_are_no_exception(field):
    assert ident_mod.run_is_alive(dict({"pid": os.getpid(), "start": "proc:1", "boot": None}, **field)) in (None, False)
