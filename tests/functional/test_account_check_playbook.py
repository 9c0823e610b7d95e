# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action csoft.sms.csoft_account_check on its own, and one view of the account per run with the lookup."""

import json
import sys

import pytest

from ansible_collections.csoft.sms.tests.support.accounts import LOW_PIN, LOW_USERNAME, PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.clients import operation_counts
from ansible_collections.csoft.sms.tests.support.network import closed_port

WRONG_PIN = "WrongPin5Yt8Hv2Q"


def check_play(args, play_extra="", tasks="", hosts="localhost"):
    return f"""
    - hosts: {hosts}
      gather_facts: false
{play_extra}
      tasks:
        - name: Check the account
          csoft.sms.csoft_account_check: {json.dumps(args)}
          run_once: true
          register: check
        - name: Save the result for the test
          ansible.builtin.copy:
            content: "{{{{ check | to_json }}}}"
            dest: "{{{{ playbook_dir }}}}/result.json"
            mode: "0600"
          run_once: true
          check_mode: false
{tasks}
    """


def saved(runner):
    return json.loads((runner.tmp_path / "result.json").read_text())


def credentials(pair, **extra):
    return dict({"username": USERNAME, "pin": PIN, "endpoints": [pair.primary.url]}, **extra)


def test_passing_check_returns_the_figures(ansible, pair):
    run = ansible.run(check_play(credentials(pair, min_credit=2.5, min_messages=24, required_reply_to=["csoft.co.uk"])), "--check", check=True)
    result = saved(ansible)
    figures = {
        "credit": 2.895,
        "currency": "GBP",
        "messages": 24,
        "permitted_reply_to": ["447700912345", "csoft.co.uk"],
        "endpoint": pair.primary.url,
        "failed_over": False,
    }
    assert result["account"] == figures and result["accounts"] == [figures]
    assert result["problems"] == [] and result["changed"] is False and not result.get("failed")
    assert result["msg"] == f"csoft account check passed: credit 2.8950 GBP, 24 messages, ReplyTo 447700912345, csoft.co.uk (from {pair.primary.url})"
    assert operation_counts(pair.primary) == [1, 1, 1]
    assert PIN not in run.output


def test_failing_check_names_every_shortfall(ansible, pair):
    run = ansible.run(check_play(credentials(pair, min_credit=10, min_messages=100)), check=False)
    assert "csoft credit 2.8950 GBP is below the required 10.0000 GBP; csoft messages 24 is below the required 100" in run.output
    assert "Traceback" not in run.output
    assert operation_counts(pair.primary) == [1, 1, 1]


def test_module_defaults_group_and_environment_reach_the_action(ansible, pair):
    play_extra = f"""      module_defaults:
        group/csoft.sms.account:
          username: {USERNAME}
          endpoints: ["{pair.secondary.url}"]"""
    ansible.run(check_play({"min_credit": 1}, play_extra=play_extra), env={"CSOFT_PIN": PIN}, check=True)
    assert saved(ansible)["account"]["endpoint"] == pair.secondary.url
    assert operation_counts(pair.secondary) == [1, 1, 1] and pair.primary.counts()["total"] == 0


def test_fails_over_only_without_a_connection(ansible, pair):
    ansible.run(check_play(credentials(pair, endpoints=[closed_port(), pair.secondary.url])), check=True)
    assert saved(ansible)["account"]["failed_over"] is True
    pair.primary.set_mode("fault")
    run = ansible.run(check_play(credentials(pair, endpoints=[pair.primary.url, pair.secondary.url])), check=False)
    assert pair.primary.counts()["total"] == 1 and operation_counts(pair.secondary) == [1, 1, 1]  # the first run's only
    assert "Traceback" not in run.output


def test_unreachable_service_is_one_clear_line(ansible, pair):
    dead = [closed_port(), closed_port()]
    run = ansible.run(check_play(credentials(pair, endpoints=dead)), check=False)
    message = json.loads(run.output.split("FAILED! => ", 1)[1].splitlines()[0])["msg"]
    assert "\n" not in message and all(url in message for url in dead) and "refused" in message
    assert "Traceback" not in run.output


def test_wrong_pin_never_shows(ansible, pair):
    run = ansible.run(check_play(credentials(pair, pin=WRONG_PIN)), "-vvvv", check=False)
    assert "login rejected" in run.output
    assert WRONG_PIN not in run.output
    assert pair.primary.counts()["total"] == 1


@pytest.mark.parametrize(("name", "value"), [("min_credit", "lots"), ("accounts", [{"min_credits": 1}]), ("cache_ttl", 7200), ("timeout", 0)])
def test_invalid_options_fail_before_any_request(ansible, pair, name, value):
    run = ansible.run(check_play(credentials(pair, **{name: value})), check=False)
    assert name.split("_")[0] in run.output
    assert pair.primary.counts()["total"] == 0
    assert "Traceback" not in run.output


