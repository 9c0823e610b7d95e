# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The real ansible-rulebook runs the example rulebook against the simulator (in this process).

The credit is lowered through the simulator's control API; the rulebook's
action runs the playbook it ships with, and the simulator receives the SMS.
Needs ansible-rulebook, Java 17 and ansible-galaxy (all from .venv-eda).
"""

from ansible_collections.csoft.sms.tests.eda.rulebook_run import control, needs_rulebook, running_rulebook
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME

ONCALL = "447700900123"


@needs_rulebook
def test_example_rulebook_texts_oncall_when_the_credit_runs_low(tmp_path, pair):
    with running_rulebook(tmp_path, pair, "credit_watch", f"csoft_oncall: '{ONCALL}'\ncsoft_min_credit: 1.0\ncsoft_watch_interval: 10\n") as run:
        run.wait_for("the first poll", lambda: pair.counts()["primary"]["AvailableMessages"] >= 1, 60)
        assert pair.primary.messages() == []  # 2.8950 GBP is above 1.0: nothing sent at start
        assert control(pair.urls[0], "/_sim/account", {"username": USERNAME, "credit": "0.5000"}) == 200
        run.wait_for("the on-call SMS", pair.primary.messages, 60)
    (message,) = pair.primary.messages()
    assert message["recipients"] == [ONCALL]
    assert "csoft SMS credit is low: 0.5000 GBP, below 1.0000" in message["text"]
    assert PIN not in run.output
    # one request per operation per poll, no fail-over: the two polls (start, +10 s) and the playbook's send
    counts = pair.counts()
    assert counts["primary"]["AvailableCredit"] == counts["primary"]["AvailableMessages"] == 2, run.output[-3000:]
    assert counts["primary"]["SubmitMessage"] == 1 and counts["secondary"]["total"] == 0
