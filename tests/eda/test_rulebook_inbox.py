# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The real ansible-rulebook runs the example rulebook sms_inbox.yml against the simulator (in this process).

Replies are queued on the simulator's inbound queue before the rulebook
starts; its first poll collects them. An ACK from an allowed sender runs
``csoft.sms.sms_inbox_ack``, which texts the sender back, once even though the
simulator answers the ACK again at the next poll; ``ROLLBACK <app>`` runs
``csoft.sms.sms_inbox_rollback``, which checks the app first. A reply from a
sender not allowed runs nothing. Needs ansible-rulebook, Java 17 and
ansible-galaxy (all from .venv-eda).
"""

import re

from ansible_collections.csoft.sms.tests.eda.rulebook_run import needs_rulebook, running_rulebook
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME

ALLOWED = "447700900123"
STRANGER = "447700900999"
SPOOF = "{{'Q'*7}}"  # a sender name that looks like a template: shown as it is, never rendered
VARIABLES = f"sms_inbox_allowed_senders: ['{ALLOWED}']\nsms_inbox_interval: 10\n"


def warnings(output):
    """The rulebook's warnings about replies from senders not allowed (lines of their own, not the rule's definition)."""
    return re.findall(r"^WARNING: a reply from (.*), not in sms_inbox_allowed_senders, was ignored$", output, re.MULTILINE)


@needs_rulebook
def test_an_ack_from_an_allowed_sender_is_texted_back_once_and_a_rollback_is_checked(tmp_path, pair):
    pair.inject_reply(USERNAME, ALLOWED, "ack", keep=True)  # answered again at every poll: de-duplicated
    pair.inject_reply(USERNAME, ALLOWED, "{{ lookup('pipe','id') }}")  # no command: nothing runs
    pair.inject_reply(USERNAME, ALLOWED, "ROLLBACK prod")  # refused by the playbook's check
    pair.inject_reply(USERNAME, ALLOWED, "Rollback OTP")
    with running_rulebook(tmp_path, pair, "sms_inbox", VARIABLES) as run:
        run.wait_for("the acknowledgement", pair.primary.messages, 90)
        run.wait_for("the rollback", lambda: "would roll back otp at the request of " + ALLOWED in run.so_far(), 90)
        run.wait_for("the second poll", lambda: pair.counts()["primary"]["CollectMessages"] >= 2, 60)
    (message,) = pair.primary.messages()
    assert message["recipients"] == [ALLOWED] and message["text"] == f"acknowledged by {ALLOWED}"
    assert "ROLLBACK takes one application of otp, web; nothing was rolled back" in run.output
    assert run.output.count("would roll back") == 1
    assert not re.search(r"\buid=\d+\(", run.output) and PIN not in run.output  # id(1) never ran
    counts = pair.counts()
    assert counts["primary"]["SubmitMessage"] == 1 and counts["secondary"]["total"] == 0


@needs_rulebook
def test_a_reply_from_a_sender_not_allowed_runs_nothing(tmp_path, pair):
    pair.inject_reply(USERNAME, STRANGER, "ACK")
    pair.inject_reply(USERNAME, STRANGER, "ROLLBACK otp")
    pair.inject_reply(USERNAME, SPOOF, "ACK")
    with running_rulebook(tmp_path, pair, "sms_inbox", VARIABLES) as run:
        run.wait_for("the warnings", lambda: len(warnings(run.so_far())) == 3, 90)
        run.wait_for("the second poll", lambda: pair.counts()["primary"]["CollectMessages"] >= 2, 60)
    assert warnings(run.output) == [STRANGER, STRANGER, SPOOF] and "QQQQQQQ" not in run.output
    assert "PLAY [" not in run.output  # no playbook ran
    assert pair.primary.messages() == [] and pair.counts()["primary"]["SubmitMessage"] == 0
