# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Row client: one AvailableCredit query in process on a kept-alive session, against a bare requests post of the same envelope."""

import time

import requests
from support.accounts import PIN, USERNAME

from ..bench import EXPECTED, SOAP_MODULE, client_factory, import_from_collection, median
from ..results import Row


def row_client(bench):
    row = Row(
        "client",
        "one AvailableCredit query in process, kept-alive session",
        "bare requests.Session().post() of the same envelope, not parsed",
        "<= 1.15x",
    )
    new_client = client_factory(bench)
    url = bench.urls["primary"]
    calls = bench.reps("client_calls")
    reps = bench.reps("client_reps")
    envelope = import_from_collection(bench, SOAP_MODULE).build_envelope("AvailableCredit", USERNAME, PIN)
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}

    session = requests.Session()
    client = new_client([url], timeout=10)
    value = client.call("AvailableCredit")
    row.check("client parsed credit 2.895 GBP", float(value.credit) == EXPECTED["credit"] and value.currency == "GBP")
    session.post(url, data=envelope, headers=headers, timeout=10)  # open the kept-alive connection
    bench.reset()
    for _unused in range(20):
        client.call("AvailableCredit")
    ports = {entry["client_port"] for entry in bench.log("primary")}
    row.check(f"the client keeps one connection alive (20 calls came on {len(ports)} connection(s))", len(ports) == 1)

    def run_baseline(n):
        post = session.post
        start = time.perf_counter()
        for _unused in range(n):
            post(url, data=envelope, headers=headers, timeout=10)
        return time.perf_counter() - start

    def run_subject(n):
        call = client.call
        start = time.perf_counter()
        for _unused in range(n):
            call("AvailableCredit")
        return time.perf_counter() - start

    # Each repetition = `calls` calls of each, interleaved in ten slices so drift hits both alike.
    slices = 10
    per_slice = max(1, calls // slices)
    subject, baseline, ratios = [], [], []
    bench.reset()
    for rep in range(reps):
        s_total = b_total = 0.0
        for index in range(slices):
            if (index + rep) % 2:
                s_total += run_subject(per_slice)
                b_total += run_baseline(per_slice)
            else:
                b_total += run_baseline(per_slice)
                s_total += run_subject(per_slice)
        subject.append(s_total / (per_slice * slices))
        baseline.append(b_total / (per_slice * slices))
        ratios.append(s_total / b_total)
    counts = bench.counts("primary")
    sent = 2 * per_slice * slices * reps
    row.check(
        f"one request per call ({sent} sent, simulator counted {counts['AvailableCredit']})", counts["AvailableCredit"] == sent and counts["invalid"] == 0
    )
    client.close()
    session.close()
    row.subject = median(subject)
    row.baseline = median(baseline)
    row.ratio = median(ratios)
    row.timing_ok = row.ratio <= 1.15
    row.details = {"calls_per_rep": per_slice * slices, "reps": reps, "subject_per_call_s": subject, "baseline_per_call_s": baseline, "ratios": ratios}
    return row
