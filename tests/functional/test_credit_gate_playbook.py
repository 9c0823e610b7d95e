# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role csoft.sms.credit_gate in real ansible-playbook runs against the simulator."""

import json
import re
import sys
import textwrap
from pathlib import Path

import pytest

from ansible_collections.csoft.sms.tests.support.accounts import LOW_PIN, LOW_USERNAME, PIN, USERNAME

OPS = ("AvailableCredit", "AvailableMessages", "PermittedReplyTo")
WRONG_PIN = "WrongPin5Yt8Hv2Q"
ACCOUNT = {
    "credit": 2.895,
    "currency": "GBP",
    "messages": 24,
    "permitted_reply_to": ["447700912345", "csoft.co.uk"],
}

# Runs after the gate on every host: records the fact, or proves the play went on.
DEPLOY_TASK = """
        - name: Deploy step
          ansible.builtin.copy:
            content: "{{ credit_gate_account | to_json }}"
            dest: "{{ playbook_dir }}/facts/{{ inventory_hostname }}.json"
            mode: "0600"
          check_mode: false
"""


# For many hosts: a set_fact of "deployed" on every host (no module runs), then RECORD_ONCE writes every
# host's "deployed" to deployed.json in one task (read back by deployed()).
RECORD_ONCE = """
        - name: Record every host's fact
          ansible.builtin.copy:
            content: "{{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'deployed'))) | to_json }}"
            dest: "{{ playbook_dir }}/deployed.json"
            mode: "0600"
          run_once: true
          delegate_to: localhost
          check_mode: false
"""
DEPLOY_AND_RECORD_ONCE = (
    """
        - name: Deploy step
          ansible.builtin.set_fact:
            deployed: "{{ credit_gate_account }}"
"""
    + RECORD_ONCE
)


def deployed(runner):
    return json.loads((runner.tmp_path / "deployed.json").read_text())


def ops(server):
    counts = server.counts()
    return [counts[op] for op in OPS]


def inventory(runner, count):
    lines = ["[app]"] + [f"app{n:02d} ansible_connection=local ansible_python_interpreter={sys.executable}" for n in range(1, count + 1)]
    path = runner.tmp_path / f"hosts{count}.ini"
    path.write_text("\n".join(lines) + "\n")
    (runner.tmp_path / "facts").mkdir(exist_ok=True)
    return path


def gate_play(role_vars, tasks=DEPLOY_TASK, play_extra=""):
    return f"""
    - hosts: app
      gather_facts: false
{play_extra}
      roles:
        - role: csoft.sms.credit_gate
          vars: {json.dumps(role_vars)}
      tasks:
{tasks}
    """


def connection(pair, **extra):
    return dict({"credit_gate_username": USERNAME, "credit_gate_pin": PIN, "credit_gate_endpoints": [pair.primary.url]}, **extra)


def facts(runner):
    return {path.stem: json.loads(path.read_text()) for path in sorted((runner.tmp_path / "facts").glob("*.json"))}


def expected_fact(pair, server="primary", failed_over=False):
    return dict(ACCOUNT, endpoint=getattr(pair, server).url, failed_over=failed_over)


# Passing ------------------------------------------------------------------------------


def test_gate_passes_and_sets_the_fact_on_every_host(ansible, pair):
    hosts = inventory(ansible, 3)
    role_vars = connection(pair, credit_gate_min_credit=2.5, credit_gate_min_messages=20, credit_gate_required_reply_to=["csoft.co.uk"])
    run = ansible.run(gate_play(role_vars), inventory=hosts, check=True)
    assert facts(ansible) == {f"app0{n}": expected_fact(pair) for n in (1, 2, 3)}
    assert ops(pair.primary) == [1, 1, 1]
    assert pair.secondary.counts()["total"] == 0
    summary = f"csoft credit gate passed: credit 2.8950 GBP, 24 messages, ReplyTo 447700912345, csoft.co.uk (from {pair.primary.url})"
    assert run.output.count(summary) == 1


def test_thresholds_equal_to_the_account_pass(ansible, pair):
    hosts = inventory(ansible, 1)
    role_vars = connection(pair, credit_gate_min_credit=2.895, credit_gate_min_messages=24, credit_gate_required_reply_to=["447700912345", "csoft.co.uk"])
    ansible.run(gate_play(role_vars), inventory=hosts, check=True)
    assert facts(ansible)["app01"]["credit"] == 2.895


