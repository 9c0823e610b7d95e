# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Per-run answer cache of the csoft.sms lookups (controller only, private to the collection).

Every task of an ``ansible-playbook`` run executes in its own forked worker
process, so an in-memory cache would only ever serve one task on one host.
This cache lives on disk, in one JSON file per run:

* the folder is ``<tempdir>/csoft-sms-cache-<uid>``; when that one cannot be
  trusted (a symbolic link, another user's, open to others, ...), the user's
  private ``$XDG_CACHE_HOME/csoft-sms`` (or ``~/.cache/csoft-sms``), and
  ``fallback_reason`` says why; when neither can be, ``CacheError``. The folder
  and file checks live in ``_cache_files.py``, the run in ``_run_identity.py``;
* the run is the ``ansible-playbook`` main process (PID, start time, boot id),
  so a later run that gets the same PID does not see old values;
* each entry is keyed by a SHA-256 over (run, endpoints, username, operation,
  PBKDF2-HMAC-SHA256 of the PIN with a random per-run salt). The PIN itself,
  or a hash of the PIN alone, is never written;
* files are 0600 and replaced atomically; a file that is not a plain, small,
  shallow JSON document of this user reads as absent and is replaced; entries
  older than the TTL are ignored, run files of finished runs are removed;
* ``locked(key)`` holds an ``fcntl`` lock per key, so when 50 workers need
  the same value at once, one asks the service and the others wait and read
  its answer.

Only successful answers are stored; errors are never cached.
"""

import contextlib
import functools
import hashlib
import json
import math
import os
import re
import secrets
import tempfile
import time

from ansible_collections.csoft.sms.plugins.plugin_utils import _cache_files as files
from ansible_collections.csoft.sms.plugins.plugin_utils._cache_files import CacheError
from ansible_collections.csoft.sms.plugins.plugin_utils._run_identity import run_identity, run_is_alive

__all__ = ("MAX_TTL", "CacheError", "RunCache")

CACHE_FORMAT = 1
PBKDF2_ITERATIONS = 100_000
MAX_TTL = 3600
STALE_AFTER = 24 * 3600  # run files whose process cannot be checked are removed after this
TEMP_STALE_AFTER = 600  # left-over temporary files of a crashed writer
CLOCK_SKEW = 5  # seconds an entry may lie in the future before it is distrusted
DIR_PREFIX = "csoft-sms-cache-"
_RUN_PREFIX = "run-"
_SALT = re.compile(r"[0-9a-f]{32}\Z")


# Keys -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def _pin_mac(pin, salt_hex):
    # PBKDF2 makes guessing a short PIN from the file expensive; the per-run salt means the
    # same PIN never yields the same value twice. Memoised: one derivation per process and run.
    return hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), bytes.fromhex(salt_hex), PBKDF2_ITERATIONS).hex()


def _digest(*parts):
    return hashlib.sha256(json.dumps(parts, separators=(",", ":"), ensure_ascii=True).encode("ascii")).hexdigest()


def default_directory():
    return os.path.join(tempfile.gettempdir(), f"{DIR_PREFIX}{files.uid()}")


def _fresh(entry, now, ttl):
    """True when ``entry`` is a stored entry at most ``ttl`` seconds old (and not from the future)."""
    if not isinstance(entry, dict) or "value" not in entry:
        return False
    when = entry.get("time")
    if isinstance(when, bool) or not isinstance(when, (int, float)) or not math.isfinite(when):
        return False
    return -CLOCK_SKEW <= now - when <= ttl


# The cache ----------------------------------------------------------------------------------

_MISS = object()


class RunCache:
    """The cache of one run. Open it, derive keys, then ``with cache.locked(key): get / put``.

    ``directory=None`` is the default folder, or the private fallback folder when the default cannot be
    trusted; ``fallback_reason`` is then one line saying so (the caller warns with it), else None.
    An explicit ``directory`` has no fallback.
    """

    MISS = _MISS

    def __init__(self, ttl, directory=None, identity=None, clock=time.time):
        ttl = int(ttl)
        if not 0 < ttl <= MAX_TTL:
            raise CacheError(f"the cache TTL must be 1 to {MAX_TTL} seconds, not {ttl}")
        self.ttl = ttl
        self.clock = clock
        if directory:
            files.prepare_directory(directory)
            self.directory, self.fallback_reason = directory, None
        else:
            self.directory, self.fallback_reason = files.choose_directory(default_directory(), files.fallback_directory())
        self.identity = dict(identity) if identity is not None else run_identity()
        self.run_id = _digest("csoft.sms run", self.identity)[:32]
        self.path = os.path.join(self.directory, f"{_RUN_PREFIX}{self.run_id}.json")
        self._file_lock = os.path.join(self.directory, f"{_RUN_PREFIX}{self.run_id}.lock")
        self._salt = None

    def __repr__(self):
        return f"RunCache(path={self.path!r}, ttl={self.ttl})"

    # The run file ----------------------------------------------------------

    def _read(self):
        """The run file's document, or None when it is missing or not a usable document of this run."""
        document = files.read_json(self.path)
        if (
            not isinstance(document, dict)
            or document.get("format") != CACHE_FORMAT
            or document.get("run") != self.identity
            or not isinstance(document.get("salt"), str)
            or not _SALT.match(document["salt"])
            or not isinstance(document.get("entries"), dict)
        ):
            return None
        return document

    def _new_document(self, salt=None):
        return {"format": CACHE_FORMAT, "run": self.identity, "salt": salt or secrets.token_hex(16), "entries": {}}

    # Salt and keys ---------------------------------------------------------

    @property
    def salt(self):
        """The run's random salt, created (race-free) by the first process that needs it."""
        if self._salt is None:
            document = self._read()
            if document is None:
                with files.locked(self._file_lock):
                    document = self._read()
                    if document is None:  # missing, or damaged: replaced
                        document = self._new_document()
                        files.write_json(self.path, document)
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
        with files.locked(os.path.join(self.directory, f"{_RUN_PREFIX}{self.run_id}.{key[:32]}.lock")):
            yield self

    def get(self, key):
        """The cached value of ``key``, or ``RunCache.MISS`` when absent or older than the TTL."""
        entry = (self._read() or {}).get("entries", {}).get(key)
        return entry["value"] if _fresh(entry, self.clock(), self.ttl) else _MISS

    def put(self, key, value):
        """Store a JSON-serialisable ``value`` under ``key`` (expired entries are dropped)."""
        salt = self.salt  # outside the file lock: creating the salt takes that lock
        with files.locked(self._file_lock):
            document = self._read()
            if document is None:  # removed or damaged meanwhile: start again with the salt our key was made with
                document = self._new_document(salt)
            elif document["salt"] != salt:
                return  # replaced meanwhile: our key belongs to another salt and could never be found
            now = self.clock()
            entries = {k: v for k, v in document["entries"].items() if _fresh(v, now, MAX_TTL)}
            entries[key] = {"time": now, "value": value}
            document["entries"] = entries
            files.write_json(self.path, document)

    # Housekeeping ----------------------------------------------------------

    def remove_stale(self):
        """Remove run files (and their locks) of runs that have finished, and anything else unusable there; best effort."""
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
                alive = _file_run_alive(path)
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


def _file_run_alive(path):
    """Whether the run of another run file still runs (None: unknown); False for a file nobody can use."""
    document = files.read_json(path)
    identity = document.get("run") if isinstance(document, dict) else None
    return run_is_alive(identity) if isinstance(identity, dict) else False
