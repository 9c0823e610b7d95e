# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The real ansible-rulebook runs the example rulebook against the simulator (in this process).

The credit is lowered through the simulator's control API; the rulebook's
action runs the playbook it ships with, and the simulator receives the SMS.
Needs ansible-rulebook, Java 17 and ansible-galaxy (all from .venv-eda).
"""

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
import requests

from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.playbook_env import ansible_env, collections_base

ONCALL = "447700900123"
RULEBOOK_BIN = os.path.join(os.path.dirname(sys.executable), "ansible-rulebook")


def wait_for(what, check, seconds, proc):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    output = proc.communicate(timeout=30)[0]
    pytest.fail(f"{what} did not happen within {seconds} s; ansible-rulebook said:\n{output[-4000:]}")


def control(url, path, body):
    """POST to the simulator's control API (never through a proxy)."""
    with requests.Session() as session:
        session.trust_env = False
        return session.post(url.rsplit("/", 1)[0] + path, json=body, timeout=5).status_code


MISSING = not os.path.exists(RULEBOOK_BIN) or not shutil.which("java")


# scripts/lib/eda.sh sets CSOFT_EDA_REQUIRED=1: there a missing tool is a failure, not a skip.
@pytest.mark.skipif(MISSING and os.environ.get("CSOFT_EDA_REQUIRED") != "1", reason="needs ansible-rulebook (.venv-eda) and Java 17")
def test_example_rulebook_texts_oncall_when_the_credit_runs_low(tmp_path, pair):
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    (tmp_path / "watch.yml").write_text(f"csoft_oncall: '{ONCALL}'\ncsoft_min_credit: 1.0\ncsoft_watch_interval: 10\n")
    env = ansible_env(
        collections_base(),
        tmp_path,
        extra={"CSOFT_USERNAME": USERNAME, "CSOFT_PIN": PIN, "CSOFT_ENDPOINTS": ",".join(pair.urls), "ANSIBLE_LOCALHOST_WARNING": "false"},
    )
    command = [RULEBOOK_BIN, "-r", "csoft.sms.credit_watch", "-i", str(inventory), "--vars", str(tmp_path / "watch.yml")]
    command += ["--env-vars", "CSOFT_USERNAME,CSOFT_PIN,CSOFT_ENDPOINTS", "-vv"]
    proc = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for("the first poll", lambda: pair.counts()["primary"]["AvailableMessages"] >= 1, 60, proc)
        assert pair.primary.messages() == []  # 2.8950 GBP is above 1.0: nothing sent at start
        assert control(pair.urls[0], "/_sim/account", {"username": USERNAME, "credit": "0.5000"}) == 200
        wait_for("the on-call SMS", pair.primary.messages, 60, proc)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=30)[0]
        (tmp_path / "rulebook.log").write_text(output)  # kept by pytest for a look after a failure
    (message,) = pair.primary.messages()
    assert message["recipients"] == [ONCALL]
    assert "csoft SMS credit is low: 0.5000 GBP, below 1.0000" in message["text"]
    assert PIN not in output
    # one request per operation per poll, no fail-over: the two polls (start, +10 s) and the playbook's send
    counts = pair.counts()
    assert counts["primary"]["AvailableCredit"] == counts["primary"]["AvailableMessages"] == 2, output[-3000:]
    assert counts["primary"]["SubmitMessage"] == 1 and counts["secondary"]["total"] == 0