def test_gate_in_check_mode_still_queries(ansible, pair):
    hosts = inventory(ansible, 2)
    ansible.run(gate_play(connection(pair, credit_gate_min_credit=1)), "--check", inventory=hosts, check=True)
    assert facts(ansible) == {"app01": expected_fact(pair), "app02": expected_fact(pair)}
    assert ops(pair.primary) == [1, 1, 1]


@pytest.mark.parametrize("role_endpoints", [False, True])
def test_gate_with_module_defaults(ansible, pair, role_endpoints):
    """Credentials from the play's module_defaults group; a credit_gate_* value, when set, wins for its option only."""
    hosts = inventory(ansible, 2)
    play_extra = f"""      module_defaults:
        group/csoft.sms.account:
          username: {USERNAME}
          pin: {PIN}
          endpoints: ["{pair.primary.url}"]"""
    role_vars = {"credit_gate_min_credit": 1.0}
    if role_endpoints:
        role_vars["credit_gate_endpoints"] = [pair.secondary.url]
    ansible.run(gate_play(role_vars, play_extra=play_extra), inventory=hosts, check=True)
    used, unused = (pair.secondary, pair.primary) if role_endpoints else (pair.primary, pair.secondary)
    assert facts(ansible)["app02"] == expected_fact(pair, "secondary" if role_endpoints else "primary")
    assert ops(used) == [1, 1, 1]
    assert unused.counts()["total"] == 0


def test_gate_with_environment_credentials(ansible, pair):
    hosts = inventory(ansible, 2)
    env = {"CSOFT_USERNAME": USERNAME, "CSOFT_PIN": PIN, "CSOFT_ENDPOINTS": pair.primary.url, "CSOFT_TIMEOUT": "5"}
    ansible.run(gate_play({"credit_gate_min_messages": 10}), inventory=hosts, env=env, check=True)
    assert facts(ansible)["app01"] == expected_fact(pair)
    assert ops(pair.primary) == [1, 1, 1]


def test_role_variables_may_be_templates(ansible, pair):
    hosts = inventory(ansible, 1)
    play_extra = f"""      vars:
        vault_csoft_pin: {PIN}
        sms_endpoints: ["{pair.primary.url}"]"""
    role_vars = connection(pair, credit_gate_pin="{{ vault_csoft_pin }}", credit_gate_endpoints="{{ sms_endpoints }}", credit_gate_min_credit="{{ 1 + 1 }}")
    ansible.run(gate_play(role_vars, play_extra=play_extra), inventory=hosts, check=True)
    assert facts(ansible)["app01"] == expected_fact(pair)


def test_fifty_hosts_one_request_per_operation_for_gate_and_lookup(ansible, pair):
    hosts = inventory(ansible, 50)
    # Each host templates the lookup in its own worker (set_fact runs no module, so 50 hosts cost little);
    # one task then writes every host's values to one file.
    tasks = (
        """
        - name: Deploy step on every host, using the gate's fact and the lookup
          ansible.builtin.set_fact:
            deployed: >-
              {{ {'fact': credit_gate_account,
                  'credit': lookup('csoft.sms.csoft_account', 'credit'),
                  'reply_to': query('csoft.sms.csoft_account', 'reply_to')} }}
"""
        + RECORD_ONCE
    )
    # The gate asks the primary, the lookup the secondary: each server counts one client. The
    # secondary answers slowly, so many workers need the value while the first query is running.
    pair.secondary.set_mode("slow:0.5")
    play_extra = f"""      vars:
        csoft_username: {USERNAME}
        csoft_pin: {PIN}
        csoft_endpoints: ["{pair.secondary.url}"]"""
    ansible.run(gate_play(connection(pair, credit_gate_min_credit=1), tasks=tasks, play_extra=play_extra), "--forks", "20", inventory=hosts, check=True)
    results = deployed(ansible)
    assert sorted(results) == [f"app{n:02d}" for n in range(1, 51)]
    for result in results.values():
        assert result == {"fact": expected_fact(pair), "credit": 2.895, "reply_to": ["447700912345", "csoft.co.uk"]}
    assert ops(pair.primary) == [1, 1, 1]
    assert ops(pair.secondary) == [1, 0, 1]


