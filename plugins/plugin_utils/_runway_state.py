# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The state file of the credit runway (csoft.sms.credit_watch's ``state_file``): its samples across restarts.

The file is JSON, ``{"key": ..., "samples": [[time, "credit"], ...]}``: the
samples (seconds since the epoch, the credit as the service's decimal text)
and the key, a SHA-256 of the username and the endpoints, so that two watches
of different accounts never mix. No username, no PIN, no endpoint.

* ``save`` writes it atomically (a temporary file in the same directory, mode
  0600, then a rename) and raises OSError.
* ``load`` never raises and never blocks: a missing, unreadable, foreign or
  corrupt file (not a regular file, a symbolic link, a FIFO, too large, too
  deeply nested, a sample out of bounds) is ignored with one log line, and the
  watch starts a fresh window.
* ``checked_path`` is the rule of the argument (a text naming a file in an
  existing directory).

Imports nothing from ansible-core: only the standard library and module_utils.
"""

import errno
import hashlib
import json
import math
import os
import stat
import tempfile

from ansible_collections.csoft.sms.plugins.module_utils import _account, _values
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftError
from ansible_collections.csoft.sms.plugins.plugin_utils._runway import MAX_SAMPLES

MAX_BYTES = 128 * 1024  # MAX_SAMPLES samples of about 35 bytes, and room to spare
MAX_DEPTH = 3  # {"samples": [[time, "credit"]]}
MAX_PATH_CHARS = 4096
MAX_TIME = 1e11  # seconds since the epoch: the year 5138
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class Ignored(Exception):
    """Why a state file is not used (one line)."""


def state_key(username, endpoints):
    """The key of one watch: a SHA-256 of the username and the endpoints (neither is written to the file)."""
    text = json.dumps(["csoft.sms.credit_watch runway", username, list(endpoints)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def checked_path(name, value):
    """``value`` as an absolute path of a file to create or replace in an existing directory (CsoftInputError)."""
    text = _values.as_text(name, value)
    if len(text) > MAX_PATH_CHARS or any(ord(char) < 32 for char in text):
        raise _values.invalid(name, value, f"a path of at most {MAX_PATH_CHARS} characters without control characters")
    path = os.path.abspath(os.path.expanduser(text.strip()))
    if os.path.isdir(path):
        raise _values.invalid(name, value, "a file (it is a directory)")
    if not os.path.isdir(os.path.dirname(path)):
        raise _values.invalid(name, value, "a file in an existing directory")
    return path


def save(path, key, samples):
    """Write the samples to ``path`` atomically with mode 0600 (OSError on failure; no temporary file is left)."""
    text = json.dumps({"key": key, "samples": [[when, format(credit, "f")] for when, credit in samples]}, allow_nan=False, separators=(",", ":"))
    directory, name = os.path.split(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{name[:64]}.", suffix=".tmp", dir=directory)
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            handle = None
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        if handle is not None:
            os.close(handle)
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def load(path, key, log):
    """The samples ``[(time, Decimal credit), ...]`` stored at ``path`` for ``key``; [] after one line on ``log`` (a logger)."""
    fresh = "the runway estimate starts a fresh window"
    try:
        return _parse(_read(path), key)
    except FileNotFoundError:
        log.info("csoft.sms.credit_watch: no runway state file %s yet; %s", path, fresh)
    except Ignored as why:
        log.warning("csoft.sms.credit_watch: ignored the runway state file %s: %s; %s", path, why, fresh)
    except OSError as exc:
        reason = "it is a symbolic link" if exc.errno == errno.ELOOP else (exc.strerror or type(exc).__name__)
        log.warning("csoft.sms.credit_watch: ignored the runway state file %s: %s; %s", path, reason, fresh)
    return []


def _read(path):
    """The bytes of the regular file at ``path`` (not through a symbolic link, never waiting on a FIFO or device)."""
    handle = os.open(path, _OPEN_FLAGS)
    try:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode):
            raise Ignored("it is not a regular file")
        if status.st_size > MAX_BYTES:
            raise Ignored(f"it holds {status.st_size} bytes, more than {MAX_BYTES}")
        chunks, size = [], 0
        while size <= MAX_BYTES:
            chunk = os.read(handle, MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_BYTES:
            raise Ignored(f"it holds more than {MAX_BYTES} bytes")
        return b"".join(chunks)
    finally:
        os.close(handle)


def _depth(text):
    """The deepest nesting of arrays and objects in JSON ``text`` (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                break
        elif char in "]}":
            depth -= 1
    return deepest


def _bounded_number(text):
    if len(text) > 40:
        raise ValueError("a number of more than 40 characters")
    return float(text)


def _refuse_constant(text):
    raise ValueError(f"{text} is not a number")


def _parse(data, key):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Ignored("it is not UTF-8 text") from None
    if _depth(text) > MAX_DEPTH:
        raise Ignored(f"it is nested more than {MAX_DEPTH} levels deep")
    try:
        document = json.loads(text, parse_int=_bounded_number, parse_float=_bounded_number, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise Ignored(f"it is not valid JSON ({str(exc).splitlines()[0][:80]})") from None
    if not isinstance(document, dict) or not isinstance(document.get("key"), str) or not isinstance(document.get("samples"), list):
        raise Ignored('it is not a runway state ({"key": ..., "samples": [...]})')
    if document["key"] != key:
        raise Ignored("it belongs to another account or other endpoints")
    stored = document["samples"]
    if len(stored) > MAX_SAMPLES + 2:
        raise Ignored(f"it holds {len(stored)} samples, more than {MAX_SAMPLES + 2}")
    samples = []
    for index, sample in enumerate(stored, 1):
        if not (isinstance(sample, list) and len(sample) == 2 and isinstance(sample[0], float) and isinstance(sample[1], str)):
            raise Ignored(f"its sample {index} is not [time, credit]")
        when = sample[0]
        if not (math.isfinite(when) and 0 < when < MAX_TIME):
            raise Ignored(f"its sample {index} has a time out of bounds")
        try:
            credit = _account.parse_credit(sample[1])
        except CsoftError:
            raise Ignored(f"its sample {index} has a credit that is not a decimal number in bounds") from None
        samples.append((when, credit))
    return samples
