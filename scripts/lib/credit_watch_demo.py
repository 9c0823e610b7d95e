# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The event source csoft.sms.credit_watch in a few seconds, for scripts/demo.sh.

    python scripts/lib/credit_watch_demo.py VARS_JSON

VARS_JSON is the simulator's ready file with the csoft_demo_ prefix
(tests/support/cli.py start --prefix csoft_demo_); the credentials are
CSOFT_USERNAME and CSOFT_PIN of the environment. The source is loaded by path,
as ansible-rulebook loads it, and polls every 0.5 s, which only the option
for tests allows (the real service: 10 s at least). The driver prints the
events, lowers the credit through the simulator's control API, and stops the
source once it reports the credit low.
"""

import asyncio
import json
import os
import runpy
import sys

import requests

# The event source's test helpers (standard library only): where the source is, a list-backed queue.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "tests", "eda"))
from helpers import SOURCE, ListQueue  # noqa: E402


class PrintQueue(ListQueue):
    async def put(self, event):
        await super().put(event)
        print(f"event: {json.dumps(event)}", flush=True)


def lower_credit(url, ca, username):
    with requests.Session() as session:
        session.trust_env = False
        answer = session.post(url.rsplit("/", 1)[0] + "/_sim/account", json={"username": username, "credit": "0.5000"}, verify=ca, timeout=5)
        answer.raise_for_status()


async def show(main, args, primary, ca):
    queue = PrintQueue()
    task = asyncio.create_task(main(queue, args))
    try:
        while not queue.events and not task.done():
            await asyncio.sleep(0.05)
        print("lowering the credit to 0.5000 GBP through the simulator's control API ...", flush=True)
        await asyncio.to_thread(lower_credit, primary, ca, os.environ["CSOFT_USERNAME"])
        while len(queue.events) < 2 and not task.done():
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
    kinds = [event["csoft"]["type"] for event in queue.events]
    if kinds != ["status", "credit_low"]:
        raise SystemExit(f"credit_watch_demo: expected the events status then credit_low, got {kinds}")


def main():
    with open(sys.argv[1]) as handle:
        ready = json.load(handle)
    primary, ca = ready["csoft_demo_primary"], ready["csoft_demo_ca"]
    args = {
        "endpoints": [primary, ready["csoft_demo_secondary"]],
        "ca_path": ca,
        "min_credit": 1,
        "min_messages": 10,
        "interval": 0.5,
        "interval_floor_for_tests": 0.5,  # for the simulator only
    }
    source = runpy.run_path(SOURCE)
    asyncio.run(asyncio.wait_for(show(source["main"], args, primary, ca), 20))


if __name__ == "__main__":
    main()
