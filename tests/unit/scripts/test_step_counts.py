# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""scripts/lib/step_counts.py: the passed/skipped/failed counts of every line of scripts/test.sh's summary."""

import importlib.util
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SPEC = importlib.util.spec_from_file_location("step_counts", os.path.join(ROOT, "scripts", "lib", "step_counts.py"))
step_counts = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(step_counts)


def line(text, rc=0):
    return step_counts.describe(step_counts.parse(text, rc))


def test_pytest_closing_lines_are_summed_with_the_reasons_of_skips():
    text = """
........s
SKIPPED [2] tests/unit/test_vendor_fixtures.py:37: the vendor page is not at /x (set CSOFT_VENDOR_PAGE)
================= 191 passed, 2 skipped, 3 warnings in 55.07s (0:00:55) =================
Unit test target with Python 3.13
10 passed, 1 xfailed in 1.20s
"""
    assert line(text) == "202 passed, 2 skipped, 0 failed; skipped: the vendor page is not at /x (set CSOFT_VENDOR_PAGE) (2)"


def test_pytest_failures_and_errors_count_as_failed():
    assert line("==== 2 failed, 191 passed, 1 error in 555.07s (0:09:15) ====", rc=1) == "191 passed, 0 skipped, 3 failed"


def test_a_failing_step_without_failed_tests_still_counts_one_failure():
    assert line("no tests ran in 0.01s", rc=5) == "0 passed, 0 skipped, 1 failed"
    assert line("5 passed in 1.00s\nERROR: coverage failed", rc=1) == "5 passed, 0 skipped, 1 failed"


def test_sanity_tests_counted_with_skips_and_their_reasons():
    text = """
Running sanity test "action-plugin-docs"
Running sanity test "compile" on Python 3.13
Running sanity test "shellcheck"
WARNING: Required program "shellcheck" not found.
WARNING: Skipping sanity test "import" on Python 3.8 because it could not be found.
Running sanity test "validate-modules"
ERROR: The 1 sanity test(s) listed below (out of 4) failed. See error output above for details.
validate-modules
"""
    assert line(text, rc=1) == (
        '2 passed, 2 skipped, 1 failed; skipped: sanity test skipped: Required program "shellcheck" not found.; '
        'Skipping sanity test "import" on Python 3.8 because it could not be found.'
    )


def test_integration_targets_are_counted():
    text = "Running credit_gate integration test script\nok\nRunning csoft_sms integration test role\n"
    assert line(text) == "2 passed, 0 skipped, 0 failed"
    assert line(text, rc=1) == "1 passed, 0 skipped, 1 failed"


def test_a_step_without_tests_is_one_check_with_its_warnings():
    assert line("PASS lint 12.3s") == "1 passed, 0 skipped, 0 failed (check)"
    assert line("build succeeded, 12 warnings.\nFAIL docs 40.1s", rc=1) == "0 passed, 0 skipped, 1 failed (check), 12 warnings"
    assert line("build succeeded, 2 warnings.\ndocs: 2 warnings, each a link that cannot resolve offline") == (
        "1 passed, 0 skipped, 0 failed (check), 2 warnings (each a link that cannot resolve offline)"
    )


def test_colours_and_unrelated_lines_are_ignored():
    assert line("\x1b[32m3 passed in 0.10s\x1b[0m\n3 hosts in 2 groups\nRunning the demo") == "3 passed, 0 skipped, 0 failed"


def test_main_reads_every_log(tmp_path, capsys):
    first, second = tmp_path / "a.log", tmp_path / "b.log"
    first.write_text("2 passed in 1.0s\n")
    second.write_text("1 skipped in 1.0s\n")
    assert step_counts.main(["--rc", "0", str(first), str(second), str(tmp_path / "missing.log")]) == 0
    assert capsys.readouterr().out == "2 passed, 1 skipped, 0 failed\n"
