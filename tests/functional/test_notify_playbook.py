# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The callback csoft.sms.sms_notify in real ansible-playbook runs against the simulator.

Every run with the callback is compared with the same run without it: the
exit code must be the same, whatever happens to the SMS. The simulator's
counters and its record of accepted messages say what was sent.
"""

import time

import pytest

from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.network import closed_port
from ansible_collections.csoft.sms.tests.support.notify_runs import (
    FAILING,
    NAME,
    ONCALL,
    PASSING,
    callback_env,
    inventory,
    notice_lines,
    run_both,
    sent,
    submits,
)


def test_failing_play_sends_one_sms_with_the_run_in_it(ansible, pair, tmp_path):
    rc, result = run_both(ansible, FAILING, pair, inventory_path=inventory(tmp_path))
    assert rc == result.returncode == 2, result.output
    assert submits(pair) == 1
    [message] = sent(pair)
    assert message["recipients"] == [ONCALL]
    assert message["text"] == "Ansible playbook.yml: FAILED, 1 failed, 0 unreachable of 3 host(s); first h2: Deploy the app: the deployment broke"
    assert [line.strip() for line in notice_lines(result.output)] == [
        f"{NAME}: the run's SMS (failure) was sent to 1 number(s) through {pair.primary.url} (MessageIdentifier {message['message_identifier']})"
    ]


def test_passing_play_sends_nothing_by_default(ansible, pair, tmp_path):
    rc, result = run_both(ansible, PASSING, pair, inventory_path=inventory(tmp_path))
    assert rc == result.returncode == 0, result.output
    assert pair.counts() == {name: dict.fromkeys(counts, 0) for name, counts in pair.counts().items()}
    assert notice_lines(result.output) == []


def test_passing_play_sends_one_when_asked(ansible, pair, tmp_path):
    rc, result = run_both(ansible, PASSING, pair, inventory_path=inventory(tmp_path), CSOFT_NOTIFY_ON="failure,success")
    assert rc == result.returncode == 0, result.output
    assert [message["text"] for message in sent(pair)] == ["Ansible playbook.yml: OK on 3 host(s)"]


def test_two_hundred_failing_hosts_send_one_sms(ansible, pair, tmp_path):
    playbook = """
    - hosts: all
      gather_facts: false
      tasks:
        - name: Everything fails at once
          ansible.builtin.fail:
            msg: down
    """
    result = ansible.run(playbook, "--forks", "50", inventory=inventory(tmp_path, 200), env=callback_env(pair))
    assert result.returncode == 2, result.output
    assert submits(pair) == 1
    [message] = sent(pair)
    assert message["text"].startswith("Ansible playbook.yml: FAILED, 200 failed, 0 unreachable of 200 host(s); first h")


def test_unreachable_hosts_count(ansible, pair, tmp_path):
    hosts = tmp_path / "hosts.ini"
    hosts.write_text("h1 ansible_connection=local\ngone ansible_host=127.0.0.1 ansible_port=1 ansible_connection=ssh ansible_timeout=2\n")
    playbook = PASSING.replace("ansible.builtin.debug:\n        msg: deployed", "ansible.builtin.ping:")
    rc, result = run_both(ansible, playbook, pair, inventory_path=hosts)
    assert rc == result.returncode == 4, result.output
    [message] = sent(pair)
    # the unreachable host's reason (ssh's own words) follows the task, within one SMS part
    assert message["text"].startswith("Ansible playbook.yml: FAILED, 0 failed, 1 unreachable of 2 host(s); first gone: Report: "), message["text"]
    assert len(message["text"]) <= 160


def test_error_in_a_later_play_sends_one_sms(ansible, pair, tmp_path):
    playbook = (
        PASSING
        + """
- hosts: "{{ an_undefined_group }}"
  gather_facts: false
  tasks:
    - name: Never runs
      ansible.builtin.debug:
        msg: later
