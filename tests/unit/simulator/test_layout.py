# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The simulator's files: every operation registered, standard library only, and every file reachable where it runs.

The integration targets run the simulator from ansible-test's copy, which holds
only the files the ``needs/file`` aliases of ``setup_csoft_simulator`` name: a
new file missing there breaks them, and only there.
"""

import ast
import importlib
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.csoft.sms.tests.simulator import csoft_simulator as sim
from ansible_collections.csoft.sms.tests.simulator.sendsms5 import operations
from ansible_collections.csoft.sms.tests.support.accounts import USERNAME

SIMULATOR_DIR = os.path.dirname(os.path.abspath(sim.__file__))
ROOT = os.path.dirname(os.path.dirname(SIMULATOR_DIR))
ALIASES = os.path.join(ROOT, "tests", "integration", "targets", "setup_csoft_simulator", "aliases")
OPERATIONS_DIR = os.path.join(SIMULATOR_DIR, "sendsms5", "operations")


def simulator_files():
    """The simulator's files (relative to the collection root), without READMEs and byte code."""
    found = []
    for root, dirs, names in os.walk(SIMULATOR_DIR):
        dirs[:] = [name for name in dirs if name != "__pycache__"]
        found += [os.path.relpath(os.path.join(root, name), ROOT) for name in names if name.endswith((".py", ".json"))]
    return sorted(found)


def needed_files():
    with open(ALIASES) as handle:
        return sorted(line.strip()[len("needs/file/") :] for line in handle if line.startswith("needs/file/"))


def test_every_simulator_file_is_copied_next_to_the_integration_targets():
    files = simulator_files()
    assert "tests/simulator/sendsms5/operations/submit_message.py" in files, "the walk finds the operations"
    missing = sorted(set(files) - set(needed_files()))
    assert not missing, f"add 'needs/file/<path>' lines for {missing} to {os.path.relpath(ALIASES, ROOT)}"
    absent = [path for path in needed_files() if not os.path.isfile(os.path.join(ROOT, path))]
    assert not absent, f"{os.path.relpath(ALIASES, ROOT)} names files that do not exist: {absent}"


def test_the_simulator_runs_from_the_files_the_aliases_name(tmp_path):
    """What ansible-test does: copy only the needed files, then start the simulator through tests/support."""
    copy = tmp_path / "copy"
    for path in needed_files():
        os.makedirs(copy / os.path.dirname(path), exist_ok=True)
        shutil.copy(os.path.join(ROOT, path), copy / path)
    script = (
        "import json, sys, urllib.request\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from support import simulator\n"
        "with simulator.SimulatorProcess(sys.argv[2]) as process:\n"
        "    base = process.primary.rsplit('/sendsms5', 1)[0]\n"
        "    with urllib.request.urlopen(base + '/_sim/health', timeout=10) as answer:\n"
        "        print(json.load(answer)['ok'], process.ready['secondary'] is not None)\n"
    )
    env = dict(os.environ, PYTHONPATH="", NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
    result = subprocess.run(
        [sys.executable, "-c", script, str(copy / "tests"), str(tmp_path / "work")], capture_output=True, text=True, timeout=60, env=env, check=False
    )
    assert (result.returncode, result.stdout) == (0, "True True\n"), result.stderr[-2000:]


def operation_modules():
    return sorted(name[:-3] for name in os.listdir(OPERATIONS_DIR) if name.endswith(".py") and name != "__init__.py")


def test_every_operation_module_is_registered_in_the_table():
    registered = {operations.TABLE[name] for name in operations.TABLE}
    for module_name in operation_modules():
        module = importlib.import_module(f"{operations.__name__}.{module_name}")
        assert module.OPERATION in registered, f"operations/{module_name}.py defines {module.OPERATION!r}; add it to TABLE in operations/__init__.py"
    assert len(registered) == len(operation_modules())
    assert sim.OPERATIONS == tuple(operations.TABLE) == ("AvailableCredit", "AvailableMessages", "PermittedReplyTo", "SubmitMessage", "CollectMessages")
    assert sim.COUNT_KEYS == sim.OPERATIONS + ("total", "invalid")


@pytest.mark.parametrize("name", list(operations.TABLE))
def test_each_operation_answers_a_well_formed_document_with_its_value_elements(name):
    account = {acct["username"]: acct for acct in sim.load_accounts()}[USERNAME]
    operation = operations.get(name)
    root = ET.fromstring(sim.response_document(name, account))
    wrapper = root[0][0]
    assert wrapper.tag == "{http://www.csoft.co.uk/dtd/sendsms5.xsd}" + name + "Response"
    children = [child.tag for child in wrapper]
    assert children == [key for key, _value in operation.values(account, None)] + (["Reserved"] if operation.reserved else [])
    assert set(operation.value_elements) <= set(children)
    missing = ET.fromstring(sim.response_document(name, account, "missing"))[0][0]
    assert not set(operation.value_elements) & {child.tag for child in missing}


def imported_top_level_names(path):
    with open(path) as handle:
        tree = ast.parse(handle.read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0]


def test_the_simulator_needs_only_the_standard_library_and_trustme():
    own = {"sendsms5"}  # the script's absolute imports of its own package
    for path in simulator_files():
        if path.endswith(".py"):
            foreign = set(imported_top_level_names(os.path.join(ROOT, path))) - set(sys.stdlib_module_names) - own - {"trustme"}
            assert not foreign, f"{path} imports {sorted(foreign)}: the simulator is standard library + trustme only"


def test_the_script_imports_its_package_both_ways(tmp_path):
    """As a script (its folder on sys.path) and as part of the collection, the same API."""
    result = subprocess.run(
        [sys.executable, os.path.join(SIMULATOR_DIR, "csoft_simulator.py"), "--help"], capture_output=True, text=True, timeout=30, check=False, cwd=tmp_path
    )
    assert result.returncode == 0 and "--ready-file" in result.stdout, result.stderr
    for name in sim.__all__:
        assert getattr(sim, name) is not None


def test_a_fresh_server_counts_zero_for_every_registered_operation():
    with sim.SimulatorServer() as server:
        assert server.counts() == dict.fromkeys(operations.TABLE, 0) | {"total": 0, "invalid": 0}
