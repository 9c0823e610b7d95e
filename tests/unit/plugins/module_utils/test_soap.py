# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_soap.py: envelope building, the hardened parser, faults; hostile XML also through the client over loopback."""

import os

import pytest
from lxml import etree

from ansible_collections.csoft.sms.plugins.module_utils import _account as account
from ansible_collections.csoft.sms.plugins.module_utils import _errors as errors
from ansible_collections.csoft.sms.plugins.module_utils import _soap as soap
from ansible_collections.csoft.sms.tests.support.clients import ACCOUNT_OPERATIONS as OPS
from ansible_collections.csoft.sms.tests.support.clients import exception_texts, make_client, operation_counts
from ansible_collections.csoft.sms.tests.support.network import Listener, RawServer, http_answer
from ansible_collections.csoft.sms.tests.support.vendor import vendor

# Requests: what we send has the vendor's shape ------------------------------------------------------


@pytest.mark.parametrize(
    "operation, example",
    [("AvailableCredit", "credit_request"), ("AvailableMessages", "messages_request"), ("PermittedReplyTo", "reply_to_request")],
)
def test_envelope_matches_vendor_request(operation, example):
    ours = etree.fromstring(soap.build_envelope(operation, "ANother.123456", "123456789"))
    theirs = etree.fromstring(vendor(example))

    def shape(root):
        wrapper = root.find(f"{{{soap.SOAP11_ENV_NS}}}Body")[0]
        return root.tag, wrapper.tag, [(child.tag, (child.text or "").strip()) for child in wrapper]

    ours_shape, theirs_shape = shape(ours), shape(theirs)
    assert ours_shape[0] == theirs_shape[0] == f"{{{soap.SOAP11_ENV_NS}}}Envelope"
    assert ours_shape[1] == theirs_shape[1] == f"{{{soap.CSOFT_NS}}}{operation}"
    # Children are unqualified; the vendor's usernames differ between examples, so compare names only.
    assert [pair[0] for pair in ours_shape[2]] == [pair[0] for pair in theirs_shape[2]] == ["Username", "PIN"]
    assert ours_shape[2] == [("Username", "ANother.123456"), ("PIN", "123456789")]


def test_envelope_escapes_markup_in_values():
    raw = soap.build_envelope("AvailableCredit", "a<b&c", "p</PIN><x>")
    wrapper = etree.fromstring(raw).find(f"{{{soap.SOAP11_ENV_NS}}}Body")[0]
    assert [child.tag for child in wrapper] == ["Username", "PIN"]
    assert wrapper[0].text == "a<b&c"
    assert wrapper[1].text == "p</PIN><x>"
    assert b"<x>" not in raw


def test_envelope_nested_fields_keep_order_and_skip_none():
    raw = soap.build_envelope("SubmitMessage", "u", "p", (("Recipient", (("SendTo", "447700900001"),)), ("ReplyTo", None), ("Message", "hi")))
    wrapper = etree.fromstring(raw).find(f"{{{soap.SOAP11_ENV_NS}}}Body")[0]
    assert [child.tag for child in wrapper] == ["Username", "PIN", "Recipient", "Message"]
    assert wrapper[2][0].tag == "SendTo" and wrapper[2][0].text == "447700900001"


# Documents that are not a SOAP answer ---------------------------------------------------------------


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
    with pytest.raises(errors.CsoftResponseError, match=message):
        soap.parse_document(body)


# Hostile XML ----------------------------------------------------------------------------------------


def test_external_entity_is_refused_and_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>'
        '<ns2:AvailableMessagesResponse xmlns:ns2="http://www.csoft.co.uk/dtd/sendsms5.xsd"><Messages>&xxe;</Messages>'
        "</ns2:AvailableMessagesResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ).encode()
    with pytest.raises(errors.CsoftResponseError, match="DOCTYPE") as info:
        account.parse_response("AvailableMessages", body)
    assert "TOP-SECRET" not in str(info.value)