@pytest.mark.parametrize("strategy", ["linear", "free"])
def test_serial_batches_each_run_the_gate(ansible, pair, strategy):
    hosts = inventory(ansible, 4)
    ansible.run(gate_play(connection(pair), play_extra=f"      serial: 2\n      strategy: {strategy}"), inventory=hosts, check=True)
    assert len(facts(ansible)) == 4
    assert ops(pair.primary) == [2, 2, 2]  # run_once runs once per serial batch, as documented


# Under free and host_pinned, Ansible runs a run_once task on every host (it warns that run_once is not supported).
RUN_ONCE_IGNORED = "Using run_once with the free strategy is not currently supported"


@pytest.mark.parametrize("strategy", ["free", "host_pinned"])
def test_every_strategy_asks_once_per_operation(ansible, pair, strategy):
    """10 hosts made 10 requests per operation under these strategies; the hosts now share one reading."""
    hosts = inventory(ansible, 10)
    pair.primary.set_mode("slow:0.3")  # many workers reach the gate while the first one is still asking
    play_extra = f"      strategy: {strategy}"
    run = ansible.run(gate_play(connection(pair, credit_gate_min_credit=1), play_extra=play_extra), "--forks", "10", inventory=hosts, check=True)
    assert RUN_ONCE_IGNORED in run.output  # the gate did run on every host
    assert run.output.count("csoft credit gate passed: credit 2.8950 GBP, 24 messages") == 10
    assert facts(ansible) == {f"app{n:02d}": expected_fact(pair) for n in range(1, 11)}
    assert ops(pair.primary) == [1, 1, 1]


@pytest.mark.parametrize("strategy", ["free", "host_pinned"])
def test_every_strategy_meets_a_rejected_login_once(ansible, pair, strategy):
    """The vendor blocks clients that repeat a rejected login: the other hosts fail with the first one's message."""
    hosts = inventory(ansible, 10)
    play_extra = f"      strategy: {strategy}"
    run = ansible.run(gate_play(connection(pair, credit_gate_pin=WRONG_PIN), play_extra=play_extra), "--forks", "10", inventory=hosts, check=False)
    assert RUN_ONCE_IGNORED in run.output
    assert "login rejected" in run.output and WRONG_PIN not in run.output
    assert "TASK [Deploy step]" not in run.output and facts(ansible) == {}
    assert pair.primary.counts()["total"] == 1


def test_several_accounts_pass(ansible, pair):
    hosts = inventory(ansible, 2)
    role_vars = {
        "credit_gate_endpoints": [pair.primary.url],
        "credit_gate_min_credit": 0.25,
        "credit_gate_accounts": [
            {"name": "main", "username": USERNAME, "pin": PIN, "min_credit": 2},
            {"name": "low", "username": LOW_USERNAME, "pin": LOW_PIN, "required_reply_to": ["csoft.co.uk"]},
        ],
    }
    tasks = """
        - name: Save the list
          ansible.builtin.copy:
            content: "{{ credit_gate_account_list | to_json }}"
            dest: "{{ playbook_dir }}/facts/{{ inventory_hostname }}.json"
            mode: "0600"
"""
    run = ansible.run(gate_play(role_vars, tasks=tasks), inventory=hosts, check=True)
    listed = facts(ansible)["app02"]
    assert [item["credit"] for item in listed] == [2.895, 0.5]
    assert [item["permitted_reply_to"] for item in listed] == [["447700912345", "csoft.co.uk"], ["csoft.co.uk"]]
    assert "account main: credit 2.8950 GBP" in run.output and "account low: credit 0.5000 GBP" in run.output
    assert LOW_PIN not in run.output and PIN not in run.output
    assert ops(pair.primary) == [2, 2, 2]


# Failing ------------------------------------------------------------------------------


def test_low_credit_fails_before_the_next_task(ansible, pair):
    hosts = inventory(ansible, 3)
    run = ansible.run(gate_play(connection(pair, credit_gate_min_credit=10)), inventory=hosts, check=False)
    assert "csoft credit 2.8950 GBP is below the required 10.0000 GBP" in run.output
    assert "TASK [Deploy step]" not in run.output
    assert facts(ansible) == {}
    assert ops(pair.primary) == [1, 1, 1]


