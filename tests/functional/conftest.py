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

import ansible_collections
from ansible_collections.csoft.sms.tests.simulator import csoft_simulator as sim

USERNAME = "ANother.123456"
PIN = "Sim7PinQx42Zr9Lk"
LOW_USERNAME = "Low.account"
LOW_PIN = "LowPin8Hq3Wz5Tn"

# A task that saves the registered ``account`` as JSON for the test to read (also in check mode).
SAVE = """
        - name: Save the result for the test
          ansible.builtin.copy:
            content: "{{ account | to_json }}"
            dest: "{{ playbook_dir }}/result.json"
            mode: "0600"
          check_mode: false
"""


def collections_base():
    """The directory that holds ``ansible_collections/csoft/sms`` for this checkout."""
    for path in ansible_collections.__path__:
        if os.path.isdir(os.path.join(path, "csoft", "sms")):
            return os.path.dirname(path)
    raise RuntimeError("csoft.sms is not on the Python path")  # pragma: no cover


@pytest.fixture
def pair():
    """A primary and a secondary simulator over HTTP, with fresh counters."""
    servers = sim.start_pair(tls=False)
    try:
        yield servers
    finally:
        servers.stop()


class PlaybookRunner:
    """Runs ansible-playbook in a private ANSIBLE_HOME with the collection installed from this checkout."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.bin_dir = os.path.dirname(sys.executable)
        self.inventory = tmp_path / "inventory.ini"
        self.inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")

    def env(self, extra=None):
        env = {key: value for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "CSOFT_"))}
        env.update(
            {
                "ANSIBLE_COLLECTIONS_PATH": collections_base(),
                "ANSIBLE_HOME": str(self.tmp_path / "ansible-home"),
                "ANSIBLE_LOCAL_TEMP": str(self.tmp_path / "ansible-tmp"),
                "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_FORCE_COLOR": "0",
                "ANSIBLE_RETRY_FILES_ENABLED": "0",
                "ANSIBLE_HOST_KEY_CHECKING": "0",
                "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
                "PATH": self.bin_dir + os.pathsep + env.get("PATH", ""),
                "NO_PROXY": "127.0.0.1,localhost",
                "no_proxy": "127.0.0.1,localhost",
            }
        )
        env.update(extra or {})
        return env

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
