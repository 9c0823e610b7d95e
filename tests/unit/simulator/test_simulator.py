# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the sendsms5 simulator itself, with plain ``requests`` and raw sockets (not the project's client)."""

import calendar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from ansible_collections.csoft.sms.tests.simulator import csoft_simulator as sim
from ansible_collections.csoft.sms.tests.simulator.sendsms5.inbox import Inbox, xsd_datetime
from ansible_collections.csoft.sms.tests.support.accounts import LOW_PIN, LOW_USERNAME, PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.simulator import ControlError, control, inbox, inject_reply
from ansible_collections.csoft.sms.tests.support.vendor import vendor

SOAP_HEADERS = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}
SOAP_ENV = "{http://schemas.xmlsoap.org/soap/envelope/}"
TNS = "{http://www.csoft.co.uk/dtd/sendsms5.xsd}"

# The vendor page's example response documents, byte for byte; the simulator sends exactly these.
VENDOR_CREDIT_RESPONSE = vendor("credit_response")
VENDOR_MESSAGES_RESPONSE = vendor("messages_response")
VENDOR_REPLY_TO_RESPONSE = vendor("reply_to_response")

VENDOR_RESPONSES = {
    "AvailableCredit": VENDOR_CREDIT_RESPONSE,
    "AvailableMessages": VENDOR_MESSAGES_RESPONSE,
    "PermittedReplyTo": VENDOR_REPLY_TO_RESPONSE,
}


def _vendor_request(name):
    """A request example of the vendor page (2001 schema namespaces, one rpc-style with xsi:type), credentials as fields."""
    text = vendor(name).decode("utf-8")
    text = re.sub(r"(<Username[^>]*>)[^<]*(</Username>)", r"\1{username}\2", text)
    return re.sub(r"(<PIN[^>]*>)[^<]*(</PIN>)", r"\1{pin}\2", text)


VENDOR_REQUESTS = {
    "AvailableCredit": _vendor_request("credit_request"),
    "AvailableMessages": _vendor_request("messages_request"),
    "PermittedReplyTo": _vendor_request("reply_to_request"),
}


def envelope(operation, username=USERNAME, pin=PIN, extra="", namespace="http://www.csoft.co.uk/dtd/sendsms5.xsd"):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tns="{namespace}">'
        f"<soap:Body><tns:{operation}><Username>{username}</Username><PIN>{pin}</PIN>{extra}</tns:{operation}>"
        "</soap:Body></soap:Envelope>"
    ).encode()


def submit_envelope(send_to="447700900123", text="hello", reply_to=None, message_id=None, username=USERNAME, pin=PIN, send_time=None):
    # SendOptions in the WSDL's order: SendTimeAbsolute, SendTimeDelay, DeliveryOption, ...
    send_options = "" if send_time is None else f"<SendTimeAbsolute>{send_time}</SendTimeAbsolute>"
    send_options += "<DeliveryOption>Premier</DeliveryOption>"
    extra = f"<Recipient><SendTo>{send_to}</SendTo><SendOptions>{send_options}</SendOptions>"
    extra += f"</Recipient><Message><TextMessage>{text}</TextMessage></Message>"
    if reply_to is not None:
        extra += f"<ReplyTo>{reply_to}</ReplyTo>"
    if message_id is not None:
        extra += f"<MessageIdentifier>{message_id}</MessageIdentifier>"
    return envelope("SubmitMessage", username, pin, extra)


def post(server, body, headers=None, timeout=5, **kwargs):
    headers = SOAP_HEADERS if headers is None else headers
    return requests.post(server.url, data=body, headers=headers, timeout=timeout, **kwargs)


def parse_fault(content):
    root = ET.fromstring(content)
    fault = root.find(SOAP_ENV + "Body/" + SOAP_ENV + "Fault")
    assert fault is not None, content
    return fault.findtext("faultcode"), fault.findtext("faultstring")


def wrapper_of(content):
    body = ET.fromstring(content).find(SOAP_ENV + "Body")
    return body[0]


@pytest.fixture(scope="module")
def shared_server():
    server = sim.SimulatorServer().start()
    yield server
    server.stop()


@pytest.fixture
def server(shared_server):
    shared_server.reset()
    yield shared_server
    shared_server.reset()


# ----- vendor documents -----


@pytest.mark.parametrize("operation", sorted(VENDOR_RESPONSES))
def test_default_account_answers_are_the_vendor_documents_byte_for_byte(server, operation):
    response = post(server, VENDOR_REQUESTS[operation].format(username=USERNAME, pin=PIN).encode())
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content == VENDOR_RESPONSES[operation]
    assert int(response.headers["Content-Length"]) == len(VENDOR_RESPONSES[operation])


def test_other_account_values_are_substituted(server):
    session = requests.Session()
    credit = session.post(server.url, data=envelope("AvailableCredit", LOW_USERNAME, LOW_PIN), headers=SOAP_HEADERS)
    assert credit.content == VENDOR_CREDIT_RESPONSE.replace(b"2.8950", b"0.5000")
    reply_to = session.post(server.url, data=envelope("PermittedReplyTo", LOW_USERNAME, LOW_PIN), headers=SOAP_HEADERS)
    assert reply_to.content == VENDOR_REPLY_TO_RESPONSE.replace(b"447700912345,csoft.co.uk", b"csoft.co.uk")


def test_accounts_json_matches_layout_table():
    accounts = {acct["username"]: acct for acct in sim.load_accounts()}
    assert accounts[USERNAME] == {
        "username": USERNAME,
        "pin": PIN,
        "credit": "2.8950",
        "currency": "GBP",
        "messages": "24",
        "permitted_reply_to": ["447700912345", "csoft.co.uk"],
    }
    assert accounts[LOW_USERNAME]["pin"] == LOW_PIN
    assert accounts[LOW_USERNAME]["credit"] == "0.5000"
    assert accounts[LOW_USERNAME]["messages"] == "4"
    assert accounts[LOW_USERNAME]["permitted_reply_to"] == ["csoft.co.uk"]