def test_low_messages_fail(ansible, pair):
    hosts = inventory(ansible, 2)
    run = ansible.run(gate_play(connection(pair, credit_gate_min_messages=25)), inventory=hosts, check=False)
    assert "csoft messages 24 is below the required 25" in run.output
    assert "csoft credit" not in run.output.split("csoft messages 24")[0].split("Compare the account")[-1]
    assert facts(ansible) == {}


def test_missing_required_reply_to_fails(ansible, pair):
    hosts = inventory(ansible, 2)
    role_vars = connection(pair, credit_gate_required_reply_to=["447700912345", "ACME.Ltd", "447700900999"])
    run = ansible.run(gate_play(role_vars), inventory=hosts, check=False)
    assert "csoft ReplyTo ACME.Ltd is required but not permitted on the account (permitted: 447700912345, csoft.co.uk)" in run.output
    assert "csoft ReplyTo 447700900999 is required but not permitted" in run.output
    assert "ReplyTo 447700912345 is required" not in run.output
    assert facts(ansible) == {}


def test_every_shortfall_is_named(ansible, pair):
    hosts = inventory(ansible, 1)
    role_vars = connection(pair, credit_gate_min_credit=3, credit_gate_min_messages=100, credit_gate_required_reply_to=["ACME"])
    run = ansible.run(gate_play(role_vars), inventory=hosts, check=False)
    assert (
        "csoft credit 2.8950 GBP is below the required 3.0000 GBP; csoft messages 24 is below the required 100; "
        "csoft ReplyTo ACME is required but not permitted on the account (permitted: 447700912345, csoft.co.uk)"
    ) in run.output


def test_one_of_several_accounts_fails(ansible, pair):
    hosts = inventory(ansible, 1)
    role_vars = {
        "credit_gate_endpoints": [pair.primary.url],
        "credit_gate_accounts": [
            {"name": "main", "username": USERNAME, "pin": PIN},
            {"name": "low", "username": LOW_USERNAME, "pin": LOW_PIN, "min_credit": 1},
        ],
    }
    run = ansible.run(gate_play(role_vars), inventory=hosts, check=False)
    assert "csoft credit 0.5000 GBP is below the required 1.0000 GBP (account low)" in run.output
    assert "(account main)" not in run.output
    assert facts(ansible) == {}


def test_wrong_pin_fails_without_leaking(ansible, pair):
    hosts = inventory(ansible, 2)
    run = ansible.run(gate_play(connection(pair, credit_gate_pin=WRONG_PIN)), "-vvvv", inventory=hosts, check=False)
    assert "login rejected" in run.output
    assert WRONG_PIN not in run.output
    assert "TASK [Deploy step]" not in run.output
    assert pair.primary.counts()["total"] == 1


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("credit_gate_min_credit", "plenty"),
        ("credit_gate_min_messages", "many"),
        ("credit_gate_required_reply_to", {"sender": "ACME"}),
        ("credit_gate_validate_certs", "perhaps"),
        ("credit_gate_timeout", [5]),
        ("credit_gate_accounts", ["not-a-dict"]),
    ],
)
def test_wrong_types_are_rejected_before_any_request(ansible, pair, name, value):
    hosts = inventory(ansible, 1)
    run = ansible.run(gate_play(connection(pair, **{name: value})), inventory=hosts, check=False)
    assert "csoft.sms.csoft_account_check: invalid variable: " in failure(run) and name in failure(run)
    assert pair.primary.counts()["total"] == 0
    assert "TASK [Deploy step]" not in run.output


def failure(run):
    """The message of the run's one failed task (the JSON after ``FAILED! => ``)."""
    lines = [line for line in run.output.splitlines() if "FAILED! => " in line]
    assert len(lines) == 1, run.output
    return json.loads(lines[0].split("FAILED! => ", 1)[1])["msg"]


# Large inventories: import_role/include_role with rolespec_validate: false -------------------

# The task header of Ansible's automatic per-host validation, and of the role's one task.
AUTOMATIC_VALIDATION = "Validating arguments against arg spec 'main'"
GATE_TASK = "TASK [csoft.sms.credit_gate : Compare the account with the thresholds]"


def import_play(role_vars, tasks=DEPLOY_TASK, play_extra="", action="import_role"):
    """The documented large-inventory form: the role imported (or included) without Ansible's per-host validation."""
    return f"""
    - hosts: app
      gather_facts: false
{play_extra}
      tasks:
        - name: Check the SMS account
          ansible.builtin.{action}:
            name: csoft.sms.credit_gate
            rolespec_validate: false
          vars: {json.dumps(role_vars)}
{tasks}
    """


