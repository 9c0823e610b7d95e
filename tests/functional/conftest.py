# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for tests that run real ``ansible-playbook`` against the simulator.

The simulator runs in this pytest process (threads), so its counters are read
directly; ansible-playbook runs as a child process with this collection on
its collections path and this Python as the interpreter for localhost.
"""

import os
import subprocess
import sys
import textwrap

import pytest

from ansible_collections.csoft.sms.tests.support.fixtures import pair  # noqa: F401 - a fixture of these tests  # pylint: disable=unused-import
from ansible_collections.csoft.sms.tests.support.playbook_env import ansible_env, collections_base

# A task that saves the registered ``account`` as JSON for the test to read (also in check mode).
SAVE = """
        - name: Save the result for the test
          ansible.builtin.copy:
            content: "{{ account | to_json }}"
            dest: "{{ playbook_dir }}/result.json"
            mode: "0600"
          check_mode: false
"""


class PlaybookRunner:
    """Runs ansible-playbook in a private ANSIBLE_HOME with the collection installed from this checkout."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.bin_dir = os.path.dirname(sys.executable)
        self.inventory = tmp_path / "inventory.ini"
        self.inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")

    def env(self, extra=None):
        return ansible_env(collections_base(), self.tmp_path, extra=extra)

    def run(self, playbook, *args, env=None, inventory=None, timeout=300, check=None):
        """Write ``playbook`` (YAML text) and run it; returns CompletedProcess with text stdout/stderr.

        ``check=True`` asserts exit 0, ``check=False`` asserts non-zero, None asserts nothing.
        """
        path = self.tmp_path / "playbook.yml"
        path.write_text(textwrap.dedent(playbook))
        cmd = [os.path.join(self.bin_dir, "ansible-playbook"), "-i", str(inventory or self.inventory), str(path), *args]
        result = subprocess.run(cmd, env=self.env(env), capture_output=True, text=True, timeout=timeout, check=False, cwd=str(self.tmp_path))
        output = result.stdout + result.stderr
        if check is True:
            assert result.returncode == 0, output
        elif check is False:
            assert result.returncode != 0, output
        result.output = output
        return result


@pytest.fixture
def ansible(tmp_path):
    return PlaybookRunner(tmp_path)
