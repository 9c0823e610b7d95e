# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every hostile or failing service mode, through the module, the lookup and the role, in real ansible-playbook runs.

One ``ansible-playbook -vvvv`` run covers everything (each start costs 1-2 s):

* play 1: one inventory host per module case, run in parallel; each host's
  primary is its own simulator in that mode, and all share one secondary that
  must never be contacted;
* play 2: the same for the lookup, on a representative subset of modes;
* plays 3+: the role, one play per mode (the role queries once per play),
  inside block/rescue so that the run goes on.

Each result is saved as JSON; the tests then check the one-line message, the
request counts and the whole output.
"""

import json
import sys

import pytest

from ansible_collections.csoft.sms.tests.functional.conftest import PlaybookRunner
from ansible_collections.csoft.sms.tests.simulator import csoft_simulator as sim
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME

OPS = {"credit": "AvailableCredit", "messages": "AvailableMessages", "reply_to": "PermittedReplyTo"}

# (mode, the one operation gathered, text the message must hold, timeout)
MODULE_CASES = [
    ("fault", "credit", "login rejected", 5),
    ("fault200", "credit", "login rejected", 5),
    ("html500", "credit", "HTTP 500 Internal Server Error", 5),
    ("status:400", "credit", "HTTP 400", 5),
    ("status:401", "credit", "HTTP 401", 5),
    ("status:403", "credit", "HTTP 403", 5),
    ("status:404", "credit", "HTTP 404", 5),
    ("status:429", "credit", "HTTP 429", 5),
    ("status:500", "credit", "HTTP 500", 5),
    ("status:502", "credit", "HTTP 502", 5),
    ("status:503", "credit", "HTTP 503 Service Unavailable", 5),
    ("status:504", "credit", "HTTP 504", 5),
    ("redirect:301", "credit", "HTTP 301 redirect, which is not followed", 5),
    ("redirect:302", "messages", "HTTP 302 redirect, which is not followed", 5),
    ("redirect:303", "reply_to", "HTTP 303 redirect, which is not followed", 5),
    ("redirect:307", "credit", "HTTP 307 redirect, which is not followed", 5),
    ("redirect:308", "credit", "HTTP 308 redirect, which is not followed", 5),
    ("garbage", "credit", "the answer is not XML", 5),
    ("empty", "messages", "empty body", 5),
    ("truncated", "credit", "not well-formed", 5),
    ("missing", "credit", "has no Credit element", 5),
    ("missing", "messages", "has no Messages element", 5),
    ("missing", "reply_to", "has no PermittedReplyTo element", 5),
    ("wrong-wrapper", "credit", "where AvailableCreditResponse was expected", 5),
    ("credit-na", "credit", "Credit 'N/A'", 5),
    ("messages-negative", "messages", "Messages '-5'", 5),
    ("messages-fraction", "messages", "Messages '24.5'", 5),
    ("replyto-empty", "reply_to", "empty PermittedReplyTo", 5),
    ("xxe", "credit", "DOCTYPE", 5),
    ("xxe", "reply_to", "DOCTYPE", 5),
    ("bomb", "messages", "DOCTYPE", 5),
    ("dtd-remote", "credit", "DOCTYPE", 5),
    ("big:50", "credit", "larger than 1048576 bytes", 5),
    ("close", "credit", "connection broke after the request was sent", 5),
    ("hang", "credit", "time-out", 1),
    ("slow:5", "messages", "time-out", 1),
    ("drip:0.3", "credit", "did not complete within the 1 s time-out", 1),
]
# The lookup and the role, on a representative subset: (mode, text, timeout).
SUBSET = [
    ("fault", "login rejected", 5),
    ("status:503", "HTTP 503", 5),
    ("garbage", "the answer is not XML", 5),
    ("xxe", "DOCTYPE", 5),
    ("hang", "time-out", 1),
]


def case_id(case):
    return f"{case[0]}-{case[1]}" if len(case) == 4 else case[0]


def host_name(prefix, index):
    return f"{prefix}{index:02d}"


PLAYBOOK = """
- name: Module
  hosts: module_cases
  gather_facts: false
  tasks:
    - name: Query a hostile service with the module
      csoft.sms.csoft_account_info:
        username: {username}
        pin: {pin}
        endpoints: "{{{{ case.endpoints }}}}"
        gather: "{{{{ case.gather }}}}"
        timeout: "{{{{ case.timeout }}}}"
      vars:
        case: "{{{{ cases[inventory_hostname] }}}}"
      register: outcome
      ignore_errors: true
    - name: Save the module results
      ansible.builtin.copy:
        content: "{{{{ dict(ansible_play_hosts_all | zip(ansible_play_hosts_all | map('extract', hostvars, 'outcome'))) | to_json }}}}"
        dest: "{{{{ playbook_dir }}}}/module.json"
        mode: "0600"
      run_once: true
      delegate_to: localhost