def task_hosts(output, header):
    """Hosts with a result line under the task whose header starts with ``header``; None when the task did not run."""
    if header not in output:
        return None
    section = output.split(header, 1)[1].split("\nTASK [", 1)[0].split("\nPLAY RECAP", 1)[0]
    return re.findall(r"^(?:ok|changed|fatal|failed|skipping): \[([^\]]+)\]", section, re.MULTILINE)


def test_import_role_fifty_hosts_validate_once_and_query_once(ansible, pair):
    hosts = inventory(ansible, 50)
    role_vars = connection(pair, credit_gate_min_credit=1, credit_gate_min_messages=10, credit_gate_required_reply_to=["csoft.co.uk"])
    run = ansible.run(import_play(role_vars, tasks=DEPLOY_AND_RECORD_ONCE), "--forks", "20", inventory=hosts, check=True)
    results = deployed(ansible)
    assert sorted(results) == [f"app{n:02d}" for n in range(1, 51)]
    assert all(result == expected_fact(pair) for result in results.values())
    assert ops(pair.primary) == [1, 1, 1]
    assert pair.secondary.counts()["total"] == 0
    assert AUTOMATIC_VALIDATION not in run.output
    assert task_hosts(run.output, GATE_TASK) == ["app01"]
    assert run.output.count("TASK [") == 3  # the gate, the deploy step and the record: the role is one task
    assert run.output.count("csoft credit gate passed: credit 2.8950 GBP, 24 messages") == 1


def test_roles_form_is_one_task_on_one_host(ansible, pair):
    """The spec's entry point is not `main`, so Ansible adds no per-host validation task; the action validates once."""
    hosts = inventory(ansible, 3)
    run = ansible.run(gate_play(connection(pair, credit_gate_min_credit=1)), inventory=hosts, check=True)
    assert AUTOMATIC_VALIDATION not in run.output
    assert "Validating arguments against arg spec" not in run.output
    assert task_hosts(run.output, GATE_TASK) == ["app01"]
    assert run.output.count("TASK [csoft.sms.credit_gate : ") == 1
    assert ops(pair.primary) == [1, 1, 1]


@pytest.mark.parametrize("form", ["roles", "import_role", "include_role"])
def test_unknown_role_variables_fail_before_any_request(ansible, pair, form):
    """A misspelt credit_gate_* variable (as a role parameter or a variable) fails with Ansible's validation message."""
    hosts = inventory(ansible, 2)
    if form == "roles":
        play = f"""
    - hosts: app
      gather_facts: false
      roles:
        - role: csoft.sms.credit_gate
          credit_gate_min_credits: 5
          credit_gate_username: {USERNAME}
          credit_gate_pin: {PIN}
          credit_gate_endpoints: ["{pair.primary.url}"]
      tasks:
{DEPLOY_TASK}
    """
    else:
        play = import_play(connection(pair, credit_gate_min_credits=5), action=form)
    run = ansible.run(play, inventory=hosts, check=False)
    assert failure(run) == "csoft.sms.csoft_account_check: unknown variable credit_gate_min_credits (did you mean credit_gate_min_credit?)"
    assert "argument_spec" not in run.output and "Validation of arguments failed" not in run.output
    assert PIN not in run.output
    assert task_hosts(run.output, GATE_TASK) == ["app01"]
    assert pair.primary.counts()["total"] == 0
    assert "TASK [Deploy step]" not in run.output


def test_a_misspelt_extra_var_fails_too(ansible, pair):
    """Extra vars apply to every host, so they are never the host's own: a misspelt one fails like a role parameter."""
    hosts = inventory(ansible, 2)
    run = ansible.run(gate_play(connection(pair)), "-e", "credit_gate_min_mesages=5", inventory=hosts, check=False)
    assert failure(run) == "csoft.sms.csoft_account_check: unknown variable credit_gate_min_mesages (did you mean credit_gate_min_messages?)"
    assert pair.primary.counts()["total"] == 0


def test_every_missing_credential_is_named_as_the_roles_variable(ansible, pair):
    hosts = inventory(ansible, 2)
    run = ansible.run(gate_play({"credit_gate_endpoints": [pair.primary.url]}), inventory=hosts, check=False)
    assert failure(run) == "csoft.sms.csoft_account_check: csoft username is missing: set credit_gate_username; csoft pin is missing: set credit_gate_pin"
    assert pair.primary.counts()["total"] == 0


