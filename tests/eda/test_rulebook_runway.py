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

import re

from ansible_collections.csoft.sms.tests.eda.rulebook_run import control, needs_rulebook, running_rulebook
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME

FINANCE = "447700900456"
CREDITS = ("2.8850", "2.8750", "2.8650")  # 0.01 per poll of 10 s: 3.6 per hour
VARIABLES = (
    f"csoft_oncall: '447700900123'\ncsoft_finance: '{FINANCE}'\ncsoft_min_credit: 0\ncsoft_watch_interval: 10\n"
    "csoft_min_runway: 1\ncsoft_runway_window: 0.01\n"  # 36 s: three polls spanning 3 s give an estimate
)


@needs_rulebook
def test_example_rulebook_texts_finance_once_when_the_runway_runs_low(tmp_path, pair):
    with running_rulebook(tmp_path, pair, "credit_watch", VARIABLES) as run:
        for polls, credit in enumerate(CREDITS, 1):
            run.wait_for(f"poll {polls}", lambda polls=polls: pair.counts()["primary"]["AvailableMessages"] >= polls, 60)
            assert control(pair.urls[0], "/_sim/account", {"username": USERNAME, "credit": credit}) == 200
        run.wait_for("the finance SMS", pair.primary.messages, 60)
        run.wait_for("poll 4", lambda: pair.counts()["primary"]["AvailableMessages"] >= 4, 60)
    (message,) = pair.primary.messages()  # once: the fourth poll is still low, not a change
    assert message["recipients"] == [FINANCE]
    assert re.search(r"csoft SMS credit lasts about 0\.[78] hours at the current rate: 2\.8750 GBP left, 3\.[56]\d{3} spent per hour", message["text"]), message
    assert PIN not in run.output
    counts = pair.counts()
    assert counts["primary"]["SubmitMessage"] == 1 and counts["secondary"]["total"] == 0
