# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the event sources' tests share: where the sources are, the queue ansible-rulebook would give them, and two ways to run one.

* ``run(source, monkeypatch, args, *steps, key=...)`` patches the source's
  ``_sleep``: each wait records its delay and runs the next scripted step
  (change the account, a mode, queue a reply), and the source is cancelled
  when the script is done, as a rulebook's shutdown would. No real waits.
* ``live(source, args, *steps, key=...)`` runs it with real sleeps and
  cancels it once the steps are done; it returns how long the cancellation took.
* ``closed_clients(source, monkeypatch)`` records every client the source closes.
"""

import asyncio
import importlib.util
import os
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EVENT_SOURCES = os.path.join(REPO, "extensions", "eda", "plugins", "event_source")
SOURCE = os.path.join(EVENT_SOURCES, "credit_watch.py")
INBOX_SOURCE = os.path.join(EVENT_SOURCES, "sms_inbox.py")


class ListQueue:
    """The queue ansible-rulebook hands to a source, backed by a list."""

    def __init__(self):
        self.events = []

    async def put(self, event):
        self.events.append(event)


def load_source(path, name):
    """The event source at ``path`` as a module of its own (a fresh one per call, so patches stay in the test)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bodies(events, key):
    """The bodies of ``events`` under ``key``, the one key of every event."""
    for event in events:
        assert list(event) == [key]
    return [event[key] for event in events]


def run(source, monkeypatch, args, *steps, key="csoft"):
    """Run the source for ``len(steps) + 1`` polls; return (events as the bodies under ``key``, delays)."""
    queue, delays, script = ListQueue(), [], list(steps)

    async def fake_sleep(seconds):
        delays.append(seconds)
        if not script:
            raise asyncio.CancelledError
        script.pop(0)()

    monkeypatch.setattr(source, "_sleep", fake_sleep)
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(source.main(queue, args))
    return bodies(queue.events, key), delays


def live(source, args, *steps, seconds=20, key="csoft"):
    """Run the source with real sleeps; for each step (action, done): run ``action()`` (unless None), wait until
    ``done(events)``; then cancel it. Returns the event types and the seconds the cancellation took."""
    queue = ListQueue()

    async def scenario():
        task = asyncio.create_task(source.main(queue, args))
        for action, done in steps:
            if action:
                action()
            while not done(queue.events):
                await asyncio.sleep(0.01)
        start = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - start

    elapsed = asyncio.run(asyncio.wait_for(scenario(), seconds))
    return [body["type"] for body in bodies(queue.events, key)], elapsed


def closed_clients(source, monkeypatch):
    """The list that every client the source closes is appended to (the real close runs too)."""
    closed = []
    real_close = source._client.CsoftClient.close

    def close(self):
        closed.append(self)
        real_close(self)

    monkeypatch.setattr(source._client.CsoftClient, "close", close)
    return closed
