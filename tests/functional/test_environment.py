# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Our own environments are quiet: no deprecation warning from a dependency we pin (tests/constraints.txt)."""

import os
import subprocess
import sys

from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME


def test_ansible_commands_print_no_deprecation_warning(ansible, pair):
    # cryptography 51 deprecates DSA, which ansible-core imports: tests/constraints.txt keeps it at 50.
    bin_dir = os.path.dirname(sys.executable)
    version = subprocess.run([os.path.join(bin_dir, "ansible"), "--version"], env=ansible.env(), capture_output=True, text=True, timeout=120, check=True)
    assert "Warning" not in version.stdout + version.stderr, version.stderr
    run = ansible.run(
        f"""
        - hosts: localhost
          gather_facts: false
          tasks:
            - csoft.sms.csoft_account_info:
                username: {USERNAME}
                pin: {PIN}
                endpoints: ["{pair.primary.url}"]
        """,
        check=True,
    )
    assert "DeprecationWarning" not in run.output and "[DEPRECATION WARNING]" not in run.output, run.output
