# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_account.py: the answers of the three account queries, tolerant of form and strict on values (no network)."""

import json
import math
from decimal import Decimal

import pytest

from ansible_collections.csoft.sms.plugins.module_utils import _account as account
from ansible_collections.csoft.sms.plugins.module_utils import _errors as errors
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError, CsoftResponseError
from ansible_collections.csoft.sms.tests.support.vendor import vendor

# The vendor page's own example answers --------------------------------------------------------------


def test_vendor_credit_example_parses():
    value = account.parse_response("AvailableCredit", vendor("credit_response"))
    assert value == account.AccountCredit(Decimal("2.8950"), "GBP")
    assert float(value.credit) == 2.895


def test_vendor_messages_example_parses():
    assert account.parse_response("AvailableMessages", vendor("messages_response")) == 24


def test_vendor_reply_to_example_parses():
    assert account.parse_response("PermittedReplyTo", vendor("reply_to_response")) == ["447700912345", "csoft.co.uk"]


# Tolerant of form -----------------------------------------------------------------------------------


CREDIT_VARIANTS = {
    "other prefixes, 2001 schema, no declaration": b"""<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>
<x:AvailableCreditResponse xmlns:x="http://www.csoft.co.uk/dtd/sendsms5.xsd"><Currency>GBP</Currency><Credit>2.8950</Credit>
</x:AvailableCreditResponse></soap:Body></soap:Envelope>""",
    "default namespace on the wrapper, qualified children, whitespace, xsi:type": b"""<?xml version='1.0' encoding='utf-8'?>
<E:Envelope xmlns:E="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/1999/XMLSchema-instance"
 xmlns:xsd="http://www.w3.org/1999/XMLSchema">
  <E:Body encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">
    <AvailableCreditResponse xmlns="http://www.csoft.co.uk/dtd/sendsms5.xsd">
      <Credit xsi:type="xsd:string">
         2.8950
      </Credit>
      <Currency xsi:type="xsd:string"> GBP </Currency>
      <Reserved><Field1>anything</Field1><Field2><deep>x</deep></Field2></Reserved>
    </AvailableCreditResponse>
  </E:Body>
</E:Envelope>""",
    "comments, a processing instruction and a UTF-8 BOM": b"""\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>
<!-- gateway --><SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Header/>
<SOAP-ENV:Body><?audit x?><ns2:AvailableCreditResponse xmlns:ns2="http://www.csoft.co.uk/dtd/sendsms5.xsd">
<Currency>GBP</Currency><!-- c --><Credit>2.8950</Credit></ns2:AvailableCreditResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>""",
}


@pytest.mark.parametrize("name", sorted(CREDIT_VARIANTS))
def test_credit_answer_variants_parse(name):
    assert account.parse_response("AvailableCredit", CREDIT_VARIANTS[name]) == account.AccountCredit(Decimal("2.8950"), "GBP")


def test_reply_to_list_is_trimmed_and_keeps_order():
    body = vendor("reply_to_response").replace(b"447700912345,csoft.co.uk", b" Alpha , 447700912345,\n csoft.co.uk ,")
    assert account.parse_response("PermittedReplyTo", body) == ["Alpha", "447700912345", "csoft.co.uk"]


# Strict on values -----------------------------------------------------------------------------------


def credit_body(credit=b"2.8950", currency=b"GBP"):
    return vendor("credit_response").replace(b"2.8950", credit).replace(b"<Currency>GBP", b"<Currency>" + currency)


@pytest.mark.parametrize("credit, expected", [(b"0.0000", "0.0000"), (b"-1.5000", "-1.5000"), (b"12345678.1234", "12345678.1234"), (b"7", "7")])
def test_credit_values(credit, expected):
    assert account.parse_response("AvailableCredit", credit_body(credit)).credit == Decimal(expected)


@pytest.mark.parametrize("credit", [b"N/A", b"", b"1e5", b"NaN", b"Infinity", b"2,8950", b"0x10", b"1.2.3", b"\xc2\xa32.89"])
def test_credit_that_does_not_parse_is_rejected(credit):
    with pytest.raises(errors.CsoftResponseError, match="Credit"):
        account.parse_response("AvailableCredit", credit_body(credit))


@pytest.mark.parametrize("currency", [b"gbp", b"GB", b"POUND", b""])
def test_bad_currency_is_rejected(currency):
    with pytest.raises(errors.CsoftResponseError, match="Currency"):
        account.parse_response("AvailableCredit", credit_body(currency=currency))


