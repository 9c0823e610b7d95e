# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The outcome and the SMS text of a run (plugin_utils/_run_notice.py), as the callback sms_notify sends it."""

import pytest

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.plugins.module_utils._sms_text import message_parts
from ansible_collections.csoft.sms.plugins.plugin_utils._run_notice import (
    HIDDEN_TASK,
    RunRecord,
    compose,
    summarize,
    validate_notify_on,
    validate_template,
)

OK = {"ok": 2, "failures": 0, "unreachable": 0}
FAILED = {"ok": 1, "failures": 1, "unreachable": 0}
UNREACHABLE = {"ok": 0, "failures": 0, "unreachable": 1}


def record(*failures, playbooks=("deploy.yml",)):
    run = RunRecord()
    for path in playbooks:
        run.playbook(f"/srv/plays/{path}")
    for host, task, hidden in failures:
        run.failed(host, task, hidden)
    return run


def test_failed_run_counts_hosts_and_names_the_first_failure():
    run = record(("web02", "Install the app", False), ("web03", "Restart", False))
    summary = summarize(run, {"web01": OK, "web02": FAILED, "web03": FAILED, "db01": UNREACHABLE})
    assert summary.as_dict() == {
        "playbook": "deploy.yml",
        "outcome": "failure",
        "hosts": 4,
        "ok": 1,
        "failed": 2,
        "unreachable": 1,
        "first_host": "web02",
        "first_task": "Install the app",
    }
    assert compose(summary) == "Ansible deploy.yml: FAILED, 2 failed, 1 unreachable of 4 host(s); first web02: Install the app"


def test_successful_run():
    summary = summarize(record(), {"web01": OK, "web02": OK})
    assert summary.outcome == "success"
    assert compose(summary) == "Ansible deploy.yml: OK on 2 host(s)"


def test_no_log_task_name_is_never_sent():
    summary = summarize(record(("web01", "Set password s3cret", True)), {"web01": FAILED})
    assert summary.first_task == HIDDEN_TASK
    assert "s3cret" not in compose(summary)


def test_only_the_first_failure_is_kept():
    run = record(("a", "first", False), ("b", "second", False))
    assert (run.first_host, run.first_task) == ("a", "first")


def test_a_run_stopped_before_its_statistics_is_a_failure():
    summary = summarize(record(), {}, stopped=True)
    assert summary.outcome == "failure"
    assert compose(summary) == "Ansible deploy.yml: FAILED, the run stopped before its end (an error or an interrupt)"


def test_failure_without_a_recorded_task_names_the_host():
    summary = summarize(record(), {"db01": UNREACHABLE})
    assert (summary.first_host, summary.first_task) == ("db01", "unreachable")


def test_several_playbooks_are_named_in_order():
    summary = summarize(record(playbooks=("a.yml", "b.yml")), {"h": OK})
    assert summary.playbook == "a.yml b.yml"


@pytest.mark.parametrize("task", ["x" * 300, "Déployer l'application " * 10, "Deploy 🚀 " * 20])
def test_default_text_is_shortened_to_one_sms_part(task):
    summary = summarize(record(("web-" + "1" * 50, task, False), playbooks=("p" * 150 + ".yml",)), {"h": FAILED})
    text = compose(summary)
    assert message_parts(text)[2] == 1, text
    assert text.startswith("Ansible ") and "FAILED, 1 failed, 0 unreachable of 1 host(s); first web-1" in text
    assert message_parts(text)[0] == "GSM-7"


def test_default_text_keeps_gsm7_names_as_they_are():
    summary = summarize(record(("web01", "Déployer l'appli à 10h", False)), {"web01": FAILED})
    assert compose(summary).endswith("first web01: Déployer l'appli à 10h")


def test_control_characters_never_reach_the_text():
    summary = summarize(record(("web\x0001", "Deploy\x1b[31m red\nnext", False)), {"web01": FAILED})
    text = compose(summary)
    assert "\x00" not in text and "\x1b" not in text and "\n" not in text


def test_template_fills_every_placeholder():
    summary = summarize(record(("web02", "Install", False)), {"web01": OK, "web02": FAILED})
    template = validate_template("{{playbook}} {{ outcome }} {{ hosts }}/{{ ok }}/{{ failed }}/{{ unreachable }} {{ first_host }} {{ first_task }}")
    assert compose(summary, template) == "deploy.yml FAILED 2/1/1/0 web02 Install"


def test_template_text_is_not_evaluated():
    summary = summarize(record(), {"h": OK})
    template = validate_template("{{ outcome }} {% if 1 %}x{% endif %} {{ '{{' }}")
    assert compose(summary, template) == "OK {% if 1 %}x{% endif %} {{ '{{' }}"


@pytest.mark.parametrize(
    ("template", "error"),
    [
        (r"{{ pin }} {{ playbook }}", r"unknown placeholder\(s\) pin"),
        ("   ", "msg_template is empty"),
        (["a list"], "msg_template is empty"),
    ],
)
def test_invalid_template(template, error):
    with pytest.raises(CsoftInputError, match=error):
        validate_template(template)


def test_unset_template_is_none():
    assert validate_template(None) is None
    assert validate_template("") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["failure"], ("failure",)),
        ("failure,success", ("failure", "success")),
        (["Success", "failure", "success"], ("success", "failure")),
    ],
)
def test_notify_on(value, expected):
    assert validate_notify_on(value) == expected


@pytest.mark.parametrize("value", [[], "", ["sometimes"], "failure,never"])
def test_notify_on_invalid(value):
    with pytest.raises(CsoftInputError, match="use failure, success or both"):
        validate_notify_on(value)