# ----- counting, keep-alive, login -----


def test_counts_per_operation_over_one_kept_alive_connection(server):
    session = requests.Session()
    for operation, times in (("AvailableCredit", 3), ("AvailableMessages", 1), ("PermittedReplyTo", 2), ("CollectMessages", 2)):
        for _index in range(times):
            assert session.post(server.url, data=envelope(operation), headers=SOAP_HEADERS, timeout=5).status_code == 200
    assert server.counts() == {
        "AvailableCredit": 3,
        "AvailableMessages": 1,
        "PermittedReplyTo": 2,
        "SubmitMessage": 0,
        "CollectMessages": 2,
        "total": 8,
        "invalid": 0,
    }
    log = server.requests_log()
    assert len(log) == 8
    assert len({entry["client_port"] for entry in log}) == 1, "keep-alive connection was not reused"
    assert [entry["operation"] for entry in log][:3] == ["AvailableCredit"] * 3
    assert all(entry["pin_ok"] and not entry["pin_in_url_or_headers"] for entry in log)


@pytest.mark.parametrize(("username", "pin"), [(USERNAME, "WrongPin12345"), ("Nobody.1", PIN), (USERNAME, ""), (USERNAME, LOW_PIN)])
def test_bad_login_is_a_client_fault(server, username, pin):
    response = post(server, envelope("AvailableCredit", username, pin))
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert parse_fault(response.content) == ("SOAP-ENV:Client", "Invalid Login")
    assert PIN.encode() not in response.content
    assert server.counts()["AvailableCredit"] == 1
    assert server.counts()["invalid"] == 0
    assert server.requests_log()[-1]["pin_ok"] is False


# ----- request validation -----

GOOD = envelope("AvailableCredit")


