# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``Row``: one line of the benchmark table (figure, baseline, target, exact checks, status), and the table itself."""


class Row:
    def __init__(self, name, figure, baseline_text, target_text):
        self.name = name
        self.figure = figure
        self.baseline_text = baseline_text
        self.target_text = target_text
        self.subject = None  # seconds or bytes
        self.baseline = None
        self.unit = "s"
        self.ratio = None
        self.delta = None
        self.timing_ok = None  # None: not judged
        self.checks = []  # (description, ok): exact request-count and correctness checks
        self.status = None
        self.reason = ""
        self.details = {}

    def check(self, description, ok):
        self.checks.append((description, bool(ok)))
        return ok

    def finish(self, smoke):
        if self.status in ("SKIPPED", "ERROR"):
            return
        failed = [description for description, ok in self.checks if not ok]
        if failed:
            self.status = "FAIL"
            self.reason = "; ".join(failed)
        elif self.timing_ok is False:
            self.status = "WARN" if smoke else "FAIL"
            self.reason = "timing target missed" + (" (smoke: not enforced)" if smoke else "")
        else:
            self.status = "PASS"

    @property
    def failed(self):
        return self.status in ("FAIL", "ERROR")

    def as_dict(self):
        return {
            "row": self.name,
            "figure": self.figure,
            "baseline_is": self.baseline_text,
            "target": self.target_text,
            "unit": self.unit,
            "subject": self.subject,
            "baseline": self.baseline,
            "ratio": self.ratio,
            "delta": self.delta,
            "timing_ok": self.timing_ok,
            "checks": [{"check": description, "ok": ok} for description, ok in self.checks],
            "status": self.status,
            "reason": self.reason,
            "details": self.details,
        }


def fmt_value(value, unit):
    if value is None:
        return "-"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    if value >= 1:
        return f"{value:.3f} s"
    if value >= 0.001:
        return f"{value * 1000:.2f} ms"
    return f"{value * 1e6:.0f} us"


def fmt_compare(row):
    parts = []
    if row.ratio is not None:
        parts.append(f"{row.ratio:.2f}x")
    if row.delta is not None:
        parts.append(("+" if row.delta >= 0 else "-") + fmt_value(abs(row.delta), row.unit).replace(" ", ""))
    return " / ".join(parts) or "-"


def print_table(rows):
    header = ("row", "figure", "subject", "baseline", "ratio / delta", "target", "status")
    lines = [(r.name, r.figure, fmt_value(r.subject, r.unit), fmt_value(r.baseline, r.unit), fmt_compare(r), r.target_text, r.status) for r in rows]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines, strict=True)]
    out = [" | ".join(str(cell).ljust(width) for cell, width in zip(header, widths, strict=True))]
    out.append("-+-".join("-" * width for width in widths))
    for row, line in zip(rows, lines, strict=True):
        out.append(" | ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)))
        if row.reason:
            out.append("    " + row.reason)
    print("\n".join(out))
