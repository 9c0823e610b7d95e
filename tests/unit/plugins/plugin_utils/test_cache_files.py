# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The cache's folder and files as hostile input: FIFOs, links, deep or odd JSON, folders of others, the fallback folder."""

import json
import os
import signal
import stat
import tempfile
import threading
import time

import pytest

from ansible_collections.csoft.sms.plugins.plugin_utils import _cache as cache_mod
from ansible_collections.csoft.sms.plugins.plugin_utils import _cache_files as files
from ansible_collections.csoft.sms.plugins.plugin_utils._cache import CacheError, RunCache
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME

ENDPOINTS = ("http://127.0.0.1:1/sendsms5",)
VALUE = {"credit": "2.8950", "currency": "GBP"}


@pytest.fixture
def directory(tmp_path):
    return str(tmp_path / "cache")


def identity():
    return {"pid": os.getpid(), "start": "proc:123", "boot": "boot-a"}


def new_cache(directory):
    return RunCache(120, directory=directory, identity=identity())


def store(cache):
    key = cache.key(ENDPOINTS, USERNAME, PIN, "AvailableCredit")
    cache.put(key, VALUE)
    return key


@pytest.fixture
def deadline():
    """Fail, rather than hang, when a test blocks (a FIFO opened for reading waits for a writer forever)."""

    def expire(signum, frame):
        raise TimeoutError("the cache blocked")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


# Hostile files in the folder ------------------------------------------------------------


def _document(cache, entry_text):
    """``(key, text)``: a run file of ``cache``'s run, with a known salt, holding ``entry_text`` under ``key``."""
    salt = "ab" * 16
    key = cache_mod._digest("csoft.sms entry", cache.run_id, list(ENDPOINTS), USERNAME, "AvailableCredit", cache_mod._pin_mac(PIN, salt))
    run = json.dumps(cache.identity)
    return key, f'{{"format": 1, "run": {run}, "salt": "{salt}", "entries": {{"{key}": {entry_text}}}}}'


def _write(path, data):
    with open(path, "wb" if isinstance(data, bytes) else "w") as handle:
        handle.write(data)


# Each makes ``path`` hostile; ``decoy`` is a file outside the folder that holds a planted answer of this run.
HOSTILE_RUN_FILES = {
    "deeply nested array": lambda path, decoy: _write(path, "[" * 100_000),
    "deeply nested object": lambda path, decoy: _write(path, '{"a":' * 50_000),
    "FIFO": lambda path, decoy: os.mkfifo(path, 0o600),
    "symlink to a planted file": lambda path, decoy: os.symlink(decoy, path),
    "symlink to /dev/zero": lambda path, decoy: os.symlink("/dev/zero", path),
    "hard link to a planted file": lambda path, decoy: os.link(decoy, path),
    "planted, writable by others": lambda path, decoy: (_write(path, decoy.read_text()), os.chmod(path, 0o666)),  # noqa: S103
    "too large": lambda path, decoy: _write(path, " " * (4 * 1024 * 1024) + "{}"),
    "not UTF-8": lambda path, decoy: _write(path, b'{"format": 1, "\xff": 1}'),
    "huge integer": lambda path, decoy: _write(path, '{"format": ' + "9" * 5000 + "}"),
}


@pytest.mark.parametrize("make", HOSTILE_RUN_FILES.values(), ids=HOSTILE_RUN_FILES.keys())
def test_a_hostile_run_file_reads_as_absent_and_is_replaced(directory, tmp_path, deadline, make):
    cache = new_cache(directory)
    planted_key, planted = _document(cache, f'{{"time": {time.time()}, "value": "planted"}}')
    decoy = tmp_path / "decoy.json"
    decoy.write_text(planted)
    make(cache.path, decoy)
    key = cache.key(ENDPOINTS, USERNAME, PIN, "AvailableCredit")
    assert key != planted_key  # the planted salt was not taken
    assert cache.get(key) is RunCache.MISS and cache.get(planted_key) is RunCache.MISS
    store(cache)
    assert cache.get(key) == VALUE
    assert new_cache(directory).get(key) == VALUE  # another worker of the run reads it
    info = os.lstat(cache.path)
    assert stat.S_ISREG(info.st_mode) and info.st_nlink == 1 and stat.S_IMODE(info.st_mode) == 0o600
    assert decoy.read_text() == planted  # never followed, never written


