# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/support/playbook_env.py: nothing of the machine's Ansible or csoft settings leaks into a run."""

import os

from ansible_collections.csoft.sms.tests.support.playbook_env import ansible_env, collections_base


def test_environment_of_a_playbook_run(tmp_path):
    base = {"PATH": "/usr/bin", "HOME": "/home/x", "ANSIBLE_CONFIG": "/etc/ansible.cfg", "CSOFT_PIN": "secret", "http_proxy": "http://proxy:3128"}
    env = ansible_env("/collections", str(tmp_path), python="/venv/bin/python", base=base, extra={"CSOFT_TIMEOUT": "3"})
    assert not [name for name in env if name.startswith("CSOFT_") and name != "CSOFT_TIMEOUT"] and "ANSIBLE_CONFIG" not in env
    assert env["ANSIBLE_COLLECTIONS_PATH"] == "/collections" and env["ANSIBLE_HOME"] == os.path.join(str(tmp_path), "ansible-home")
    assert env["ANSIBLE_PYTHON_INTERPRETER"] == "/venv/bin/python" and env["PATH"] == "/venv/bin" + os.pathsep + "/usr/bin"
    assert env["NO_PROXY"] == env["no_proxy"] == "127.0.0.1,localhost" and env["http_proxy"] == "http://proxy:3128"
    assert env["ANSIBLE_NOCOLOR"] == "1" and "ANSIBLE_NOCOLOR" not in ansible_env("/c", str(tmp_path), base=base, color=True)


def test_collections_base_holds_this_collection():
    assert os.path.isfile(os.path.join(collections_base(), "ansible_collections", "csoft", "sms", "galaxy.yml"))
