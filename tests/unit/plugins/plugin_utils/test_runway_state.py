# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The credit runway's state file (plugins/plugin_utils/_runway_state.py): round trip, mode, no secret, hostile files."""

import json
import os
import stat
import threading
from decimal import Decimal

import pytest

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.plugins.plugin_utils import _runway_state
from ansible_collections.csoft.sms.plugins.plugin_utils._runway import MAX_SAMPLES
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME

ENDPOINTS = ("https://one.example/sendsms5", "https://two.example/sendsms5")
KEY = _runway_state.state_key(USERNAME, ENDPOINTS)
SAMPLES = [(1767225600.0, Decimal("2.8950")), (1767225610.25, Decimal("2.6450")), (1767225620.125, Decimal("0.00000001"))]


class Log:
    """A logger that keeps its lines."""

    def __init__(self):
        self.lines = []

    def info(self, text, *args):
        self.lines.append(("info", text % args))

    def warning(self, text, *args):
        self.lines.append(("warning", text % args))


def load(path, key=KEY):
    """Load in a thread that must end within 5 s (a FIFO or a device must never block the source)."""
    log, result = Log(), []
    reader = threading.Thread(target=lambda: result.append(_runway_state.load(str(path), key, log)), daemon=True)
    reader.start()
    reader.join(5)
    assert not reader.is_alive(), "loading the state file hung"
    return result[0], log.lines


def test_it_round_trips_exactly(tmp_path):
    path = tmp_path / "runway.json"
    _runway_state.save(str(path), KEY, SAMPLES)
    samples, lines = load(path)
    assert samples == SAMPLES and all(isinstance(credit, Decimal) for _when, credit in samples)
    assert lines == []
    assert os.listdir(tmp_path) == ["runway.json"]  # no temporary file left


def test_mode_0600_whatever_the_umask(tmp_path):
    path = tmp_path / "runway.json"
    old = os.umask(0)
    try:
        _runway_state.save(str(path), KEY, SAMPLES)
        path.write_text(path.read_text())  # unchanged mode on an existing file
        os.chmod(path, 0o644)
        _runway_state.save(str(path), KEY, SAMPLES)  # replaced, not rewritten in place
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_it_holds_only_the_samples_and_a_key_no_username_pin_or_endpoint(tmp_path):
    path = tmp_path / "runway.json"
    _runway_state.save(str(path), KEY, SAMPLES)
    text = path.read_text()
    assert USERNAME not in text and PIN not in text and "example" not in text
    assert json.loads(text) == {"key": KEY, "samples": [[when, format(credit, "f")] for when, credit in SAMPLES]}


def test_the_key_separates_accounts_and_endpoints():
    assert _runway_state.state_key(USERNAME, ENDPOINTS) == KEY
    assert _runway_state.state_key(USERNAME + "x", ENDPOINTS) != KEY
    assert _runway_state.state_key(USERNAME, ENDPOINTS[:1]) != KEY
    assert _runway_state.state_key(USERNAME, ENDPOINTS[::-1]) != KEY


def test_a_missing_file_is_one_info_line(tmp_path):
    samples, lines = load(tmp_path / "none.json")
    assert samples == [] and len(lines) == 1 and lines[0][0] == "info" and "fresh window" in lines[0][1]


def good(samples=None, key=KEY):
    return json.dumps({"key": key, "samples": [[w, format(c, "f")] for w, c in SAMPLES] if samples is None else samples})


