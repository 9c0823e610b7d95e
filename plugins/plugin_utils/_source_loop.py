# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The polling loop of every event source of csoft.sms (controller only, private to the collection).

``run(queue, state, sleep)`` polls until cancelled: the blocking work (the
poll, the state's ``prepare`` and ``persist``) runs in a worker thread, so the
rulebook's event loop is never blocked; each poll's events (the state's
``answered`` or ``failed``) go on ``queue``; ``sleep(state.delay())`` is the
wait between polls (the source's seam for tests). Cancelled (rulebook
shutdown, Ctrl-C) or failed, it closes the client of a poll still under way.
"""

import asyncio

from ansible_collections.csoft.sms.plugins.plugin_utils._source_state import PollFailed


async def run(queue, state, sleep):
    """Poll with ``state`` (a ``_source_state.SourceState``) until cancelled; CsoftInputError ends it (bad argument, login)."""
    try:
        await asyncio.to_thread(state.prepare)
        while True:
            try:
                events = state.answered(await asyncio.to_thread(state.poll))
            except PollFailed as failure:
                events = state.failed(failure)
            for event in events:
                await queue.put(event)
            await asyncio.to_thread(state.persist)
            await sleep(state.delay())
    finally:
        state.close()