"""
    )
    rc, result = run_both(ansible, playbook, pair, inventory_path=inventory(tmp_path))
    assert rc == result.returncode != 0, result.output
    assert [message["text"] for message in sent(pair)] == ["Ansible playbook.yml: FAILED, the run stopped before its end (an error or an interrupt)"]


def test_ignored_and_rescued_failures_do_not_count(ansible, pair, tmp_path):
    playbook = """
    - hosts: all
      gather_facts: false
      tasks:
        - name: Ignored
          ansible.builtin.fail:
          ignore_errors: true
        - name: Rescued
          block:
            - name: Fails
              ansible.builtin.fail:
          rescue:
            - name: Recover
              ansible.builtin.debug:
                msg: recovered
    """
    result = ansible.run(playbook, inventory=inventory(tmp_path), env=callback_env(pair), check=True)
    assert submits(pair) == 0, result.output


def test_options_from_ansible_cfg_with_template_reply_to_and_pin_file(ansible, pair, tmp_path):
    pin_file = tmp_path / "pin"
    pin_file.write_text(PIN + "\n")
    config = tmp_path / "ansible.cfg"
    config.write_text(
        "[defaults]\n"
        f"callbacks_enabled = {NAME}\n"
        "[callback_csoft_sms_notify]\n"
        f"to = {ONCALL}, 447700900456\n"
        "notify_on = failure\n"
        "reply_to = csoft.co.uk\n"
        "delivery_option = Premier\n"
        "msg_template = {{ outcome }} {{ playbook }}: {{ failed }}/{{ hosts }} failed, first {{ first_host }} ({{ first_task }})\n"
        f"username = {USERNAME}\n"
        f"endpoints = {pair.primary.url}\n"
        f"pin_file = {pin_file}\n"
    )
    result = ansible.run(FAILING, inventory=inventory(tmp_path), env={"ANSIBLE_CONFIG": str(config)})
    assert result.returncode == 2, result.output
    [message] = sent(pair)
    assert message["text"] == "FAILED playbook.yml: 1/3 failed, first h2 (Deploy the app)"
    assert (message["recipients"], message["reply_to"], message["delivery_option"]) == ([ONCALL, "447700900456"], "csoft.co.uk", "Premier")
    assert pair.primary.counts()["PermittedReplyTo"] == 1


def test_pin_is_never_in_the_text_nor_in_verbose_output(ansible, pair, tmp_path):
    playbook = (
        FAILING.replace("Deploy the app", f"Deploy with {PIN}")
        + """
    - name: A no_log task fails too
      ansible.builtin.fail:
        msg: "{{ 'secret' }}"
      no_log: true
