# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Envelope building, strict parsing and input validation of the SOAP client (no network)."""

from decimal import Decimal

import pytest
from lxml import etree

from ansible_collections.csoft.sms.plugins.module_utils import _client as client
from ansible_collections.csoft.sms.tests.support.vendor import vendor

# The vendor page's own example answers ---------------------------------------------


def test_vendor_credit_example_parses():
    value = client.parse_response("AvailableCredit", vendor("credit_response"))
    assert value == client.AccountCredit(Decimal("2.8950"), "GBP")
    assert float(value.credit) == 2.895


def test_vendor_messages_example_parses():
    assert client.parse_response("AvailableMessages", vendor("messages_response")) == 24


def test_vendor_reply_to_example_parses():
    assert client.parse_response("PermittedReplyTo", vendor("reply_to_response")) == ["447700912345", "csoft.co.uk"]


# Requests: what we send has the vendor's shape -------------------------------------------


@pytest.mark.parametrize(
    "operation, example",
    [("AvailableCredit", "credit_request"), ("AvailableMessages", "messages_request"), ("PermittedReplyTo", "reply_to_request")],
)
def test_envelope_matches_vendor_request(operation, example):
    ours = etree.fromstring(client.build_envelope(operation, "ANother.123456", "123456789"))
    theirs = etree.fromstring(vendor(example))

    def shape(root):
        wrapper = root.find(f"{{{client.SOAP11_ENV_NS}}}Body")[0]
        return root.tag, wrapper.tag, [(child.tag, (child.text or "").strip()) for child in wrapper]

    ours_shape, theirs_shape = shape(ours), shape(theirs)
    assert ours_shape[0] == theirs_shape[0] == f"{{{client.SOAP11_ENV_NS}}}Envelope"
    assert ours_shape[1] == theirs_shape[1] == f"{{{client.CSOFT_NS}}}{operation}"
    # Children are unqualified; the vendor's usernames differ between examples, so compare names only.
    assert [pair[0] for pair in ours_shape[2]] == [pair[0] for pair in theirs_shape[2]] == ["Username", "PIN"]
    assert ours_shape[2] == [("Username", "ANother.123456"), ("PIN", "123456789")]


def test_envelope_escapes_markup_in_values():
    raw = client.build_envelope("AvailableCredit", "a<b&c", "p</PIN><x>")
    wrapper = etree.fromstring(raw).find(f"{{{client.SOAP11_ENV_NS}}}Body")[0]
    assert [child.tag for child in wrapper] == ["Username", "PIN"]
    assert wrapper[0].text == "a<b&c"
    assert wrapper[1].text == "p</PIN><x>"
    assert b"<x>" not in raw


def test_envelope_nested_fields_keep_order_and_skip_none():
    raw = client.build_envelope("SubmitMessage", "u", "p", (("Recipient", (("SendTo", "447700900001"),)), ("ReplyTo", None), ("Message", "hi")))
    wrapper = etree.fromstring(raw).find(f"{{{client.SOAP11_ENV_NS}}}Body")[0]
    assert [child.tag for child in wrapper] == ["Username", "PIN", "Recipient", "Message"]
    assert wrapper[2][0].tag == "SendTo" and wrapper[2][0].text == "447700900001"


# Tolerant of form ---------------------------------------------------------------------------

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
    assert client.parse_response("AvailableCredit", CREDIT_VARIANTS[name]) == client.AccountCredit(Decimal("2.8950"), "GBP")


def test_reply_to_list_is_trimmed_and_keeps_order():
    body = vendor("reply_to_response").replace(b"447700912345,csoft.co.uk", b" Alpha , 447700912345,\n csoft.co.uk ,")
    assert client.parse_response("PermittedReplyTo", body) == ["Alpha", "447700912345", "csoft.co.uk"]


# Strict on values -----------------------------------------------------------------------------


def credit_body(credit=b"2.8950", currency=b"GBP"):
    return vendor("credit_response").replace(b"2.8950", credit).replace(b"<Currency>GBP", b"<Currency>" + currency)