- name: Lookup
  hosts: lookup_cases
  gather_facts: false
  vars:
    csoft_username: {username}
    csoft_pin: {pin}
    csoft_cache: false
  tasks:
    - name: Query a hostile service with the lookup
      ansible.builtin.set_fact:
        value: "{{{{ lookup('csoft.sms.csoft_account', 'credit', endpoints=case.endpoints, timeout=case.timeout) }}}}"
      vars:
        case: "{{{{ cases[inventory_hostname] }}}}"
      register: outcome
      ignore_errors: true
    - name: Save the lookup results
      ansible.builtin.copy:
        content: "{{{{ dict(ansible_play_hosts_all | zip(ansible_play_hosts_all | map('extract', hostvars, 'outcome'))) | to_json }}}}"
        dest: "{{{{ playbook_dir }}}}/lookup.json"
        mode: "0600"
      run_once: true
      delegate_to: localhost
"""

ROLE_PLAY = """
- name: Role {host}
  hosts: {host}
  gather_facts: false
  tasks:
    - name: Gate on a hostile service
      block:
        - name: Run the credit gate
          ansible.builtin.include_role:
            name: csoft.sms.credit_gate
          vars:
            credit_gate_username: {username}
            credit_gate_pin: {pin}
            credit_gate_endpoints: {endpoints}
            credit_gate_timeout: {timeout}
        - name: Not reached when the gate fails
          ansible.builtin.copy:
            content: '{{"passed": true}}'
            dest: "{{{{ playbook_dir }}}}/role-{host}.json"
            mode: "0600"
      rescue:
        - name: Save what failed
          ansible.builtin.copy:
            content: "{{{{ ansible_failed_result | to_json }}}}"
            dest: "{{{{ playbook_dir }}}}/role-{host}.json"
            mode: "0600"
