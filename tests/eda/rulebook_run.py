# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How the tests run the real ansible-rulebook on a shipped rulebook against the simulator.

``running_rulebook`` starts it with the credentials through ``--env-vars`` (as
users do), yields a ``RulebookRun`` whose ``wait_for`` fails the test with the
end of the rulebook's output, and on leaving stops it with SIGINT and keeps its
output in ``run.output`` (and in ``rulebook.log`` beside the test, for a look
after a failure). The output is read as it comes (``run.so_far()``), so that a
test can wait for what a playbook printed. ``needs_rulebook`` skips only outside CI: scripts/lib/eda.sh
sets CSOFT_EDA_REQUIRED=1, where a missing ansible-rulebook or Java is a failure.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests

from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.playbook_env import ansible_env, collections_base

RULEBOOK_BIN = os.path.join(os.path.dirname(sys.executable), "ansible-rulebook")
MISSING = not os.path.exists(RULEBOOK_BIN) or not shutil.which("java")
needs_rulebook = pytest.mark.skipif(MISSING and os.environ.get("CSOFT_EDA_REQUIRED") != "1", reason="needs ansible-rulebook (.venv-eda) and Java 17")


def control(url, path, body):
    """POST to the simulator's control API (never through a proxy)."""
    with requests.Session() as session:
        session.trust_env = False
        return session.post(url.rsplit("/", 1)[0] + path, json=body, timeout=5).status_code


class RulebookRun:
    """One ansible-rulebook process; ``output`` is its output once it has stopped (None before)."""

    def __init__(self, proc):
        self.proc = proc
        self.output = None
        self._lines = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self._lines.append(line)

    def so_far(self):
        """Its output until now."""
        return "".join(self._lines)

    def stop(self):
        """Stop it (SIGINT, as a user's Ctrl-C; SIGKILL after 30 s) and return its output; once."""
        if self.output is None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self._reader.join(timeout=30)
            self.output = self.so_far()
        return self.output

    def wait_for(self, what, check, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if check():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        pytest.fail(f"{what} did not happen within {seconds} s; ansible-rulebook said:\n{self.stop()[-4000:]}")


@contextlib.contextmanager
def running_rulebook(tmp_path, pair, rulebook, variables):
    """Run ``ansible-rulebook -r csoft.sms.<rulebook>`` with ``variables`` (YAML text) against ``pair``."""
    inventory = tmp_path / "inventory.ini"
    inventory.write_text(f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n")
    (tmp_path / "vars.yml").write_text(variables)
    env = ansible_env(
        collections_base(),
        tmp_path,
        extra={
            "CSOFT_USERNAME": USERNAME,
            "CSOFT_PIN": PIN,
            "CSOFT_ENDPOINTS": ",".join(pair.urls),
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "PYTHONUNBUFFERED": "1",  # the output of a playbook as it runs, for so_far()
        },
    )
    command = [RULEBOOK_BIN, "-r", f"csoft.sms.{rulebook}", "-i", str(inventory), "--vars", str(tmp_path / "vars.yml")]
    command += ["--env-vars", "CSOFT_USERNAME,CSOFT_PIN,CSOFT_ENDPOINTS", "-vv"]
    run = RulebookRun(subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    try:
        yield run
    finally:
        (tmp_path / "rulebook.log").write_text(run.stop())