def test_the_hosts_own_credit_gate_variables_are_left_alone(ansible, pair):
    """Registered results, facts and inventory variables named credit_gate_* are not the role's: no validation error."""
    hosts = inventory(ansible, 2)
    with open(hosts, "a") as handle:
        handle.write("\n[app:vars]\ncredit_gate_team=payments\n")
    play = f"""
    - hosts: app
      gather_facts: false
      pre_tasks:
        - name: A result of the user's own, named like the role's variables
          ansible.builtin.set_fact:
            credit_gate_note: checked before
          register: credit_gate_result
      roles:
        - role: csoft.sms.credit_gate
          vars: {json.dumps(connection(pair))}
      tasks:
{DEPLOY_TASK}
    """
    ansible.run(play, inventory=hosts, check=True)
    assert len(facts(ansible)) == 2
    assert ops(pair.primary) == [1, 1, 1]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("credit_gate_min_credit", "lots"),
        ("credit_gate_min_messages", "many"),
        ("credit_gate_required_reply_to", {"sender": "ACME"}),
        ("credit_gate_validate_certs", "perhaps"),
        ("credit_gate_timeout", [5]),
        ("credit_gate_accounts", ["not-a-dict"]),
        ("credit_gate_accounts", [{"name": "main", "min_credit": "lots"}]),
    ],
)
def test_import_role_wrong_types_are_rejected_once_before_any_request(ansible, pair, name, value):
    hosts = inventory(ansible, 3)
    run = ansible.run(import_play(connection(pair, **{name: value})), inventory=hosts, check=False)
    assert failure(run).startswith("csoft.sms.csoft_account_check: invalid variable: ") and name in failure(run)
    assert AUTOMATIC_VALIDATION not in run.output
    assert task_hosts(run.output, GATE_TASK) == ["app01"]
    assert pair.primary.counts()["total"] == 0
    assert pair.secondary.counts()["total"] == 0
    assert "TASK [Deploy step]" not in run.output
    assert facts(ansible) == {}


@pytest.mark.parametrize("action", ["import_role", "include_role"])
def test_templated_and_extra_vars_are_validated_after_templating(ansible, pair, action):
    """Values are validated as the role sees them: templates rendered, extra vars winning over the import's vars."""
    hosts = inventory(ansible, 2)
    play_extra = """      vars:
        sms_min_credit: lots"""
    role_vars = connection(pair, credit_gate_min_credit="{{ sms_min_credit }}")
    run = ansible.run(import_play(role_vars, play_extra=play_extra, action=action), inventory=hosts, check=False)
    assert "invalid variable: " in failure(run) and "credit_gate_min_credit" in failure(run)
    assert pair.primary.counts()["total"] == 0

    run = ansible.run(import_play(connection(pair), action=action), "-e", '{"credit_gate_min_messages": "many"}', inventory=hosts, check=False)
    assert "invalid variable: " in failure(run) and "credit_gate_min_messages" in failure(run)
    assert pair.primary.counts()["total"] == 0
    assert facts(ansible) == {}


def test_import_role_low_credit_fails_as_before(ansible, pair):
    hosts = inventory(ansible, 3)
    run = ansible.run(import_play(connection(pair, credit_gate_min_credit=10, credit_gate_min_messages=100)), inventory=hosts, check=False)
    assert "csoft credit 2.8950 GBP is below the required 10.0000 GBP; csoft messages 24 is below the required 100" in run.output
    assert "TASK [Deploy step]" not in run.output
    assert facts(ansible) == {}
    assert ops(pair.primary) == [1, 1, 1]


def test_import_role_never_shows_the_pin(ansible, pair):
    hosts = inventory(ansible, 2)
    run = ansible.run(import_play(connection(pair, credit_gate_min_credit=1)), "-vvvv", inventory=hosts, check=True)
    assert PIN not in run.output
    run = ansible.run(import_play(connection(pair, credit_gate_min_credit="lots")), "-vvvv", inventory=hosts, check=False)
    assert "invalid variable: " in run.output and "credit_gate_min_credit" in run.output
    assert PIN not in run.output


