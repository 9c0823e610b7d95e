# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The event source csoft.sms.credit_watch in a few seconds, for scripts/demo.sh.

    python scripts/lib/credit_watch_demo.py VARS_JSON [runway]

VARS_JSON is the simulator's ready file with the csoft_demo_ prefix
(tests/support/cli.py start --prefix csoft_demo_); the credentials are
CSOFT_USERNAME and CSOFT_PIN of the environment. The source is loaded by path,
as ansible-rulebook loads it, and polls every 0.5 s, which only the option
for tests allows (the real service: 10 s at least). The driver prints the
events, lowers the credit through the simulator's control API, and stops the
source once it reports the credit low.

With ``runway``, the credit runway instead: the source polls every 0.25 s
with a window of 0.004 hours (14.4 s), the driver lowers the credit by the
same step after each poll (in the source's wait between polls), and stops the
source once it reports ``runway_low``, whose figures it prints.
"""

import asyncio
import importlib.util
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


def lower_credit(url, ca, username, credit="0.5000"):
    with requests.Session() as session:
        session.trust_env = False
        answer = session.post(url.rsplit("/", 1)[0] + "/_sim/account", json={"username": username, "credit": credit}, verify=ca, timeout=5)
        answer.raise_for_status()


async def until(condition, task):
    """Wait until ``condition()`` holds or the source has stopped."""
    while not condition() and not task.done():
        await asyncio.sleep(0.05)


async def run_source(main, args, drive):
    """Run the source's ``main`` on a printing queue while ``drive(queue, task)`` runs, then cancel it."""
    queue = PrintQueue()
    task = asyncio.create_task(main(queue, args))
    try:
        await drive(queue, task)
    finally:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
    return queue


async def show(main, args, primary, ca):
    async def lower_after_the_first_event(queue, task):
        await until(lambda: queue.events, task)
        print("lowering the credit to 0.5000 GBP through the simulator's control API ...", flush=True)
        await asyncio.to_thread(lower_credit, primary, ca, os.environ["CSOFT_USERNAME"])
        await until(lambda: len(queue.events) >= 2, task)

    queue = await run_source(main, args, lower_after_the_first_event)
    kinds = [event["csoft"]["type"] for event in queue.events]
    if kinds != ["status", "credit_low"]:
        raise SystemExit(f"credit_watch_demo: expected the events status then credit_low, got {kinds}")


RUNWAY_START, RUNWAY_STEP = 2.8950, 0.0100  # GBP; the step is spent at each poll


async def show_runway(ready):
    primary, ca, username = ready["csoft_demo_primary"], ready["csoft_demo_ca"], os.environ["CSOFT_USERNAME"]
    args = {
        "endpoints": [primary, ready["csoft_demo_secondary"]],
        "ca_path": ca,
        "interval": 0.25,
        "interval_floor_for_tests": 0.25,  # for the simulator only
        "min_runway": 0.05,  # hours: 3 minutes
        "runway_window": 0.004,  # hours: 14.4 s, so an estimate needs 3 polls spanning 1.2 s
    }
    # Loaded by path, as a module of its own: its wait between polls is where the driver spends the step.
    spec = importlib.util.spec_from_file_location("csoft_credit_watch_demo", SOURCE)
    source = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(source)
    credits = (f"{RUNWAY_START - RUNWAY_STEP * polls:.4f}" for polls in range(1, 1000))
    await asyncio.to_thread(lower_credit, primary, ca, username, f"{RUNWAY_START:.4f}")
    print(f"spending {RUNWAY_STEP:.4f} GBP at each poll through the simulator's control API ...", flush=True)

    async def spend_then_wait(seconds):
        await asyncio.to_thread(lower_credit, primary, ca, username, next(credits))
        await asyncio.sleep(seconds)

    source._sleep = spend_then_wait

    async def until_runway_low(queue, task):
        await until(lambda: any(event["csoft"]["type"] == "runway_low" for event in queue.events), task)

    queue = await run_source(source.main, args, until_runway_low)
    kinds = [event["csoft"]["type"] for event in queue.events]
    if kinds != ["status", "runway_low"] or queue.events[0]["csoft"]["runway_state"] != "unknown":
        raise SystemExit(f"credit_watch_demo: expected the events status (runway unknown) then runway_low, got {kinds}")
    low = queue.events[-1]["csoft"]
    hours, burn = low["runway_hours"], low["burn_per_hour"]
    print(
        f"runway_low: {low['credit']:.4f} {low['currency']} left, {burn:.2f} {low['currency']} spent per hour: the credit lasts about "
        f"{hours:.4f} hours ({hours * 3600:.0f} s) at the current rate, below min_runway {low['min_runway']} hours",
        flush=True,
    )


def main():
    with open(sys.argv[1]) as handle:
        ready = json.load(handle)
    if sys.argv[2:] == ["runway"]:
        asyncio.run(asyncio.wait_for(show_runway(ready), 20))
        return
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
