# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The run cache's folder and files, trusted only after checking (controller only, private to the collection).

Whatever is in the cache folder may have been put there by someone else, or
by accident: it is hostile input.

* A folder is used only when it is a real directory (not a symbolic link) of
  this user, mode 0700, inside a parent that no other user can change (owned
  by this user or root, not writable by others unless sticky, like /tmp).
  ``choose_directory`` falls back from the temporary directory to a private
  folder under ``$XDG_CACHE_HOME`` (or ``~/.cache``) and says why.
* A file is opened only when ``lstat`` shows a regular file of this user with
  one link that others cannot write. It is then opened with ``O_NOFOLLOW |
  O_NONBLOCK | O_CLOEXEC`` and ``fstat`` must show that same file, so a FIFO
  never blocks, a device is never opened and a symbolic link is never followed.
* A file is read up to a size cap and parsed only when its nesting depth,
  found by a linear scan, is small: no ``RecursionError``; no NaN or infinity.
* A file is written to a new 0600 file and renamed over the old name, which
  replaces whatever was there (a FIFO, a link, another user's file) without
  following it.

Everything fails with ``CacheError`` (one line) or reads as "nothing there".
"""

import contextlib
import errno
import fcntl
import itertools
import json
import math
import os
import re
import secrets
import stat

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 32  # the run file nests 5 deep
_OPEN_FLAGS = os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
_LOCK_ATTEMPTS = 5

# A JSON string, or an unterminated one up to the end: always matches at a '"', so scanning stays linear.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_SIGNS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))


class CacheError(Exception):
    """The cache directory or a cache file cannot be used safely."""


def uid():
    return os.geteuid() if hasattr(os, "geteuid") else os.getuid()


# Directories -------------------------------------------------------------------------


def _check_parent(path):
    parent = os.path.realpath(os.path.dirname(os.path.abspath(path)))
    info = os.stat(parent)
    if info.st_uid not in (uid(), 0) or (info.st_mode & 0o022 and not info.st_mode & stat.S_ISVTX):
        raise CacheError(f"the cache directory {path} is in {parent}, which other users can change")


def check_directory(path):
    """Raise CacheError unless ``path`` is a directory this user alone controls."""
    try:
        info = os.lstat(path)
        _check_parent(path)
    except OSError as exc:
        raise CacheError(f"cannot use the cache directory {path}: {exc.strerror}") from None
    if stat.S_ISLNK(info.st_mode):
        raise CacheError(f"the cache directory {path} is a symbolic link")
    if not stat.S_ISDIR(info.st_mode):
        raise CacheError(f"the cache directory {path} is not a directory")
    if info.st_uid != uid():
        raise CacheError(f"the cache directory {path} belongs to another user (uid {info.st_uid})")
    if info.st_mode & 0o077:
        raise CacheError(f"the cache directory {path} is accessible to other users (mode {stat.S_IMODE(info.st_mode):04o})")


def prepare_directory(path, parents=False):
    """Create ``path`` (mode 0700; its parents too when ``parents``) unless it exists, then check it."""
    try:
        if parents:
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise CacheError(f"cannot create the cache directory {path}: {exc.strerror}") from None
    check_directory(path)


def fallback_directory():
    """The user's private cache folder: ``$XDG_CACHE_HOME/csoft-sms``, else ``~/.cache/csoft-sms`` (None without a home)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG spec: a relative value is ignored
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return os.path.join(base, "csoft-sms")


def choose_directory(primary, fallback):
    """``(directory, reason)``: ``primary`` with reason None, else ``fallback`` and why; CacheError when neither will do.

    The fallback is the same for every process of the user, so all workers of a run still share one cache.
    """
    try:
        prepare_directory(primary)
        return primary, None
    except CacheError as exc:
        first = str(exc)
    if fallback is None:
        raise CacheError(f"{first}, and there is no home directory for a private one; make it a directory of your own with mode 0700")
    try:
        prepare_directory(fallback, parents=True)
    except CacheError as exc:
        raise CacheError(f"{first}, and {exc}; make one of them a directory of your own with mode 0700") from None
    return fallback, f"{first}; caching answers in {fallback} instead"


# Files -------------------------------------------------------------------------------


def _ours(info):
    return stat.S_ISREG(info.st_mode) and info.st_uid == uid() and info.st_nlink == 1 and not info.st_mode & 0o022


def _lstat(path):
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CacheError(f"cannot use the cache file {path}: {exc.strerror}") from None


def open_file(path, flags):
    """A descriptor of the file of ours at ``path``, or None when nothing, or nothing to trust, is there."""
    before = _lstat(path)
    if before is None or not _ours(before):
        return None  # never opened: a FIFO would block, a device could act
    try:
        fd = os.open(path, flags | _OPEN_FLAGS)
    except OSError:
        return None  # gone or swapped meanwhile
    try:
        info = os.fstat(fd)
        if _ours(info) and (info.st_dev, info.st_ino) == (before.st_dev, before.st_ino):
            if info.st_mode & 0o077:
                os.fchmod(fd, 0o600)
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def _create(path):
    """A new 0600 file at ``path`` (None when one appeared meanwhile)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | _OPEN_FLAGS, 0o600)
    except FileExistsError:
        return None
    except OSError as exc:
        raise CacheError(f"cannot create the cache file {path}: {exc.strerror}") from None
    if not _ours(os.fstat(fd)):  # pragma: no cover - a new file is ours
        os.close(fd)
        raise CacheError(f"the new cache file {path} is not a private file of this user")
    return fd


def _remove(path):
    """Remove what is at ``path`` (never following it); CacheError when it cannot be removed."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise CacheError(f"cannot replace {path}, which is not a cache file of this user: {exc.strerror}") from None


@contextlib.contextmanager
def locked(path):
    """Hold an exclusive ``flock`` on the lock file ``path``; anything else found there is replaced."""
    for _attempt in range(_LOCK_ATTEMPTS):
        fd = open_file(path, os.O_RDWR)
        if fd is None:
            info = _lstat(path)
            if info is not None and not (_ours(info) and info.st_mode & 0o600 == 0o600):
                _remove(path)  # there, but not a file of ours that we can open
            fd = _create(path)
            if fd is None:
                continue  # created by another process meanwhile: open that one
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            held, now = os.fstat(fd), _lstat(path)
            if now is None or (now.st_dev, now.st_ino) != (held.st_dev, held.st_ino):
                continue  # the name was replaced while we waited: that lock protects nothing
            yield
            return
        finally:
            os.close(fd)  # closing releases the lock
    raise CacheError(f"cannot take the cache lock {path}: it keeps changing; remove the cache directory")


def _finite(text):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number")


def depth_within(data, limit=MAX_DEPTH):
    """True when no bracket of JSON ``data`` lies more than ``limit`` deep (linear time, no recursion).

    Brackets inside strings do not count. ``json.loads`` nests once per open bracket, so this bounds its
    recursion on any input, valid or not; whether the brackets match is left to the parser.
    """
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    steps = memoryview(brackets.translate(_SIGNS)).cast("b")  # +1 per opening bracket, -1 per closing one
    return max(itertools.accumulate(steps), default=0) <= limit


def loads(data):
    """The JSON document in ``data`` (bytes), or None when it is too large, too deep or not plain JSON."""
    if len(data) > MAX_FILE_BYTES or not depth_within(data):
        return None
    try:
        return json.loads(data.decode("utf-8"), parse_float=_finite, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return None


def read_json(path):
    """The JSON document of the file of ours at ``path``, or None when there is none to trust or to parse."""
    fd = open_file(path, os.O_RDONLY)
    if fd is None:
        return None
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(MAX_FILE_BYTES + 1)
        except OSError:
            return None
    return loads(data)


def write_json(path, document):
    """Replace ``path`` atomically with ``document`` in a new 0600 file."""
    directory, name = os.path.split(path)
    tmp = os.path.join(directory, f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    data = json.dumps(document, separators=(",", ":"), sort_keys=True, allow_nan=False).encode("utf-8")
    try:
        fd = _create(tmp)
        if fd is None:  # pragma: no cover - a random name
            raise CacheError(f"cannot write the cache file {path}: {tmp} exists")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if exc.errno in (errno.EISDIR, errno.ENOTEMPTY, errno.EEXIST):
            raise CacheError(f"cannot write the cache file {path}: a directory is in the way; remove it") from None
        raise CacheError(f"cannot write the cache file {path}: {exc.strerror}") from None
    except CacheError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
