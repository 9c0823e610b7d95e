# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rows failover-refused and failover-blackhole: a query with the primary refusing connections, or black-holed."""

import socket
import statistics
import time

from support.network import BlackHole

from ..bench import OPERATIONS, client_factory, median
from ..results import Row

BLACKHOLE_T = 1.0  # connect time-out T of the black-holed row, seconds


def refused_endpoint():
    """A bound, never-listening socket: connecting to it is refused, and no one else can take the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}/sendsms5"


def row_failover_refused(bench):
    row = Row(
        "failover-refused",
        "AvailableCredit with the primary refusing connections (fresh client)",
        "the same query sent straight to the secondary (fresh client)",
        "<= 1.1x + 20 ms",
    )
    new_client = client_factory(bench)
    secondary = bench.urls["secondary"]
    sock, dead = refused_endpoint()
    pairs = bench.reps("failover_pairs")
    subject, baseline = [], []
    failed_over = []

    def one(endpoints):
        start = time.perf_counter()
        with new_client(endpoints, timeout=5) as client:
            value = client.call("AvailableCredit")
        elapsed = time.perf_counter() - start
        return elapsed, client, value

    try:
        one([secondary])  # warm-up
        bench.reset()
        for index in range(pairs):
            order = (("s", [dead, secondary]), ("b", [secondary])) if index % 2 else (("b", [secondary]), ("s", [dead, secondary]))
            for kind, endpoints in order:
                elapsed, client, value = one(endpoints)
                if kind == "s":
                    subject.append(elapsed)
                    failed_over.append(client.failed_over and client.endpoint == secondary and client.requests_sent == 2)
                else:
                    baseline.append(elapsed)
    finally:
        sock.close()
    counts = bench.counts("secondary")
    row.check(f"secondary answered each query once ({counts['AvailableCredit']} of {2 * pairs})", counts["AvailableCredit"] == 2 * pairs)
    row.check("each failed-over query tried the dead primary once, then the secondary", all(failed_over))
    row.subject = median(subject)
    row.baseline = median(baseline)
    row.ratio = row.subject / row.baseline
    row.delta = row.subject - row.baseline
    row.timing_ok = row.subject <= 1.1 * row.baseline + 0.020
    row.details = {"pairs": pairs, "subject_p90_s": statistics.quantiles(subject, n=10)[-1] if len(subject) > 1 else subject[0]}
    return row


def row_failover_blackhole(bench):
    T = BLACKHOLE_T
    row = Row(
        "failover-blackhole",
        f"credit + messages + reply_to, primary black-holed (connect time-out T={T:g} s)",
        "T + the three queries sent straight to the secondary",
        f"<= T + 0.2 s = {T + 0.2:g} s",
    )
    new_client = client_factory(bench)
    secondary = bench.urls["secondary"]
    hole = BlackHole()  # connecting to hole.url times out (tests/support/network.py)
    dead = hole.url
    reps = bench.reps("blackhole_reps")
    subject, direct, attempts, answered = [], [], [], []

    def three(endpoints):
        start = time.perf_counter()
        with new_client(endpoints, timeout=T) as client:
            values = [client.call(op) for op in OPERATIONS]
        return time.perf_counter() - start, client, values

    try:
        three([secondary])  # warm-up
        bench.reset()
        for _unused in range(reps):
            elapsed, _unused, _unused = three([secondary])
            direct.append(elapsed)
            elapsed, client, values = three([dead, secondary])
            subject.append(elapsed)
            attempts.append(client.requests_sent)
            answered.append(client.failed_over and client.endpoint == secondary and values[0].currency == "GBP")
    finally:
        hole.close()
    counts = bench.counts("secondary")
    row.check("every run was answered by the secondary after failing over", all(answered))
    row.check(f"dead endpoint tried once per run, not per operation (attempts per run {sorted(set(attempts))}, expected 4)", set(attempts) == {4})
    got = {op: counts[op] for op in OPERATIONS}
    row.check(f"secondary got one request per operation per run ({got})", got == dict.fromkeys(OPERATIONS, 2 * reps))
    row.subject = median(subject)
    row.baseline = T + median(direct)
    row.delta = row.subject - row.baseline
    row.timing_ok = row.subject <= T + 0.2
    row.details = {"reps": reps, "T_s": T, "subject_s": subject, "direct_three_s": direct}
    return row