@pytest.mark.parametrize("make", [lambda path: os.mkfifo(path, 0o600), lambda path: os.symlink("/dev/zero", path)], ids=["FIFO", "symlink"])
def test_a_hostile_lock_file_is_replaced(directory, deadline, make):
    cache = new_cache(directory)
    key = cache.key(ENDPOINTS, USERNAME, PIN, "AvailableCredit")  # creates the run file (and its lock)
    os.unlink(os.path.join(directory, f"run-{cache.run_id}.lock"))
    make(os.path.join(directory, f"run-{cache.run_id}.lock"))  # the run file's lock, taken by put()
    make(os.path.join(directory, f"run-{cache.run_id}.{key[:32]}.lock"))  # the entry's lock
    with cache.locked(key):
        store(cache)
    assert cache.get(key) == VALUE
    assert all(stat.S_ISREG(os.lstat(os.path.join(directory, name)).st_mode) for name in os.listdir(directory))


@pytest.mark.parametrize(
    "entry",
    ['{"time": NaN, "value": 1}', '{"time": Infinity, "value": 1}', '{"time": 1e400, "value": 1}', '{"time": "now", "value": 1}', '{"time": true, "value": 1}'],
)
def test_an_entry_without_a_usable_time_is_a_miss_and_put_still_works(directory, entry):
    cache = new_cache(directory)
    key, text = _document(cache, entry)
    with open(cache.path, "w") as handle:
        handle.write(text)
    assert cache.get(key) is RunCache.MISS
    cache.put(key, 5)
    assert cache.get(key) == 5


def test_a_salt_that_is_not_hex_is_replaced(directory):
    cache = new_cache(directory)
    with open(cache.path, "w") as handle:
        json.dump({"format": 1, "run": cache.identity, "salt": "zz" * 16, "entries": {}}, handle)
    key = store(cache)
    assert cache.get(key) == VALUE and len(cache.salt) == 32


def test_a_directory_in_the_way_is_one_cache_error(directory):
    cache = new_cache(directory)
    os.mkdir(cache.path)
    key = "k" * 64
    assert cache.get(key) is RunCache.MISS
    with pytest.raises(CacheError, match=r"^cannot write the cache file .*: a directory is in the way; remove it$"):
        cache.salt  # noqa: B018


def test_hostile_files_of_other_runs_are_removed_unread(directory, tmp_path, deadline):
    cache = new_cache(directory)
    os.mkfifo(os.path.join(directory, "run-fifo.json"), 0o600)
    decoy = tmp_path / "decoy.json"
    decoy.write_text('{"keep": "me"}')
    os.symlink(decoy, os.path.join(directory, "run-link.json"))
    with open(os.path.join(directory, "run-deep.json"), "w") as handle:
        handle.write("[" * 100_000)
    store(cache)  # creating the run file cleans up
    assert sorted(os.listdir(directory)) == sorted([os.path.basename(cache.path), f"run-{cache.run_id}.lock"])
    assert decoy.read_text() == '{"keep": "me"}'


# A folder it cannot trust ------------------------------------------------------------------


@pytest.fixture
def folders(tmp_path, monkeypatch):
    """(temporary directory, its default cache folder, the fallback folder) of a test user."""
    tmp = tmp_path / "tmp"
    tmp.mkdir(mode=0o700)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp, tmp / f"csoft-sms-cache-{os.geteuid()}", tmp_path / "xdg" / "csoft-sms"


UNTRUSTED = {
    "open to others": lambda tmp, primary: (primary.mkdir(), primary.chmod(0o777)),  # noqa: S103
    "symlink": lambda tmp, primary: (tmp.joinpath("mine").mkdir(mode=0o700), primary.symlink_to(tmp / "mine")),
    "a file": lambda tmp, primary: primary.write_text(""),
    "parent writable by others": lambda tmp, primary: tmp.chmod(0o777),  # noqa: S103
}


@pytest.mark.parametrize("make", UNTRUSTED.values(), ids=UNTRUSTED.keys())
def test_an_untrusted_folder_falls_back_to_a_private_one(folders, make):
    tmp, primary, fallback = folders
    make(tmp, primary)
    cache = RunCache(120, identity=identity())
    assert cache.directory == str(fallback)
    assert cache.fallback_reason.startswith(f"the cache directory {primary} ")
    assert cache.fallback_reason.endswith(f"; caching answers in {fallback} instead")
    assert stat.S_IMODE(fallback.stat().st_mode) == 0o700
    key = store(cache)
    assert RunCache(120, identity=identity()).get(key) == VALUE  # every worker of the run finds the same folder
    if (tmp / "mine").exists():
        assert not list((tmp / "mine").iterdir())  # the symlink was not followed


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a directory's owner needs root")
def test_a_folder_of_another_user_falls_back(folders):
    tmp, primary, fallback = folders
    primary.mkdir(mode=0o700)
    os.chown(primary, 4242, -1)
    cache = RunCache(120, identity=identity())
    assert cache.directory == str(fallback) and "belongs to another user (uid 4242)" in cache.fallback_reason


