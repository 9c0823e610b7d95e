# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The callback csoft.sms.sms_notify without ansible-playbook: Ansible's events fed by hand, the SMS sent to the simulator.

The options go through Ansible's own option handling (tests/support/plugin_harness.py), given directly.
"""

import os
import signal
import threading
import time
from types import SimpleNamespace

import pytest

from ansible_collections.csoft.sms.plugins.callback import sms_notify
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.network import closed_port
from ansible_collections.csoft.sms.tests.support.plugin_harness import plugin

ONCALL = "447700900123"
NAME = sms_notify.NAME


class FakeDisplay:
    """Ansible's Display as the callback uses it; ``broken`` streams fail as a closed pipe does."""

    verbosity = 0

    def __init__(self, broken=()):
        self.lines = []
        self.broken = broken

    def display(self, msg, color=None, stderr=False, **kwargs):
        stream = "stderr" if stderr else "stdout"
        if stream in self.broken:
            raise BrokenPipeError(32, "Broken pipe")
        self.lines.append((stream, msg))

    def vvv(self, msg, host=None):
        if self.verbosity >= 3:
            self.display(msg)

    def warnings(self):
        return [line for stream, line in self.lines if stream == "stderr"]


class Named:
    def __init__(self, name, **attributes):
        self.name = name
        self.__dict__.update(attributes)

    def get_name(self):
        return self.name


def result(host, task, no_log=False, ignore_unreachable=False):
    return SimpleNamespace(host=Named(host), task=Named(task, no_log=no_log, ignore_unreachable=ignore_unreachable))


class Stats:
    """AggregateStats of hosts given as name -> the counts that are not zero."""

    def __init__(self, **hosts):
        self.hosts = hosts
        self.processed = dict.fromkeys(hosts, 1)

    def summarize(self, host):
        return dict({"ok": 1, "failures": 0, "unreachable": 0, "changed": 0, "skipped": 0, "rescued": 0, "ignored": 0}, **self.hosts[host])


@pytest.fixture
def make(monkeypatch, pair):
    """make(display=None, **options): a callback whose playbook deploy.yml has started."""
    registered = []
    monkeypatch.setattr(sms_notify, "atexit", SimpleNamespace(register=registered.append))
    for name in list(os.environ):
        if name.startswith(("CSOFT_", "ANSIBLE_CALLBACK")):
            monkeypatch.delenv(name)

    def make(display=None, **options):
        values = {"to": [ONCALL], "username": USERNAME, "pin": PIN, "endpoints": pair.urls, "timeout": 5}
        values.update(options)
        callback = plugin(sms_notify, "callback", NAME, ("DOCUMENTATION", "CALLBACK"), "CallbackModule")
        callback._display = display or FakeDisplay()
        callback.set_options(direct={name: value for name, value in values.items() if value is not None})
        callback.v2_playbook_on_start(SimpleNamespace(_file_name="/srv/plays/deploy.yml"))
        return callback

    make.registered = registered
    return make


def texts(pair):
    return [message["text"] for message in pair.primary.messages() + pair.secondary.messages()]


def submits(pair):
    return sum(counts["SubmitMessage"] for counts in pair.counts().values())


def pin_pieces(text, size=4):
    return sorted({PIN[i : i + size] for i in range(len(PIN) - size + 1) if PIN[i : i + size] in text})


def test_a_failed_run_sends_one_sms_and_says_so(make, pair):
    callback = make()
    callback.v2_runner_on_failed(result("h2", "Deploy the app"))
    callback.v2_playbook_on_stats(Stats(h1={}, h2={"failures": 1}))
    callback._at_exit()  # after the summary, the end of the process sends nothing more
    assert texts(pair) == ["Ansible deploy.yml: FAILED, 1 failed, 0 unreachable of 2 host(s); first h2: Deploy the app"]
    [(stream, line)] = callback._display.lines
    assert stream == "stdout" and line.startswith(f"{NAME}: the run's SMS (failure) was sent to 1 number(s) through {pair.primary.url}")
    assert make.registered == [callback._at_exit]


def test_a_rescued_failure_is_not_named(make, pair):
    # Host a failed first and a rescue: handled it (Ansible counts it in 'rescued'); host b failed for real.
    callback = make()
    callback.v2_runner_on_failed(result("a", "Try the fast path"))
    callback.v2_runner_on_failed(result("b", "Migrate the database"))
    callback.v2_playbook_on_stats(Stats(a={"rescued": 1}, b={"failures": 1}))
    assert texts(pair) == ["Ansible deploy.yml: FAILED, 1 failed, 0 unreachable of 2 host(s); first b: Migrate the database"]


def test_ignored_failures_and_ignored_unreachable_hosts_are_not_named(make, pair):
    callback = make()
    callback.v2_runner_on_failed(result("a", "Ignored"), ignore_errors=True)
    callback.v2_runner_on_unreachable(result("a", "Ping a flaky host", ignore_unreachable=True))
    callback.v2_runner_on_failed(result("a", "Install"))
    callback.v2_playbook_on_stats(Stats(a={"failures": 1, "ignored": 2}))
    assert texts(pair) == ["Ansible deploy.yml: FAILED, 1 failed, 0 unreachable of 1 host(s); first a: Install"]


