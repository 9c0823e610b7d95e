# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The credit gate's decision: comparisons and the exact texts (pure functions, no I/O)."""

from decimal import Decimal

import pytest

from ansible_collections.csoft.sms.plugins.plugin_utils._account_check import account_label, report, shortfalls

FIGURES = {
    "credit": Decimal("2.8950"),
    "currency": "GBP",
    "messages": 24,
    "permitted_reply_to": ["447700912345", "csoft.co.uk"],
    "endpoint": "https://www.csoft.co.uk/sendsms5",
    "failed_over": False,
}
NONE = {"min_credit": 0.0, "min_messages": 0, "required_reply_to": []}


def thresholds(**changes):
    return dict(NONE, **changes)


def test_no_threshold_no_problem():
    assert shortfalls(FIGURES, NONE) == []


@pytest.mark.parametrize("min_credit", [2.895, 2.8950, "2.895", 0, 2.8949])
def test_credit_at_or_below_the_figure_passes(min_credit):
    assert shortfalls(FIGURES, thresholds(min_credit=min_credit)) == []


def test_credit_below_the_threshold_fails_with_four_places():
    assert shortfalls(FIGURES, thresholds(min_credit=10)) == ["csoft credit 2.8950 GBP is below the required 10.0000 GBP"]
    assert shortfalls(FIGURES, thresholds(min_credit=2.8951)) == ["csoft credit 2.8950 GBP is below the required 2.8951 GBP"]


def test_a_float_credit_is_read_as_written():
    # 2.895 as a float is 2.89499999...; the comparison and the text use the decimal it was written as.
    assert shortfalls(dict(FIGURES, credit=2.895), thresholds(min_credit=2.895)) == []
    assert shortfalls(dict(FIGURES, credit=0.5), thresholds(min_credit=1)) == ["csoft credit 0.5000 GBP is below the required 1.0000 GBP"]


def test_currency_is_the_accounts():
    assert shortfalls(dict(FIGURES, currency="EUR"), thresholds(min_credit=3)) == ["csoft credit 2.8950 EUR is below the required 3.0000 EUR"]


@pytest.mark.parametrize(("minimum", "expected"), [(24, []), (23, []), (25, ["csoft messages 24 is below the required 25"])])
def test_messages(minimum, expected):
    assert shortfalls(FIGURES, thresholds(min_messages=minimum)) == expected


def test_each_missing_reply_to_is_named_in_order_with_the_permitted_values():
    problems = shortfalls(FIGURES, thresholds(required_reply_to=["447700912345", "ACME.Ltd", "447700900999"]))
    assert problems == [
        "csoft ReplyTo ACME.Ltd is required but not permitted on the account (permitted: 447700912345, csoft.co.uk)",
        "csoft ReplyTo 447700900999 is required but not permitted on the account (permitted: 447700912345, csoft.co.uk)",
    ]


def test_reply_to_is_compared_as_text():
    assert shortfalls(FIGURES, thresholds(required_reply_to=[447700912345])) == []
    assert shortfalls(FIGURES, thresholds(required_reply_to=["csoft.co.uk "])) != []  # exact values, no trimming here


def test_every_shortfall_in_a_fixed_order():
    problems = shortfalls(FIGURES, thresholds(min_credit=3, min_messages=100, required_reply_to=["ACME"]))
    assert "; ".join(problems) == (
        "csoft credit 2.8950 GBP is below the required 3.0000 GBP; csoft messages 24 is below the required 100; "
        "csoft ReplyTo ACME is required but not permitted on the account (permitted: 447700912345, csoft.co.uk)"
    )


def test_a_label_ends_every_clause():
    problems = shortfalls(FIGURES, thresholds(min_credit=3, min_messages=100), label="low")
    assert problems == [
        "csoft credit 2.8950 GBP is below the required 3.0000 GBP (account low)",
        "csoft messages 24 is below the required 100 (account low)",
    ]


def test_report_one_line():
    assert report(FIGURES) == "credit 2.8950 GBP, 24 messages, ReplyTo 447700912345, csoft.co.uk (from https://www.csoft.co.uk/sendsms5)"
    failed_over = dict(FIGURES, endpoint="https://www2.csoft.co.uk/sendsms5", failed_over=True)
    assert report(failed_over, label="main") == (
        "account main: credit 2.8950 GBP, 24 messages, ReplyTo 447700912345, csoft.co.uk (from https://www2.csoft.co.uk/sendsms5, after failing over)"
    )


@pytest.mark.parametrize(
    ("settings", "index", "label"),
    [({"name": "otp", "username": "Otp.1"}, 0, "otp"), ({"username": "Otp.1"}, 0, "Otp.1"), ({}, 1, "2"), ({"name": "", "username": None}, 2, "3")],
)
def test_account_label(settings, index, label):
    assert account_label(settings, index) == label