@pytest.mark.parametrize(
    ("body", "headers", "reason"),
    [
        (envelope("AvailableCredit", namespace="http://example.com/other"), None, "namespace"),
        (GOOD.replace(b"tns:AvailableCredit", b"AvailableCredit"), None, "namespace"),
        (envelope("SendMoney"), None, "Unknown operation"),
        (b"this is not xml", None, "well-formed"),
        (b"", None, "Empty"),
        (GOOD.replace(b"<PIN>%s</PIN>" % PIN.encode(), b""), None, "Missing PIN"),
        (GOOD.replace(b"<Username>%s</Username>" % USERNAME.encode(), b""), None, "Missing Username"),
        (GOOD, {"Content-Type": "application/json", "SOAPAction": '""'}, "Content-Type"),
        (GOOD, {"Content-Type": "text/xml; charset=utf-8"}, "SOAPAction"),
        (GOOD.replace(b"schemas.xmlsoap.org/soap/envelope/", b"www.w3.org/2003/05/soap-envelope"), None, "Envelope"),
        (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n' + GOOD.split(b"?>", 1)[1], None, "DOCTYPE"),
        (
            b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>',
            None,
            "Body is empty",
        ),
        (submit_envelope().replace(b"<SendTo>447700900123</SendTo>", b""), None, "SendTo"),
    ],
)
def test_malformed_requests_are_client_faults_counted_invalid(server, body, headers, reason):
    response = post(server, body, headers)
    assert response.status_code == 500
    code, text = parse_fault(response.content)
    assert code == "SOAP-ENV:Client"
    assert reason in text
    assert PIN not in text
    counts = server.counts()
    assert counts["invalid"] == 1
    assert counts["total"] == 1
    assert sum(counts[op] for op in sim.OPERATIONS) == 0


def test_xsi_type_soap_header_and_chunked_body_are_accepted(server):
    body = envelope("AvailableMessages").replace(b"<Username>", b'<Username xsi:type="xsd:string">')
    body = body.replace(b"<soap:Body>", b"<soap:Header/><soap:Body>")
    body = body.replace(b"<soap:Envelope ", b'<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ')
    response = post(server, iter([body[:50], body[50:]]))  # a generator body is sent chunked
    assert response.status_code == 200
    assert response.content == VENDOR_MESSAGES_RESPONSE


def test_non_post_unknown_path_and_oversized_body(server):
    response = requests.get(server.url, timeout=5)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert requests.get(server.base_url + "/elsewhere", timeout=5).status_code == 404
    assert post(server, b"x" * (sim.MAX_REQUEST_BODY + 1)).status_code == 413
    alt = requests.post(server.base_url + "/some/prefix/sendsms5", data=GOOD, headers=SOAP_HEADERS, timeout=5)
    assert alt.content == VENDOR_CREDIT_RESPONSE
    assert server.counts()["AvailableCredit"] == 1


def test_pin_is_never_logged_and_leaks_are_flagged(server):
    assert post(server, GOOD).status_code == 200
    leak = requests.post(server.url + "?pin=" + PIN, data=GOOD, headers=dict(SOAP_HEADERS, **{"User-Agent": "x/" + PIN}), timeout=5)
    assert leak.status_code == 200
    bad = post(
        server,
        envelope("AvailableCredit", pin="AnotherSecret987"),
        headers=dict(SOAP_HEADERS, Accept="AnotherSecret987"),
    )
    assert bad.status_code == 500
    log = server.requests_log()
    assert [entry["pin_in_url_or_headers"] for entry in log] == [False, True, True]
    assert [entry["pin_ok"] for entry in log] == [True, True, False]
    dumped = json.dumps(log)
    assert PIN not in dumped
    assert "AnotherSecret987" not in dumped
    assert "********" in log[1]["query"]
    assert "********" in log[1]["headers"]["User-Agent"]


# ----- SubmitMessage -----


def test_submit_message(server):
    first = post(server, submit_envelope(send_to="447700900123,447700900456", reply_to="csoft.co.uk"))
    assert first.status_code == 200
    wrapper = wrapper_of(first.content)
    assert wrapper.tag == TNS + "SubmitMessageResponse"
    assert [child.tag for child in wrapper] == ["MessageIdentifier", "Report", "Text", "LibraryNumber", "Reserved"]
    assert (wrapper.findtext("MessageIdentifier"), wrapper.findtext("Report"), wrapper.findtext("Text")) == (
        "1000",
        "0",
        "Message Sent OK",
    )
    assert b"<LibraryNumber/>" in first.content
    assert first.content.startswith(VENDOR_CREDIT_RESPONSE.partition(b"<SOAP-ENV:Body>")[0])
    assert wrapper_of(post(server, submit_envelope()).content).findtext("MessageIdentifier") == "1001"
    assert wrapper_of(post(server, submit_envelope(message_id="abc-7")).content).findtext("MessageIdentifier") == "abc-7"

    refused = wrapper_of(post(server, submit_envelope(reply_to="447999999999")).content)
    assert (refused.findtext("MessageIdentifier"), refused.findtext("Report"), refused.findtext("Text")) == (
        "-1",
        "3",
        "ReplyTo not permitted",
    )
    bad = post(server, submit_envelope(pin="nope12345"))
    assert bad.status_code == 500
    assert parse_fault(bad.content)[1] == "Invalid Login"

    messages = server.messages()
    assert [msg["message_identifier"] for msg in messages] == ["1000", "1001", "abc-7"]
    assert messages[0]["recipients"] == ["447700900123", "447700900456"]
    assert messages[0]["text"] == "hello"
    assert messages[0]["reply_to"] == "csoft.co.uk"
    assert messages[0]["delivery_option"] == "Premier"
    assert messages[0]["send_time_absolute"] is None
    assert PIN not in json.dumps(messages)
    assert server.counts()["SubmitMessage"] == 5
    assert requests.get(server.base_url + "/_sim/messages", timeout=5).json() == messages


@pytest.mark.parametrize("send_time", ["2026-12-08T09:00:00Z", "2026-12-08T10:00:00+01:00", ""])
def test_submit_message_records_send_time_absolute_sent_in_wsdl_order(server, send_time):
    response = post(server, submit_envelope(send_time=send_time))
    assert response.status_code == 200
    assert wrapper_of(response.content).findtext("Report") == "0"
    [message] = server.messages()
    assert message["send_time_absolute"] == send_time
    assert message["delivery_option"] == "Premier", "DeliveryOption after SendTimeAbsolute is still read"


# ----- CollectMessages and the inbound queue -----

TNS_URI = "http://www.csoft.co.uk/dtd/sendsms5.xsd"
COLLECT = envelope("CollectMessages")
DEFAULT_TO = "447700912345"
XSD_DATETIME_RE = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\Z")

# CollectMessagesResponse as the WSDL (v5.7) declares it: Report (xsd:int) then MessageList (CollectedMessagesList:
# one or more item of MOMessage: SendTo, ReplyTo, Timestamp1 (xsd:dateTime), Message), no Reserved block; Message
# is a sequence of optional kinds (the binary ones, which the simulator never sends, are left out: stricter).
COLLECT_XSD = f"""<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="{TNS_URI}"
    targetNamespace="{TNS_URI}" elementFormDefault="unqualified">
  <xsd:element name="CollectMessagesResponse">
    <xsd:complexType>
      <xsd:sequence>
        <xsd:element name="Report" type="xsd:int"/>
        <xsd:element name="MessageList" type="tns:CollectedMessagesList"/>
      </xsd:sequence>
    </xsd:complexType>
  </xsd:element>
  <xsd:complexType name="CollectedMessagesList">
    <xsd:sequence>
      <xsd:element name="item" type="tns:MOMessage" minOccurs="{{min_items}}" maxOccurs="unbounded"/>
    </xsd:sequence>
  </xsd:complexType>
  <xsd:complexType name="MOMessage">
    <xsd:sequence>
      <xsd:element name="SendTo" type="xsd:string"/>
      <xsd:element name="ReplyTo" type="xsd:string"/>
      <xsd:element name="Timestamp1" type="xsd:dateTime"/>
      <xsd:element name="Message" type="tns:Message"/>
    </xsd:sequence>
  </xsd:complexType>
  <xsd:complexType name="Message">
    <xsd:sequence>
      <xsd:element name="TextMessage" type="xsd:string" minOccurs="0"/>
      <xsd:element name="FlashMessage" type="xsd:string" minOccurs="0"/>
    </xsd:sequence>
  </xsd:complexType>
</xsd:schema>
"""


def collect_schema(min_items=1):
    """The WSDL's schema; ``min_items=0`` for the empty inbox, which the vendor does not say how to show."""
    return etree.XMLSchema(etree.fromstring(COLLECT_XSD.format(min_items=min_items).encode()))


def assert_follows_wsdl(content, min_items=1):
    wrapper = etree.fromstring(content).find(f"{SOAP_ENV}Body")[0]
    collect_schema(min_items).assertValid(etree.ElementTree(etree.fromstring(etree.tostring(wrapper))))


def collect(server, **kwargs):
    response = post(server, COLLECT, **kwargs)
    assert response.status_code == 200, response.content
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    return response.content


def replies(content):
    """``[(SendTo, ReplyTo, Timestamp1, TextMessage)]`` of a CollectMessagesResponse, its nesting checked on the way."""
    wrapper = wrapper_of(content)
    assert wrapper.tag == TNS + "CollectMessagesResponse"
    assert [child.tag for child in wrapper] == ["Report", "MessageList"]
    assert wrapper.findtext("Report") == "0"
    found = []
    for item in wrapper.find("MessageList"):
        assert item.tag == "item"
        assert [child.tag for child in item] == ["SendTo", "ReplyTo", "Timestamp1", "Message"]
        assert [child.tag for child in item.find("Message")] == ["TextMessage"]
        found.append(tuple(item.findtext(name) for name in ("SendTo", "ReplyTo", "Timestamp1", "Message/TextMessage")))
    return found


def test_collect_messages_on_an_empty_inbox_is_report_0_and_an_empty_message_list(server):
    content = collect(server)
    head = VENDOR_CREDIT_RESPONSE.partition(b"<ns2:")[0]  # declaration, Envelope and its namespaces, Body
    tail = VENDOR_CREDIT_RESPONSE.rpartition(b"</ns2:AvailableCreditResponse>\n")[2]
    assert content == head + b"<ns2:CollectMessagesResponse>\n<Report>0</Report>\n<MessageList></MessageList>\n</ns2:CollectMessagesResponse>\n" + tail
    assert_follows_wsdl(content, min_items=0)
    with pytest.raises(etree.DocumentInvalid):
        assert_follows_wsdl(content)  # the WSDL wants one item at least: the empty list is the documented choice
    assert server.counts()["CollectMessages"] == 1


def test_collect_messages_answers_the_due_replies_in_order_and_removes_them(server):
    started = time.time()
    assert inject_reply(server.base_url, USERNAME, "447700900123", "first", received="2026-12-07T12:00:05Z") == {"ok": True, "queued": 1}
    assert inject_reply(server.url, LOW_USERNAME, "447700900999", "for the other account")["queued"] == 2
    assert inject_reply(server.base_url, USERNAME, "447700900456", "second", to="447700900001")["queued"] == 3
    content = collect(server)
    found = replies(content)
    assert [reply[:2] + reply[3:] for reply in found] == [
        (DEFAULT_TO, "447700900123", "first"),
        ("447700900001", "447700900456", "second"),
    ]
    assert found[0][2] == "2026-12-07T12:00:05Z", "received is sent as is"
    assert XSD_DATETIME_RE.match(found[1][2])
    assert int(started) <= calendar.timegm(time.strptime(found[1][2], "%Y-%m-%dT%H:%M:%SZ")) <= time.time(), "default: when it became due"
    assert_follows_wsdl(content)
    assert b"<Reserved>" not in content
    assert replies(collect(server)) == [], "collected replies leave the queue"
    assert [(msg["username"], msg["text"]) for msg in inbox(server.base_url)] == [(LOW_USERNAME, "for the other account")]
    low = post(server, envelope("CollectMessages", LOW_USERNAME, LOW_PIN))
    assert [reply[1:2] + reply[3:] for reply in replies(low.content)] == [("447700900999", "for the other account")]
    assert server.inbox() == []
    assert server.counts()["CollectMessages"] == 3


@pytest.mark.parametrize(
    ("sender", "text", "needle"),
    [
        ("447700900123", "<b>&</b> \"quoted\" 'single'", b"<TextMessage>&lt;b&gt;&amp;&lt;/b&gt; \"quoted\" 'single'</TextMessage>"),
        ("447700900123", "{{ lookup('pipe','id') }} {% raw %}", b"<TextMessage>{{ lookup('pipe','id') }} {% raw %}</TextMessage>"),
        ("447700900123", "]]> <![CDATA[x", b"<TextMessage>]]&gt; &lt;![CDATA[x</TextMessage>"),
        ("447700900123", "line one\r\nline two \u00e9\u2713", "<TextMessage>line one&#13;\nline two \u00e9\u2713</TextMessage>".encode()),
        ("A&B<Shop>", "hi", b"<ReplyTo>A&amp;B&lt;Shop&gt;</ReplyTo>"),
    ],
)
def test_collect_messages_escapes_every_value(server, sender, text, needle):
    inject_reply(server.base_url, USERNAME, sender, text)
    content = collect(server)
    assert needle in content
    [(_to, got_sender, _received, got_text)] = replies(content)
    assert (got_sender, got_text) == (sender, text)
    assert_follows_wsdl(content)


_XML_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff" + "".join(map(chr, range(32))) + "\x7f") | st.sampled_from(
    "\t\n\r"
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(_XML_CHARS, max_size=60))
def test_any_text_survives_the_round_trip(shared_server, text):
    shared_server.reset()
    shared_server.inject_reply(USERNAME, "447700900123", text)
    assert replies(collect(shared_server))[0][3] == text


