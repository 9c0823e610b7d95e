# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Per-run answer cache of the csoft.sms lookups (controller only, private to the collection).

Every task of an ``ansible-playbook`` run executes in its own forked worker
process, so an in-memory cache would only ever serve one task on one host.
This cache lives on disk, in one JSON file per run:

* the directory is ``<tempdir>/csoft-sms-cache-<uid>``, mode 0700, owned by
  the user; a symlink, a directory of another user or one that others can
  read or write is refused (``CacheError``);
* the run is the ``ansible-playbook`` main process: its PID (the parent's PID
  in a worker) plus that process's start time and the boot id from /proc, so
  a later run that gets the same PID does not see old values;
* each entry is keyed by a SHA-256 over (run, endpoints, username, operation,
  PBKDF2-HMAC-SHA256 of the PIN with a random per-run salt). The PIN itself,
  or a hash of the PIN alone, is never written;
* files are 0600 and replaced atomically (``os.replace``); entries older
  than the TTL are ignored, run files of finished runs are removed;
* ``locked(key)`` holds an ``fcntl`` lock per key, so when 50 workers need
  the same value at once, one asks the service and the others wait and read
  its answer.

Only successful answers are stored; errors are never cached.
"""

import contextlib
import errno
import fcntl
import functools
import hashlib
import json
import multiprocessing
import os
import secrets
import stat
import subprocess
import tempfile
import time

CACHE_FORMAT = 1
PBKDF2_ITERATIONS = 100_000
MAX_TTL = 3600
STALE_AFTER = 24 * 3600  # run files whose process cannot be checked are removed after this
TEMP_STALE_AFTER = 600  # left-over temporary files of a crashed writer
MAX_FILE_BYTES = 4 * 1024 * 1024
CLOCK_SKEW = 5  # seconds an entry may lie in the future before it is distrusted
DIR_PREFIX = "csoft-sms-cache-"
_RUN_PREFIX = "run-"


class CacheError(Exception):
    """The cache directory or a cache file cannot be used safely."""


# ---------------------------------------------------------------------------
# Run identity
# ---------------------------------------------------------------------------


def _in_ansible_worker():
    """True in a forked Ansible WorkerProcess (tasks and their templates run there)."""
    try:
        from ansible.executor.process.worker import WorkerProcess
    except ImportError:  # pragma: no cover - always present on a controller
        return False
    return isinstance(multiprocessing.current_process(), WorkerProcess)


def main_pid():
    """PID of the ``ansible-playbook`` (or ``ansible``) main process of this run."""
    if _in_ansible_worker():
        parent = multiprocessing.parent_process()
        if parent is not None and parent.pid:
            return parent.pid
        return os.getppid()
    return os.getpid()


def _read_small(path, limit=4096):
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except OSError:
        return None


def boot_id():
    """The kernel's boot id (Linux), or None."""
    data = _read_small("/proc/sys/kernel/random/boot_id")
    return data.decode("ascii", "replace").strip() if data else None


def _ps_start_time(pid):
    """Start time of ``pid`` from ps(1), for systems without /proc (macOS, BSD)."""
    try:
        out = subprocess.run(
            ["ps", "-o", "lstart=", "-p", str(int(pid))],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
            env={"LC_ALL": "C", "PATH": os.environ.get("PATH", "/bin:/usr/bin")},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = " ".join(out.stdout.split())
    return f"ps:{text}" if out.returncode == 0 and text else None


def process_start_time(pid):
    """An opaque string that changes when ``pid`` is reused, or None when it cannot be read.

    Never cached: a cache keyed by PID would return the start time of an
    earlier process with the same PID, which is what this tells apart.

    Linux: field 22 (``starttime``, clock ticks since boot) of /proc/<pid>/stat.
    Elsewhere: the ``lstart`` column of ps(1).
    """
    data = _read_small(f"/proc/{int(pid)}/stat")
    if data:
        # The command name (field 2) may hold spaces and parentheses: split after the last ")".
        fields = data[data.rfind(b")") + 2 :].split()
        if len(fields) > 19:
            return f"proc:{fields[19].decode('ascii', 'replace')}"
    if os.path.isdir("/proc/self"):
        return None  # /proc exists but the process is gone
    return _ps_start_time(pid)


def run_identity():
    """A dict that identifies this run: main PID, its start time and the boot."""
    pid = main_pid()
    return {"pid": pid, "start": process_start_time(pid), "boot": boot_id()}


def run_is_alive(identity):
    """True/False when it is known whether the run ``identity`` still runs, None when unknown."""
    try:
        pid = int(identity["pid"])
    except (KeyError, TypeError, ValueError):
        return None
    current_boot = boot_id()
    if identity.get("boot") and current_boot and identity["boot"] != current_boot:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, someone else's: a reused PID unless the start time says otherwise
    except OSError:
        return None
    if not identity.get("start"):
        return None
    start = process_start_time(pid)
    if start is None:
        return None if not os.path.isdir("/proc/self") else False
    return start == identity["start"]


# ---------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def _pin_mac(pin, salt_hex):
    # PBKDF2 makes guessing a short PIN from the file expensive; the per-run salt means the
    # same PIN never yields the same value twice. Memoised: one derivation per process and run.
    return hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), bytes.fromhex(salt_hex), PBKDF2_ITERATIONS).hex()