def test_several_accounts_on_many_hosts_once(ansible, pair):
    lines = [f"h{n:02d} ansible_connection=local ansible_python_interpreter={sys.executable}" for n in range(20)]
    hosts = ansible.tmp_path / "hosts.ini"
    hosts.write_text("[app]\n" + "\n".join(lines) + "\n")
    args = {
        "endpoints": [pair.primary.url],
        "accounts": [
            {"name": "main", "username": USERNAME, "pin": PIN},
            {"username": LOW_USERNAME, "pin": LOW_PIN, "min_credit": 1},
        ],
    }
    run = ansible.run(check_play(args, hosts="app"), inventory=hosts, check=False)
    assert f"csoft credit 0.5000 GBP is below the required 1.0000 GBP (account {LOW_USERNAME})" in run.output
    assert LOW_PIN not in run.output
    assert operation_counts(pair.primary) == [2, 2, 2]


# One view of the account per run ------------------------------------------------------------

LOOKUPS = """
        - name: Use the account {uses} times
          ansible.builtin.debug:
            msg: "{{{{ [{terms}] }}}}"
"""


def lookups(uses):
    terms = ", ".join(["lookup('csoft.sms.csoft_account', 'credit', 'messages', 'reply_to')"] * uses)
    return LOOKUPS.format(uses=uses, terms=terms)


def shared_vars(pair, **extra):
    values = {"csoft_username": USERNAME, "csoft_pin": PIN, "csoft_endpoints": [pair.primary.url]}
    values.update(extra)
    return "      vars: " + json.dumps(values)


@pytest.mark.parametrize(
    ("check_args", "lookup_vars", "expected"),
    [
        ({}, {}, [1, 1, 1]),  # the lookups read what the check stored
        ({"cache": False}, {}, [2, 2, 2]),  # the check stores nothing: the lookups ask once, then use their own cache
        ({}, {"csoft_cache": False}, [1 + 3, 1 + 3, 1 + 3]),  # every lookup asks
    ],
)
def test_check_then_lookups_one_request_per_operation(ansible, pair, check_args, lookup_vars, expected):
    uses = 100 if not lookup_vars else 3
    play = check_play(dict(credentials(pair), **check_args), play_extra=shared_vars(pair, **lookup_vars), tasks=lookups(uses))
    ansible.run(play, check=True)
    assert operation_counts(pair.primary) == expected


def test_the_check_asks_afresh_after_a_lookup(ansible, pair):
    """A deployment is decided on current figures: the check never answers from the cache."""
    tasks = (
        lookups(1)
        + """
        - name: Check again, after the lookup
          csoft.sms.csoft_account_check:
            username: "{{ csoft_username }}"
            pin: "{{ csoft_pin }}"
            endpoints: "{{ csoft_endpoints }}"
          run_once: true
"""
    )
    ansible.run(check_play(credentials(pair), play_extra=shared_vars(pair), tasks=tasks), check=True)
    assert operation_counts(pair.primary) == [2, 2, 2]


def test_the_role_then_lookups_one_request_per_operation(ansible, pair):
    play = f"""
    - hosts: localhost
      gather_facts: false
{shared_vars(pair, credit_gate_username=USERNAME, credit_gate_pin=PIN, credit_gate_endpoints=[pair.primary.url])}
      roles:
        - role: csoft.sms.credit_gate
      tasks:
{lookups(100)}
    """
    run = ansible.run(play, check=True)
    assert "csoft credit gate passed" in run.output
    assert operation_counts(pair.primary) == [1, 1, 1]


def test_variables_prefix_reads_the_variables_and_sets_the_facts_on_every_host(ansible, pair):
    """The role's mechanism on a task of one's own: sms_gate_* variables, facts sms_gate_account(_list) on every host."""
    lines = [f"h{n:02d} ansible_connection=local ansible_python_interpreter={sys.executable}" for n in range(3)]
    hosts = ansible.tmp_path / "hosts.ini"
    hosts.write_text("[app]\n" + "\n".join(lines) + "\n")
    play = f"""
    - hosts: app
      gather_facts: false
      vars:
        sms_gate_username: {USERNAME}
        sms_gate_pin: "{{{{ vault_pin }}}}"
        vault_pin: {PIN}
        sms_gate_endpoints: ["{pair.primary.url}"]
        sms_gate_min_credit: "{{{{ 2 + 0.5 }}}}"
      tasks:
        - name: Check the account from the variables
          csoft.sms.csoft_account_check:
            variables_prefix: sms_gate_
            min_credit: 100  # the variable wins
          run_once: true
        - name: Save each host's facts
          ansible.builtin.copy:
            content: "{{{{ [sms_gate_account, sms_gate_account_list] | to_json }}}}"
            dest: "{{{{ playbook_dir }}}}/{{{{ inventory_hostname }}}}.json"
            mode: "0600"
    """
    run = ansible.run(play, inventory=hosts, check=True)
    assert "csoft credit gate passed: credit 2.8950 GBP" in run.output and PIN not in run.output
    for n in range(3):
        account, listed = json.loads((ansible.tmp_path / f"h{n:02d}.json").read_text())
        assert account["messages"] == 24 and listed == [account]
    assert operation_counts(pair.primary) == [1, 1, 1]
    run = ansible.run(play.replace("sms_gate_min_credit:", "sms_gate_min_credits:"), inventory=hosts, check=False)
    assert "unknown variable sms_gate_min_credits (did you mean sms_gate_min_credit?)" in run.output
    assert operation_counts(pair.primary) == [1, 1, 1]