"""
    )
    result = ansible.run(playbook, "-vvvv", inventory=inventory(tmp_path), env=callback_env(pair))
    assert result.returncode == 2
    [message] = sent(pair)
    assert PIN not in message["text"]
    assert message["text"].endswith("first h2: Deploy with ********: the deployment broke")
    assert "secret" not in message["text"]
    verbose = ansible.run(FAILING, "-vvvv", inventory=inventory(tmp_path), env=callback_env(pair))
    assert verbose.returncode == 2 and len(sent(pair)) == 2
    assert PIN not in verbose.output
    assert "Deploy the app" in sent(pair)[1]["text"]


def _dead(pair, tmp_path):
    return {"CSOFT_ENDPOINTS": closed_port()}


def _fault(pair, tmp_path):
    pair.set_mode("fault", "SubmitMessage")
    return {}


def _bad_pin(pair, tmp_path):
    return {"CSOFT_PIN": "Wrong" + PIN[:10]}


def _timeout(pair, tmp_path):
    pair.set_mode("hang", "SubmitMessage")
    return {"CSOFT_TIMEOUT": "1"}


def _reply_to_not_permitted(pair, tmp_path):
    return {"CSOFT_NOTIFY_REPLY_TO": "447700900999"}


def _invalid_option(pair, tmp_path):
    return {"CSOFT_NOTIFY_ON": "sometimes"}


def _invalid_timeout(pair, tmp_path):
    return {"CSOFT_TIMEOUT": "soon"}


def _invalid_template(pair, tmp_path):
    return {"CSOFT_NOTIFY_MSG_TEMPLATE": "{{ pin }}"}


def _no_recipient(pair, tmp_path):
    return {"CSOFT_NOTIFY_TO": None}


def _no_pin(pair, tmp_path):
    return {"CSOFT_PIN": None, "CSOFT_PIN_FILE": str(tmp_path / "missing-pin-file")}


def _pin_file_device(pair, tmp_path):
    return {"CSOFT_PIN": None, "CSOFT_PIN_FILE": "/dev/zero"}


# case -> (environment changes, words of the warning (one or several), SubmitMessage requests the simulator receives)
PROBLEMS = {
    "dead service": (_dead, "no endpoint could be reached", 0),
    "fault": (_fault, "SOAP fault", 1),
    "bad PIN": (_bad_pin, "check the username and PIN", 1),
    "time-out": (_timeout, "may already have been sent", 1),
    "reply_to not permitted": (_reply_to_not_permitted, "is not permitted for this account", 0),
    # Ansible's own words for a bad option value differ between 2.16 and 2.19: only what both say is checked
    "invalid notify_on": (_invalid_option, ("off for this run: Invalid value", "'sometimes'", "notify_on"), 0),
    "invalid timeout": (_invalid_timeout, ("off for this run: ", "CSOFT_TIMEOUT", "'soon'"), 0),
    "invalid template": (_invalid_template, "unknown placeholder(s) pin", 0),
    "no recipient": (_no_recipient, "off for this run: to is not set", 0),
    "unreadable PIN file": (_no_pin, "pin_file", 0),
    "PIN file that is a device": (_pin_file_device, "off for this run: pin_file /dev/zero is a character device; give a regular file", 0),
}


@pytest.mark.parametrize("case", PROBLEMS)
def test_problems_leave_the_exit_code_and_print_one_clean_warning(ansible, pair, tmp_path, case):
    change, words, requests = PROBLEMS[case]
    hosts = inventory(tmp_path)
    baseline = ansible.run(FAILING, inventory=hosts, env={"CSOFT_PIN": PIN}).returncode
    env = callback_env(pair)
    env.update(change(pair, tmp_path))
    started = time.monotonic()
    result = ansible.run(FAILING, inventory=hosts, env={key: value for key, value in env.items() if value is not None})
    assert result.returncode == baseline == 2, result.output
    [line] = notice_lines(result.output)
    assert line.startswith(f"[WARNING]: {NAME}: ") and all(word in line for word in ([words] if isinstance(words, str) else words)), line
    assert "Traceback" not in result.output and PIN not in result.output
    assert submits(pair) == requests
    assert sent(pair) == [] or case == "time-out"
    assert time.monotonic() - started < 60


def test_a_rescued_failure_is_not_the_one_named(ansible, pair, tmp_path):
    # h1 fails first, but a rescue: handles it; h2 fails for real later.
    playbook = """
    - hosts: all
      gather_facts: false
      tasks:
        - name: Rescued on h1
          when: inventory_hostname == 'h1'
          block:
            - name: Try the fast path
              ansible.builtin.fail:
                msg: no fast path
          rescue:
            - name: Take the slow path
              ansible.builtin.debug:
                msg: slow path
        - name: Migrate the database
          ansible.builtin.fail:
            msg: migration failed
          when: inventory_hostname == 'h2'
    """
    rc, result = run_both(ansible, playbook, pair, inventory_path=inventory(tmp_path, 2))
    assert rc == result.returncode == 2, result.output
    expected = "Ansible playbook.yml: FAILED, 1 failed, 0 unreachable of 2 host(s); first h2: Migrate the database: migration failed"
    assert [message["text"] for message in sent(pair)] == [expected]


def test_the_failed_tasks_message_is_one_line_of_text_never_templated(ansible, pair, tmp_path):
    """A message with line breaks and Jinja-looking text (say, a service's own error) arrives as one line of text."""
    playbook = r"""
    - hosts: all
      gather_facts: false
      tasks:
        - name: Deploy the app
          ansible.builtin.fail:
            msg: "{{ 'broke:' }}\n  {{ '{{' }} lookup('env', 'HOME') {{ '}}' }}\tend"
          when: inventory_hostname == 'h2'
    """
    rc, result = run_both(ansible, playbook, pair, inventory_path=inventory(tmp_path), CSOFT_NOTIFY_MSG_TEMPLATE="{{ first_host }}: {{ first_msg }}")
    assert rc == result.returncode == 2, result.output
    assert [message["text"] for message in sent(pair)] == ["h2: broke: {{ lookup('env', 'HOME') }} end"]