def test_kept_replies_are_answered_on_every_collect(server):
    inject_reply(server.base_url, USERNAME, "447700900123", "again and again", keep=True)
    inject_reply(server.base_url, USERNAME, "447700900456", "once")
    assert [reply[3] for reply in replies(collect(server))] == ["again and again", "once"]
    assert [reply[3] for reply in replies(collect(server))] == ["again and again"]
    assert [reply[3] for reply in replies(collect(server))] == ["again and again"]
    [kept] = inbox(server.base_url)
    assert (kept["text"], kept["keep"]) == ("again and again", True)


def test_delayed_replies_are_collectable_only_once_due(server):
    before = time.time()
    inject_reply(server.base_url, USERNAME, "447700900123", "much later", delay=30)
    after = time.time()
    assert replies(collect(server)) == []
    [waiting] = inbox(server.base_url)
    assert before + 30 <= waiting["due"] <= after + 30
    assert waiting["received"] == xsd_datetime(waiting["due"]), "received defaults to when the reply becomes due"
    inject_reply(server.base_url, USERNAME, "447700900456", "soon", delay=0.2)
    soon = inbox(server.base_url)[1]
    time.sleep(max(0.0, soon["due"] - time.time()) + 0.05)
    assert [reply[3] for reply in replies(collect(server))] == ["soon"]
    assert [msg["text"] for msg in server.inbox()] == ["much later"]