def test_a_trusted_folder_has_no_fallback_reason(folders):
    tmp, primary, fallback = folders
    cache = RunCache(120, identity=identity())
    assert (cache.directory, cache.fallback_reason) == (str(primary), None)
    assert not fallback.exists()


def test_without_a_trusted_fallback_the_cache_is_off_with_one_line(folders):
    tmp, primary, fallback = folders
    UNTRUSTED["open to others"](tmp, primary)
    fallback.mkdir(parents=True)
    fallback.chmod(0o777)  # noqa: S103
    with pytest.raises(CacheError) as caught:
        RunCache(120, identity=identity())
    assert str(caught.value) == (
        f"the cache directory {primary} is accessible to other users (mode 0777), and the cache directory {fallback} is accessible "
        "to other users (mode 0777); make one of them a directory of your own with mode 0700"
    )


def test_open_cache_warns_with_the_fallback_reason(folders):
    from ansible_collections.csoft.sms.plugins.plugin_utils._account_reader import open_cache

    tmp, primary, fallback = folders
    UNTRUSTED["open to others"](tmp, primary)
    warnings = []
    cache = open_cache(True, 60, lambda line: None, warnings.append)
    assert cache.directory == str(fallback)
    assert warnings == [f"the cache directory {primary} is accessible to other users (mode 0777); caching answers in {fallback} instead"]


# The parser -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "within"),
    [
        ('{"a": [1, {"b": []}], "c": "x"}', True),
        ("[" * 32 + "]" * 32, True),
        ("[" * 33 + "]" * 33, False),
        ('["' + "[" * 1000 + '"]', True),  # brackets inside a string do not nest
        ('["\\"' + "[" * 1000 + '"]', True),  # nor after an escaped quote
        ("[" * 33, False),
        ("[]" * 1000, True),
        ("[" * 32 + "]" * 40 + "[" * 33, True),  # never more than 32 open at once (the parser refuses it)
    ],
)
def test_depth_within(text, within):
    assert files.depth_within(text.encode()) is within


def _cpu_seconds(call):
    started = time.process_time()  # CPU time: a loaded machine (parallel workers) does not inflate it
    result = call()
    return result, time.process_time() - started


def test_depth_scan_stays_linear_on_unterminated_strings():
    size = files.MAX_FILE_BYTES // 4
    within, hostile = _cpu_seconds(lambda: files.depth_within(b'"\\"' * (size * 4 // 3)))
    assert within is True
    _within, plain = _cpu_seconds(lambda: files.depth_within(b'"a",' * size))  # the same length, well formed
    # linear: about the same cost (0.6 s against 0.5 s measured); a regex that restarts at each quote takes hours
    assert hostile < 5 * plain + 1


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"t": -Infinity}', "1e400", "9" * 5000, "[" * 100_000, b"\xff", " " * files.MAX_FILE_BYTES + "1"])
def test_loads_refuses_what_is_not_plain_small_json(text):
    assert files.loads(text if isinstance(text, bytes) else text.encode()) is None


def test_a_lock_whose_name_is_replaced_while_waiting_is_taken_again(tmp_path):
    path = str(tmp_path / "x.lock")
    holding, replaced = threading.Event(), threading.Event()

    def first():
        with files.locked(path):
            holding.set()
            time.sleep(0.3)  # the main thread is waiting for this lock now
            os.unlink(path)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            replaced.set()

    thread = threading.Thread(target=first)
    thread.start()
    holding.wait(5)
    with files.locked(path):
        assert replaced.is_set()
        fd = os.open(path, os.O_RDWR)
        try:
            import fcntl

            with pytest.raises(BlockingIOError):  # the lock held is the one of the file now at that name
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    thread.join()


def test_a_sticky_parent_open_to_others_is_fine(tmp_path):
    parent = tmp_path / "shared"
    parent.mkdir()
    parent.chmod(0o1777)  # like /tmp
    files.prepare_directory(str(parent / "cache"))


def test_the_fallback_follows_xdg_and_ignores_a_relative_value(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere")
    assert files.fallback_directory() == "/somewhere/csoft-sms"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")
    assert files.fallback_directory() == str(tmp_path / ".cache" / "csoft-sms")
