# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start, wait for and stop the csoft simulator for the integration targets (stdlib only).

simctl.py exec WORKDIR PYTHON SIMULATOR ARGS...
    create WORKDIR (0700), write our PID to WORKDIR/pid, then become the simulator (same PID)
simctl.py wait READYFILE SECONDS [--job-file FILE]
    wait for the simulator's ready file (next to its PID file); print it as JSON, plus "closed":
    a URL where nothing listens; note the async job's results FILE for stop
simctl.py stop WORKDIR SECONDS [--remove]
    SIGTERM the simulator (SIGKILL after SECONDS) and wait until it is gone; then wait for the
    async job's results file to be final and delete it; with --remove delete WORKDIR
"""

import json
import os
import shutil
import signal
import socket
import sys
import time


def alive(pid):
    """True while ``pid`` runs the simulator (a reused PID is not ours)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"csoft_simulator" in f.read()
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True


def closed_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/sendsms5"


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


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


def read_pid(workdir):
    try:
        with open(os.path.join(workdir, "pid")) as f:
            return int(f.read())
    except (OSError, ValueError):
        return None


def option(argv, name):
    return argv[argv.index(name) + 1] if name in argv else None


def stop(workdir, grace, remove=False):
    report = {"stopped": False}
    try:
        with open(os.path.join(workdir, "job")) as f:
            job_file = f.read().strip()
    except OSError:
        job_file = None
    if job_file and read_pid(workdir) is None:
        # the background job is running but has not started the simulator yet
        wait_for(lambda: read_pid(workdir) is not None or job_finished(job_file), 10)
    pid = read_pid(workdir)
    if pid is None:
        report["reason"] = "no PID file"
    else:
        report["pid"] = pid
        if alive(pid):
            os.kill(pid, signal.SIGTERM)
            report.update(stopped=True, signal="TERM")
            if not wait_for(lambda: not alive(pid), grace):
                os.kill(pid, signal.SIGKILL)
                report["signal"] = "KILL"
                wait_for(lambda: not alive(pid), 10)
        else:
            report["reason"] = "not running"
    if job_file:
        report["job_finished"] = wait_for(lambda: job_finished(job_file), 10)
        if report["job_finished"] and os.path.exists(job_file):
            os.unlink(job_file)
    report["ready_file_left"] = os.path.exists(os.path.join(workdir, "ready.json"))
    if remove:
        shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(report))
    return 0


def main(argv):
    command = argv[0] if argv else ""
    if command == "exec":
        workdir, python = argv[1], argv[2]
        os.makedirs(workdir, mode=0o700, exist_ok=True)
        with open(os.path.join(workdir, "pid"), "w") as f:
            f.write(f"{os.getpid()}\n")
        os.execv(python, [python] + argv[3:])  # noqa: S606 - replaces this process by the simulator, no shell
    if command == "wait":
        path, seconds = argv[1], float(argv[2])
        workdir = os.path.dirname(path)
        # the background job may not have run "exec" yet
        os.makedirs(workdir, mode=0o700, exist_ok=True)
        if option(argv, "--job-file"):
            with open(os.path.join(workdir, "job"), "w") as f:
                f.write(option(argv, "--job-file") + "\n")

        def ready_or_dead():
            pid = read_pid(workdir)
            return os.path.exists(path) or (pid is not None and not alive(pid))

        # the ready file is written atomically: complete once it exists; give up when the simulator died
        if not wait_for(ready_or_dead, seconds):
            return f"the simulator wrote no ready file {path} within {seconds:g} s"
        if not os.path.exists(path):
            return f"the simulator (PID {read_pid(workdir)}) exited before it was ready"
        with open(path) as f:
            ready = json.load(f)
        ready["closed"] = closed_port()
        print(json.dumps(ready))
        return 0
    if command == "stop":
        return stop(argv[1], float(argv[2]), remove="--remove" in argv[3:])
    return f"usage: {__doc__}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