@pytest.mark.parametrize("credit, expected", [(b"0.0000", "0.0000"), (b"-1.5000", "-1.5000"), (b"12345678.1234", "12345678.1234"), (b"7", "7")])
def test_credit_values(credit, expected):
    assert client.parse_response("AvailableCredit", credit_body(credit)).credit == Decimal(expected)


@pytest.mark.parametrize("credit", [b"N/A", b"", b"1e5", b"NaN", b"Infinity", b"2,8950", b"0x10", b"1.2.3", b"\xc2\xa32.89"])
def test_credit_that_does_not_parse_is_rejected(credit):
    with pytest.raises(client.CsoftResponseError, match="Credit"):
        client.parse_response("AvailableCredit", credit_body(credit))


@pytest.mark.parametrize("currency", [b"gbp", b"GB", b"POUND", b""])
def test_bad_currency_is_rejected(currency):
    with pytest.raises(client.CsoftResponseError, match="Currency"):
        client.parse_response("AvailableCredit", credit_body(currency=currency))


@pytest.mark.parametrize("messages", [b"-5", b"24.5", b"", b"many", b"2 4", b"1e3"])
def test_messages_that_do_not_parse_are_rejected(messages):
    body = vendor("messages_response").replace(b"<Messages>24", b"<Messages>" + messages)
    with pytest.raises(client.CsoftResponseError, match="Messages"):
        client.parse_response("AvailableMessages", body)


@pytest.mark.parametrize("value", [b"", b" , ,", b"a b,csoft.co.uk"])
def test_bad_reply_to_is_rejected(value):
    body = vendor("reply_to_response").replace(b"447700912345,csoft.co.uk", value)
    with pytest.raises(client.CsoftResponseError, match="PermittedReplyTo"):
        client.parse_response("PermittedReplyTo", body)


def test_missing_element_is_rejected():
    body = vendor("credit_response").replace(b"<Credit>2.8950</Credit>", b"")
    with pytest.raises(client.CsoftResponseError, match="has no Credit"):
        client.parse_response("AvailableCredit", body)


def test_duplicate_element_is_rejected():
    body = vendor("credit_response").replace(b"<Credit>2.8950</Credit>", b"<Credit>2.8950</Credit><Credit>99</Credit>")
    with pytest.raises(client.CsoftResponseError, match="2 Credit elements"):
        client.parse_response("AvailableCredit", body)


def test_wrong_wrapper_is_rejected():
    with pytest.raises(client.CsoftResponseError, match="AvailableCreditResponse was expected"):
        client.parse_response("AvailableCredit", vendor("messages_response"))


def test_wrapper_in_another_namespace_is_rejected():
    body = vendor("credit_response").replace(b'xmlns:ns2="http://www.csoft.co.uk/dtd/sendsms5.xsd"', b'xmlns:ns2="urn:other"')
    with pytest.raises(client.CsoftResponseError, match="urn:other"):
        client.parse_response("AvailableCredit", body)


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "empty body"),
        (b"   \n", "empty body"),
        (b"OK 2.8950", "not XML"),
        (b"<html><body><h1>Service Unavailable</h1></body></html>", "not a SOAP envelope"),
        (b"<?xml version='1.0'?><SOAP-ENV:Envelope xmlns:SOAP-ENV='http://schemas.xmlsoap.org/soap/envelope/'><SOAP-ENV:Bo", "not well-formed"),
        (b"<e:Envelope xmlns:e='http://schemas.xmlsoap.org/soap/envelope/'/>", "0 Body"),
        (b"<e:Envelope xmlns:e='http://schemas.xmlsoap.org/soap/envelope/'><e:Body/></e:Envelope>", "Body is empty"),
    ],
)
def test_broken_documents_are_rejected(body, message):
    with pytest.raises(client.CsoftResponseError, match=message):
        client.parse_document(body)


# Hostile XML ----------------------------------------------------------------------------------


