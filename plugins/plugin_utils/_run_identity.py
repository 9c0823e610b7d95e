# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which ``ansible-playbook`` run this process belongs to, and whether a run still runs (controller only).

Every task of a run executes in its own forked worker process; the run is the
main process. It is identified by:

* its PID (the parent's PID in a worker);
* that process's start time, so a later process that gets the same PID is
  told apart (field 22 of /proc/<pid>/stat on Linux, ``ps -o lstart`` elsewhere);
* the kernel's boot id, so a run of an earlier boot is known to be over.

The run cache (``_cache.py``) names its file after this identity and removes
the files of runs that ``run_is_alive`` says have finished. Identities read
back from disk are hostile input: anything that is not a plain positive PID
is "unknown", never an exception.
"""

import multiprocessing
import os
import subprocess

MAX_PID = 2**31 - 1  # pid_t; os.kill() overflows beyond it


def _in_ansible_worker():
    """True in a forked Ansible WorkerProcess (tasks and their templates run there)."""
    try:
        from ansible.executor.process.worker import WorkerProcess
    except ImportError:  # pragma: no cover - always present on a controller
        return False
    return isinstance(multiprocessing.current_process(), WorkerProcess)


def main_pid():
    """PID of the ``ansible-playbook`` (or ``ansible``) main process of this run."""
    if _in_ansible_worker():
        parent = multiprocessing.parent_process()
        if parent is not None and parent.pid:
            return parent.pid
        return os.getppid()
    return os.getpid()


def _read_small(path, limit=4096):
    """Up to ``limit`` bytes of a /proc file, or None."""
    try:
        with open(path, "rb") as handle:
            return handle.read(limit)
    except OSError:
        return None


def boot_id():
    """The kernel's boot id (Linux), or None."""
    data = _read_small("/proc/sys/kernel/random/boot_id")
    return data.decode("ascii", "replace").strip() if data else None


def _ps_start_time(pid):
    """Start time of ``pid`` from ps(1), for systems without /proc (macOS, BSD)."""
    try:
        out = subprocess.run(
            ["ps", "-o", "lstart=", "-p", str(int(pid))],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
            env={"LC_ALL": "C", "PATH": os.environ.get("PATH", "/bin:/usr/bin")},
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = " ".join(out.stdout.split())
    return f"ps:{text}" if out.returncode == 0 and text else None


def process_start_time(pid):
    """An opaque string that changes when ``pid`` is reused, or None when it cannot be read.

    Never cached: a cache keyed by PID would return the start time of an
    earlier process with the same PID, which is what this tells apart.
    """
    data = _read_small(f"/proc/{int(pid)}/stat")
    if data:
        # The command name (field 2) may hold spaces and parentheses: split after the last ")".
        fields = data[data.rfind(b")") + 2 :].split()
        if len(fields) > 19:
            return f"proc:{fields[19].decode('ascii', 'replace')}"
    if os.path.isdir("/proc/self"):
        return None  # /proc exists but the process is gone
    return _ps_start_time(pid)


def run_identity():
    """A dict that identifies this run: main PID, its start time and the boot."""
    pid = main_pid()
    return {"pid": pid, "start": process_start_time(pid), "boot": boot_id()}


def _pid_of(identity):
    """The PID of an identity read from disk, or None when it is not a plain positive pid_t."""
    pid = identity.get("pid") if isinstance(identity, dict) else None
    if isinstance(pid, bool) or not isinstance(pid, int) or not 0 < pid <= MAX_PID:
        return None  # 0 and negative PIDs name process groups for os.kill()
    return pid


def run_is_alive(identity):
    """True/False when it is known whether the run ``identity`` still runs, None when unknown."""
    pid = _pid_of(identity)
    if pid is None:
        return None
    start, boot = identity.get("start"), identity.get("boot")
    current_boot = boot_id()
    if isinstance(boot, str) and boot and current_boot and boot != current_boot:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, someone else's: a reused PID unless the start time says otherwise
    except (OSError, OverflowError):
        return None
    if not isinstance(start, str) or not start:
        return None
    now = process_start_time(pid)
    if now is None:
        return None if not os.path.isdir("/proc/self") else False
    return now == start
