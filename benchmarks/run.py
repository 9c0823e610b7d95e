#!/usr/bin/env python
# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmarks of csoft.sms, each against the baseline a user would otherwise use, measured in the same run.

    python benchmarks/run.py            # every row, full repetition counts
    python benchmarks/run.py --smoke    # every row, tiny counts (CI); timing targets reported, not enforced
    python benchmarks/run.py --only client --only import

Prints a table and writes benchmarks/results/<timestamp>.json and
benchmarks/results/latest.json. Exits 1 when a target is missed (in --smoke
mode only the exact request-count targets count), 2 on a usage error.
See benchmarks/README.md for what each row measures and how.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import sys
import tempfile
import time

import requests
from csoft_bench.bench import Bench, log
from csoft_bench.results import Row, print_table
from csoft_bench.scenarios import PART_OF, ROWS

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS_DIR = os.path.join(HERE, "results")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--smoke", action="store_true", help="tiny repetition counts; timing targets reported but not enforced")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(ROWS),
        metavar="ROW",
        help=f"run only this row (repeatable): {', '.join(ROWS)} (gate gives every gate-* row and role-floor-1000; gate-floor only gate-floor-1000)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (playbooks, simulator log)")
    args = parser.parse_args(argv)
    if args.only:  # a part of a scenario that runs anyway is not run twice
        names = [name for name in ROWS if name in args.only and PART_OF.get(name) not in args.only]
    else:
        names = [name for name in ROWS if name not in PART_OF]

    started = time.time()
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    workdir = tempfile.mkdtemp(prefix="csoft-bench-")
    bench = Bench(args.smoke, workdir)
    rows = []
    try:
        bench.start_simulator()
        for name in names:
            log(f"row {name} ...")
            row_start = time.perf_counter()
            try:
                made = ROWS[name](bench)  # a Row, or a list of rows measured together (the gate rows)
            except Exception as exc:  # a broken row must not hide the others
                made = Row(name, name, "-", "-")
                made.status, made.reason = "ERROR", f"{type(exc).__name__}: {exc}"
            wall_s = round(time.perf_counter() - row_start, 3)
            for row in made if isinstance(made, list) else [made]:
                row.finish(args.smoke)
                row.details["row_wall_s"] = wall_s
                log(f"row {row.name}: {row.status} in {wall_s:.1f} s")
                rows.append(row)
    finally:
        bench.stop_simulator()
        if args.keep:
            log(f"scratch directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    wall = time.time() - started
    print()
    print_table(rows)
    failed = [row.name for row in rows if row.failed]
    warned = [row.name for row in rows if row.status == "WARN"]
    verdict = f"FAILED: {', '.join(failed)}" if failed else "all checks passed"
    if warned:
        verdict += f"; timing target missed, not enforced in a smoke run: {', '.join(warned)}"
    elif not failed:
        verdict = "all targets met"
    print(f"\n{'smoke' if args.smoke else 'full'} run: {len(rows)} rows in {wall:.1f} s; {verdict}")

    report = {
        "timestamp": stamp,
        "mode": "smoke" if args.smoke else "full",
        "wall_time_s": round(wall, 3),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "requests": requests.__version__,
        "rows": [row.as_dict() for row in rows],
        "failed": failed,
    }
    os.makedirs(RESULTS_DIR, exist_ok=True)
    text = json.dumps(report, indent=2, sort_keys=False) + "\n"
    for name in (f"{stamp}.json", "latest.json"):
        tmp = os.path.join(RESULTS_DIR, f".{name}.tmp")
        with open(tmp, "w") as handle:
            handle.write(text)
        os.replace(tmp, os.path.join(RESULTS_DIR, name))
    print(f"results: {os.path.join(RESULTS_DIR, stamp + '.json')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