@pytest.mark.parametrize("messages", [b"-5", b"24.5", b"", b"many", b"2 4", b"1e3"])
def test_messages_that_do_not_parse_are_rejected(messages):
    body = vendor("messages_response").replace(b"<Messages>24", b"<Messages>" + messages)
    with pytest.raises(errors.CsoftResponseError, match="Messages"):
        account.parse_response("AvailableMessages", body)


@pytest.mark.parametrize("value", [b"", b" , ,", b"a b,csoft.co.uk"])
def test_bad_reply_to_is_rejected(value):
    body = vendor("reply_to_response").replace(b"447700912345,csoft.co.uk", value)
    with pytest.raises(errors.CsoftResponseError, match="PermittedReplyTo"):
        account.parse_response("PermittedReplyTo", body)


def test_missing_element_is_rejected():
    body = vendor("credit_response").replace(b"<Credit>2.8950</Credit>", b"")
    with pytest.raises(errors.CsoftResponseError, match="has no Credit"):
        account.parse_response("AvailableCredit", body)


def test_duplicate_element_is_rejected():
    body = vendor("credit_response").replace(b"<Credit>2.8950</Credit>", b"<Credit>2.8950</Credit><Credit>99</Credit>")
    with pytest.raises(errors.CsoftResponseError, match="2 Credit elements"):
        account.parse_response("AvailableCredit", body)


def test_wrong_wrapper_is_rejected():
    with pytest.raises(errors.CsoftResponseError, match="AvailableCreditResponse was expected"):
        account.parse_response("AvailableCredit", vendor("messages_response"))


def test_wrapper_in_another_namespace_is_rejected():
    body = vendor("credit_response").replace(b'xmlns:ns2="http://www.csoft.co.uk/dtd/sendsms5.xsd"', b'xmlns:ns2="urn:other"')
    with pytest.raises(errors.CsoftResponseError, match="urn:other"):
        account.parse_response("AvailableCredit", body)


# Bounds and the figures type ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (account.parse_messages, "9" * 4301),  # Python's int() limit: a ValueError with a traceback before the bound
        (account.parse_messages, "9" * 16),
        (account.parse_credit, "1" + "0" * 400),  # float infinity before the bound
        (account.parse_credit, "1" * 16 + ".5"),
        (account.parse_credit, "1." + "5" * 9),
        (account.parse_credit, "NaN"),
        (account.parse_credit, "Infinity"),
        (account.parse_credit, "1e5"),
    ],
)
def test_figures_out_of_bounds_are_one_line_response_errors(parse, text):
    with pytest.raises(CsoftResponseError) as caught:
        parse(text)
    message = str(caught.value)
    assert "\n" not in message and len(message) < 300


def test_figures_at_the_bounds_are_finite_floats():
    credit = account.parse_credit("9" * account.MAX_CREDIT_DIGITS + "." + "9" * account.MAX_FRACTION_DIGITS)
    assert math.isfinite(float(credit))
    assert account.parse_messages("9" * account.MAX_MESSAGES_DIGITS) == 10**account.MAX_MESSAGES_DIGITS - 1


def test_gather_reads_each_operation_once_and_computes_failed_over_from_the_first_endpoint():
    calls = []
    answers = {"AvailableCredit": account.AccountCredit(Decimal("2.8950"), "GBP"), "AvailableMessages": 24, "PermittedReplyTo": ["a", "b"]}

    def read(operation):
        calls.append(operation)
        return answers[operation], "https://two/x" if operation == "PermittedReplyTo" else "https://one/x"

    figures = account.gather(read, ["credit", "messages", "credit", "reply_to"], "https://one/x")
    assert calls == ["AvailableCredit", "AvailableMessages", "PermittedReplyTo"]
    assert figures.public() == {
        "credit": 2.895,
        "currency": "GBP",
        "messages": 24,
        "permitted_reply_to": ["a", "b"],
        "endpoint": "https://two/x",
        "failed_over": True,
    }
    assert json.loads(json.dumps(figures.public(), allow_nan=False)) == figures.public()
    only = account.gather(read, ["messages"], "https://one/x").public()
    assert only == {"messages": 24, "endpoint": "https://one/x", "failed_over": False}
    with pytest.raises(CsoftInputError):
        account.gather(read, ["balance"], "https://one/x")


@pytest.mark.parametrize(
    ("operation", "value"),
    [("AvailableCredit", account.AccountCredit(Decimal("2.8950"), "GBP")), ("AvailableMessages", 24), ("PermittedReplyTo", ["447700912345", "csoft.co.uk"])],
)
def test_the_cache_form_round_trips(operation, value):
    assert account.decode_answer(operation, json.loads(json.dumps(account.encode_answer(operation, value)))) == value
