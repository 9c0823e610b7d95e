# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Quiet runs: no deprecation warning from a dependency we pin (tests/constraints.txt), none from the collection.

Every kind of content runs once here (module, action, lookup, role, callback) on the ansible-core of
the venv, so a deprecation a new ansible-core reports about the collection fails this test while it is
still only a warning.
"""

import os
import subprocess
import sys

from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME

PLAY = """
- hosts: localhost
  gather_facts: false
  roles:
    - role: csoft.sms.credit_gate
      vars:
        credit_gate_min_credit: 1.0
  tasks:
    - csoft.sms.csoft_account_info:
      register: info
    - csoft.sms.csoft_account_check:
        min_messages: 1
    - ansible.builtin.debug:
        msg: "{{ lookup('csoft.sms.csoft_account', 'credit') }} {{ info.currency }}"
"""


def test_ansible_commands_print_no_deprecation_warning(ansible, pair):
    # cryptography 51 deprecates DSA, which ansible-core imports: tests/constraints.txt keeps it at 50.
    bin_dir = os.path.dirname(sys.executable)
    version = subprocess.run([os.path.join(bin_dir, "ansible"), "--version"], env=ansible.env(), capture_output=True, text=True, timeout=120, check=True)
    assert "Warning" not in version.stdout + version.stderr, version.stderr
    env = {
        "ANSIBLE_CALLBACKS_ENABLED": "csoft.sms.sms_notify",
        "CSOFT_NOTIFY_ON": "failure,success",
        "CSOFT_NOTIFY_TO": "447700900123",
        "CSOFT_USERNAME": USERNAME,
        "CSOFT_PIN": PIN,
        "CSOFT_ENDPOINTS": pair.primary.url,
    }
    run = ansible.run(PLAY, env=env, check=True)
    assert "2.895 GBP" in run.output
    assert "csoft.sms.sms_notify: the run's SMS" in run.output, run.output
    for noise in ("DeprecationWarning", "DEPRECATION", "deprecated"):
        assert noise not in run.output, run.output
