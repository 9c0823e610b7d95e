# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Row memory: peak RSS of the module process on a 50 MB hostile answer."""

import json
import os
import subprocess

from support.accounts import PIN, USERNAME
from support.network import StreamingServer

from ..bench import EXPECTED, MODULE_NAME, PYTHON, median
from ..results import Row

HOSTILE_MIB = 50


def run_module_process(bench, endpoints):
    """Run the module as its own process (python -m, args file); return (peak RSS MiB, result dict)."""
    args = {"ANSIBLE_MODULE_ARGS": {"username": USERNAME, "pin": PIN, "endpoints": endpoints, "timeout": 30}}
    path = bench.write("module-args.json", json.dumps(args))
    env = dict(os.environ, PYTHONPATH=bench.collections, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    proc = subprocess.Popen([PYTHON, "-m", MODULE_NAME, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=bench.workdir)
    out, err = proc.stdout.read(), proc.stderr.read()
    _unused, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()
    proc.stderr.close()
    try:
        result = json.loads(out)
    except ValueError:
        result = {"failed": True, "msg": f"unparseable module output: {out[-500:]!r} {err[-500:]!r}"}
    return usage.ru_maxrss / 1024.0, result


def row_memory(bench):
    row = Row(
        "memory",
        f"peak RSS of the module process on a {HOSTILE_MIB} MB hostile answer",
        "peak RSS on a normal answer",
        "<= +20 MB",
    )
    row.unit = "MiB"
    reps = bench.reps("memory_reps")
    endpoints = [bench.urls["primary"], bench.urls["secondary"]]
    flood = StreamingServer("chunked", mib=HOSTILE_MIB)  # no Content-Length (tests/support/network.py)
    normal, declared, chunked = [], [], []
    try:
        for _unused in range(reps):
            bench.reset()
            rss, result = run_module_process(bench, endpoints)
            normal.append(rss)
            if len(normal) == 1:
                row.check("normal answer: module succeeds", not result.get("failed") and result.get("credit") == EXPECTED["credit"])

            bench.reset()
            bench.set_mode("primary", f"big:{HOSTILE_MIB}")
            rss, result = run_module_process(bench, endpoints)
            declared.append(rss)
            counts = bench.counts("primary"), bench.counts("secondary")
            if len(declared) == 1:
                row.check("big answer (Content-Length): refused for size", result.get("failed") and "larger than" in result.get("msg", ""))
                row.check(
                    f"big answer: one request, no retry, no fail-over (primary {counts[0]['total']}, secondary {counts[1]['total']})",
                    counts[0]["total"] == 1 and counts[1]["total"] == 0,
                )
            bench.reset()

            before = len(flood.requests)
            rss, result = run_module_process(bench, [flood.url, bench.urls["secondary"]])
            chunked.append(rss)
            if len(chunked) == 1:
                row.check("chunked answer without length: refused for size", result.get("failed") and "larger than" in result.get("msg", ""))
                row.check(
                    f"chunked answer: one request, no fail-over ({len(flood.requests) - before} sent, secondary {bench.counts('secondary')['total']})",
                    len(flood.requests) - before == 1 and bench.counts("secondary")["total"] == 0,
                )
    finally:
        flood.stop()
        bench.reset()
    row.baseline = median(normal)
    row.subject = max(median(declared), median(chunked))
    row.delta = row.subject - row.baseline
    row.timing_ok = row.delta <= 20 * 1000 * 1000 / (1024 * 1024)  # 20 MB
    row.details = {"normal_mib": normal, "big_content_length_mib": declared, "chunked_flood_mib": chunked}
    return row
