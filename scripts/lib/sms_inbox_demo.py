# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The event source csoft.sms.sms_inbox in a few seconds, for scripts/demo.sh: reply to act.

    python scripts/lib/sms_inbox_demo.py VARS_JSON

VARS_JSON is the simulator's ready file with the csoft_demo_ prefix
(tests/support/cli.py start --prefix csoft_demo_); the credentials are
CSOFT_USERNAME and CSOFT_PIN of the environment. The source is loaded by path,
as ansible-rulebook loads it, with on-call as its one allowed sender and the
commands ACK and ROLLBACK, and polls every 0.5 s, which only the option for
tests allows (the real service: 10 s at least). Once it polls, the driver
queues two replies through the simulator's control API, "ACK" from on-call and
"ACK" from a number that is not allowed, prints the two ``received`` events
and stops the source. It exits non-zero unless on-call's carries the command
ACK and the stranger's none.
"""

import asyncio
import json
import os
import sys

# run_source and until, shared with the credit watch's demo (it also puts tests/eda on sys.path, for helpers).
from credit_watch_demo import run_source, until
from helpers import INBOX_SOURCE, load_source

# The test support (tests/support, standard library only): the simulator's control API.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "tests"))
from support.simulator import control, inject_reply  # noqa: E402

ONCALL, STRANGER = "447700900123", "447700900999"


def collects(url, ca):
    """How many CollectMessages requests the server of ``url`` answered."""
    status, counts = control(url, "counts", ca=ca)
    if status != 200:
        raise SystemExit(f"sms_inbox_demo: the simulator's /_sim/counts answered {status}")
    return counts["CollectMessages"]


async def show(main, args, primary, ca, username):
    async def reply_once_it_polls(queue, task):
        polled = await asyncio.to_thread(collects, primary, ca)
        while not task.done() and await asyncio.to_thread(collects, primary, ca) == polled:
            await asyncio.sleep(0.05)
        print(f'on-call ({ONCALL}) texts "ACK"; a number that is not allowed ({STRANGER}) texts "ACK" too ...', flush=True)
        for sender in (ONCALL, STRANGER):
            await asyncio.to_thread(inject_reply, primary, username, sender, "ACK", ca=ca)
        await until(lambda: len(queue.events) >= 2, task)

    queue = await run_source(main, args, reply_once_it_polls)
    got = [
        (body.get("type"), body.get("from"), body.get("sender_allowed"), body.get("command"), body.get("args"))
        for body in (event.get("csoft_sms", {}) for event in queue.events)
    ]
    wanted = [("received", ONCALL, True, "ACK", []), ("received", STRANGER, False, None, [])]
    if got != wanted:
        raise SystemExit(f"sms_inbox_demo: expected on-call's ACK as a command and the stranger's as none, got {got}")
    print(f"on-call's ACK is the command ACK; the stranger's is an event without a command (sender_allowed false), {len(queue.events)} events")


def main():
    with open(sys.argv[1]) as handle:
        ready = json.load(handle)
    primary, ca = ready["csoft_demo_primary"], ready["csoft_demo_ca"]
    args = {
        "endpoints": [primary, ready["csoft_demo_secondary"]],
        "ca_path": ca,
        "allowed_senders": [ONCALL],
        "commands": ["ACK", "ROLLBACK"],
        "interval": 0.5,
        "interval_floor_for_tests": 0.5,  # for the simulator only
    }
    source = load_source(INBOX_SOURCE, "csoft_sms_inbox_demo")
    try:
        asyncio.run(asyncio.wait_for(show(source.main, args, primary, ca, os.environ["CSOFT_USERNAME"]), 20))
    except asyncio.TimeoutError:
        raise SystemExit("sms_inbox_demo: no two received events within 20 s") from None


if __name__ == "__main__":
    main()
