# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The per-run lookup cache: file modes, keys, expiry, locking and clean-up (no network); hostile files and folders: test_cache_files.py."""

import hashlib
import json
import multiprocessing
import os
import stat
import time

import pytest

from ansible_collections.csoft.sms.plugins.plugin_utils import _cache as cache_mod
from ansible_collections.csoft.sms.plugins.plugin_utils._cache import CacheError, RunCache
from ansible_collections.csoft.sms.plugins.plugin_utils._run_identity import boot_id, run_identity
from ansible_collections.csoft.sms.tests.support.accounts import LOW_PIN as OTHER_PIN
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME

ENDPOINTS = ("http://127.0.0.1:1/sendsms5", "http://127.0.0.1:2/sendsms5")
VALUE = {"credit": "2.8950", "currency": "GBP"}


class Clock:
    def __init__(self, now=1_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def directory(tmp_path):
    return str(tmp_path / "cache")


def identity(pid=None, start="proc:123", boot="boot-a"):
    return {"pid": os.getpid() if pid is None else pid, "start": start, "boot": boot}


def new_cache(directory, ttl=120, clock=None, ident=None):
    return RunCache(ttl, directory=directory, identity=ident or identity(), clock=clock or time.time)


def store(cache, operation="AvailableCredit", value=None, pin=PIN):
    key = cache.key(ENDPOINTS, USERNAME, pin, operation)
    cache.put(key, value if value is not None else VALUE)
    return key


# Files and permissions ----------------------------------------------------------------


def test_directory_is_0700_and_files_0600(directory):
    cache = new_cache(directory)
    key = store(cache)
    with cache.locked(key):
        pass
    assert stat.S_IMODE(os.lstat(directory).st_mode) == 0o700
    names = os.listdir(directory)
    assert any(name.endswith(".json") for name in names) and any(name.endswith(".lock") for name in names)
    for name in names:
        assert stat.S_IMODE(os.lstat(os.path.join(directory, name)).st_mode) == 0o600, name


def test_file_holds_values_but_no_pin_and_no_plain_pin_hash(directory):
    cache = new_cache(directory)
    store(cache)
    store(cache, "AvailableMessages", 24)
    data = b"".join(open(os.path.join(directory, name), "rb").read() for name in os.listdir(directory))
    assert b"2.8950" in data
    assert PIN.encode() not in data
    for algorithm in ("md5", "sha1", "sha256", "sha512"):
        assert hashlib.new(algorithm, PIN.encode()).hexdigest().encode() not in data
    assert USERNAME.encode() not in data


def test_refuses_a_symlinked_directory(tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    link = tmp_path / "cache"
    link.symlink_to(target)
    with pytest.raises(CacheError, match="symbolic link"):
        new_cache(str(link))


def test_refuses_a_directory_others_can_use(directory):
    os.mkdir(directory, 0o700)
    os.chmod(directory, 0o777)  # noqa: S103  # the unsafe directory under test
    with pytest.raises(CacheError, match="accessible to other users"):
        new_cache(directory)


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a directory's owner needs root")
def test_refuses_a_directory_of_another_user(directory):
    os.mkdir(directory, 0o700)
    os.chown(directory, 4242, -1)
    with pytest.raises(CacheError, match="belongs to another user"):
        new_cache(directory)


def test_writes_are_atomic_replacements(directory):
    cache = new_cache(directory)
    store(cache)
    before = os.stat(cache.path).st_ino
    store(cache, "AvailableMessages", 24)
    assert os.stat(cache.path).st_ino != before  # a new file was renamed over the old one
    assert not [name for name in os.listdir(directory) if name.endswith(".tmp")]


def test_a_damaged_file_is_a_miss_and_is_replaced(directory):
    cache = new_cache(directory)
    key = store(cache)
    with open(cache.path, "w") as handle:
        handle.write("{not json")
    assert cache.get(key) is RunCache.MISS
    store(cache)
    assert cache.get(key) == {"credit": "2.8950", "currency": "GBP"}


# Keys ----------------------------------------------------------------------------------


def test_key_is_stable_within_a_run(directory):
    first = new_cache(directory)
    second = new_cache(directory)  # another worker of the same run
    assert first.key(ENDPOINTS, USERNAME, PIN, "AvailableCredit") == second.key(ENDPOINTS, USERNAME, PIN, "AvailableCredit")


@pytest.mark.parametrize(
    "change",
    [
        {"pin": OTHER_PIN},
        {"username": "Low.account"},
        {"endpoints": ENDPOINTS[:1]},
        {"endpoints": tuple(reversed(ENDPOINTS))},
        {"operation": "AvailableMessages"},
    ],
)
def test_key_changes_with_each_input(directory, change):
    cache = new_cache(directory)
    base = {"endpoints": ENDPOINTS, "username": USERNAME, "pin": PIN, "operation": "AvailableCredit"}
    assert cache.key(**base) != cache.key(**dict(base, **change))


def test_same_pin_gives_another_key_in_another_run(directory):
    one = new_cache(directory, ident=identity(start="proc:1"))
    two = new_cache(directory, ident=identity(start="proc:2"))
    assert one.path != two.path
    assert one.salt != two.salt
    assert one.key(ENDPOINTS, USERNAME, PIN, "AvailableCredit") != two.key(ENDPOINTS, USERNAME, PIN, "AvailableCredit")


def test_other_pin_does_not_see_the_value(directory):
    cache = new_cache(directory)
    store(cache)
    assert cache.get(cache.key(ENDPOINTS, USERNAME, OTHER_PIN, "AvailableCredit")) is RunCache.MISS


def test_another_run_does_not_see_the_value(directory):
    store(new_cache(directory, ident=identity(start="proc:1")))
    other = new_cache(directory, ident=identity(start="proc:2"))
    assert other.get(other.key(ENDPOINTS, USERNAME, PIN, "AvailableCredit")) is RunCache.MISS


# Expiry ----------------------------------------------------------------------------------


def test_entries_expire_after_the_ttl(directory):
    clock = Clock()
    cache = new_cache(directory, ttl=60, clock=clock)
    key = store(cache)
    clock.now += 60
    assert cache.get(key) == {"credit": "2.8950", "currency": "GBP"}
    clock.now += 1
    assert cache.get(key) is RunCache.MISS


def test_entries_from_the_future_are_distrusted(directory):
    clock = Clock()
    cache = new_cache(directory, clock=clock)
    key = store(cache)
    clock.now -= 3600
    assert cache.get(key) is RunCache.MISS


@pytest.mark.parametrize("ttl", [0, -5, cache_mod.MAX_TTL + 1])
def test_ttl_outside_minutes_is_refused(directory, ttl):
    with pytest.raises(CacheError, match="TTL"):
        new_cache(directory, ttl=ttl)


# Locking -------------------------------------------------------------------------------


def _worker(directory, ident, queries_path, barrier):
    cache = RunCache(120, directory=directory, identity=ident)
    key = cache.key(ENDPOINTS, USERNAME, PIN, "AvailableCredit")
    barrier.wait()
    with cache.locked(key):
        if cache.get(key) is RunCache.MISS:
            with open(queries_path, "a") as handle:
                handle.write("query\n")
            time.sleep(0.3)  # a slow service: everyone else is waiting right now
            cache.put(key, {"credit": "2.8950", "currency": "GBP"})


def test_lock_lets_one_of_many_processes_query(directory, tmp_path):
    context = multiprocessing.get_context("fork")
    queries = tmp_path / "queries.txt"
    queries.write_text("")
    ident = identity()
    new_cache(directory, ident=ident).salt  # noqa: B018  # created once, as the first worker would
    barrier = context.Barrier(12)
    workers = [context.Process(target=_worker, args=(directory, ident, str(queries), barrier)) for _worker_number in range(12)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert [worker.exitcode for worker in workers] == [0] * 12
    assert queries.read_text().count("query") == 1


def test_lock_excludes_within_one_process_too(directory):
    cache = new_cache(directory)
    key = cache.key(ENDPOINTS, USERNAME, PIN, "AvailableCredit")
    path = os.path.join(directory, f"run-{cache.run_id}.{key[:32]}.lock")
    import fcntl

    with cache.locked(key):
        fd = os.open(path, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released after the block
    finally:
        os.close(fd)


# Clean-up -----------------------------------------------------------------------------------


def test_files_of_finished_runs_are_removed(directory):
    finished = multiprocessing.get_context("fork").Process(target=int)
    finished.start()
    finished.join()
    dead = new_cache(directory, ident={"pid": finished.pid, "start": "proc:1", "boot": boot_id()})
    store(dead)
    with dead.locked(dead.key(ENDPOINTS, USERNAME, PIN, "AvailableCredit")):
        pass
    alive = new_cache(directory, ident=run_identity())
    store(alive)
    assert os.path.exists(alive.path)
    current = new_cache(directory, ident=identity(start="proc:fresh", boot=boot_id()))
    current.salt  # noqa: B018  # creating a run file cleans up
    names = os.listdir(directory)
    assert not [name for name in names if name.startswith(f"run-{dead.run_id}")]
    assert os.path.basename(alive.path) in names
    assert os.path.basename(current.path) in names


def test_json_document_shape(directory):
    cache = new_cache(directory)
    key = store(cache)
    document = json.loads(open(cache.path).read())
    assert set(document) == {"format", "run", "salt", "entries"}
    assert document["run"] == identity()
    assert len(document["salt"]) == 32
    assert set(document["entries"]) == {key}
