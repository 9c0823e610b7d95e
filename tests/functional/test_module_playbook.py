# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""csoft.sms.csoft_account_info in real ansible-playbook runs against the simulator."""

import json

from ansible_collections.csoft.sms.tests.functional.conftest import SAVE
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.network import closed_port

OPS = ("AvailableCredit", "AvailableMessages", "PermittedReplyTo")


def account_play(endpoints, pin=PIN, extra=""):
    return f"""
    - hosts: localhost
      gather_facts: false
      tasks:
        - name: Query the account
          csoft.sms.csoft_account_info:
            endpoints: {json.dumps(endpoints)}
            username: {USERNAME}
            pin: {pin}
            {extra}
          register: account
{SAVE}    """


def result_of(runner):
    return json.loads((runner.tmp_path / "result.json").read_text())


def test_all_contract_values(ansible, pair):
    ansible.run(account_play([pair.primary.url, pair.secondary.url]), check=True)
    account = result_of(ansible)
    assert account["credit"] == 2.895
    assert account["currency"] == "GBP"
    assert account["messages"] == 24
    assert account["permitted_reply_to"] == ["447700912345", "csoft.co.uk"]
    assert account["endpoint"] == pair.primary.url
    assert account["failed_over"] is False
    assert account["changed"] is False
    counts = pair.primary.counts()
    assert [counts[op] for op in OPS] == [1, 1, 1]
    assert pair.secondary.counts()["total"] == 0


def test_failover_from_closed_port(ansible, pair):
    dead = closed_port()
    ansible.run(account_play([dead, pair.secondary.url]), check=True)
    account = result_of(ansible)
    assert account["failed_over"] is True
    assert account["endpoint"] == pair.secondary.url
    assert account["credit"] == 2.895 and account["messages"] == 24
    assert [pair.secondary.counts()[op] for op in OPS] == [1, 1, 1]


def test_gather_only_calls_named_operations(ansible, pair):
    ansible.run(account_play([pair.primary.url], extra="gather: [messages]"), check=True)
    account = result_of(ansible)
    assert account["messages"] == 24
    assert "credit" not in account and "permitted_reply_to" not in account
    counts = pair.primary.counts()
    assert [counts[op] for op in OPS] == [0, 1, 0]


def test_check_mode_still_queries(ansible, pair):
    ansible.run(account_play([pair.primary.url]), "--check", check=True)
    assert result_of(ansible)["credit"] == 2.895


def test_wrong_pin_fails_once_without_leaking(ansible, pair):
    wrong = "WrongPin5Yt8Hv2Q"
    run = ansible.run(account_play([pair.primary.url, pair.secondary.url], pin=wrong), "-vvvv", check=False)
    assert "login rejected" in run.output
    assert wrong not in run.output
    assert PIN not in run.output
    assert "Traceback" not in run.output
    assert pair.primary.counts()["total"] == 1
    assert pair.secondary.counts()["total"] == 0


def test_success_output_never_holds_pin(ansible, pair):
    run = ansible.run(account_play([pair.primary.url]), "-vvvv", check=True)
    assert PIN not in run.output


def test_credentials_and_endpoints_from_environment(ansible, pair):
    play = (
        """
    - hosts: localhost
      gather_facts: false
      tasks:
        - csoft.sms.csoft_account_info:
          register: account
    """
        + SAVE
    )
    env = {"CSOFT_USERNAME": USERNAME, "CSOFT_PIN": PIN, "CSOFT_ENDPOINTS": f"{closed_port()},{pair.secondary.url}", "CSOFT_TIMEOUT": "3"}
    ansible.run(play, env=env, check=True)
    account = result_of(ansible)
    assert account["failed_over"] is True and account["messages"] == 24


def test_module_defaults_action_group(ansible, pair):
    play = (
        f"""
    - hosts: localhost
      gather_facts: false
      module_defaults:
        group/csoft.sms.account:
          username: {USERNAME}
          pin: {PIN}
          endpoints: ["{pair.primary.url}"]
      tasks:
        - csoft.sms.csoft_account_info:
            gather: [credit]
          register: account
    """
        + SAVE
    )
    ansible.run(play, check=True)
    account = result_of(ansible)
    assert account["currency"] == "GBP"
