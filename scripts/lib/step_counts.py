# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The counts of one step of scripts/test.sh, read from its output (standard library only).

    python3 scripts/lib/step_counts.py LOG...

prints one line such as ``191 passed, 1 skipped, 0 failed; skipped: the vendor page is not at ...``:

* pytest: the sums of its closing lines (``2 failed, 191 passed in 55.1s``, with or without ``=``), and the
  reasons of its skips (``SKIPPED [2] tests/x.py:12: reason``, printed with ``-rs`` or ``-ra``);
* ansible-test integration: each ``Running T integration test role|script`` is a target (a failed run: the
  last one failed);
* ansible-test sanity: each ``Running sanity test "x"`` is a test; a ``Skipping sanity test`` warning, or a
  ``Required program "p" not found.`` warning after it, a skip with that text as its reason; the failed ones from
  its closing ``The N sanity test(s) listed below (out of M) failed``;
* anything else: ``1 check`` (the step itself), with ``build succeeded, N warnings`` (Sphinx) when present.

A step with neither is one check; ``rc`` (``--rc N``) tells whether it passed.
"""

import re
import sys

PYTEST_CLOSING = re.compile(r"^=*\s*((?:\d+ [a-z]+(?:, )?)+|no tests ran)(?: in [0-9.]+s(?: \([0-9:.]+\))?)?\s*=*$")
PYTEST_SKIP = re.compile(r"^SKIPPED \[(\d+)\] [^ ]+?:\d+: (.*)$")
SANITY_RUN = re.compile(r'^Running sanity test ["\']([^"\']+)["\']')
INTEGRATION_RUN = re.compile(r"^Running (\S+) integration test (?:role|script)$")
SANITY_SKIP = re.compile(r'^WARNING: (Skipping sanity test ["\'].*)$')
SANITY_MISSING = re.compile(r'^WARNING: (Required program ["\'][^"\']+["\'] not found\.)')
SANITY_FAILED = re.compile(r"^(?:ERROR: |FATAL: )?The (\d+) sanity test\(s\) listed below \(out of (\d+)\) failed")
SPHINX_WARNINGS = re.compile(r"build succeeded, (\d+) warnings?")
WARNINGS_EXPLAINED = re.compile(r"^docs: \d+ warnings, (.*)$")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def parse(text, rc=0):
    """``{"passed", "skipped", "failed", "reasons": [...], "warnings": N or None, "kind": "pytest"|"sanity"|"check"}``."""
    counts = {"passed": 0, "skipped": 0, "failed": 0, "reasons": [], "warnings": None, "why_warnings": None, "kind": "check"}
    sanity_run, sanity_skipped, sanity_failed = [], 0, 0
    integration_run = []
    pytest_seen = False
    for raw in text.splitlines():
        line = ANSI.sub("", raw).strip()
        match = PYTEST_CLOSING.match(line)
        if match and (" in " in line or line.startswith("=")) and not line.startswith("Running"):
            pytest_seen = True
            if match.group(1) != "no tests ran":
                for number, word in re.findall(r"(\d+) ([a-z]+)", match.group(1)):
                    if word in ("passed", "xpassed", "xfailed"):
                        counts["passed"] += int(number)
                    elif word in ("skipped",):
                        counts["skipped"] += int(number)
                    elif word in ("failed", "error", "errors"):
                        counts["failed"] += int(number)
            continue
        match = PYTEST_SKIP.match(line)
        if match:
            counts["reasons"].append(f"{match.group(2)} ({match.group(1)})")
            continue
        match = INTEGRATION_RUN.match(line)
        if match:
            integration_run.append(match.group(1))
            continue
        match = SANITY_RUN.match(line)
        if match:
            sanity_run.append(match.group(1))
            continue
        match = SANITY_SKIP.match(line)
        if match:
            sanity_skipped += 1
            counts["reasons"].append(match.group(1))
            continue
        match = SANITY_MISSING.match(line)
        if match and sanity_run:
            # the test that was running did not run after all
            sanity_skipped += 1
            sanity_run.pop()
            counts["reasons"].append(f"sanity test skipped: {match.group(1)}")
            continue
        match = SANITY_FAILED.match(line)
        if match:
            sanity_failed += int(match.group(1))
            continue
        match = WARNINGS_EXPLAINED.match(line)
        if match:
            counts["why_warnings"] = match.group(1)
            continue
        match = SPHINX_WARNINGS.search(line)
        if match:
            counts["warnings"] = (counts["warnings"] or 0) + int(match.group(1))
    if pytest_seen:
        counts["kind"] = "pytest"
    if sanity_run or sanity_skipped:
        counts["kind"] = "pytest+sanity" if pytest_seen else "sanity"
        counts["passed"] += len(sanity_run) - sanity_failed
        counts["skipped"] += sanity_skipped
        counts["failed"] += sanity_failed
    if integration_run:
        # ansible-test stops at the first target that fails: the last one that ran
        counts["kind"] = "integration"
        counts["passed"] += len(integration_run) - (1 if rc != 0 else 0)
        counts["failed"] += 1 if rc != 0 else 0
        return counts
    if counts["kind"] == "check":
        counts["passed" if rc == 0 else "failed"] = 1
    elif rc != 0 and counts["failed"] == 0:
        counts["failed"] = 1  # the step failed after (or without) its tests: count that too
    return counts


def describe(counts):
    """One line: ``N passed, N skipped, N failed`` (``check`` for a step without tests), then the reasons."""
    noun = " (check)" if counts["kind"] == "check" else ""
    text = f"{counts['passed']} passed, {counts['skipped']} skipped, {counts['failed']} failed{noun}"
    if counts["warnings"]:
        text += f", {counts['warnings']} warnings"
        if counts["why_warnings"]:
            text += f" ({counts['why_warnings']})"
    if counts["reasons"]:
        text += "; skipped: " + "; ".join(dict.fromkeys(counts["reasons"]))
    return text


def main(argv):
    rc = 0
    if argv[:1] == ["--rc"]:
        rc = int(argv[1])
        argv = argv[2:]
    text = ""
    for path in argv:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                text += handle.read() + "\n"
        except OSError:
            pass
    print(describe(parse(text, rc)))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