def test_inbox_due_time_follows_its_clock():
    now = [1796644800.0]  # 2026-12-07T12:00:00Z
    queue = Inbox(clock=lambda: now[0])
    assert queue.add(USERNAME, "447700900123", "later", delay=5) == 1
    assert queue.add(USERNAME, "447700900456", "now", received="odd form") == 2
    assert [msg["text"] for msg in queue.collect(USERNAME)] == ["now"]
    now[0] += 4.999
    assert queue.collect(USERNAME) == []
    now[0] += 0.001
    [due] = queue.collect(USERNAME)
    assert (due["text"], due["received"], due["due"]) == ("later", "2026-12-07T12:00:05Z", 1796644805.0)
    assert queue.messages() == []


@pytest.mark.parametrize("pin", ["WrongPin12345", ""])
def test_collect_messages_with_a_wrong_pin_faults_and_leaves_the_queue(server, pin):
    inject_reply(server.base_url, USERNAME, "447700900123", "still here")
    response = post(server, envelope("CollectMessages", USERNAME, pin))
    assert response.status_code == 500
    assert parse_fault(response.content) == ("SOAP-ENV:Client", "Invalid Login")
    assert b"still here" not in response.content
    assert server.counts()["CollectMessages"] == 1
    assert server.requests_log()[-1]["pin_ok"] is False
    assert [msg["text"] for msg in server.inbox()] == ["still here"]


def test_collect_messages_in_content_modes_follows_the_other_operations(server):
    inject_reply(server.base_url, USERNAME, "447700900123", "lost in a broken answer")
    server.set_mode("fault", operation="CollectMessages")
    assert parse_fault(post(server, COLLECT).content)[1] == "Invalid Login"
    assert len(server.inbox()) == 1, "a mode that answers before the login does nothing"
    server.set_mode("big:0.1")
    response = post(server, COLLECT)
    assert len(response.content) == int(0.1 * 1024 * 1024)
    assert [reply[3] for reply in replies(response.content)] == ["lost in a broken answer"]
    assert server.inbox() == [], "the service collected the reply, whatever became of its answer"
    assert server.counts()["CollectMessages"] == 2


def test_inbox_control_endpoint(server):
    base = server.base_url + "/_sim/inbox"
    assert requests.get(base, timeout=5).json() == []
    payload = {"username": USERNAME, "from": "447700900123", "text": "hi", "to": "447700900002", "received": "2026-12-07T12:00:05+00:00"}
    reply = requests.post(base, json=dict(payload, delay=0, keep=False), timeout=5)
    assert (reply.status_code, reply.json()) == (200, {"ok": True, "queued": 1})
    [queued] = requests.get(base, timeout=5).json()
    assert set(queued) == {"username", "from", "to", "text", "received", "due", "keep"}
    assert {key: queued[key] for key in payload} == payload
    assert queued["keep"] is False
    assert requests.delete(base, timeout=5).status_code == 405
    assert replies(collect(server))[0][2] == "2026-12-07T12:00:05+00:00"
    assert server.counts() == dict.fromkeys(sim.COUNT_KEYS, 0) | {"CollectMessages": 1, "total": 1}, "control requests are not counted"


GOOD_REPLY = {"username": USERNAME, "from": "447700900123", "text": "hi"}


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"from": "447700900123", "text": "hi"},
        {"username": USERNAME, "text": "hi"},
        {"username": USERNAME, "from": "447700900123"},
        dict(GOOD_REPLY, username="Nobody.1"),
        dict(GOOD_REPLY, username=5),
        dict(GOOD_REPLY, **{"from": ""}),
        dict(GOOD_REPLY, **{"from": ["447700900123"]}),
        dict(GOOD_REPLY, text=5),
        dict(GOOD_REPLY, text="nul \x00 byte"),
        dict(GOOD_REPLY, to=""),
        dict(GOOD_REPLY, received=1796644805),
        dict(GOOD_REPLY, delay=-1),
        dict(GOOD_REPLY, delay="3"),
        dict(GOOD_REPLY, delay=True),
        dict(GOOD_REPLY, delay=float("inf")),
        dict(GOOD_REPLY, keep="yes"),
        dict(GOOD_REPLY, delay_s=3),
        [GOOD_REPLY],
    ],
)
def test_inbox_control_endpoint_refuses_bad_payloads(server, payload):
    reply = requests.post(server.base_url + "/_sim/inbox", data=json.dumps(payload), timeout=5)  # json.dumps writes Infinity
    assert reply.status_code == 400
    assert reply.json()["error"]
    assert server.inbox() == []
    assert requests.post(server.base_url + "/_sim/inbox", json=GOOD_REPLY, timeout=5).status_code == 200, "the good form is accepted"


def test_reset_clears_the_inbox(server):
    inject_reply(server.base_url, USERNAME, "447700900123", "kept", keep=True)
    inject_reply(server.base_url, USERNAME, "447700900123", "later", delay=30)
    assert len(server.inbox()) == 2
    assert control(server.url, "reset", {}) == (200, {"ok": True})
    assert server.inbox() == []
    assert replies(collect(server)) == []


def test_pair_over_https_shares_the_inbox():
    with sim.start_pair(tls=True) as pair:
        ca = pair.ca_pem_path
        assert inject_reply(pair.primary.base_url, USERNAME, "447700900123", "via the primary", ca=ca)["queued"] == 1
        pair.inject_reply(USERNAME, "447700900456", "kept", keep=True)
        assert inbox(pair.secondary.url, ca=ca) == inbox(pair.primary.url, ca=ca) == pair.inbox()
        content = collect(pair.secondary, verify=ca)
        assert [reply[3] for reply in replies(content)] == ["via the primary", "kept"]
        assert [reply[3] for reply in replies(collect(pair.primary, verify=ca))] == ["kept"]
        assert pair.counts()["secondary"]["CollectMessages"] == 1
        assert pair.counts()["primary"]["CollectMessages"] == 1
        with pytest.raises(ControlError, match="400"):
            inject_reply(pair.secondary.base_url, "Nobody.1", "447700900123", "x", ca=ca)
        pair.secondary.reset()
        assert pair.primary.inbox() == [], "one queue: resetting either server clears it"


