# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What every scenario needs: ``Bench`` (scratch directory, the collection on a collections path, the simulator, ansible-playbook), counts and helpers."""

import importlib
import os
import shutil
import statistics
import subprocess
import sys
import time

import requests
from support.accounts import PIN, USERNAME
from support.playbook_env import ansible_env
from support.simulator import SimulatorProcess

from . import REPO

PYTHON = sys.executable
CLIENT_MODULE = "ansible_collections.csoft.sms.plugins.module_utils._client"
SOAP_MODULE = "ansible_collections.csoft.sms.plugins.module_utils._soap"
CONNECTION_MODULE = "ansible_collections.csoft.sms.plugins.module_utils._connection"
MODULE_NAME = "ansible_collections.csoft.sms.plugins.modules.csoft_account_info"
EXPECTED = {"credit": 2.895, "currency": "GBP", "messages": 24, "permitted_reply_to": ["447700912345", "csoft.co.uk"]}
OPERATIONS = ("AvailableCredit", "AvailableMessages", "PermittedReplyTo")
ONE_EACH = dict.fromkeys(OPERATIONS, 1)

# Repetition counts: (full, smoke).
REPS = {
    "client_calls": (2000, 200),
    "client_reps": (5, 3),
    "playbook_reps": (5, 1),
    "failover_pairs": (200, 20),
    "blackhole_reps": (5, 1),
    "memory_reps": (3, 1),
    "import_reps": (40, 6),
}


def log(message):
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def median(values):
    return statistics.median(values) if values else None


class Bench:
    """What every row needs: the mode, a scratch directory, the collection path and the simulator."""

    def __init__(self, smoke, workdir):
        self.smoke = smoke
        self.workdir = workdir
        self.collections = os.path.join(workdir, "collections")
        link = os.path.join(self.collections, "ansible_collections", "csoft", "sms")
        os.makedirs(os.path.dirname(link))
        os.symlink(REPO, link)
        self.simulator = None
        self.urls = None
        self.control = requests.Session()
        self.control.trust_env = False  # never through a proxy: loopback only

    def reps(self, name):
        full, smoke = REPS[name]
        return smoke if self.smoke else full

    # ----- simulator (a separate process, so it does not share the GIL with the client) -----

    def start_simulator(self):
        self.simulator = SimulatorProcess(os.path.join(self.workdir, "simulator"))
        self.urls = {"primary": self.simulator.primary, "secondary": self.simulator.secondary}
        log(f"simulator pid {self.simulator.pid}: {self.urls['primary']} {self.urls['secondary']}")

    def stop_simulator(self):
        if self.simulator is not None:
            self.simulator.stop()

    def _control_url(self, server, path):
        return self.urls[server].rsplit("/sendsms5", 1)[0] + path

    def reset(self):
        for server in ("primary", "secondary"):
            self.control.post(self._control_url(server, "/_sim/reset"), timeout=10).raise_for_status()

    def set_mode(self, server, mode):
        response = self.control.post(self._control_url(server, "/_sim/mode"), json={"mode": mode}, timeout=10)
        response.raise_for_status()

    def log(self, server):
        response = self.control.get(self._control_url(server, "/_sim/log"), timeout=10)
        response.raise_for_status()
        return response.json()

    def counts(self, server):
        response = self.control.get(self._control_url(server, "/_sim/counts"), timeout=10)
        response.raise_for_status()
        return response.json()

    # ----- ansible-playbook -----

    def ansible_env(self, extra=None):
        return ansible_env(self.collections, self.workdir, python=PYTHON, extra={"ANSIBLE_DEPRECATION_WARNINGS": "0", **(extra or {})})

    def write(self, name, text):
        path = os.path.join(self.workdir, name)
        with open(path, "w") as handle:
            handle.write(text)
        return path

    def inventory(self, hosts):
        """An inventory with localhost and a group ``targets`` of ``hosts`` local hosts."""
        name = f"inventory-{hosts}.ini"
        path = os.path.join(self.workdir, name)
        if not os.path.exists(path):
            lines = [f"localhost ansible_connection=local ansible_python_interpreter={PYTHON}", "", "[targets]"]
            lines += [f"h{index:03d} ansible_connection=local ansible_python_interpreter={PYTHON}" for index in range(1, hosts + 1)]
            self.write(name, "\n".join(lines) + "\n")
        return path

    def playbook(self, playbook, inventory=None, args=(), env=None):
        """Run ansible-playbook; return (wall seconds, CompletedProcess). Raises on a non-zero exit."""
        binary = os.path.join(os.path.dirname(PYTHON), "ansible-playbook")
        if not os.path.exists(binary):
            binary = shutil.which("ansible-playbook") or binary
        cmd = [binary, "-i", inventory or self.inventory(1), playbook, *args]
        start = time.perf_counter()
        result = subprocess.run(cmd, env=self.ansible_env(env), capture_output=True, text=True, timeout=900, check=False, cwd=self.workdir)
        wall = time.perf_counter() - start
        if result.returncode != 0:
            tail = (result.stdout + result.stderr)[-3000:]
            raise RuntimeError(f"ansible-playbook {os.path.basename(playbook)} exited {result.returncode}:\n{tail}")
        return wall, result


def import_from_collection(bench, name=CLIENT_MODULE):
    if bench.collections not in sys.path:
        sys.path.insert(0, bench.collections)
    return importlib.import_module(name)


def client_factory(bench):
    """``new(endpoints, timeout)``: a CsoftClient of the default account, built as the collection's entry points build one.

    The collection checks the connection options once, into ``ConnectionSettings``
    (``_connection.py``), and the client takes those; a checkout from before
    that change takes the options themselves.
    """
    client_mod = import_from_collection(bench)
    try:
        settings_class = import_from_collection(bench, CONNECTION_MODULE).ConnectionSettings
    except ModuleNotFoundError:
        return lambda endpoints, timeout: client_mod.CsoftClient(USERNAME, PIN, endpoints=endpoints, timeout=timeout)

    def new(endpoints, timeout):
        settings = settings_class.from_values({"username": USERNAME, "pin": PIN, "endpoints": endpoints, "timeout": timeout})
        return client_mod.CsoftClient(settings)

    return new
