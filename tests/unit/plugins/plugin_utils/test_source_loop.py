# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The polling loop of every source (plugins/plugin_utils/_source_loop.py), with a scripted state: no network."""

import asyncio
import threading

import pytest

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.plugins.plugin_utils._source_loop import run
from ansible_collections.csoft.sms.plugins.plugin_utils._source_state import PollFailed


class Scripted:
    """A state whose polls answer ``script`` in turn (a PollFailed or an exception is raised); it records what the loop did."""

    def __init__(self, *script):
        self.script = list(script)
        self.calls = []

    def prepare(self):
        self.calls.append(("prepare", threading.current_thread() is threading.main_thread()))

    def poll(self):
        self.calls.append(("poll", threading.current_thread() is threading.main_thread()))
        answer = self.script.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def answered(self, answer):
        return [f"answered {answer}"]

    def failed(self, failure):
        return [f"failed {failure.text}"]

    def persist(self):
        self.calls.append(("persist", threading.current_thread() is threading.main_thread()))

    def delay(self):
        return 7

    def close(self):
        self.calls.append(("close", True))


class Queue:
    def __init__(self):
        self.events = []

    async def put(self, event):
        self.events.append(event)


def loop(state, polls):
    """Run the loop for ``polls`` polls (the sleep after the last one cancels it); the events and delays."""
    queue, delays = Queue(), []

    async def sleep(seconds):
        delays.append(seconds)
        if len(delays) == polls:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(run(queue, state, sleep))
    return queue.events, delays


def test_each_poll_s_events_go_on_the_queue_in_order_then_the_wait():
    state = Scripted("one", PollFailed("down", None), "two")
    events, delays = loop(state, 3)
    assert events == ["answered one", "failed down", "answered two"]
    assert delays == [7, 7, 7]


def test_the_blocking_work_runs_off_the_event_loop_and_the_client_is_closed_at_the_end():
    state = Scripted("one")
    loop(state, 1)
    assert state.calls == [("prepare", False), ("poll", False), ("persist", False), ("close", True)]


def test_an_error_ends_the_loop_and_closes_the_client():
    state = Scripted(CsoftInputError("csoft.sms.example: login rejected"))
    with pytest.raises(CsoftInputError):
        asyncio.run(run(Queue(), state, None))
    assert state.calls[-1] == ("close", True)
