# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the real ``ansible-playbook`` runs of the callback csoft.sms.sms_notify share (tests/functional/test_notify_*.py)."""

from .accounts import PIN, USERNAME

ONCALL = "447700900123"
NAME = "csoft.sms.sms_notify"

# h2 fails its first task; h1 and h3 go on.
FAILING = """
- hosts: all
  gather_facts: false
  tasks:
    - name: Deploy the app
      ansible.builtin.fail:
        msg: the deployment broke
      when: inventory_hostname == 'h2'
    - name: Report
      ansible.builtin.debug:
        msg: deployed
"""

PASSING = """
- hosts: all
  gather_facts: false
  tasks:
    - name: Report
      ansible.builtin.debug:
        msg: deployed
"""


def inventory(tmp_path, count=3, name="hosts.ini"):
    path = tmp_path / name
    path.write_text("".join(f"h{index} ansible_connection=local\n" for index in range(1, count + 1)))
    return path


def callback_env(pair, **extra):
    env = {
        "ANSIBLE_CALLBACKS_ENABLED": NAME,
        "CSOFT_USERNAME": USERNAME,
        "CSOFT_PIN": PIN,
        "CSOFT_ENDPOINTS": ",".join(pair.urls),
        "CSOFT_NOTIFY_TO": ONCALL,
    }
    env.update(extra)
    return {key: value for key, value in env.items() if value is not None}


def submits(pair):
    return sum(counts["SubmitMessage"] for counts in pair.counts().values())


def sent(pair):
    return pair.primary.messages() + pair.secondary.messages()


def notice_lines(output):
    return [line for line in output.splitlines() if NAME in line]


def run_both(ansible, playbook, pair, *args, inventory_path=None, **extra):
    """The run without the callback, then with it; returns (rc without, result with)."""
    without = ansible.run(playbook, *args, inventory=inventory_path, env={"CSOFT_PIN": PIN})
    assert submits(pair) == 0
    return without.returncode, ansible.run(playbook, *args, inventory=inventory_path, env=callback_env(pair, **extra))
