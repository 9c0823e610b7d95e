# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start, wait for and stop the csoft simulator for the integration targets (stdlib only).

The simulator's command line, the wait for its ready file and stopping it come
from the collection's test support (tests/support/simulator.py; ansible-test
copies it next to the targets, see this role's aliases). This script adds what
is particular to a simulator started by an Ansible async task.

simctl.py exec WORKDIR PYTHON [--tls]
    create WORKDIR (0700), write our PID to WORKDIR/pid, then become the simulator (same PID)
simctl.py wait READYFILE SECONDS [--job-file FILE]
    wait for the simulator's ready file (next to its PID file); print it as JSON, plus "closed":
    a URL where nothing listens, and "accounts": the default accounts' usernames and PINs;
    note the async job's results FILE for stop
simctl.py stop WORKDIR SECONDS [--remove]
    SIGTERM the simulator (SIGKILL after SECONDS) and wait until it is gone; then wait for the
    async job's results file to be final and delete it; with --remove delete WORKDIR
"""

import json
import os
import shutil
import sys


def _tests_dirs():
    """tests/ next to the targets (ansible-test's copy or the checkout), then in the collections path."""
    here = os.path.dirname(os.path.abspath(__file__))
    yield os.path.normpath(os.path.join(here, "..", "..", "..", ".."))
    for path in filter(None, os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep)):
        yield os.path.join(path, "ansible_collections", "csoft", "sms", "tests")


for _tests in _tests_dirs():
    if os.path.isfile(os.path.join(_tests, "support", "simulator.py")):
        sys.path.insert(0, _tests)
        break
else:
    sys.exit("simctl.py: tests/support/simulator.py not found next to the targets or on ANSIBLE_COLLECTIONS_PATH")
from support import accounts, simulator  # noqa: E402 - found above


def job_finished(path):
    """True when the async job's results file holds its final result (or is gone)."""
    try:
        with open(path) as f:
            data = json.load(f)
    except FileNotFoundError:
        return True
    except (OSError, ValueError):
        return False
    return not (data.get("started") and not data.get("finished"))


def option(argv, name):
    return argv[argv.index(name) + 1] if name in argv else None


def stop(workdir, grace, remove=False):
    report = {"stopped": False}
    try:
        with open(os.path.join(workdir, "job")) as f:
            job_file = f.read().strip()
    except OSError:
        job_file = None
    if job_file and simulator.read_pid(workdir) is None:
        # the background job is running but has not started the simulator yet
        simulator.wait_for(lambda: simulator.read_pid(workdir) is not None or job_finished(job_file), 10)
    pid = simulator.read_pid(workdir)
    if pid is None:
        report["reason"] = "no PID file"
    else:
        report["pid"] = pid
        sent = simulator.stop_pid(pid, grace)
        if sent:
            report.update(stopped=True, signal=sent)
        else:
            report["reason"] = "not running"
    if job_file:
        report["job_finished"] = simulator.wait_for(lambda: job_finished(job_file), 10)
        if report["job_finished"] and os.path.exists(job_file):
            os.unlink(job_file)
    report["ready_file_left"] = os.path.exists(simulator.ready_path(workdir))
    if remove:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(report))
    return 0


def starting(pid):
    """True while ``pid`` is still this script's "exec": it writes the PID file before it becomes the simulator."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return b"simctl.py\x00exec\x00" in handle.read()
    except OSError:
        return False


def main(argv):
    command = argv[0] if argv else ""
    if command == "exec":
        workdir, python = argv[1], argv[2]
        os.makedirs(workdir, mode=0o700, exist_ok=True)
        simulator.write_pid(workdir, os.getpid())
        argv = simulator.command(workdir, python, tls="--tls" in argv[3:])
        os.execv(argv[0], argv)  # noqa: S606 - replaces this process by the simulator, no shell
    if command == "wait":
        path, seconds = argv[1], float(argv[2])
        workdir = os.path.dirname(path)
        # the background job may not have run "exec" yet
        os.makedirs(workdir, mode=0o700, exist_ok=True)
        if option(argv, "--job-file"):
            with open(os.path.join(workdir, "job"), "w") as f:
                f.write(option(argv, "--job-file") + "\n")

        def running():
            pid = simulator.read_pid(workdir)
            return pid is None or simulator.alive(pid) or starting(pid)

        try:
            ready = simulator.wait_ready(path, seconds, running)
        except simulator.SimulatorError as exc:
            return f"{exc} (PID {simulator.read_pid(workdir)})"
        ready["accounts"] = {
            "username": accounts.USERNAME,
            "pin": accounts.PIN,
            "low_username": accounts.LOW_USERNAME,
            "low_pin": accounts.LOW_PIN,
        }
        print(json.dumps(ready))
        return 0
    if command == "stop":
        return stop(argv[1], float(argv[2]), remove="--remove" in argv[3:])
    return f"usage: {__doc__}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
