# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The real ansible-rulebook runs the example rulebook and texts finance once when the credit runway runs low.

The credit falls by the same step after each poll (through the simulator's
control API), at the real interval of 10 s: the third poll gives an estimate
of about 0.8 hours, below ``csoft_min_runway`` 1, and the rulebook runs
``csoft.sms.credit_watch_text_finance``. A fourth poll, still low, texts nobody.
Needs ansible-rulebook, Java 17 and ansible-galaxy (all from .venv-eda).
"""

import os
import re
import signal
import subprocess
import sys

import pytest

from ansible_collections.csoft.sms.tests.eda.test_rulebook import MISSING, RULEBOOK_BIN, control, wait_for
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.playbook_env import ansible_env, collections_base

FINANCE = "447700900456"
CREDITS = ("2.8850", "2.8750", "2.8650")  # 0.01 per poll of 10 s: 3.6 per hour


@pytest.mark.skipif(MISSING and os.environ.get("CSOFT_EDA_REQUIRED") != "1", reason="needs ansible-rulebook (.venv-eda) and Java 17")
def test_example_rulebook_texts_finance_once_when_the_runway_runs_low(tmp_path, pair):
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    (tmp_path / "watch.yml").write_text(
        f"csoft_oncall: '447700900123'\ncsoft_finance: '{FINANCE}'\ncsoft_min_credit: 0\ncsoft_watch_interval: 10\n"
        "csoft_min_runway: 1\ncsoft_runway_window: 0.01\n"  # 36 s: three polls spanning 3 s give an estimate
    )
    env = ansible_env(
        collections_base(),
        tmp_path,
        extra={"CSOFT_USERNAME": USERNAME, "CSOFT_PIN": PIN, "CSOFT_ENDPOINTS": ",".join(pair.urls), "ANSIBLE_LOCALHOST_WARNING": "false"},
    )
    command = [RULEBOOK_BIN, "-r", "csoft.sms.credit_watch", "-i", str(inventory), "--vars", str(tmp_path / "watch.yml")]
    command += ["--env-vars", "CSOFT_USERNAME,CSOFT_PIN,CSOFT_ENDPOINTS", "-vv"]
    proc = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for polls, credit in enumerate(CREDITS, 1):
            wait_for(f"poll {polls}", lambda polls=polls: pair.counts()["primary"]["AvailableMessages"] >= polls, 60, proc)
            assert control(pair.urls[0], "/_sim/account", {"username": USERNAME, "credit": credit}) == 200
        wait_for("the finance SMS", pair.primary.messages, 60, proc)
        wait_for("poll 4", lambda: pair.counts()["primary"]["AvailableMessages"] >= 4, 60, proc)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        output = proc.communicate(timeout=30)[0]
        (tmp_path / "rulebook.log").write_text(output)  # kept by pytest for a look after a failure
    (message,) = pair.primary.messages()  # once: the fourth poll is still low, not a change
    assert message["recipients"] == [FINANCE]
    assert re.search(r"csoft SMS credit lasts about 0\.[78] hours at the current rate: 2\.8750 GBP left, 3\.[56]\d{3} spent per hour", message["text"]), message
    assert PIN not in output
    counts = pair.counts()
    assert counts["primary"]["SubmitMessage"] == 1 and counts["secondary"]["total"] == 0
