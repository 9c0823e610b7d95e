# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""200 concurrent module runs (200 local hosts, 50 forks) against one simulator, each host with its own account.

Each host queries its own account (distinct credit, messages and ReplyTo) and
must get exactly its own values back: no answer crosses to another host's run
under concurrency. The simulator must count exactly 200 requests per operation,
none on the secondary. The wall time is printed (pytest -s) and bounded.
"""

import json
import sys
import time
from decimal import Decimal

import pytest

from ansible_collections.csoft.sms.tests.functional.conftest import PlaybookRunner
from ansible_collections.csoft.sms.tests.simulator import csoft_simulator as sim

HOSTS = 200
FORKS = 50
TIME_LIMIT = 120  # seconds: a guard against serialisation or stalls; measured about 60 s on 2 idle cores

PLAYBOOK = """
- name: Every host queries its own account
  hosts: load
  gather_facts: false
  tasks:
    - name: Query the account
      csoft.sms.csoft_account_info:
        username: "{{ csoft_user }}"
        pin: "{{ csoft_secret }}"
        endpoints: "{{ csoft_urls }}"
        timeout: 30
      register: account
    - name: Save every host's result at once
      ansible.builtin.copy:
        content: "{{ dict(ansible_play_hosts_all | zip(ansible_play_hosts_all | map('extract', hostvars, 'account'))) | to_json }}"
        dest: "{{ playbook_dir }}/results.json"
        mode: "0600"
      run_once: true
      delegate_to: localhost
"""


def account(number):
    return {
        "username": f"Load.user{number:03d}",
        "pin": f"LoadPin{number:03d}Xq7Wz",
        "credit": f"{number}.{number * 37 % 10000:04d}",
        "messages": number * 1000 + 7,
        "permitted_reply_to": [f"4477009{number:05d}", f"load{number}.example", "csoft.co.uk"],
    }


@pytest.mark.scale
def test_200_hosts_each_get_their_own_account(tmp_path):
    runner = PlaybookRunner(tmp_path)
    accounts = {f"h{number:03d}": account(number) for number in range(1, HOSTS + 1)}
    pair = sim.start_pair()
    try:
        for values in accounts.values():
            pair.update_account(**values)
        lines = ["[load]"]
        for host, values in accounts.items():
            host_vars = f"csoft_user={values['username']} csoft_secret={values['pin']}"
            lines.append(f"{host} ansible_connection=local ansible_python_interpreter={sys.executable} {host_vars}")
        inventory = tmp_path / "hosts.ini"
        inventory.write_text("\n".join(lines) + "\n")
        (tmp_path / "group_vars").mkdir()
        (tmp_path / "group_vars" / "load.json").write_text(json.dumps({"csoft_urls": pair.urls}))
        start = time.monotonic()
        run = runner.run(PLAYBOOK, "--forks", str(FORKS), inventory=inventory, timeout=600, check=True)
        elapsed = time.monotonic() - start
        results = json.loads((tmp_path / "results.json").read_text())
        counts = pair.counts()
    finally:
        pair.stop()
    print(f"\n{HOSTS} hosts, {FORKS} forks, 3 operations each: {elapsed:.1f} s ({HOSTS * 3 / elapsed:.0f} requests/s)")
    assert sorted(results) == sorted(accounts)
    wrong = []
    for host, values in accounts.items():
        got = results[host]
        expected = {
            "credit": float(Decimal(values["credit"])),
            "currency": "GBP",
            "messages": values["messages"],
            "permitted_reply_to": values["permitted_reply_to"],
            "endpoint": pair.primary.url,
            "failed_over": False,
        }
        if got.get("failed") or {key: got.get(key) for key in expected} != expected:
            wrong.append((host, got.get("msg") or {key: got.get(key) for key in expected}))
    assert not wrong, f"{len(wrong)} hosts got the wrong answer, e.g. {wrong[:3]}"
    for operation in ("AvailableCredit", "AvailableMessages", "PermittedReplyTo"):
        assert counts["primary"][operation] == HOSTS, counts
    assert counts["primary"]["invalid"] == 0 and counts["secondary"]["total"] == 0, counts
    assert not [values["pin"] for values in accounts.values() if values["pin"] in run.output], "a PIN appears in the output"
    assert elapsed < TIME_LIMIT, f"{HOSTS} hosts took {elapsed:.1f} s"