@pytest.mark.parametrize("form", ["roles", "import_role"])
def test_a_single_number_as_reply_to_is_a_one_item_list(ansible, pair, form):
    """The spec's type list takes a lone number as a one-item list (Ansible's conversion); the gate reads it the same way."""
    hosts = inventory(ansible, 1)
    play = gate_play if form == "roles" else import_play
    run = ansible.run(play(connection(pair, credit_gate_required_reply_to=5)), inventory=hosts, check=False)
    assert "csoft ReplyTo 5 is required but not permitted on the account (permitted: 447700912345, csoft.co.uk)" in run.output
    assert "TASK [Deploy step]" not in run.output
    ansible.run(play(connection(pair, credit_gate_required_reply_to=447700912345)), inventory=hosts, check=True)
    assert facts(ansible)["app01"] == expected_fact(pair)
    assert ops(pair.primary) == [2, 2, 2]


# The guide's examples ------------------------------------------------------------------

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "docsite" / "rst" / "guide_credit_gate.rst"


def guide_blocks():
    """(language, text) of every code block of the guide."""
    text = GUIDE.read_text()
    blocks = []
    for match in re.finditer(r"^\.\. code-block:: (\S+)\n\n((?:(?:    .*)?\n)+)", text, re.MULTILINE):
        blocks.append((match.group(1), textwrap.dedent(match.group(2)).strip("\n") + "\n"))
    return blocks


def guide_files(runner):
    """Write the guide's ``# file:`` blocks into the test directory; return the task-list blocks."""
    snippets = []
    for language, block in guide_blocks():
        first = block.splitlines()[0]
        if first.startswith("# file: "):
            path = runner.tmp_path / first[len("# file: ") :].strip()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(block)
        elif language == "yaml+jinja":
            snippets.append(block)
    return snippets


def guide_inventory(runner, count=3):
    app_dir = runner.tmp_path / "app"
    app_dir.mkdir(exist_ok=True)
    hosts = "\n".join(f"app{n:02d} ansible_connection=local ansible_python_interpreter={sys.executable}" for n in range(1, count + 1))
    path = runner.tmp_path / "guide.ini"
    path.write_text(f"[app_servers]\n{hosts}\n\n[app_servers:vars]\napp_dir={app_dir}\n")
    return path


def test_guide_blocks_are_found():
    names = [block.splitlines()[0] for language, block in guide_blocks() if block.startswith("# file: ")]
    assert names == [
        "# file: deploy.yml",
        "# file: templates/notifier.ini.j2",
        "# file: deploy_defaults.yml",
        "# file: sms_gate.yml",
        "# file: rolling.yml",
        "# file: large.yml",
        "# file: ansible.cfg",
        "# file: accounts.yml",
    ]


def test_guide_deployment_example_runs(ansible, pair):
    guide_files(ansible)
    hosts = guide_inventory(ansible)
    env = {"CSOFT_ENDPOINTS": pair.primary.url}
    creds = ["-e", f"sms_username={USERNAME}", "-e", f"vault_sms_pin={PIN}"]
    run = ansible.run((ansible.tmp_path / "deploy.yml").read_text(), *creds, inventory=hosts, env=env, check=True)
    assert "csoft credit gate passed: credit 2.8950 GBP, 24 messages, ReplyTo 447700912345, csoft.co.uk" in run.output
    config = (ansible.tmp_path / "app" / "notifier.ini").read_text()
    assert f"username = {USERNAME}\nsender = 447700912345\n; at deployment: 2.895 GBP, 24 messages" in config
    # the gate's three queries; the lookup in the template on three hosts reads the gate's answer from the run's cache
    assert ops(pair.primary) == [1, 1, 1]

    # The failure the guide shows, with the simulator's low account.
    low = ["-e", f"sms_username={LOW_USERNAME}", "-e", f"vault_sms_pin={LOW_PIN}"]
    documented = re.search(r"^    (csoft credit 0\.5000 .*)$", GUIDE.read_text(), re.MULTILINE).group(1)
    run = ansible.run((ansible.tmp_path / "deploy.yml").read_text(), *low, inventory=hosts, env=env, check=False)
    assert documented in run.output
    assert "TASK [Write the SMS settings of the application]" not in run.output


