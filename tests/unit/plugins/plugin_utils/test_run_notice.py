# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The outcome and the SMS text of a run (plugin_utils/_run_notice.py), as the callback sms_notify sends it."""

from urllib.parse import quote

import pytest

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.plugins.module_utils._sms_text import message_parts
from ansible_collections.csoft.sms.plugins.plugin_utils._run_notice import (
    HIDDEN_TASK,
    RunRecord,
    compose,
    mask_pieces,
    summarize,
    validate_notify_on,
    validate_template,
)
from ansible_collections.csoft.sms.tests.support.accounts import PIN

OK = {"ok": 2, "failures": 0, "unreachable": 0}
FAILED = {"ok": 1, "failures": 1, "unreachable": 0}
UNREACHABLE = {"ok": 0, "failures": 0, "unreachable": 1}


def record(*failures, playbooks=("deploy.yml",)):
    run = RunRecord()
    for path in playbooks:
        run.playbook(f"/srv/plays/{path}")
    for host, task, hidden, *message in failures:
        run.failed(host, task, hidden, *message)
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
        "first_msg": "",
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


def test_the_first_failure_is_named():
    run = record(("a", "first", False), ("b", "second", False))
    assert run.first_failure({"a": FAILED, "b": FAILED}) == ("a", "first", "")


RESCUED = {"ok": 2, "failures": 0, "unreachable": 0, "rescued": 1}


def test_a_rescued_failure_is_not_the_first_failure():
    # Host a failed first, but a rescue: handled it; host b failed for real.
    run = record(("a", "Try the fast path", False), ("b", "Migrate the database", False))
    summary = summarize(run, {"a": RESCUED, "b": FAILED})
    assert (summary.failed, summary.first_host, summary.first_task) == (1, "b", "Migrate the database")


def test_a_host_that_failed_after_a_rescue_is_named_with_its_real_failure():
    run = record(("a", "Try the fast path", False), ("b", "Unrelated, rescued", False), ("a", "Take the slow path", False))
    summary = summarize(run, {"a": dict(FAILED, rescued=1), "b": RESCUED})
    assert (summary.first_host, summary.first_task) == ("a", "Take the slow path")


def test_unreachable_after_a_rescue_is_named():
    run = record(("a", "Try", False), ("a", "Gather facts", False))
    assert run.first_failure({"a": dict(UNREACHABLE, rescued=1)}) == ("a", "Gather facts", "")


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
    summary = summarize(record(("web-" + "1" * 50, task, False), playbooks=("p" * 150 + ".yml",)), {"web-" + "1" * 50: FAILED})
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


# The PIN, or any piece of it, never reaches the text -------------------------------------------


def redact(text):
    """As the client's redact: the PIN as is, XML-escaped and percent-encoded."""
    for form in (PIN, PIN.replace("&", "&amp;"), quote(PIN, safe="")):
        text = text.replace(form, "********")
    return text


def pieces_of(pin, text, size=4):
    return sorted({pin[i : i + size] for i in range(len(pin) - size + 1) if pin[i : i + size] in text})


LONG = "x" * 130


@pytest.mark.parametrize("offset", range(0, 131, 5))
@pytest.mark.parametrize("template", [None, "{{ outcome }} {{ first_task }}", "{{ first_host }}: {{ first_task }} {{ playbook }}"])
@pytest.mark.parametrize("secret", [PIN, None], ids=["pieces-checked", "redact-only"])
def test_no_piece_of_the_pin_wherever_a_name_is_cut(offset, template, secret):
    # The PIN at every place of long names: the names are cut at 60 or 100 characters, and the default text shorter
    # still. Masked before any cut, no piece is left even without the last check of the pieces (secret None).
    assert len(PIN) == 16
    name = LONG[:offset] + PIN + LONG[offset:]
    run = record(("web-" + name, "Deploy " + name, False), playbooks=(name + ".yml",))
    summary = summarize(run, {"web-" + name: FAILED})
    text = compose(summary, validate_template(template), hide=redact, secret=secret)
    assert pieces_of(PIN, text) == [], text
    assert text.startswith("FAILED" if template and "outcome" in template else ("web-" if template else "Ansible "))