def test_external_entity_is_refused_and_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>'
        '<ns2:AvailableMessagesResponse xmlns:ns2="http://www.csoft.co.uk/dtd/sendsms5.xsd"><Messages>&xxe;</Messages>'
        "</ns2:AvailableMessagesResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ).encode()
    with pytest.raises(client.CsoftResponseError, match="DOCTYPE") as info:
        client.parse_response("AvailableMessages", body)
    assert "TOP-SECRET" not in str(info.value)


def test_billion_laughs_is_refused_quickly():
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    body = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY l0 "lol">{entities}]>'
        '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><m>&l9;</m></e:Body></e:Envelope>'
    ).encode()
    with pytest.raises(client.CsoftResponseError, match="DOCTYPE"):
        client.parse_document(body)


@pytest.mark.parametrize("dtd", ['SYSTEM "http://127.0.0.1:9/evil.dtd" ', ""])
def test_parser_itself_never_loads_entities_or_dtds(dtd, tmp_path):
    """Defence in depth: a DOCTYPE in UTF-16 (which the byte check cannot see) loads and resolves nothing."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    doc = (
        f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE e:Envelope {dtd}'
        f'[<!ENTITY xxe SYSTEM "file://{secret}">]>'
        '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><m>&xxe;</m></e:Body></e:Envelope>'
    ).encode("utf-16")
    with pytest.raises(client.CsoftResponseError, match="DOCTYPE|network entity"):
        client.parse_document(doc)
    if not dtd:
        root = etree.fromstring(doc, client._safe_parser())  # pylint: disable=protected-access
        assert "TOP-SECRET" not in "".join(root.itertext())


# SOAP faults ------------------------------------------------------------------------------------

FAULT11 = b"""<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><SOAP-ENV:Fault>
<faultcode>SOAP-ENV:Client</faultcode><faultstring>Invalid Login</faultstring></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>"""

FAULT12 = b"""<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault>
<env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason><env:Text xml:lang="en">Bad PIN</env:Text></env:Reason>
</env:Fault></env:Body></env:Envelope>"""


@pytest.mark.parametrize("body, code, text", [(FAULT11, "SOAP-ENV:Client", "Invalid Login"), (FAULT12, "env:Sender", "Bad PIN")])
def test_fault_fields(body, code, text):
    fault = client.parse_document(body)
    assert client._fault_fields(fault) == (code, text)  # pylint: disable=protected-access


# Input validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", None, "x" * 21, "has space", "tab\there", "new\nline", "caf\u00e9", "\x00"])
def test_invalid_credentials_are_rejected_without_echo(value):
    with pytest.raises(client.CsoftInputError) as info:
        client.validate_credential("pin", value)
    if value:
        assert value not in str(info.value)


@pytest.mark.parametrize("value", ["ANOther.61234", "123456", "x" * 20, "a<b&c>"])
def test_valid_credentials(value):
    assert client.validate_credential("username", value) == value


@pytest.mark.parametrize("endpoints", [[], [""], ["ftp://x/sendsms5"], ["www.csoft.co.uk/sendsms5"], ["https://user:pw@host/x"], ["https:///x"]])
def test_invalid_endpoints(endpoints):
    with pytest.raises(client.CsoftInputError, match="endpoint"):
        client.validate_endpoints(endpoints)


def test_endpoints_from_comma_string():
    assert client.validate_endpoints(" http://a/sendsms5 , https://[::1]:8443/sendsms5 ") == ("http://a/sendsms5", "https://[::1]:8443/sendsms5")


@pytest.mark.parametrize("timeout", [0, -1, "soon", None, float("nan"), float("inf")])
def test_invalid_timeout(timeout):
    with pytest.raises(client.CsoftInputError, match="timeout"):
        client.validate_timeout(timeout)


def test_client_repr_hides_pin():
    pin = "Zq8rT4pinXw2Lk9A"
    instance = client.CsoftClient("user.name", pin, endpoints=["http://127.0.0.1:9/sendsms5"])
    assert pin not in repr(instance)
    assert pin not in str(vars(instance).get("username"))
    assert instance.redact(f"echo {pin} back") == "echo ******** back"
