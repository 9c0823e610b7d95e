# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Playbook rows: play vars, and timing playbooks interleaved (task time = wall - empty wall, same inventory)."""

import json

from .bench import OPERATIONS, median


def yaml_vars(variables):
    """Play vars as one flow mapping (JSON is YAML)."""
    return "  vars: " + json.dumps(variables) + "\n"


def compare_playbooks(bench, row, empty, subject, baseline, target_ratio, expect_counts, inventory=None, args=(), empty_baseline=None, counts_label="per run"):
    """Time empty / subject / baseline playbooks interleaved; task time = wall - empty wall (same inventory)."""
    reps = bench.reps("playbook_reps")
    walls = {"empty": [], "subject": [], "baseline": [], "empty_baseline": []}
    books = [("empty", empty, inventory[0] if inventory else None), ("subject", subject, inventory[0] if inventory else None)]
    books.append(("baseline", baseline, inventory[1] if inventory else None))
    if empty_baseline:
        books.append(("empty_baseline", empty_baseline, inventory[1]))
    bad_counts = []
    for rep in range(reps):
        order = books[rep % len(books) :] + books[: rep % len(books)]
        for name, path, inv in order:
            bench.reset()
            wall, _unused = bench.playbook(path, inventory=inv, args=args)
            walls[name].append(wall)
            if name in ("subject", "baseline"):
                counts = bench.counts("primary")
                got = {op: counts[op] for op in OPERATIONS}
                if got != expect_counts or counts["invalid"]:
                    bad_counts.append(f"{name} run {rep + 1}: {got}")
    row.check(f"requests {counts_label}: exactly {expect_counts}" + (f" (got {bad_counts})" if bad_counts else ""), not bad_counts)
    empty_wall = median(walls["empty"])
    empty_base_wall = median(walls["empty_baseline"]) if empty_baseline else empty_wall
    row.subject = median(walls["subject"]) - empty_wall
    row.baseline = median(walls["baseline"]) - empty_base_wall
    row.ratio = row.subject / row.baseline if row.baseline > 0 else None
    row.timing_ok = row.ratio is not None and row.ratio <= target_ratio
    row.details = {"reps": reps, "walls_s": walls, "empty_wall_s": empty_wall, "empty_baseline_wall_s": empty_base_wall}
    return row
