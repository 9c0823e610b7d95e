# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Row import: importing the module_utils client, against importing requests alone."""

import os
import subprocess
import time

from ..bench import CLIENT_MODULE, PYTHON, median
from ..results import Row


def row_import(bench):
    row = Row(
        "import",
        "import of the module_utils client (fresh python -c)",
        "import requests alone (fresh python -c)",
        "<= 1.3x",
    )
    reps = bench.reps("import_reps")
    env = dict(os.environ, PYTHONPATH=bench.collections)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    commands = {"subject": [PYTHON, "-c", f"import {CLIENT_MODULE}"], "baseline": [PYTHON, "-c", "import requests"]}

    def wall(cmd):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, cwd=bench.workdir)
        return time.perf_counter() - start

    for cmd in commands.values():  # byte-compile, warm the page cache
        wall(cmd)
        wall(cmd)
    times = {"subject": [], "baseline": []}
    ratios = []
    for index in range(reps):
        order = ("subject", "baseline") if index % 2 else ("baseline", "subject")
        pair = {name: wall(commands[name]) for name in order}
        for name, value in pair.items():
            times[name].append(value)
        ratios.append(pair["subject"] / pair["baseline"])
    # Where the time goes, once: -X importtime cumulative microseconds of the top-level imports.
    result = subprocess.run([PYTHON, "-X", "importtime", "-c", f"import {CLIENT_MODULE}"], env=env, capture_output=True, text=True, check=True)
    top = {}
    for line in result.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            name = parts[2].rstrip()
            if name.strip() in ("requests", "lxml.etree", "lxml", CLIENT_MODULE, "decimal", "threading"):
                top[name.strip()] = int(parts[1])
    row.subject = median(times["subject"])
    row.baseline = median(times["baseline"])
    row.ratio = median(ratios)
    row.timing_ok = row.ratio <= 1.3
    row.details = {"reps": reps, "subject_s": times["subject"], "baseline_s": times["baseline"], "ratios": ratios, "importtime_cumulative_us": top}
    return row
