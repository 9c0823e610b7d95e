# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What keeps the callback bounded (plugin_utils/_bounded.py): the PIN file's reading, the deadline and interrupts."""

import os
import signal
import threading
import time

import pytest

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.plugins.plugin_utils._bounded import (
    DONE,
    FAILED,
    INTERRUPTED,
    PIN_FILE_MAX_BYTES,
    TIMED_OUT,
    Guard,
    read_pin_file,
)
from ansible_collections.csoft.sms.tests.support.accounts import PIN

# PIN files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [PIN + "\n", PIN, f"  {PIN}\r\nsecond line\n", PIN + "\n" + "#" * 10 * PIN_FILE_MAX_BYTES])
def test_the_first_line_is_the_pin(tmp_path, content):
    path = tmp_path / "pin"
    path.write_text(content)
    assert read_pin_file(str(path)) == PIN


def test_dev_zero_is_refused_at_once():
    started = time.monotonic()
    with pytest.raises(CsoftInputError, match=r"^pin_file /dev/zero is a character device; give a regular file"):
        read_pin_file("/dev/zero")
    assert time.monotonic() - started < 1


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "pin"
    os.mkfifo(fifo)
    with pytest.raises(CsoftInputError, match="is a FIFO"):
        read_pin_file(str(fifo))


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(CsoftInputError, match="is a folder|cannot be read"):
        read_pin_file(str(tmp_path))


def test_a_first_line_longer_than_the_cap_is_refused(tmp_path):
    path = tmp_path / "pin"
    path.write_bytes(b"x" * (PIN_FILE_MAX_BYTES + 1))
    with pytest.raises(CsoftInputError, match=f"too large: its first line is longer than {PIN_FILE_MAX_BYTES} bytes"):
        read_pin_file(str(path))
    path.write_bytes(b"x" * PIN_FILE_MAX_BYTES)
    assert read_pin_file(str(path)) == "x" * PIN_FILE_MAX_BYTES


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(CsoftInputError, match=r"cannot be read \(No such file or directory\)"):
        read_pin_file(str(tmp_path / "missing"))
    path = tmp_path / "pin"
    path.write_bytes(b"\xff\xfe\n")
    with pytest.raises(CsoftInputError, match="is not UTF-8 text"):
        read_pin_file(str(path))


# The deadline and interrupts ---------------------------------------------------------------------


def test_done_and_failed():
    with Guard() as guard:
        assert guard.run(lambda: 42, 5) == (DONE, 42)
        outcome, error = guard.run(lambda: 1 / 0, 5)
    assert outcome == FAILED and isinstance(error, ZeroDivisionError)


def test_the_wait_ends_at_the_deadline():
    release = threading.Event()
    started = time.monotonic()
    try:
        with Guard() as guard:
            assert guard.run(release.wait, 0.3) == (TIMED_OUT, None)
        assert 0.25 < time.monotonic() - started < 3
    finally:
        release.set()


def _interrupt_when(event):
    def interrupt():
        if event.wait(10):
            os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt, daemon=True).start()


def test_an_interrupt_stops_the_wait_and_never_raises():
    previous = signal.getsignal(signal.SIGINT)
    started, release = threading.Event(), threading.Event()

    def work():
        started.set()
        release.wait(20)

    _interrupt_when(started)
    try:
        with Guard() as guard:
            assert guard.run(work, 20) == (INTERRUPTED, True)
            assert guard.interrupted
            # Interrupted already: nothing more is started.
            assert guard.run(lambda: pytest.fail("ran after an interrupt"), 5) == (INTERRUPTED, False)
    finally:
        release.set()
    assert signal.getsignal(signal.SIGINT) is previous


def test_the_system_default_is_put_back():
    # After a first Ctrl-C Ansible leaves SIGINT to the system's default; the guard restores exactly that.
    previous = signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        with Guard():
            assert signal.getsignal(signal.SIGINT) not in (signal.SIG_DFL, previous)
        assert signal.getsignal(signal.SIGINT) == signal.SIG_DFL
    finally:
        signal.signal(signal.SIGINT, previous)


def test_outside_the_main_thread_the_guard_changes_nothing():
    seen = []

    def other():
        with Guard() as guard:
            seen.append((signal.getsignal(signal.SIGINT), guard.run(lambda: "ok", 5)))

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(10)
    assert seen == [(signal.getsignal(signal.SIGINT), (DONE, "ok"))]