def _digest(*parts):
    return hashlib.sha256(json.dumps(parts, separators=(",", ":"), ensure_ascii=True).encode("ascii")).hexdigest()


def _uid():
    return os.geteuid() if hasattr(os, "geteuid") else os.getuid()


def default_directory():
    return os.path.join(tempfile.gettempdir(), f"{DIR_PREFIX}{_uid()}")


# ---------------------------------------------------------------------------
# The cache
# ---------------------------------------------------------------------------

_MISS = object()


class RunCache:
    """The cache of one run. Open it, derive keys, then ``with cache.locked(key): get / put``."""

    MISS = _MISS

    def __init__(self, ttl, directory=None, identity=None, clock=time.time):
        ttl = int(ttl)
        if not 0 < ttl <= MAX_TTL:
            raise CacheError(f"the cache TTL must be 1 to {MAX_TTL} seconds, not {ttl}")
        self.ttl = ttl
        self.clock = clock
        self.directory = directory or default_directory()
        self.identity = dict(identity) if identity is not None else run_identity()
        self.run_id = _digest("csoft.sms run", self.identity)[:32]
        self.path = os.path.join(self.directory, f"{_RUN_PREFIX}{self.run_id}.json")
        self._file_lock = os.path.join(self.directory, f"{_RUN_PREFIX}{self.run_id}.lock")
        self._salt = None
        self._ensure_directory()

    def __repr__(self):
        return f"RunCache(path={self.path!r}, ttl={self.ttl})"

    # Directory and files -------------------------------------------------

    def _ensure_directory(self):
        try:
            os.mkdir(self.directory, 0o700)
        except FileExistsError:
            pass
        except OSError as exc:
            raise CacheError(f"cannot create the cache directory {self.directory}: {exc.strerror}") from None
        self._check_directory()

    def _check_directory(self):
        try:
            info = os.lstat(self.directory)
        except OSError as exc:
            raise CacheError(f"cannot use the cache directory {self.directory}: {exc.strerror}") from None
        if stat.S_ISLNK(info.st_mode):
            raise CacheError(f"the cache directory {self.directory} is a symbolic link; refusing to use it")
        if not stat.S_ISDIR(info.st_mode):
            raise CacheError(f"the cache path {self.directory} is not a directory; refusing to use it")
        if info.st_uid != _uid():
            raise CacheError(f"the cache directory {self.directory} belongs to another user (uid {info.st_uid}); refusing to use it")
        if info.st_mode & 0o077:
            raise CacheError(
                f"the cache directory {self.directory} is accessible to other users (mode {stat.S_IMODE(info.st_mode):04o}); "
                "refusing to use it: remove it or chmod it to 0700"
            )

    def _open(self, path, flags, mode=0o600):
        """Open a file inside the cache directory, refusing symlinks and other users' files."""
        fd = os.open(path, flags | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), mode)
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != _uid():
                raise CacheError(f"the cache file {path} is not a regular file of this user; refusing to use it")
            if info.st_mode & 0o077:
                os.fchmod(fd, 0o600)
        except BaseException:
            os.close(fd)
            raise
        return fd

    @contextlib.contextmanager
    def _flock(self, path):
        try:
            fd = self._open(path, os.O_RDWR | os.O_CREAT)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise CacheError(f"the cache lock {path} is a symbolic link; refusing to use it") from None
            raise CacheError(f"cannot open the cache lock {path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _read(self):
        """The run file's content, or a fresh empty document when it is missing or unusable."""
        try:
            fd = self._open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise CacheError(f"the cache file {self.path} is a symbolic link; refusing to use it") from None
            raise CacheError(f"cannot read the cache file {self.path}: {exc.strerror}") from None
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            return None
        try:
            document = json.loads(data.decode("utf-8"))
        except ValueError:
            return None
        if (
            not isinstance(document, dict)
            or document.get("format") != CACHE_FORMAT
            or document.get("run") != self.identity
            or not isinstance(document.get("salt"), str)
            or not isinstance(document.get("entries"), dict)
        ):
            return None
        return document

    def _write(self, document):
        """Replace the run file atomically with ``document`` (0600)."""
        tmp = os.path.join(self.directory, f".{_RUN_PREFIX}{self.run_id}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        data = json.dumps(document, separators=(",", ":"), sort_keys=True).encode("utf-8")
        try:
            fd = self._open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise CacheError(f"cannot write the cache file {self.path}: {exc.strerror}") from None

    def _new_document(self):
        return {"format": CACHE_FORMAT, "run": self.identity, "salt": secrets.token_hex(16), "entries": {}}

    # Salt and keys ---------------------------------------------------------

    @property
    def salt(self):
        """The run's random salt, created (race-free) by the first process that needs it."""
        if self._salt is None:
            document = self._read()
            if document is None:
                with self._flock(self._file_lock):
                    document = self._read()
                    if document is None:
                        document = self._new_document()
                        self._write(document)
                        self.remove_stale()
            self._salt = document["salt"]
        return self._salt

    def key(self, endpoints, username, pin, operation):
        """Entry key of one operation for one account at one endpoint list."""
        return _digest("csoft.sms entry", self.run_id, list(endpoints), username, operation, _pin_mac(pin, self.salt))

    def endpoint_key(self, endpoints):
        """Key of the remembered answering endpoint of an endpoint list (not secret: no credentials)."""
        return _digest("csoft.sms endpoint", self.run_id, list(endpoints), self.salt)

    # Entries -------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self, key):
        """Hold the lock of ``key`` (check, query and store inside it)."""
        with self._flock(os.path.join(self.directory, f"{_RUN_PREFIX}{self.run_id}.{key[:32]}.lock")):
            yield self

    def get(self, key):
        """The cached value of ``key``, or ``RunCache.MISS`` when absent or older than the TTL."""
        document = self._read()
        entry = (document or {}).get("entries", {}).get(key)
        if not isinstance(entry, dict) or "value" not in entry or not isinstance(entry.get("time"), (int, float)):
            return _MISS
        age = self.clock() - entry["time"]
        if age > self.ttl or age < -CLOCK_SKEW:
            return _MISS
        return entry["value"]

    def put(self, key, value):
        """Store a JSON-serialisable ``value`` under ``key`` (expired entries are dropped)."""
        salt = self.salt  # outside the file lock: creating the salt takes that lock
        with self._flock(self._file_lock):
            document = self._read()
            if document is None:  # removed or damaged meanwhile: start again with the salt our key was made with
                document = dict(self._new_document(), salt=salt)
            elif document["salt"] != salt:
                return  # replaced meanwhile: our key belongs to another salt and could never be found
            now = self.clock()
            entries = {k: v for k, v in document["entries"].items() if isinstance(v, dict) and now - v.get("time", 0) <= MAX_TTL}
            entries[key] = {"time": now, "value": value}
            document["entries"] = entries
            self._write(document)

    # Housekeeping ----------------------------------------------------------

    def remove_stale(self):
        """Remove run files (and their locks) of runs that have finished; best effort."""
        now = time.time()
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        for name in names:
            path = os.path.join(self.directory, name)
            try:
                if name.startswith(f".{_RUN_PREFIX}") and name.endswith(".tmp"):
                    if now - os.lstat(path).st_mtime > TEMP_STALE_AFTER:
                        os.unlink(path)
                    continue
                if not (name.startswith(_RUN_PREFIX) and name.endswith(".json")) or name == os.path.basename(self.path):
                    continue
                run_id = name[len(_RUN_PREFIX) : -len(".json")]
                alive = self._file_run_alive(path)
                if alive is None:
                    alive = now - os.lstat(path).st_mtime < STALE_AFTER
                if alive:
                    continue
                for other in names:
                    if other.startswith(f"{_RUN_PREFIX}{run_id}.") and other.endswith(".lock"):
                        os.unlink(os.path.join(self.directory, other))
                os.unlink(path)
            except (OSError, CacheError):
                continue

    def _file_run_alive(self, path):
        try:
            fd = self._open(path, os.O_RDONLY)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES)
        try:
            identity = json.loads(data.decode("utf-8")).get("run")
        except (ValueError, AttributeError):
            return False  # unreadable: nobody can use it
        return run_is_alive(identity) if isinstance(identity, dict) else False