@pytest.mark.parametrize("operation", sim.OPERATIONS)
def test_every_operation_counts_and_faults_in_a_pre_mode(server, operation):
    body = submit_envelope() if operation == "SubmitMessage" else envelope(operation)
    server.set_mode("fault200")
    response = post(server, body)
    assert response.status_code == 200
    assert parse_fault(response.content) == ("SOAP-ENV:Client", "Invalid Login")
    server.set_mode("ok")
    assert post(server, body).status_code == 200
    assert server.counts()[operation] == 2
    assert server.counts()["total"] == 2


# ----- modes -----


def test_pre_modes_ignore_the_login_and_still_count(server):
    for mode, status in (("fault", 500), ("fault200", 200)):
        server.set_mode(mode)
        response = post(server, GOOD)
        assert response.status_code == status
        assert parse_fault(response.content) == ("SOAP-ENV:Client", "Invalid Login")
    server.set_mode("html500")
    response = post(server, GOOD)
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/html")
    assert b"<html>" in response.content
    for code in (503, 401, 429, 404):
        server.set_mode(f"status:{code}")
        response = post(server, GOOD)
        assert response.status_code == code
        assert response.content.startswith(b"%d " % code)
    for code in (301, 302):
        server.set_mode(f"redirect:{code}")
        response = post(server, GOOD, allow_redirects=False)
        assert response.status_code == code
        assert response.headers["Location"] == "http://127.0.0.2:9/elsewhere"
    server.set_mode("garbage")
    response = post(server, GOOD)
    assert response.status_code == 200
    with pytest.raises(ET.ParseError):
        ET.fromstring(response.content)
    server.set_mode("empty")
    response = post(server, GOOD)
    assert (response.status_code, response.content) == (200, b"")
    assert server.counts()["AvailableCredit"] == 11
    assert [entry["mode"] for entry in server.requests_log()][-1] == "empty"


def _value(content, name):
    return wrapper_of(content).findtext(name)


@pytest.mark.parametrize(
    ("mode", "operation", "check"),
    [
        ("credit-na", "AvailableCredit", lambda content: _value(content, "Credit") == "N/A"),
        ("messages-negative", "AvailableMessages", lambda content: _value(content, "Messages") == "-5"),
        ("messages-fraction", "AvailableMessages", lambda content: _value(content, "Messages") == "24.5"),
        ("replyto-empty", "PermittedReplyTo", lambda content: b"<PermittedReplyTo></PermittedReplyTo>" in content),
        ("missing", "AvailableCredit", lambda content: wrapper_of(content).find("Credit") is None),
        ("missing", "AvailableMessages", lambda content: [el.tag for el in wrapper_of(content)] == ["Reserved"]),
        ("missing", "PermittedReplyTo", lambda content: [el.tag for el in wrapper_of(content)] == ["Reserved"]),
        (
            "wrong-wrapper",
            "AvailableCredit",
            lambda content: wrapper_of(content).tag == TNS + "AvailableMessagesResponse",
        ),
        (
            "wrong-wrapper",
            "PermittedReplyTo",
            lambda content: wrapper_of(content).tag == TNS + "AvailableMessagesResponse",
        ),
        (
            "wrong-wrapper",
            "AvailableMessages",
            lambda content: wrapper_of(content).tag == TNS + "AvailableCreditResponse",
        ),
        ("credit-na", "AvailableMessages", lambda content: content == VENDOR_MESSAGES_RESPONSE),
        ("missing", "CollectMessages", lambda content: list(wrapper_of(content)) == []),
        (
            "wrong-wrapper",
            "CollectMessages",
            lambda content: wrapper_of(content).tag == TNS + "AvailableMessagesResponse",
        ),
        ("credit-na", "CollectMessages", lambda content: [el.tag for el in wrapper_of(content)] == ["Report", "MessageList"]),
    ],
)
def test_value_modes(server, mode, operation, check):
    server.set_mode(mode)
    response = post(server, envelope(operation))
    assert response.status_code == 200
    assert check(response.content), response.content
    assert post(server, envelope(operation, pin="wrong-pin-1")).status_code == 500, "bad login still faults"


@pytest.mark.parametrize(
    ("mode", "operation", "needles"),
    [
        ("xxe", "AvailableCredit", [b'<!ENTITY xxe SYSTEM "file:///etc/hostname">', b"<Credit>&xxe;</Credit>"]),
        ("xxe", "PermittedReplyTo", [b"<PermittedReplyTo>&xxe;</PermittedReplyTo>"]),
        ("bomb", "AvailableMessages", [b'<!ENTITY lol9 "&lol8;&lol8;', b"<Messages>&lol9;</Messages>"]),
        ("dtd-remote", "AvailableCredit", [b'<!DOCTYPE SOAP-ENV:Envelope SYSTEM "http://127.0.0.1:9/evil.dtd">']),
        ("xxe", "CollectMessages", [b"<Report>&xxe;</Report>\n<MessageList></MessageList>\n"]),
        ("bomb", "CollectMessages", [b"<Report>&lol9;</Report>"]),
    ],
)
def test_hostile_dtd_modes(server, mode, operation, needles):
    server.set_mode(mode)
    response = post(server, envelope(operation))
    assert response.status_code == 200
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE SOAP-ENV:Envelope ')
    for needle in needles:
        assert needle in response.content


