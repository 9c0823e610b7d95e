# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The README's Quick start, run as written: its blocks are read from README.md itself.

Each block follows a ``<!-- quickstart: NAME -->`` comment: a file to write (``deploy.yml``,
``otp.conf.j2``, ...) or ``run``, a console block whose ``$`` lines are run in order (later lines are
their expected output). The first command, ``bash scripts/try.sh``, starts the simulator and a shell;
the other commands are that shell's input, so they run in its environment, in its directory.
"""

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BLOCK = re.compile(r"^<!-- quickstart: (\S+) -->\n```[a-z]*\n(.*?)^```$", re.M | re.S)


def quickstart_blocks():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        text = handle.read()
    section = text.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    return BLOCK.findall(section)


def test_the_readme_has_the_quickstart_blocks():
    names = [block[0] for block in quickstart_blocks()]
    assert names == ["run", "deploy.yml", "otp.conf.j2", "inventory.ini", "run", "account.yml"]


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory):
    """Write the README's files into a try directory and run its commands; return (result, output, directory)."""
    directory = tmp_path_factory.mktemp("try")
    commands, expected = [], []
    for name, body in quickstart_blocks():
        if name == "run":
            for line in body.splitlines():
                if line.startswith("$ "):
                    commands.append(line[2:])
                elif line.strip():
                    expected.append(line)
        else:
            (directory / name).write_text(body)
    first, rest = commands[0], commands[1:]
    assert first == "bash scripts/try.sh"
    # The module_defaults example takes the PIN from a vault variable: here from the try's environment.
    rest.append('ansible-playbook -i inventory.ini account.yml -e vault_csoft_pin="$CSOFT_PIN"')
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ANSIBLE_", "CSOFT_"))}
    env.update(CSOFT_TRY_DIR=str(directory), CSOFT_VENV=sys.prefix, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    result = subprocess.run(
        ["bash", "-c", first],
        input="set -e\n" + "\n".join(rest) + "\n",
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return result, result.stdout + result.stderr, directory, expected


def test_the_quickstart_runs_as_written(quickstart):
    result, output, directory, expected = quickstart
    assert result.returncode == 0, output
    for line in expected:
        assert line in output.splitlines(), output
    for host in ("otp1", "otp2", "otp3"):
        assert (directory / host / "otp.conf").read_text() == "sender = ACMEOTP\n"
        assert re.search(rf"^{host}\s+: ok=\d+\s+changed=\d+\s+unreachable=0\s+failed=0", output, re.M), output
    assert "GBP, about 1000 messages" in output
    assert "[WARNING]" not in output and "Traceback" not in output


def test_the_try_stops_its_simulator(quickstart):
    directory = quickstart[2]
    pid_file = directory / ".simulator" / "pid"
    pid = int(pid_file.read_text())
    assert not os.path.exists(f"/proc/{pid}") or b"csoft_simulator" not in open(f"/proc/{pid}/cmdline", "rb").read()