@pytest.mark.parametrize(
    ("template", "start"),
    [(None, "Ansible deploy.yml: FAILED"), ("{{ outcome }} {{ first_task }}", "FAILED ttt"), ("{{ first_host }} {{ first_task }} {{ playbook }}", "web-xxx")],
)
def test_no_piece_of_the_pin_reaches_the_sms(make, pair, template, start):
    # Cut at 60 (the host) and 100 (the task) characters, these names used to leave 7 and 10 characters of the PIN.
    host = "web-" + "x" * 49 + PIN + "-eu"
    task = "t" * 90 + PIN + " and more"
    callback = make(msg_template=template)
    callback.v2_runner_on_failed(result(host, task))
    callback.v2_playbook_on_stats(Stats(**{host: {"failures": 1}}))
    [text] = texts(pair)
    assert pin_pieces(text) == [] and text.startswith(start), text
    assert not any(PIN[:4] in line for _stream, line in callback._display.lines)


def test_a_run_stopped_before_its_summary_sends_at_exit(make, pair):
    callback = make()
    callback.v2_runner_on_failed(result("h1", "Deploy"))
    callback._at_exit()
    assert texts(pair) == ["Ansible deploy.yml: FAILED, the run stopped before its end (an error or an interrupt)"]


def test_a_pin_file_that_is_a_device_is_one_quick_warning(make, pair):
    started = time.monotonic()
    callback = make(pin=None, pin_file="/dev/zero")
    assert time.monotonic() - started < 2
    [line] = callback._display.warnings()
    assert line == (
        f"[WARNING]: {NAME}: off for this run: pin_file /dev/zero is a character device; give a regular file whose first line is the PIN "
        "(CSOFT_PIN_FILE or pin_file of [callback_csoft_sms_notify]); fix the [callback_csoft_sms_notify] settings or the CSOFT_* variables"
    )
    callback.v2_playbook_on_stats(Stats(h1={"failures": 1}))
    assert submits(pair) == 0


def test_a_pin_file_is_read(make, pair, tmp_path):
    pin_file = tmp_path / "pin"
    pin_file.write_text(PIN + "\n")
    callback = make(pin=None, pin_file=str(pin_file))
    callback.v2_playbook_on_stats(Stats(h1={"failures": 1}))
    assert len(texts(pair)) == 1 and callback._display.warnings() == []


@pytest.mark.parametrize("broken", [("stdout",), ("stdout", "stderr")])
def test_a_closed_console_never_makes_the_sms_unsent(make, pair, broken):
    # ansible-playbook ... | head -c 10: printing fails, the SMS went out, and nothing says otherwise.
    display = FakeDisplay(broken=broken)
    callback = make(display=display)
    callback.v2_playbook_on_stats(Stats(h1={"failures": 1}))
    assert submits(pair) == 1 and len(texts(pair)) == 1
    assert display.lines == []


def test_the_whole_send_has_a_deadline(make, pair, monkeypatch):
    pair.set_mode("hang", "SubmitMessage")
    monkeypatch.setattr(sms_notify, "_send_bound", lambda client, request: 0.3)
    callback = make()
    started = time.monotonic()
    callback.v2_playbook_on_stats(Stats(h1={"failures": 1}))
    assert time.monotonic() - started < 3
    assert callback._display.warnings() == [
        f"[WARNING]: {NAME}: the run's SMS was not confirmed within 0.3 s, so the callback stopped waiting; "
        "it may have been sent: check the account's sent messages"
    ]


def test_the_deadline_counts_every_request():
    client = SimpleNamespace(timeout=5.0, endpoints=("https://a.example/sendsms5", "https://b.example/sendsms5"))
    assert sms_notify._send_bound(client, SimpleNamespace(reply_to=None)) == 5.0 * 2 + sms_notify.SEND_GRACE
    assert sms_notify._send_bound(client, SimpleNamespace(reply_to="csoft.co.uk")) == 5.0 * 4 + sms_notify.SEND_GRACE


def test_an_interrupt_while_sending_is_one_line_and_never_an_exception(make, pair):
    pair.set_mode("hang", "SubmitMessage")
    previous = signal.getsignal(signal.SIGINT)

    def interrupt_once_sending():
        deadline = time.monotonic() + 10
        while submits(pair) == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        if submits(pair):  # the client waits 5 s for the answer: the callback is still sending
            os.kill(os.getpid(), signal.SIGINT)

    callback = make()
    threading.Thread(target=interrupt_once_sending, daemon=True).start()
    callback.v2_playbook_on_stats(Stats(h1={"failures": 1}))  # a KeyboardInterrupt here fails the test
    assert callback._display.warnings() == [
        f"[WARNING]: {NAME}: interrupted while the run's SMS was being sent, so the callback stopped waiting; "
        "it may have been sent: check the account's sent messages"
    ]
    assert signal.getsignal(signal.SIGINT) is previous


def test_a_service_out_of_reach_is_one_warning_without_the_pin(make, pair):
    callback = make(endpoints=[closed_port()])
    callback.v2_playbook_on_stats(Stats(h1={"failures": 1}))
    [line] = callback._display.warnings()
    assert line.startswith(f"[WARNING]: {NAME}: csoft SubmitMessage failed: no endpoint could be reached")
    assert line.endswith("; the SMS was not sent") and PIN not in line


def test_a_successful_run_sends_nothing_by_default(make, pair):
    display = FakeDisplay(broken=("stdout",))
    display.verbosity = 3
    callback = make(display=display)
    callback.v2_playbook_on_stats(Stats(h1={}, h2={}))
    assert pair.counts() == {name: dict.fromkeys(counts, 0) for name, counts in pair.counts().items()}
    assert display.lines == []  # the -vvv line could not be printed, and that changed nothing
    display.broken = ()
    make(display=display)._finish({"h1": Stats(h1={}).summarize("h1")}, stopped=False)
    assert display.lines == [("stdout", f"{NAME}: the run's outcome is success; no SMS (notify_on is failure)")]