"""


class HostileRun:
    """The servers, the ansible-playbook outcome and the saved results of the one run."""

    def __init__(self, tmp_path):
        self.runner = PlaybookRunner(tmp_path)
        self.secondary = sim.SimulatorServer(name="secondary").start()
        self.servers = {}  # host -> its primary simulator
        self.cases = {}  # host -> module/lookup case variables
        self.started = []

    def server(self, host, mode):
        server = sim.SimulatorServer(name=host).start()
        self.started.append(server)
        server.set_mode(mode)
        self.servers[host] = server
        return server

    def run(self):
        hosts = {"module_cases": [], "lookup_cases": [], "role_cases": []}
        for index, (mode, gather, _unused, timeout) in enumerate(MODULE_CASES):
            host = host_name("m", index)
            primary = self.server(host, mode)
            self.cases[host] = {"endpoints": [primary.url, self.secondary.url], "gather": [gather], "timeout": timeout}
            hosts["module_cases"].append(host)
        for index, (mode, _unused, timeout) in enumerate(SUBSET):
            host = host_name("l", index)
            primary = self.server(host, mode)
            self.cases[host] = {"endpoints": [primary.url, self.secondary.url], "timeout": timeout}
            hosts["lookup_cases"].append(host)
        playbook = PLAYBOOK.format(username=USERNAME, pin=PIN)
        for index, (mode, _unused, timeout) in enumerate(SUBSET):
            host = host_name("r", index)
            primary = self.server(host, mode)
            endpoints = json.dumps([primary.url, self.secondary.url])
            playbook += ROLE_PLAY.format(host=host, username=USERNAME, pin=PIN, endpoints=endpoints, timeout=timeout)
            hosts["role_cases"].append(host)
        lines = []
        for group, members in hosts.items():
            lines.append(f"[{group}]")
            lines += [f"{host} ansible_connection=local ansible_python_interpreter={sys.executable}" for host in members]
        inventory = self.runner.tmp_path / "hosts.ini"
        inventory.write_text("\n".join(lines) + "\n")
        (self.runner.tmp_path / "group_vars").mkdir()
        (self.runner.tmp_path / "group_vars" / "all.json").write_text(json.dumps({"cases": self.cases}))
        # group_vars next to the inventory file are read for the inventory's hosts.
        self.result = self.runner.run(playbook, "-vvvv", "--forks", "8", inventory=inventory, timeout=600)

    def saved(self, name):
        return json.loads((self.runner.tmp_path / name).read_text())

    def stop(self):
        for server in self.started + [self.secondary]:
            server.stop()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    run = HostileRun(tmp_path_factory.mktemp("hostile"))
    try:
        run.run()
        yield run
    finally:
        run.stop()


def assert_clean_failure(outcome, url, text, where):
    assert outcome.get("failed") is True, f"{where}: did not fail: {outcome}"
    msg = outcome.get("msg", "")
    assert "\n" not in msg, f"{where}: message of several lines: {msg!r}"
    assert url in msg, f"{where}: message does not name the endpoint {url}: {msg!r}"
    assert text in msg, f"{where}: message does not say {text!r}: {msg!r}"
    assert PIN not in json.dumps(outcome), f"{where}: PIN in the result"
    for key in ("module_stderr", "module_stdout"):
        assert not outcome.get(key), f"{where}: {key}: {outcome.get(key)!r}"


def assert_one_request(run, host, operation):
    counts = run.servers[host].counts()
    assert counts["total"] == 1, f"{host}: {counts}"
    assert counts[operation] == 1, f"{host}: {counts}"


def test_run_completed_without_traceback_or_pin(hostile):
    output = hostile.result.output
    assert hostile.result.returncode == 0, output[-3000:]  # every failure was expected and registered or rescued
    assert "Traceback" not in output
    assert PIN not in output, "the PIN appears in the -vvvv output"
    assert hostile.secondary.counts()["total"] == 0, "an error answer made a client move on to the secondary"


@pytest.mark.parametrize("index", range(len(MODULE_CASES)), ids=[case_id(case) for case in MODULE_CASES])
def test_module(hostile, index):
    mode, gather, text, _unused = MODULE_CASES[index]
    host = host_name("m", index)
    outcome = hostile.saved("module.json")[host]
    assert_clean_failure(outcome, hostile.servers[host].url, text, f"module {mode}")
    assert outcome.get("changed") is False
    assert_one_request(hostile, host, OPS[gather])


@pytest.mark.parametrize("index", range(len(SUBSET)), ids=[case[0] for case in SUBSET])
def test_lookup(hostile, index):
    mode, text, _unused = SUBSET[index]
    host = host_name("l", index)
    outcome = hostile.saved("lookup.json")[host]
    assert_clean_failure(outcome, hostile.servers[host].url, text, f"lookup {mode}")
    assert "csoft.sms.csoft_account" in outcome["msg"]
    assert_one_request(hostile, host, "AvailableCredit")


@pytest.mark.parametrize("index", range(len(SUBSET)), ids=[case[0] for case in SUBSET])
def test_role(hostile, index):
    mode, text, _unused = SUBSET[index]
    host = host_name("r", index)
    outcome = hostile.saved(f"role-{host}.json")
    assert not outcome.get("passed"), f"role {mode}: the gate let the play go on"
    # The gate's check is one action (no loop over accounts any more): its result is the failed task's result.
    assert_clean_failure(outcome, hostile.servers[host].url, text, f"role {mode}")
    assert_one_request(hostile, host, "AvailableCredit")