HOSTILE = {
    "not JSON": "{not json",
    "not UTF-8": b"\xff\xfe{}",
    "empty": "",
    "a list": "[]",
    "no samples": json.dumps({"key": KEY}),
    "foreign": good(key=_runway_state.state_key("someone-else", ENDPOINTS)),
    "deeply nested": '{"key": "' + KEY + '", "samples": ' + "[" * 50000 + "]" * 50000 + "}",
    "nested in a sample": good([[1767225600.0, ["2.5"]]]),
    "NaN time": good([[float("nan"), "2.5"]]),
    "Infinity time": good([[1767225600.0, "2.5"]]).replace("1767225600.0", "Infinity"),
    "huge time": good([[1e300, "2.5"]]),
    "negative time": good([[-5.0, "2.5"]]),
    "a 5000-digit integer": good([[1767225600.0, "2.5"]]).replace("1767225600.0", "9" * 5000),
    "a bool time": good([[True, "2.5"]]),
    "a number credit": good([[1767225600.0, 2.5]]),
    "a credit of 400 digits": good([[1767225600.0, "1" + "0" * 400]]),
    "a credit in another script": good([[1767225600.0, "\u0662.5"]]),
    "a short sample": good([[1767225600.0]]),
    "too many samples": good([[1767225600.0 + i, "2.5"] for i in range(MAX_SAMPLES + 3)]),
    "oversized": good() + " " * _runway_state.MAX_BYTES,
}
REASON = {
    "not JSON": "not valid JSON",
    "not UTF-8": "not UTF-8",
    "empty": "not valid JSON",
    "a list": "not a runway state",
    "no samples": "not a runway state",
    "foreign": "another account",
    "deeply nested": "nested more than",
    "nested in a sample": "nested more than",
    "NaN time": "NaN",
    "Infinity time": "Infinity",
    "huge time": "time out of bounds",
    "negative time": "time out of bounds",
    "a 5000-digit integer": "more than 40 characters",
    "a bool time": "not [time, credit]",
    "a number credit": "not [time, credit]",
    "a credit of 400 digits": "credit that is not",
    "a credit in another script": "credit that is not",
    "a short sample": "not [time, credit]",
    "too many samples": "samples, more than",
    "oversized": "bytes, more than",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_corrupt_oversized_or_foreign_file_is_ignored_with_one_line(tmp_path, name):
    path = tmp_path / "runway.json"
    content = HOSTILE[name]
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    samples, lines = load(path)
    assert samples == [] and len(lines) == 1, lines
    level, text = lines[0]
    assert level == "warning" and "ignored the runway state file" in text and REASON[name] in text
    assert "\n" not in text and len(text) < 400
    assert PIN not in text and USERNAME not in text


def test_a_fifo_a_directory_a_device_and_a_symlink_are_ignored_without_blocking(tmp_path):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    real = tmp_path / "real.json"
    _runway_state.save(str(real), KEY, SAMPLES)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    directory = tmp_path / "dir.json"
    directory.mkdir()
    for path, reason in ((fifo, "not a regular file"), (directory, "not a regular file"), ("/dev/zero", "not a regular file"), (link, "symbolic link")):
        samples, lines = load(path)
        assert samples == [] and len(lines) == 1 and reason in lines[0][1], (path, lines)


def test_save_replaces_a_symlink_instead_of_writing_through_it(tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("keep me")
    link = tmp_path / "runway.json"
    link.symlink_to(target)
    _runway_state.save(str(link), KEY, SAMPLES)
    assert target.read_text() == "keep me" and not link.is_symlink()
    assert load(link)[0] == SAMPLES


def test_a_save_that_fails_raises_oserror_and_leaves_nothing(tmp_path):
    with pytest.raises(OSError):
        _runway_state.save(str(tmp_path / "gone" / "runway.json"), KEY, SAMPLES)
    directory = tmp_path / "is-a-directory"
    directory.mkdir()
    with pytest.raises(OSError):
        _runway_state.save(str(directory), KEY, SAMPLES)
    assert sorted(os.listdir(tmp_path)) == ["is-a-directory"]


def test_checked_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _runway_state.checked_path("state_file", "runway.json") == str(tmp_path / "runway.json")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert _runway_state.checked_path("state_file", "~/r.json") == str(tmp_path / "r.json")
    for bad in (str(tmp_path), str(tmp_path / "missing" / "r.json"), "r\n.json", "x" * 5000, 12.5, ["r.json"]):
        with pytest.raises(CsoftInputError) as caught:
            _runway_state.checked_path("state_file", bad)
        assert "state_file" in str(caught.value) and "\n" not in str(caught.value)