def test_no_piece_of_the_pin_even_without_redact_nor_in_the_template_itself():
    summary = summarize(record(("web01", "Deploy " + PIN[:9] + "\x00" + PIN[9:], False)), {"web01": FAILED})
    text = compose(summary, validate_template("{{ first_task }} " + PIN[3:12]), secret=PIN)
    assert pieces_of(PIN, text) == [], text
    assert text == "Deploy " + "*" * 9 + " " + "*" * 7 + " " + "*" * 9


def test_pieces_of_the_escaped_pin_are_masked_too():
    pin = "Ab&Cd<Ef/Gh"
    text = mask_pieces("echo Ab&amp;Cd&lt;Ef and Ef%2FGh", pin)
    assert "&amp;C" not in text and "Ef%2F" not in text and "%2FGh" not in text


def test_masking_never_makes_a_new_piece():
    # A PIN made of every mask character: the pieces are cut out instead.
    pin = "*#?.-_+*"
    text = mask_pieces("a *#?.-_+* b **#?.-_+*# c", pin)
    assert pieces_of(pin, text) == [] and text.startswith("a ") and text.endswith(" c")


def test_a_short_pin_is_only_masked_whole():
    assert mask_pieces("abc abcd", "abc") == "abc abcd"
    assert mask_pieces("no pin here", None) == "no pin here"


GATE_MSG = "csoft.sms.csoft_account_check: credit 0.5000 GBP is below min_credit 10 GBP; top up the account"


def test_the_failed_tasks_message_says_why():
    run = record(("web02", "Check credit", False, GATE_MSG))
    text = compose(summarize(run, {"web02": FAILED}))
    # the plugin's name is dropped (the task is named); the reason is whole and the text is one SMS part
    reason = GATE_MSG.split(": ", 1)[1]
    assert text == f"Ansible deploy.yml: FAILED, 1 failed, 0 unreachable of 1 host(s); first web02: Check credit: {reason}"
    assert message_parts(text)[2] == 1, text


def test_the_message_of_the_first_counted_failure_not_of_a_rescued_one():
    run = record(("a", "Try", False, "rescued reason"), ("a", "Slow path", False, "real reason"))
    summary = summarize(run, {"a": dict(FAILED, rescued=1)})
    assert (summary.first_task, summary.first_msg) == ("Slow path", "real reason")


def test_a_no_log_tasks_message_is_never_kept():
    run = record(("web01", "Set password", True, "password s3cret rejected"))
    summary = summarize(run, {"web01": FAILED})
    assert summary.first_msg == "" and "s3cret" not in compose(summary)


@pytest.mark.parametrize(
    "message",
    [
        "line one\nline two\r\x00\x1b[31m",
        "x" * 5000,
        ["a", {"b": 1}],
        12345,
        f"login failed for PIN {PIN}",
        f"pin={quote(PIN)} &amp; {PIN[1:7]}",
    ],
)
def test_the_message_is_one_clean_line_without_the_pin_in_one_part(message):
    run = record(("web01", "Deploy", False, message))
    text = compose(summarize(run, {"web01": FAILED}), hide=lambda value: value.replace(PIN, "********"), secret=PIN)
    assert message_parts(text)[2] == 1 and "\n" not in text and "\x1b" not in text and "\x00" not in text, text
    assert PIN not in text and PIN[1:7] not in text and PIN[:4] not in text
    assert "first web01: Deploy" in text


def test_long_names_give_way_before_the_message():
    run = record(("web-" + "1" * 50, "T" * 200, False, "disk full on /var"), playbooks=("p" * 150 + ".yml",))
    text = compose(summarize(run, {"web-" + "1" * 50: FAILED}))
    assert message_parts(text)[2] == 1 and text.endswith(": disk full on /var"), text


def test_first_msg_placeholder_is_filled_once_and_never_templated():
    run = record(("web01", "Deploy", False, "{{ first_host }} {{ lookup('env', 'HOME') }}"))
    summary = summarize(run, {"web01": FAILED})
    assert validate_template("{{ first_host }}: {{ first_msg }}") is not None
    text = compose(summary, template="{{ first_host }}: {{ first_msg }}")
    assert text == "web01: {{ first_host }} {{ lookup('env', 'HOME') }}"