def test_billion_laughs_is_refused_quickly():
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    body = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY l0 "lol">{entities}]>'
        '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><m>&l9;</m></e:Body></e:Envelope>'
    ).encode()
    with pytest.raises(errors.CsoftResponseError, match="DOCTYPE"):
        soap.parse_document(body)


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
    with pytest.raises(errors.CsoftResponseError, match="DOCTYPE|network entity"):
        soap.parse_document(doc)
    if not dtd:
        root = etree.fromstring(doc, soap.safe_parser())
        assert "TOP-SECRET" not in "".join(root.itertext())


# XXE and DTDs through the client: nothing is read, fetched or echoed --------------------------------


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-7c1f9e")
    return path


def xxe_documents(secret, sentinel):
    envelope = (
        '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>'
        '<ns2:AvailableMessagesResponse xmlns:ns2="http://www.csoft.co.uk/dtd/sendsms5.xsd"><Messages>{value}</Messages>'
        "</ns2:AvailableMessagesResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )
    xinclude = f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://{secret}" parse="text"/>'
    return {
        "file entity": f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>' + envelope.format(value="&e;"),
        "parameter entity": f'<!DOCTYPE x [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>' + envelope.format(value="1"),
        "remote DTD": f'<!DOCTYPE x SYSTEM "{sentinel}">' + envelope.format(value="1"),
        "remote entity": f'<!DOCTYPE x [<!ENTITY e SYSTEM "{sentinel}">]>' + envelope.format(value="&e;"),
        "xinclude": envelope.format(value=xinclude),
        "utf-16 file entity": f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>' + envelope.format(value="&e;"),
        "utf-16 remote DTD": f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x SYSTEM "{sentinel}">' + envelope.format(value="1"),
    }


@pytest.mark.parametrize("status", [200, 500])
def test_xxe_variants_read_and_fetch_nothing(secret_file, status):
    sentinel = Listener()
    try:
        documents = xxe_documents(secret_file, sentinel.url)
        for name, text in documents.items():
            body = text.encode("utf-16") if name.startswith("utf-16") else text.encode()

            def answer(server, conn, request, body=body):
                server.send(conn, http_answer(f"{status} X", body))

            with RawServer(answer) as server, make_client([server.url]) as c, pytest.raises(errors.CsoftError) as info:
                c.available_messages()
            for text_ in exception_texts(info.value):
                assert "TOP-SECRET" not in text_, name
            assert not sentinel.connected(), f"{name}: the client fetched the DTD or entity"
    finally:
        sentinel.close()


def test_simulator_xxe_modes_never_echo_the_file(pair):
    hostname = open("/etc/hostname").read().strip() if os.path.exists("/etc/hostname") else ""  # noqa: SIM115
    for mode in ("xxe", "bomb", "dtd-remote"):
        pair.primary.set_mode(mode)
        for op in OPS:
            with make_client([pair.primary.url]) as c, pytest.raises(errors.CsoftResponseError, match="DOCTYPE") as info:
                c.call(op)
            if len(hostname) >= 4:  # a short host name would match by chance
                assert all(hostname not in text for text in exception_texts(info.value))
    assert operation_counts(pair.primary) == [3, 3, 3]


# SOAP faults ----------------------------------------------------------------------------------------


FAULT11 = b"""<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><SOAP-ENV:Fault>
<faultcode>SOAP-ENV:Client</faultcode><faultstring>Invalid Login</faultstring></SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>"""

FAULT12 = b"""<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault>
<env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason><env:Text xml:lang="en">Bad PIN</env:Text></env:Reason>
</env:Fault></env:Body></env:Envelope>"""


@pytest.mark.parametrize("body, code, text", [(FAULT11, "SOAP-ENV:Client", "Invalid Login"), (FAULT12, "env:Sender", "Bad PIN")])
def test_fault_fields(body, code, text):
    fault = soap.parse_document(body)
    assert soap.fault_fields(fault) == (code, text)
