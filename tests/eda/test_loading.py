# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each source is loaded as ansible-rulebook loads it (runpy, by path) and uses the collection's own client.

Each case runs in a fresh Python, so nothing of this pytest process (where
tests/conftest.py made the checkout importable) helps it. Every case runs for
both sources (``SOURCES``): the loading is theirs in common
(plugins/plugin_utils/_source_loading.py).
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from ansible_collections.csoft.sms.tests.eda.helpers import EVENT_SOURCES, REPO
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME

SENDER = "447700900123"
CHECKOUT_CLIENT = os.path.join(os.path.realpath(REPO), "plugins", "module_utils", "_client.py")


def credit_status(event):
    return event["csoft"]["type"] == "status" and event["csoft"]["credit"] == 2.895


def received_reply(event):
    return event["csoft_sms"]["type"] == "received" and event["csoft_sms"]["from"] == SENDER


# source -> (what to queue on the simulator first, the check of the source's first event)
SOURCES = {
    "credit_watch": (lambda pair: None, credit_status),
    "sms_inbox": (lambda pair: pair.inject_reply(USERNAME, SENDER, "hello"), received_reply),
}

DRIVER = """
import asyncio, json, runpy, sys

namespace = runpy.run_path(sys.argv[1])
events = []

class Queue:
    async def put(self, event):
        events.append(event)

async def first_event():
    task = asyncio.create_task(namespace["main"](Queue(), json.loads(sys.argv[2])))
    while not events:
        await asyncio.sleep(0.01)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass

asyncio.run(asyncio.wait_for(first_event(), 20))
print(json.dumps({"client": namespace["_client"].__file__, "event": events[0]}))
"""


@pytest.fixture(params=sorted(SOURCES))
def name(request):
    """The name of the source under test: every case runs for each."""
    return request.param


def load(name, path, pair, pythonpath=None):
    """Run the source ``name`` at ``path`` in a fresh Python until its first event; the path of the client it used."""
    prepare, check = SOURCES[name]
    prepare(pair)
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH",) and not key.startswith("CSOFT_")}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    args = json.dumps({"username": USERNAME, "pin": PIN, "endpoints": pair.urls, "interval": 60})
    result = subprocess.run([sys.executable, "-c", DRIVER, path, args], env=env, capture_output=True, text=True, timeout=60, check=False, cwd="/")
    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout)
    assert check(answer["event"]), answer["event"]
    return os.path.realpath(answer["client"])


@pytest.fixture
def installed(tmp_path):
    """The collection as ansible-galaxy installs it: a real copy under collections/ansible_collections/csoft/sms."""
    root = tmp_path / "collections" / "ansible_collections" / "csoft" / "sms"
    for part in ("plugins", "extensions", "meta"):
        shutil.copytree(os.path.join(REPO, part), root / part, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_from_the_repository_checkout(name, pair):
    """The checkout's directory is not named ansible_collections/csoft/sms: the source registers it as that package."""
    assert load(name, os.path.join(EVENT_SOURCES, f"{name}.py"), pair) == CHECKOUT_CLIENT


def test_from_an_installed_collection_not_on_the_python_path(name, installed, pair):
    path = str(installed / "extensions" / "eda" / "plugins" / "event_source" / f"{name}.py")
    assert load(name, path, pair) == str(installed / "plugins" / "module_utils" / "_client.py")


def test_from_an_installed_collection_on_the_python_path(name, installed, pair):
    path = str(installed / "extensions" / "eda" / "plugins" / "event_source" / f"{name}.py")
    assert load(name, path, pair, pythonpath=str(installed.parents[2])) == str(installed / "plugins" / "module_utils" / "_client.py")


def test_beside_other_collections_on_the_python_path(name, tmp_path, pair):
    """Another collection tree makes ansible_collections a namespace package already: csoft.sms is added to it."""
    (tmp_path / "other" / "ansible_collections" / "community" / "general").mkdir(parents=True)
    assert load(name, os.path.join(EVENT_SOURCES, f"{name}.py"), pair, pythonpath=str(tmp_path / "other")) == CHECKOUT_CLIENT
