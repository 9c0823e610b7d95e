# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one set of rules for values users give (plugins/module_utils/_values.py)."""

from decimal import Decimal

import pytest

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.plugins.module_utils._values import as_bool, as_number, as_text, as_text_list, is_missing


@pytest.mark.parametrize(
    "value",
    ["nan", "NaN", float("nan"), "inf", "-inf", float("inf"), float("-inf"), "1e400", "-1e400", 10**400, "9" * 5000, True, None, [], {}, "lots", "1,5"],
)
def test_numbers_that_are_not_finite_in_range_are_refused_in_one_line(value):
    with pytest.raises(CsoftInputError) as caught:
        as_number("min_credit", value, low=0, high=10**15)
    text = str(caught.value)
    assert "min_credit" in text and "\n" not in text and len(text) < 300


@pytest.mark.parametrize(("value", "expected"), [(0, Decimal(0)), ("2.5", Decimal("2.5")), (2.5, Decimal("2.5")), (" 7 ", Decimal(7)), ("1e3", Decimal(1000))])
def test_numbers_in_any_form_users_write(value, expected):
    assert as_number("x", value, low=0, high=10**6) == expected


def test_integers_and_bounds():
    assert as_number("n", "7", integer=True) == 7 and isinstance(as_number("n", "7", integer=True), int)
    with pytest.raises(CsoftInputError, match="whole number"):
        as_number("n", 2.5, integer=True)
    with pytest.raises(CsoftInputError, match="above 0"):
        as_number("timeout", 0, low=0, low_open=True)
    with pytest.raises(CsoftInputError, match="at least 10"):
        as_number("interval", 9.99, low=10)
    with pytest.raises(CsoftInputError, match="at most 3600"):
        as_number("timeout", "1e10", high=3600)


@pytest.mark.parametrize(("value", "expected"), [(True, True), ("yes", True), ("False", False), (0, False), (1, True), ("on", True), (" no ", False)])
def test_flags(value, expected):
    assert as_bool("validate_certs", value) is expected


@pytest.mark.parametrize("value", ["perhaps", 2, None, 1.0, []])
def test_bad_flags(value):
    with pytest.raises(CsoftInputError, match="validate_certs"):
        as_bool("validate_certs", value)


def test_a_whole_number_is_its_decimal_text_and_a_secret_is_never_shown():
    assert as_text("pin", 12345678) == "12345678"
    assert as_text("pin", None) is None
    assert as_text("pin", type("Tagged", (str,), {})("abc")).__class__ is str
    with pytest.raises(CsoftInputError) as caught:
        as_text("pin", 3.25, secret=True)
    assert "3.25" not in str(caught.value) and "hidden" in str(caught.value)
    with pytest.raises(CsoftInputError):
        as_text("pin", True)


def test_text_lists():
    assert as_text_list("endpoints", " a , b ,, ") == ("a", "b")
    assert as_text_list("endpoints", ["a", None, " ", "b"]) == ("a", "b")
    for bad in (123, {"a": 1}, 1.5):
        with pytest.raises(CsoftInputError, match="endpoints"):
            as_text_list("endpoints", bad)
    with pytest.raises(CsoftInputError, match="item 2 is 123"):
        as_text_list("endpoints", ["http://a/x", 123])


def test_missing():
    assert is_missing(None) and is_missing("") and is_missing("  ")
    assert not is_missing(0) and not is_missing(False) and not is_missing("x")


def test_a_huge_whole_number_is_refused_in_one_line():
    # repr() of an int of more than 4300 digits raises ValueError on Python 3.11+: the error must not
    with pytest.raises(CsoftInputError) as caught:
        as_number("min_credit", 10**5000, low=0, high=10)
    assert str(caught.value) == "csoft min_credit is an int too long to show, which is not a number in range; check the min_credit option"