def test_guide_module_defaults_and_rolling_examples_run(ansible, pair):
    guide_files(ansible)
    hosts = guide_inventory(ansible)
    env = {"CSOFT_ENDPOINTS": pair.primary.url}
    creds = ["-e", f"sms_username={USERNAME}", "-e", f"vault_sms_pin={PIN}"]
    run = ansible.run((ansible.tmp_path / "deploy_defaults.yml").read_text(), *creds, inventory=hosts, env=env, check=True)
    assert f"24 messages left, answered by {pair.primary.url}" in run.output
    assert ops(pair.primary) == [1, 1, 1]
    env.update({"CSOFT_USERNAME": USERNAME, "CSOFT_PIN": PIN})
    run = ansible.run((ansible.tmp_path / "rolling.yml").read_text(), inventory=hosts, env=env, check=True)
    assert run.output.count("deploying with 24 messages left") == 3
    assert ops(pair.primary) == [2, 2, 2]  # one more gate for the whole rolling play


def test_guide_large_inventory_example_runs(ansible, pair):
    guide_files(ansible)
    hosts = guide_inventory(ansible)
    env = {"CSOFT_ENDPOINTS": pair.primary.url}
    creds = ["-e", f"sms_username={USERNAME}", "-e", f"vault_sms_pin={PIN}"]
    large = (ansible.tmp_path / "large.yml").read_text()
    run = ansible.run(large, *creds, inventory=hosts, env=env, check=True)
    assert run.output.count("deploying with 24 messages left") == 3
    assert AUTOMATIC_VALIDATION not in run.output
    assert task_hosts(run.output, GATE_TASK) == ["app01"]
    assert ops(pair.primary) == [1, 1, 1]
    # The wrong type the guide shows is rejected before any request.
    documented = re.search(r"``(-e credit_gate_min_credit=\S+)``", GUIDE.read_text()).group(1).split()
    run = ansible.run(large, *creds, *documented, inventory=hosts, env=env, check=False)
    assert "invalid variable: " in failure(run) and "credit_gate_min_credit" in failure(run)
    assert ops(pair.primary) == [1, 1, 1]


def test_guide_ci_example_fails_and_passes_as_documented(ansible, pair):
    guide_files(ansible)
    env = {"CSOFT_ENDPOINTS": pair.primary.url, "CSOFT_USERNAME": USERNAME, "CSOFT_PIN": PIN}
    gate = (ansible.tmp_path / "sms_gate.yml").read_text()
    run = ansible.run(gate, "-e", "min_credit=10", env=env, check=False)
    assert "csoft credit 2.8950 GBP is below the required 10.0000 GBP; csoft messages 24 is below the required 50" in run.output
    ansible.run(gate, "-e", "min_credit=1", "-e", "min_messages=10", env=env, check=True)
    assert PIN not in run.output


def test_guide_accounts_example_runs(ansible, pair):
    guide_files(ansible)
    env = {"CSOFT_ENDPOINTS": pair.primary.url}
    creds = ["-e", f"sms_username={USERNAME}", "-e", f"vault_sms_pin={PIN}", "-e", f"otp_username={LOW_USERNAME}", "-e", f"vault_otp_pin={LOW_PIN}"]
    accounts = (ansible.tmp_path / "accounts.yml").read_text()
    ansible.run(accounts, *creds, env=env, check=True)
    pair.update_account(LOW_USERNAME, credit="0.0500")
    run = ansible.run(accounts, *creds, env=env, check=False)
    assert "csoft credit 0.0500 GBP is below the required 0.1000 GBP (account otp)" in run.output


def test_guide_lookup_snippet_runs(ansible, pair):
    snippets = guide_files(ansible)
    assert len(snippets) == 1
    tasks = textwrap.indent(snippets[0], "        ")
    play_text = f"""
    - hosts: localhost
      gather_facts: false
      vars:
        csoft_username: {USERNAME}
        csoft_pin: {PIN}
        csoft_endpoints: ["{pair.primary.url}"]
      tasks:
{tasks}
        - name: Save
          ansible.builtin.copy:
            content: "{{{{ [sms_credit | float, sms_senders, sms_figures] | to_json }}}}"
            dest: "{{{{ playbook_dir }}}}/result.json"
            mode: "0600"
    """
    run = ansible.run(play_text, check=True)
    assert '"msg": "top up soon"' in run.output
    assert json.loads((ansible.tmp_path / "result.json").read_text()) == [2.895, ["447700912345", "csoft.co.uk"], [2.895, "GBP", 24]]
    assert ops(pair.primary) == [1, 1, 1]
