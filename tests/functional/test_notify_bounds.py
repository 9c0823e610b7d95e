# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The callback csoft.sms.sms_notify at its edges, in real ansible-playbook runs against the simulator.

No piece of the PIN in the SMS from names that get shortened, a console that
is gone, and a second Ctrl-C while the SMS is being sent: whatever happens,
the run keeps the exit code it has without the callback.
"""

import os
import signal
import subprocess
import time

import pytest

from ansible_collections.csoft.sms.tests.support.accounts import PIN
from ansible_collections.csoft.sms.tests.support.notify_runs import FAILING, NAME, callback_env, inventory, notice_lines, sent, submits

# A long host name was cut at 60 characters, 7 of them the PIN's; a long task name at 100, 10 of them the PIN's.
LONG_HOST = "web-" + "x" * 49 + PIN + "-eu"
LONG_TASK = "t" * 90 + PIN + " and more"


@pytest.mark.parametrize(("template", "task"), [(None, "Deploy the app"), ("{{ outcome }} {{ first_task }}", LONG_TASK)])
def test_no_piece_of_the_pin_in_the_sms_from_long_names(ansible, pair, tmp_path, template, task):
    (tmp_path / "hosts.ini").write_text(f"{LONG_HOST} ansible_connection=local\n")
    playbook = FAILING.replace("Deploy the app", task).replace("'h2'", f"'{LONG_HOST}'")
    result = ansible.run(playbook, inventory=tmp_path / "hosts.ini", env=callback_env(pair, CSOFT_NOTIFY_MSG_TEMPLATE=template))
    assert result.returncode == 2, result.output
    [message] = sent(pair)
    pieces = [PIN[i : i + 4] for i in range(len(PIN) - 3) if PIN[i : i + 4] in message["text"]]
    assert pieces == [], message["text"]
    assert message["text"].startswith("FAILED ttt" if template else "Ansible playbook.yml: FAILED, 1 failed, 0 unreachable of 1 host(s); first web-xxx")


def test_a_closed_console_never_reports_the_sms_unsent(ansible, pair, tmp_path):
    # ansible-playbook ... | head -c 10: the console is gone long before the SMS is sent.
    hosts = inventory(tmp_path)
    (tmp_path / "playbook.yml").write_text(FAILING)
    command = 'ansible-playbook -i "$1" "$2" | head -c 10 >/dev/null; exit "${PIPESTATUS[0]}"'
    codes = []
    for env in ({"CSOFT_PIN": PIN}, callback_env(pair)):
        run = subprocess.run(
            ["bash", "-c", command, "bash", str(hosts), str(tmp_path / "playbook.yml")],
            env=ansible.env(env),
            cwd=str(tmp_path),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        codes.append(run.returncode)
    assert codes[0] == codes[1], run.stderr
    assert submits(pair) == 1 and len(sent(pair)) == 1
    assert "not sent" not in run.stderr and notice_lines(run.stderr) == [], run.stderr


def _wait(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"no {what} within {seconds} s"
        time.sleep(0.05)


SLOW = """
- hosts: all
  gather_facts: false
  tasks:
    - name: Say the run has started
      ansible.builtin.file:
        path: "{{ playbook_dir }}/started"
        state: touch
        mode: "0600"
    - name: Take long
      ansible.builtin.wait_for:
        timeout: 120
"""


def _default_sigint():
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupted_run(ansible, tmp_path, env, second=None):
    """Run SLOW, interrupt it once it has started (and again once ``second()`` is true); return (rc, output).

    ansible-playbook starts with SIGINT at its default, so that Python turns it into KeyboardInterrupt: a test run
    started in the background of a non-interactive shell (nohup, ``&``) has SIGINT ignored, and a child would
    inherit that and run on through every interrupt.
    """
    (tmp_path / "playbook.yml").write_text(SLOW)
    marker = tmp_path / "started"
    if marker.exists():
        marker.unlink()
    cmd = [os.path.join(ansible.bin_dir, "ansible-playbook"), "-i", str(inventory(tmp_path, 1)), str(tmp_path / "playbook.yml")]
    with subprocess.Popen(
        cmd,
        env=ansible.env(env),
        cwd=str(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_default_sigint,  # noqa: PLW1509  # pylint: disable=subprocess-popen-preexec-fn
    ) as proc:
        try:
            _wait(marker.exists, 120, "start of the run")
            time.sleep(0.5)
            proc.send_signal(signal.SIGINT)
            if second is not None:
                _wait(second, 120, "SMS being sent")
                proc.send_signal(signal.SIGINT)
            output, _unused = proc.communicate(timeout=120)
        finally:
            proc.kill()
    return proc.returncode, output


def test_a_second_interrupt_while_the_sms_is_sent_keeps_the_exit_code(ansible, pair, tmp_path):
    # Ctrl-C stops the run; a second Ctrl-C while the SMS is being sent used to end ansible-playbook with 130, silently.
    baseline, _output = _interrupted_run(ansible, tmp_path, {"CSOFT_PIN": PIN})
    pair.set_mode("hang", "SubmitMessage")
    started = time.monotonic()
    rc, output = _interrupted_run(ansible, tmp_path, callback_env(pair, CSOFT_TIMEOUT="60"), second=lambda: submits(pair) == 1)
    assert rc == baseline == 99, output
    assert notice_lines(output) == [
        f"[WARNING]: {NAME}: interrupted while the run's SMS was being sent, so the callback stopped waiting; "
        "it may have been sent: check the account's sent messages"
    ], output
    assert time.monotonic() - started < 100 and "Traceback" not in output
