# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What keeps the callback csoft.sms.sms_notify bounded (private to the collection).

* ``read_pin_file``: the first line of a regular file, never a device, a
  FIFO or a folder, and never more than PIN_FILE_MAX_BYTES read;
* ``Guard``: while the callback sends the run's SMS, an interrupt (SIGINT,
  Ctrl-C) only stops the waiting: it never raises KeyboardInterrupt in the
  callback, nor kills ansible-playbook (after a first Ctrl-C, Ansible leaves
  SIGINT to the system's default, which would end the process with 130
  instead of the run's exit code); ``Guard.run`` waits for a piece of work at
  most a given number of seconds.

Standard library only, so it is unit-tested without a run.
"""

import os
import signal
import stat
import threading
import time

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError

PIN_FILE_MAX_BYTES = 4096
_POLL_SECONDS = 0.05

# The outcomes of Guard.run.
DONE = "done"
FAILED = "failed"
TIMED_OUT = "timed out"
INTERRUPTED = "interrupted"


def _kind(mode):
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO")):
        if test(mode):
            return name
    return "a socket" if stat.S_ISSOCK(mode) else "not a regular file"


def read_pin_file(path, limit=PIN_FILE_MAX_BYTES):
    """The first line of ``path``, stripped; CsoftInputError unless it is a regular file whose first line fits in ``limit`` bytes.

    Opened without blocking (a FIFO would wait for a writer for ever) and read
    ``limit + 1`` bytes at the most, whatever the file claims.
    """
    hint = "give a regular file whose first line is the PIN (CSOFT_PIN_FILE or pin_file of [callback_csoft_sms_notify])"
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc.__class__.__name__
        raise CsoftInputError(f"pin_file {path} cannot be read ({reason}); check the path and the file's mode") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise CsoftInputError(f"pin_file {path} is {_kind(mode)}; {hint}")
        data = b""
        while len(data) <= limit:
            chunk = os.read(fd, limit + 1 - len(data))
            if not chunk:
                break
            data += chunk
    except OSError as exc:
        raise CsoftInputError(f"pin_file {path} cannot be read ({exc.strerror or exc.__class__.__name__}); check the file") from None
    finally:
        os.close(fd)
    first, newline, _rest = data.partition(b"\n")
    if len(data) > limit and not newline:
        raise CsoftInputError(f"pin_file {path} is too large: its first line is longer than {limit} bytes; {hint}")
    try:
        return first.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise CsoftInputError(f"pin_file {path} is not UTF-8 text; {hint}") from None


class Guard:
    """While in ``with Guard() as guard:``, SIGINT sets ``guard.interrupted`` instead of interrupting.

    Only the main thread can set a signal handler; elsewhere the guard does
    nothing (and ``interrupted`` stays False). The previous handler is put back
    on leaving, also when it was the system's default.
    """

    def __init__(self):
        self.interrupted = False
        self._previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            try:
                self._previous = signal.signal(signal.SIGINT, self._on_interrupt)
            except (ValueError, OSError):  # pragma: no cover - no signals here (an embedded interpreter)
                self._previous = None
        return self

    def __exit__(self, *exc_info):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def _on_interrupt(self, signum, frame):
        self.interrupted = True

    def run(self, work, seconds):
        """Run ``work()`` and return ``(outcome, value)``: (DONE, its value), (FAILED, the exception it raised),
        (TIMED_OUT, None) after ``seconds``, or (INTERRUPTED, whether the work had started) on an interrupt.

        The work runs in a daemon thread, which is left behind on a time-out or
        an interrupt (it ends with the process). Where no thread can be started
        (at interpreter shutdown on some Python versions) it runs here, bounded
        only by its own time-outs.
        """
        if self.interrupted:
            return INTERRUPTED, False
        box = []
        finished = threading.Event()

        def target():
            try:
                box.append((DONE, work()))
            except BaseException as exc:  # pylint: disable=broad-except  # reported by the caller, never printed by the thread
                box.append((FAILED, exc))
            finally:
                finished.set()

        try:
            threading.Thread(target=target, name="csoft-sms-notify", daemon=True).start()
        except RuntimeError:
            target()
        deadline = time.monotonic() + seconds
        while not finished.wait(min(_POLL_SECONDS, max(deadline - time.monotonic(), 0))):
            if self.interrupted:
                return INTERRUPTED, True
            if time.monotonic() >= deadline:
                return TIMED_OUT, None
        return box[0]