def test_truncated_and_big(server):
    server.set_mode("truncated")
    response = post(server, GOOD)
    assert response.status_code == 200
    assert response.content == VENDOR_CREDIT_RESPONSE[: len(VENDOR_CREDIT_RESPONSE) // 2]
    server.set_mode("big:1")
    response = post(server, GOOD, stream=True)
    assert int(response.headers["Content-Length"]) == 1024 * 1024
    content = b"".join(response.iter_content(65536))
    assert len(content) == 1024 * 1024
    assert _value(content, "Credit") == "2.8950"  # well-formed: a huge comment inside the wrapper
    assert content.startswith(VENDOR_CREDIT_RESPONSE.partition(b"<Currency>")[0] + b"<!--xxxx")


def test_slow_and_per_operation_modes(server):
    # 1 s: wide enough that an unslowed answer stays under it on a loaded machine
    server.set_mode("slow:1", operation="AvailableCredit")
    assert server.mode("AvailableCredit") == "slow:1"
    assert server.mode("AvailableMessages") == "ok"
    started = time.monotonic()
    assert post(server, GOOD).content == VENDOR_CREDIT_RESPONSE
    assert time.monotonic() - started >= 1
    started = time.monotonic()
    assert post(server, envelope("AvailableMessages")).content == VENDOR_MESSAGES_RESPONSE
    assert time.monotonic() - started < 1
    server.set_mode("ok")
    assert server.modes() == {"mode": "ok", "operations": {}}


@pytest.mark.parametrize("mode", ["nonsense", "status", "status:99", "status:abc", "redirect:200", "slow:-1", "big:", "xxe:3", ""])
def test_invalid_modes_are_rejected(server, mode):
    with pytest.raises(ValueError):
        server.set_mode(mode)
    with pytest.raises(ValueError):
        server.set_mode("ok", operation="NoSuchOp")


def raw_request(server, body, timeout=5):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    head = 'POST /sendsms5 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nSOAPAction: ""\r\n'
    sock.sendall(head.encode() + b"Content-Length: %d\r\n\r\n" % len(body) + body)
    return sock


def read_headers(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(1)
        assert chunk, "connection closed before the headers"
        data += chunk
    return data


def test_drip_sends_one_byte_at_a_time(server):
    server.set_mode("drip:0.05")
    with raw_request(server, GOOD) as sock:
        headers = read_headers(sock)
        assert b"HTTP/1.1 200" in headers
        assert b"Content-Length: %d" % len(VENDOR_CREDIT_RESPONSE) in headers
        started = time.monotonic()
        received = b""
        while len(received) < 4:
            received += sock.recv(100)
        assert received.startswith(b"<?xm")
        assert time.monotonic() - started >= 0.1
        sock.settimeout(0.01)
        with pytest.raises(socket.timeout):
            while True:  # nothing queued: the rest is still dripping
                assert len(sock.recv(100)) <= 1
    server.set_mode("drip")
    assert server.mode() == "drip"
    assert sim.parse_mode("drip") == ("drip", 1.0)


def test_hang_close_and_read_timeouts(server):
    server.set_mode("hang")
    with pytest.raises(requests.exceptions.ReadTimeout):
        post(server, GOOD, timeout=0.3)
    server.set_mode("close")
    with pytest.raises(requests.exceptions.ConnectionError):
        post(server, GOOD)
    assert server.counts()["AvailableCredit"] == 2
    assert [entry["status"] for entry in server.requests_log()] == [None, None]


def test_stop_returns_promptly_while_a_handler_hangs():
    server = sim.SimulatorServer().start()
    server.set_mode("hang")
    outcome = {}

    def client():
        try:
            post(server, GOOD, timeout=10)
        except requests.exceptions.RequestException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=client, daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while server.counts()["total"] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.counts()["AvailableCredit"] == 1
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 1.5
    thread.join(3)
    assert not thread.is_alive()
    assert isinstance(outcome.get("error"), requests.exceptions.ConnectionError)
    with pytest.raises(requests.exceptions.ConnectionError):
        post(server, GOOD, timeout=1)
    server.stop()  # idempotent


def test_stop_closes_idle_keep_alive_connections():
    with sim.SimulatorServer() as server:
        sock = raw_request(server, GOOD)
        read_headers(sock)
        sock.recv(len(VENDOR_CREDIT_RESPONSE))
    sock.settimeout(2)
    data = sock.recv(100)
    while data:
        data = sock.recv(100)  # EOF arrives promptly after stop()
    sock.close()


# ----- control API -----


def test_control_api(server):
    base = server.base_url + "/_sim"
    assert post(server, GOOD).status_code == 200
    counts = requests.get(base + "/counts", timeout=5).json()
    assert counts == server.counts()
    assert counts["AvailableCredit"] == 1
    reply = requests.post(base + "/mode", json={"mode": "fault", "operation": "AvailableMessages"}, timeout=5)
    assert reply.status_code == 200
    assert server.mode("AvailableMessages") == "fault"
    assert requests.get(base + "/mode", timeout=5).json() == {
        "mode": "ok",
        "operations": {"AvailableMessages": "fault"},
    }
    assert post(server, envelope("AvailableMessages")).status_code == 500
    assert requests.post(base + "/mode", json={"mode": "bogus"}, timeout=5).status_code == 400
    assert requests.post(base + "/mode", data="not json", timeout=5).status_code == 400
    log = requests.get(base + "/log", timeout=5).json()
    assert [entry["operation"] for entry in log] == ["AvailableCredit", "AvailableMessages"]
    assert requests.get(base + "/nothing", timeout=5).status_code == 404
    assert requests.get(base + "/reset", timeout=5).status_code == 405
    health = requests.get(base + "/health", timeout=5).json()
    assert health["ok"] is True
    assert health["url"] == server.url
    reply = requests.post(base + "/account", json={"username": LOW_USERNAME, "credit": "7.2500"}, timeout=5)
    assert reply.status_code == 200
    assert b"<Credit>7.2500</Credit>" in post(server, envelope("AvailableCredit", LOW_USERNAME, LOW_PIN)).content
    server.update_account(LOW_USERNAME, credit="0.5000")
    assert requests.post(base + "/reset", timeout=5).json() == {"ok": True}
    assert server.counts() == dict.fromkeys(sim.COUNT_KEYS, 0), "control requests are not counted"
    assert server.mode("AvailableMessages") == "ok"
    assert server.requests_log() == []


# ----- pairs, TLS, helpers -----


def test_pair_over_https_shares_ca_and_accounts():
    with sim.start_pair(tls=True) as pair:
        assert pair.primary.url.startswith("https://127.0.0.1:")
        assert pair.primary.port != pair.secondary.port
        assert pair.urls == [pair.primary.url, pair.secondary.url]
        for server in pair.servers:
            response = post(server, GOOD, verify=pair.ca_pem_path)
            assert response.content == VENDOR_CREDIT_RESPONSE
        with open(pair.ca_pem_path, "rb") as handle:
            assert handle.read() == pair.secondary.ca_pem
        with pytest.raises(requests.exceptions.SSLError):
            post(pair.primary, GOOD, verify=True)
        pair.update_account(USERNAME, credit="3.0000")
        assert b"<Credit>3.0000</Credit>" in post(pair.secondary, GOOD, verify=pair.ca_pem_path).content
        assert pair.counts() == {
            "primary": dict(pair.primary.counts()),
            "secondary": dict(pair.secondary.counts()),
        }
        assert pair.counts()["secondary"]["AvailableCredit"] == 2
        assert pair.primary.requests_log()[0]["tls"] is True
        # verify= per request: a Session.verify is overridden by REQUESTS_CA_BUNDLE when that is set.
        counts = requests.get(pair.primary.base_url + "/_sim/counts", verify=pair.ca_pem_path, timeout=5).json()
        assert counts["total"] == 1  # the verify=True attempt never got past the handshake
    assert not os.path.exists(pair.ca_pem_path)


def test_tls_rejects_plain_http_and_other_ca():
    with sim.SimulatorServer(tls=True) as server, sim.SimulatorServer(tls=True) as other:
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.post(server.url.replace("https:", "http:"), data=GOOD, headers=SOAP_HEADERS, timeout=2)
        with pytest.raises(requests.exceptions.SSLError):
            post(server, GOOD, verify=other.ca_pem_path)
        assert post(server, GOOD, verify=server.ca_pem_path).status_code == 200


def test_custom_accounts():
    accounts = [{"username": "Custom.1", "pin": "CustomPin99x", "credit": 12.5, "messages": 100, "permitted_reply_to": "a,b"}]
    with sim.SimulatorServer(accounts=accounts, name="custom") as server:
        assert _value(post(server, envelope("AvailableCredit", "Custom.1", "CustomPin99x")).content, "Credit") == "12.5000"
        assert _value(post(server, envelope("PermittedReplyTo", "Custom.1", "CustomPin99x")).content, "PermittedReplyTo") == "a,b"
        assert post(server, GOOD).status_code == 500


# ----- CLI -----


def test_cli_ready_file_and_sigterm(tmp_path):
    ready = tmp_path / "ready.json"
    ca_out = tmp_path / "ca.pem"
    cmd = [
        sys.executable,
        sim.__file__,
        "--port",
        "0",
        "--secondary-port",
        "0",
        "--tls",
        "--ca-out",
        str(ca_out),
        "--mode",
        "credit-na",
        "--ready-file",
        str(ready),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while not ready.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "simulator did not become ready"
            time.sleep(0.05)
        info = json.loads(ready.read_text())
        assert set(info) == {"primary", "secondary", "ca", "pid"}
        assert info["pid"] == proc.pid
        assert info["ca"] == str(ca_out)
        assert info["primary"].startswith("https://127.0.0.1:") and info["primary"].endswith("/sendsms5")
        assert info["secondary"] != info["primary"]
        for url in (info["primary"], info["secondary"]):
            response = requests.post(url, data=GOOD, headers=SOAP_HEADERS, verify=info["ca"], timeout=5)
            assert _value(response.content, "Credit") == "N/A"
            counts = requests.get(url.replace("/sendsms5", "/_sim/counts"), verify=info["ca"], timeout=5).json()
            assert counts["AvailableCredit"] == 1
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr
    lines = stdout.decode().splitlines()
    assert lines[0] == "csoft simulator primary: " + info["primary"]
    assert lines[1] == "csoft simulator secondary: " + info["secondary"]
    assert PIN.encode() not in stdout + stderr
    assert stderr == b""
    assert not ready.exists()


def test_cli_rejects_bad_mode():
    result = subprocess.run([sys.executable, sim.__file__, "--mode", "bogus"], capture_output=True, timeout=30, check=False)
    assert result.returncode == 2
    assert b"unknown simulator mode" in result.stderr


def test_cli_tls_without_trustme_is_one_line(tmp_path):
    # trustme made unimportable for the child (a module named trustme that raises ImportError comes first)
    (tmp_path / "trustme.py").write_text("raise ImportError('No module named trustme')\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    cmd = [sys.executable, sim.__file__, "--tls", "--port", "0", "--ready-file", str(tmp_path / "ready.json")]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False, env=env)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "csoft simulator: cannot start: HTTPS (--tls) needs the Python package trustme, which is not installed: "
        "pip install trustme (tests/requirements.txt lists it)"
    ]
    assert not (tmp_path / "ready.json").exists()


# ----- robustness -----


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=300) | st.text(alphabet="<>/=\"' abcSOAP:xmlns&;!-?", max_size=200).map(str.encode))
def test_arbitrary_bodies_get_a_client_fault(shared_server, body):
    response = post(shared_server, body)
    assert response.status_code == 500
    assert parse_fault(response.content)[0] == "SOAP-ENV:Client"
