# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""examples/runner (the credit gate as an ansible-runner private data directory) against the simulator.

Three runs of a copy each, as examples/runner/README.md describes them:

* ``pass``: the thresholds as shipped, the PIN in a private file named by
  ``CSOFT_PIN_FILE``: status ``successful``, the gate passes, the deployment runs;
* ``fail``: ``credit_gate_min_credit: 10``: status ``failed`` (rc 2), the gate's
  message in stdout and in the job events, the deployment does not run;
* ``env``: the counter-example, the PIN exported as ``CSOFT_PIN``: successful,
  but ansible-runner stores its whole environment, so the PIN lands in
  ``artifacts/env/command``, and only there (which also proves that the leak
  check below sees a leak).

In ``pass`` and ``fail`` the PIN appears nowhere under the copy. Skipped only
when ansible-runner is not installed (it is in the dev venv, so CI runs it).
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from ansible_collections.csoft.sms.tests.simulator import csoft_simulator as sim
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.playbook_env import ansible_env, collections_base

pytest.importorskip("ansible_runner")

EXAMPLE = os.path.join(collections_base(), "ansible_collections", "csoft", "sms", "examples", "runner")
DEPLOY_TASK = '"task": "Deploy (stands in for the real deployment tasks)"'
GATE_FAILED = "csoft credit 2.8950 GBP is below the required 10.0000 GBP"
GATE_PASSED = "csoft credit gate passed: credit 2.8950 GBP, 24 messages"
CASES = ("pass", "fail", "env")
ONCALL = "447700900123"
NOTIFIED = "csoft.sms.sms_notify: the run's SMS (failure) was sent to 1 number(s)"


class Run:
    """One ansible-runner run of a copy of examples/runner."""

    def __init__(self, case, workdir, pair, pin_file):
        self.case = case
        self.dir = workdir / f"runner-{case}"
        shutil.copytree(EXAMPLE, self.dir, ignore=shutil.ignore_patterns("artifacts"))
        # the simulator's endpoints and username, filled in at run time
        # and the notification callback, as docs/docsite/rst/guide_notify.rst enables it for ansible-runner
        (self.dir / "env" / "envvars").write_text(
            f'---\nCSOFT_USERNAME: {USERNAME}\nCSOFT_ENDPOINTS: {pair.primary.url},{pair.secondary.url}\nANSIBLE_NOCOLOR: "1"\n'
            f"ANSIBLE_CALLBACKS_ENABLED: csoft.sms.sms_notify\nCSOFT_NOTIFY_TO: '{ONCALL}'\n"
        )
        if case == "fail":
            (self.dir / "env" / "extravars").write_text("---\ncredit_gate_min_credit: 10.0\ncredit_gate_min_messages: 10\n")
        # The PIN lives in a private file outside the private data directory; only its name
        # (CSOFT_PIN_FILE) reaches ansible-runner's environment and artifacts.
        secret = {"CSOFT_PIN": PIN} if case == "env" else {"CSOFT_PIN_FILE": str(pin_file)}
        env = ansible_env(collections_base(), workdir / f"ansible-{case}", extra=secret)
        command = [sys.executable, "-m", "ansible_runner", "run", str(self.dir), "-p", "gate.yml", "--ident", case]
        self.process = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
        self.artifacts = self.dir / "artifacts" / case

    @property
    def output(self):
        return f"exit {self.process.returncode}\n{self.process.stdout}\n{self.process.stderr}"

    def artifact(self, name):
        path = self.artifacts / name
        return path.read_text() if path.exists() else None

    def job_events(self):
        return "".join(path.read_text() for path in sorted((self.artifacts / "job_events").glob("*.json")))

    def files_with_pin(self):
        return sorted(str(path.relative_to(self.dir)) for path in self.dir.rglob("*") if path.is_file() and PIN.encode() in path.read_bytes())


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("runner")
    secret_dir = workdir / "runner-secret"
    secret_dir.mkdir(mode=0o700)
    pin_file = secret_dir / "pin"
    pin_file.touch(mode=0o600)
    pin_file.write_text(PIN + "\n")
    with sim.start_pair(tls=False) as pair:
        done = {case: Run(case, workdir, pair, pin_file) for case in CASES}
        done["counts"] = pair.primary.counts()
        done["messages"] = pair.primary.messages() + pair.secondary.messages()
    return done


@pytest.mark.parametrize("case", ["pass", "env"])
def test_passing_gate_run_deploys(runs, case):
    run = runs[case]
    assert run.process.returncode == 0, run.output
    assert (run.artifact("status") or "").strip() == "successful", run.output
    assert (run.artifact("rc") or "").strip() == "0"
    assert GATE_PASSED in run.artifact("stdout"), run.output
    assert DEPLOY_TASK in run.job_events(), "the deployment task did not run"


def test_failing_gate_stops_the_deployment(runs):
    run = runs["fail"]
    assert run.process.returncode == 2, run.output
    assert (run.artifact("status") or "").strip() == "failed"
    assert (run.artifact("rc") or "").strip() == "2"
    assert GATE_FAILED in run.artifact("stdout"), run.output
    assert GATE_FAILED in run.job_events()
    assert DEPLOY_TASK not in run.job_events(), "the deployment task ran after a failed gate"


def test_notification_callback_texts_the_failed_run_only(runs):
    """The callback, enabled in env/envvars, reads the PIN from CSOFT_PIN_FILE and texts once: for the failed run."""
    assert [(message["recipients"], message["text"]) for message in runs["messages"]] == [
        (
            [ONCALL],
            # the gate's reason follows the host; the role's task name gives way so that it fits one SMS part
            f"Ansible gate.yml: FAILED, 1 failed, 0 unreachable of 1 host(s); first localhost: Compare t...: {GATE_FAILED}",
        )
    ]
    assert NOTIFIED in runs["fail"].artifact("stdout"), runs["fail"].output
    assert all(NOTIFIED not in (runs[case].artifact("stdout") or "") for case in ("pass", "env"))


@pytest.mark.parametrize("case", ["pass", "fail"])
def test_pin_appears_nowhere_under_the_private_data_directory(runs, case):
    run = runs[case]
    assert run.artifacts.is_dir() and any(run.artifacts.iterdir()), run.output
    assert run.files_with_pin() == []


def test_pin_exported_as_csoft_pin_lands_in_the_artifacts_command(runs):
    """Why the example uses CSOFT_PIN_FILE; also proves that the leak check sees a leak."""
    assert runs["env"].files_with_pin() == ["artifacts/env/command"]
    assert PIN in json.loads(runs["env"].artifact("command"))["env"]["CSOFT_PIN"]


def test_one_query_per_operation_per_run(runs):
    """Three runs, one query per operation each (the failing gate still queried once)."""
    counts = runs["counts"]
    assert [counts[op] for op in ("AvailableCredit", "AvailableMessages", "PermittedReplyTo")] == [3, 3, 3], counts
