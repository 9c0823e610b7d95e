# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""SubmitMessage: envelope order and escaping against the vendor WSDL, validation, response classification (no network)."""

import copy
from datetime import datetime, timedelta, timezone

import pytest
from lxml import etree

from ansible_collections.csoft.sms.plugins.module_utils import _errors as errors
from ansible_collections.csoft.sms.plugins.module_utils import _soap as soap
from ansible_collections.csoft.sms.plugins.module_utils import _submit as submit
from ansible_collections.csoft.sms.plugins.module_utils import _times as times
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME

# The <sequence> of each element involved, transcribed from the vendor's WSDL v5.7
# (www.csoft.co.uk/dtd/sendsms5.wsdl, as captured in gregsqueeb/CS157B-WebService,
# build/classes/META-INF/wsdl/www.csoft.co.uk/dtd/www.sendsms5.wsdl). Every child is minOccurs="0".
WSDL_SEQUENCES = {
    "SubmitMessage": ["Username", "PIN", "Recipient", "Message", "ReplyTo", "MessageIdentifier", "Reserved"],
    "Recipient": [
        "SendTo",
        "SendCc",
        "SendBcc",
        "SendToAddressBook",
        "SendCcAddressBook",
        "SendBccAddressBook",
        "PhoneMake",
        "PhoneModel",
        "MCC",
        "MNC",
        "SendOptions",
    ],
    "SendOptions": ["SendTimeAbsolute", "SendTimeDelay", "DeliveryOption", "DisableRepurposing", "DisableWalledGardenRule"],
    "Message": [
        "TextMessage",
        "FlashMessage",
        "Ringtone",
        "OperatorLogo",
        "PictureMessage",
        "GroupGraphic",
        "SmsSubmitPdu",
        "WAPPush",
        "MMSNotification",
    ],
}
WSDL_DELIVERY_OPTIONS = ["Default", "Premier", "LeastCost", "Economy"]
WSDL_RESPONSE_SEQUENCE = ["MessageIdentifier", "Report", "Text", "LibraryNumber", "Reserved"]

# The SubmitMessage request as an XML Schema, written from the same WSDL facts (every element minOccurs="0",
# each sequence in the WSDL's order, SendTimeAbsolute an xsd:dateTime, children unqualified), so that the
# order of the envelope is proven by a schema validator and not only by comparing lists.
_OPTIONAL = 'minOccurs="0"'
SUBMIT_MESSAGE_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="{soap.CSOFT_NS}" elementFormDefault="unqualified">
  <xsd:element name="SubmitMessage">
    <xsd:complexType>
      <xsd:sequence>
        <xsd:element name="Username" type="xsd:string" {_OPTIONAL}/>
        <xsd:element name="PIN" type="xsd:string" {_OPTIONAL}/>
        <xsd:element name="Recipient" {_OPTIONAL}>
          <xsd:complexType>
            <xsd:sequence>
              <xsd:element name="SendTo" type="xsd:string" {_OPTIONAL}/>
              <xsd:element name="SendCc" type="xsd:string" {_OPTIONAL}/>
              <xsd:element name="SendBcc" type="xsd:string" {_OPTIONAL}/>
              <xsd:element name="SendToAddressBook" type="xsd:string" {_OPTIONAL}/>
              <xsd:element name="SendCcAddressBook" type="xsd:string" {_OPTIONAL}/>
              <xsd:element name="SendBccAddressBook" type="xsd:string" {_OPTIONAL}/>
              <xsd:element name="PhoneMake" type="xsd:string" {_OPTIONAL}/>
              <xsd:element name="PhoneModel" type="xsd:string" {_OPTIONAL}/>
              <xsd:element name="MCC" type="xsd:string" {_OPTIONAL}/>
              <xsd:element name="MNC" type="xsd:string" {_OPTIONAL}/>
              <xsd:element name="SendOptions" {_OPTIONAL}>
                <xsd:complexType>
                  <xsd:sequence>
                    <xsd:element name="SendTimeAbsolute" type="xsd:dateTime" {_OPTIONAL}/>
                    <xsd:element name="SendTimeDelay" type="xsd:unsignedShort" {_OPTIONAL}/>
                    <xsd:element name="DeliveryOption" {_OPTIONAL}>
                      <xsd:simpleType>
                        <xsd:restriction base="xsd:string">
                          {"".join(f'<xsd:enumeration value="{option}"/>' for option in WSDL_DELIVERY_OPTIONS)}
                        </xsd:restriction>
                      </xsd:simpleType>
                    </xsd:element>
                    <xsd:element name="DisableRepurposing" type="xsd:boolean" {_OPTIONAL}/>
                    <xsd:element name="DisableWalledGardenRule" type="xsd:boolean" {_OPTIONAL}/>
                  </xsd:sequence>
                </xsd:complexType>
              </xsd:element>
            </xsd:sequence>
          </xsd:complexType>
        </xsd:element>
        <xsd:element name="Message" {_OPTIONAL}>
          <xsd:complexType>
            <xsd:sequence>
              {"".join(f'<xsd:element name="{name}" type="xsd:string" {_OPTIONAL}/>' for name in WSDL_SEQUENCES["Message"])}
            </xsd:sequence>
          </xsd:complexType>
        </xsd:element>
        <xsd:element name="ReplyTo" type="xsd:string" {_OPTIONAL}/>
        <xsd:element name="MessageIdentifier" type="xsd:string" {_OPTIONAL}/>
        <xsd:element name="Reserved" type="xsd:anyType" {_OPTIONAL}/>
      </xsd:sequence>
    </xsd:complexType>
  </xsd:element>
</xsd:schema>
"""
SUBMIT_MESSAGE_SCHEMA = etree.XMLSchema(etree.fromstring(SUBMIT_MESSAGE_XSD.encode("utf-8")))

# The "now" of the send_at tests, and a time after it.
NOW = datetime(2026, 12, 7, 12, 0, 0, tzinfo=timezone.utc)
LATER = "2026-12-08T09:00:00Z"


def request(**overrides):
    values = {"to": ["447700900123"], "message": "deployed 1.2.3"}
    values.update(overrides)
    return submit.prepare_submit(**values)


def envelope_wrapper(req):
    body = soap.build_envelope("SubmitMessage", USERNAME, PIN, submit.submit_fields(req))
    root = etree.fromstring(body)
    return root.find(f"{{{soap.SOAP11_ENV_NS}}}Body")[0], body


def assert_wsdl_order(element):
    """Every child is declared by the WSDL for its parent, unqualified, at most once, in sequence order (recursively)."""
    name = etree.QName(element).localname
    if name not in WSDL_SEQUENCES:
        assert len(element) == 0, f"{name} must hold text only"
        return
    names = []
    for child in element:
        assert etree.QName(child).namespace is None, "children are unqualified (elementFormDefault=unqualified)"
        names.append(child.tag)
        assert_wsdl_order(child)
    sequence = WSDL_SEQUENCES[name]
    assert all(child in sequence for child in names), names
    assert names == sorted(names, key=sequence.index), f"{name} children out of WSDL order: {names}"
    assert len(set(names)) == len(names)


def schema_errors(wrapper):
    """What the SubmitMessage schema finds wrong with ``wrapper`` (a copy validated as a document of its own); [] when valid."""
    document = etree.ElementTree(copy.deepcopy(wrapper))
    if SUBMIT_MESSAGE_SCHEMA.validate(document):
        return []
    return [error.message for error in SUBMIT_MESSAGE_SCHEMA.error_log]


# Envelope --------------------------------------------------------------------------------


def test_full_envelope_follows_wsdl_order():
    req = request(
        to=["447700900123", "447700900456"],
        reply_to="447700912345",
        delivery_option="Premier",
        message_identifier="deploy-42",
    )
    wrapper = envelope_wrapper(req)[0]
    assert wrapper.tag == f"{{{soap.CSOFT_NS}}}SubmitMessage"
    assert_wsdl_order(wrapper)
    assert schema_errors(wrapper) == []
    assert [child.tag for child in wrapper] == ["Username", "PIN", "Recipient", "Message", "ReplyTo", "MessageIdentifier"]
    assert [child.tag for child in wrapper.find("Recipient")] == ["SendTo", "SendOptions"]
    assert wrapper.findtext("Recipient/SendTo") == "447700900123,447700900456"
    assert wrapper.findtext("Recipient/SendOptions/DeliveryOption") == "Premier"
    assert [child.tag for child in wrapper.find("Message")] == ["TextMessage"]
    assert wrapper.findtext("Message/TextMessage") == "deployed 1.2.3"
    assert wrapper.findtext("ReplyTo") == "447700912345"
    assert wrapper.findtext("MessageIdentifier") == "deploy-42"


def test_minimal_envelope_leaves_optional_elements_out():
    wrapper = envelope_wrapper(request())[0]
    assert_wsdl_order(wrapper)
    assert schema_errors(wrapper) == []
    assert [child.tag for child in wrapper] == ["Username", "PIN", "Recipient", "Message"]
    assert [child.tag for child in wrapper.find("Recipient")] == ["SendTo"]


def test_delivery_options_are_the_wsdl_enumeration():
    assert list(submit.DELIVERY_OPTIONS) == WSDL_DELIVERY_OPTIONS
    for option in WSDL_DELIVERY_OPTIONS:
        wrapper = envelope_wrapper(request(delivery_option=option))[0]
        assert wrapper.findtext("Recipient/SendOptions/DeliveryOption") == option


@pytest.mark.parametrize(
    "text",
    [
        "a < b & c > d",
        "</TextMessage><ReplyTo>evil</ReplyTo>",
        "]]> <![CDATA[x]]> &amp; &lt;",
        "quotes \" and ' and <!-- comment -->",
        "line one\nline two\ttab",
        "£5 €3 {braces} [x] ~ ^ | \\",
        "Grüße 👋 до свидания",
    ],
)
def test_text_is_escaped_and_round_trips(text):
    wrapper, body = envelope_wrapper(request(message=text))
    assert wrapper.findtext("Message/TextMessage") == text
    assert [child.tag for child in wrapper.find("Message")] == ["TextMessage"]
    assert wrapper.find("ReplyTo") is None
    assert b"<ReplyTo>evil" not in body
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")


# Recipients ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "to, expected, dropped",
    [
        (["447700900123"], ["447700900123"], []),
        ([" 447700900123 "], ["447700900123"], []),
        ([447700900123], ["447700900123"], []),
        (["1234567"], ["1234567"], []),
        (["123456789012345"], ["123456789012345"], []),
        (["447700900123", "447700900456", "447700900123"], ["447700900123", "447700900456"], ["447700900123"]),
        (["447700900456", "447700900123", "447700900456", "447700900456"], ["447700900456", "447700900123"], ["447700900456", "447700900456"]),
        ("447700900123", ["447700900123"], []),
    ],
)
def test_recipients_accepted(to, expected, dropped):
    assert submit.validate_recipients(to) == (expected, dropped)


@pytest.mark.parametrize(
    "number, hint",
    [
        ("+447700900123", "leading '+'"),
        ("00447700900123", "'00'"),
        ("07700900123", "international format with the country code"),
        ("44 7700 900123", "digits only"),
        ("44-7700-900123", "digits only"),
        ("447700900123,447700900456", "one number per list entry"),
        ("123456", "7 to 15 digits"),
        ("1234567890123456", "7 to 15 digits"),
        ("csoft.co.uk", "digits only"),
        ("٤٤٧٧٠٠٩٠٠١٢٣", "digits only"),
    ],
)
def test_recipients_refused_with_hint(number, hint):
    with pytest.raises(errors.CsoftInputError) as info:
        submit.validate_recipients(["447700900123", number])
    assert hint in str(info.value)
    assert "not sent" in str(info.value)


@pytest.mark.parametrize("to", [[], None, [""], ["  "], [None]])
def test_no_recipient_refused(to):
    with pytest.raises(errors.CsoftInputError, match="not sent"):
        submit.validate_recipients(to)


# Other options --------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["default", "PREMIER", "Cheap", " Premier"])
def test_bad_delivery_option_refused(option):
    with pytest.raises(errors.CsoftInputError, match="Default, Premier, LeastCost, Economy"):
        submit.validate_delivery_option(option)


@pytest.mark.parametrize("identifier", ["-1", "has space", "x" * 51, "tab\t", "naïve", "abc\n"])
def test_bad_message_identifier_refused(identifier):
    with pytest.raises(errors.CsoftInputError, match="message_identifier"):
        submit.validate_message_identifier(identifier)


@pytest.mark.parametrize("value", ["has space", "x" * 65, "a\nb"])
def test_bad_reply_to_refused(value):
    with pytest.raises(errors.CsoftInputError, match="reply_to"):
        submit.validate_reply_to(value)


def test_reply_to_must_be_permitted_exactly():
    permitted = ["447700912345", "csoft.co.uk"]
    submit.check_reply_to("447700912345", permitted)
    submit.check_reply_to(None, permitted)
    for value in ("447700999999", "CSOFT.CO.UK", "44770091234"):
        with pytest.raises(errors.CsoftInputError) as info:
            submit.check_reply_to(value, permitted)
        assert "is not permitted" in str(info.value) and "447700912345, csoft.co.uk" in str(info.value)


def test_optional_values_empty_mean_left_out():
    req = request(reply_to="", delivery_option="", message_identifier="", send_at="")
    assert (req.reply_to, req.delivery_option, req.message_identifier, req.send_at) == (None, None, None, None)


def test_callback_call_keeps_working():
    # sms_notify calls prepare_submit(to, text, reply_to, delivery_option) by position: nothing is scheduled.
    req = submit.prepare_submit(["447700900123"], "deployed", "csoft.co.uk", "Economy")
    assert (req.reply_to, req.delivery_option, req.send_at, req.scheduled_for) == ("csoft.co.uk", "Economy", None, None)


# Scheduled sending (send_at) ------------------------------------------------------------------


@pytest.mark.parametrize(
    "send_at, scheduled_for",
    [
        (LATER, "2026-12-08T09:00:00Z"),
        ("2026-12-08T10:00:00+01:00", "2026-12-08T09:00:00Z"),
        ("2026-12-08T03:30:00-05:30", "2026-12-08T09:00:00Z"),
        ("2026-12-08T09:00:00", "2026-12-08T09:00:00Z"),
        ("2026-12-08T09:00:00.75Z", "2026-12-08T09:00:00Z"),
        ("2026-12-08", "2026-12-08T00:00:00Z"),
        ("2026-12-07T12:00:01Z", "2026-12-07T12:00:01Z"),
        ("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z"),
        (datetime(2026, 12, 8, 10, 0, 0, tzinfo=timezone(timedelta(hours=1))), "2026-12-08T09:00:00Z"),
    ],
)
def test_send_at_in_the_future_is_accepted(send_at, scheduled_for):
    req = request(send_at=send_at, now=NOW)
    assert req.scheduled_for == scheduled_for
    assert req.send_at == datetime.fromisoformat(scheduled_for[:-1]).replace(tzinfo=timezone.utc)
    assert req.send_at.microsecond == 0, "whole seconds, as on the wire"
    wrapper = envelope_wrapper(req)[0]
    assert wrapper.findtext("Recipient/SendOptions/SendTimeAbsolute") == scheduled_for
    assert schema_errors(wrapper) == []


def test_send_at_in_the_past_is_refused_before_anything_is_sent():
    with pytest.raises(errors.CsoftInputError) as info:
        request(send_at="2020-01-01T00:00:00Z", now=NOW)
    assert str(info.value) == (
        "csoft SubmitMessage not sent: send_at '2020-01-01T00:00:00Z' is in the past (now 2026-12-07T12:00:00Z); "
        "give a future time, or leave send_at out to send now"
    )


@pytest.mark.parametrize(
    "send_at",
    [
        "2026-12-07T12:00:00Z",  # now itself is not in the future
        "2026-12-07T12:00:00.5Z",  # on the wire (whole seconds) it is now
        "2026-12-07T11:59:59Z",
        "2026-12-07T12:30:00+01:00",  # 11:30 UTC
        "2026-12-07",
        "0001-01-01T00:00:00Z",
        datetime(2026, 12, 7, 11, 0, 0),
    ],
)
def test_send_at_not_in_the_future_is_refused(send_at):
    with pytest.raises(errors.CsoftInputError, match=r"^csoft SubmitMessage not sent: send_at .* is in the past \(now 2026-12-07T12:00:00Z\)"):
        request(send_at=send_at, now=NOW)


def test_send_at_is_compared_with_the_clock_by_default():
    with pytest.raises(errors.CsoftInputError, match="is in the past"):
        request(send_at="2026-01-01T00:00:00Z")
    tomorrow = times.utc_now() + timedelta(days=1)
    assert request(send_at=times.iso_utc(tomorrow)).scheduled_for == times.iso_utc(tomorrow)


@pytest.mark.parametrize(
    "send_at, why",
    [
        ("nan", "not an ISO 8601 time"),
        ("inf", "not an ISO 8601 time"),
        ("1e308", "not an ISO 8601 time"),
        (1e308, "not a time (give an ISO 8601 text, quoted)"),
        (float("nan"), "not a time (give an ISO 8601 text, quoted)"),
        (2.5, "not a time (give an ISO 8601 text, quoted)"),
        (True, "not a time (give an ISO 8601 text, quoted)"),
        ("99999-01-01T00:00:00", "not an ISO 8601 time"),
        ("9999-12-31T23:59:59-14:00", "outside the times that can be given in UTC"),
        ("x" * 10000, "longer than 64 characters"),
        ("2026-13-45T99:00:00", "not an ISO 8601 time"),
        ("next tuesday", "not an ISO 8601 time"),
    ],
)
def test_send_at_hostile_values_are_one_line(send_at, why):
    with pytest.raises(errors.CsoftInputError) as info:
        request(send_at=send_at, now=NOW)
    message = str(info.value)
    assert message.startswith("csoft SubmitMessage not sent: send_at is ")
    assert why in message and message.endswith("; check the send_at option")
    assert "\n" not in message and len(message) < 300


@pytest.mark.parametrize("send_at", [None, "", "   "])
def test_send_at_not_given_sends_now(send_at):
    req = request(send_at=send_at, delivery_option="Economy", now=NOW)
    assert req.send_at is None and req.scheduled_for is None
    wrapper = envelope_wrapper(req)[0]
    assert [child.tag for child in wrapper.find("Recipient/SendOptions")] == ["DeliveryOption"]


def test_send_at_envelope_order_with_delivery_option():
    req = request(send_at="2026-12-08T10:00:00+01:00", delivery_option="Premier", reply_to="csoft.co.uk", message_identifier="deploy-42", now=NOW)
    wrapper = envelope_wrapper(req)[0]
    assert_wsdl_order(wrapper)
    assert schema_errors(wrapper) == []
    assert [child.tag for child in wrapper] == ["Username", "PIN", "Recipient", "Message", "ReplyTo", "MessageIdentifier"]
    assert [child.tag for child in wrapper.find("Recipient")] == ["SendTo", "SendOptions"]
    assert [child.tag for child in wrapper.find("Recipient/SendOptions")] == ["SendTimeAbsolute", "DeliveryOption"]
    assert wrapper.findtext("Recipient/SendOptions/SendTimeAbsolute") == "2026-12-08T09:00:00Z"
    assert wrapper.findtext("Recipient/SendOptions/DeliveryOption") == "Premier"


def test_send_at_alone_is_the_only_send_option():
    wrapper = envelope_wrapper(request(send_at=LATER, now=NOW))[0]
    assert schema_errors(wrapper) == []
    assert [child.tag for child in wrapper.find("Recipient/SendOptions")] == ["SendTimeAbsolute"]


def _swap_send_options(wrapper):
    options = wrapper.find("Recipient/SendOptions")
    first, second = list(options)
    options.remove(first)
    options.append(first)
    return [child.tag for child in options] == [second.tag, first.tag]


def test_schema_refuses_send_options_out_of_order():
    # The schema can fail: the same envelope with DeliveryOption before SendTimeAbsolute is invalid.
    wrapper = envelope_wrapper(request(send_at=LATER, delivery_option="Premier", now=NOW))[0]
    assert _swap_send_options(wrapper)
    assert any("DeliveryOption" in error or "SendTimeAbsolute" in error for error in schema_errors(wrapper))


@pytest.mark.parametrize("text", ["tomorrow", "2026-12-08 09:00:00Z", "2026-12-08T09:00:00+0100"])
def test_schema_refuses_a_send_time_that_is_not_a_datetime(text):
    wrapper = envelope_wrapper(request(send_at=LATER, now=NOW))[0]
    wrapper.find("Recipient/SendOptions/SendTimeAbsolute").text = text
    assert schema_errors(wrapper) != []


# Responses ------------------------------------------------------------------------------------

RESPONSE_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:xsi="http://www.w3.org/1999/XMLSchema-instance" xmlns:xsd="http://www.w3.org/1999/XMLSchema" '
    'xmlns:ns2="http://www.csoft.co.uk/dtd/sendsms5.xsd"><SOAP-ENV:Body><ns2:SubmitMessageResponse>'
)
RESPONSE_TAIL = "</ns2:SubmitMessageResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>"


def response(children):
    return (RESPONSE_HEAD + children + RESPONSE_TAIL).encode("utf-8")


def answer(identifier="1000", report="0", text="Message Sent OK", library=None, extra=""):
    parts = []
    if identifier is not None:
        parts.append(f"<MessageIdentifier>{identifier}</MessageIdentifier>")
    if report is not None:
        parts.append(f"<Report>{report}</Report>")
    if text is not None:
        parts.append(f"<Text>{text}</Text>")
    if library is not None:
        parts.append(f"<LibraryNumber>{library}</LibraryNumber>")
    return response("".join(parts) + extra)


def parse(body):
    element = soap.parse_document(body)
    return submit.parse_submit_response(soap.expect_wrapper("SubmitMessage", element))


def test_response_sequence_is_the_wsdl_one():
    # The parser reads exactly the WSDL's value elements; Reserved is ignored.
    body = response(
        "<MessageIdentifier>1000</MessageIdentifier><Report>0</Report><Text>Message Sent OK</Text>"
        "<LibraryNumber>12</LibraryNumber><Reserved><Field1>x</Field1></Reserved>"
    )
    names = [etree.QName(child).localname for child in soap.parse_document(body)]
    assert names == WSDL_RESPONSE_SEQUENCE
    assert parse(body) == submit.SubmitResult("1000", "0", "Message Sent OK", 12)


# (MessageIdentifier, Report, Text) -> accepted?, with what shows in the one-line failure.
CLASSIFICATION = [
    ("1000", "0", "Message Sent OK", True, None),
    ("deploy-42", "0", "Message Sent OK", True, None),
    ("1001", "0", None, True, None),
    ("1000", "00", "Message Sent OK", True, None),
    ("-1", "2", "Invalid Login", False, "Report 2: Invalid Login (MessageIdentifier -1); check the username and PIN"),
    ("-1", "0", "Message Sent OK", False, "Report 0 (Message Sent OK) but MessageIdentifier -1"),
    ("-1", "3", "ReplyTo not permitted", False, "Report 3: ReplyTo not permitted (MessageIdentifier -1); the message was not sent"),
    ("1000", "1", "Something odd", False, "Report 1: Something odd (MessageIdentifier 1000)"),
    ("1000", "-5", None, False, "Report -5: no text given"),
    ("1000", "99", "multi\n  line\ttext", False, "Report 99: multi line text"),
]


@pytest.mark.parametrize("identifier, report, text, accepted, shown", CLASSIFICATION)
def test_classification_table(identifier, report, text, accepted, shown):
    result = parse(answer(identifier, report, text))
    assert result.accepted is accepted
    if accepted:
        assert submit.check_result(result, "https://sms.example/sendsms5") is result
        return
    with pytest.raises(submit.CsoftRejectedError) as info:
        submit.check_result(result, "https://sms.example/sendsms5")
    message = str(info.value)
    assert message.startswith("csoft SubmitMessage at https://sms.example/sendsms5 failed: ")
    assert shown in message
    assert "\n" not in message
    assert info.value.report == report and info.value.message_identifier == identifier
    assert isinstance(info.value, errors.CsoftResponseError)


def test_known_reports_are_only_what_is_documented():
    assert set(submit.KNOWN_REPORTS) == {"0", "2"}
    assert submit.describe_report("2").startswith("Invalid Login")
    assert submit.describe_report("3") is None
    assert submit.describe_report("junk") is None


@pytest.mark.parametrize(
    "body, error",
    [
        (answer(identifier=None), "has no MessageIdentifier element"),
        (answer(report=None), "has no Report element"),
        (answer(identifier=""), "empty MessageIdentifier"),
        (answer(identifier="10 00"), "not an identifier"),
        (answer(report=""), "not a report code"),
        (answer(report="OK"), "not a report code"),
        (answer(report="0.0"), "not a report code"),
        (answer(report="1234567890"), "not a report code"),
        (answer(library="abc"), "LibraryNumber 'abc'"),
        (answer(library="-3"), "LibraryNumber '-3'"),
        (answer(extra="<Report>0</Report>"), "2 Report elements"),
        (answer(extra="<Text>again</Text>"), "2 Text elements"),
        (response("<MessageIdentifier>1000</MessageIdentifier><Report><x>0</x></Report>"), "holds elements"),
    ],
)
def test_malformed_responses_refused(body, error):
    with pytest.raises(errors.CsoftResponseError, match=error):
        parse(body)


def test_tolerated_variants():
    # Empty LibraryNumber (as the vendor's example style sends it), rpc-style xsi:type, namespaced children, unknown extras.
    assert parse(answer(library="")) == submit.SubmitResult("1000", "0", "Message Sent OK", None)
    rpc = response(
        '<MessageIdentifier xsi:type="xsd:string">1000</MessageIdentifier><Report xsi:type="xsd:string"> 0 </Report>'
        '<Text xsi:type="xsd:string">Message Sent OK</Text><Future>1</Future>'
    )
    assert parse(rpc).accepted
    qualified = response("<ns2:MessageIdentifier>7</ns2:MessageIdentifier><ns2:Report>0</ns2:Report>")
    assert parse(qualified) == submit.SubmitResult("7", "0", None, None)


# Sending through a client ------------------------------------------------------------------------


class FakeClient:
    """Stands in for CsoftClient.request: records what would be sent and answers with a canned body."""

    def __init__(self, body, pin=PIN):
        self.body = body
        self.endpoint = "https://sms.example/sendsms5"
        self.calls = []
        self._pin = pin

    def redact(self, text):
        return text.replace(self._pin, "********")

    def request(self, operation, fields=(), parse=None):
        self.calls.append((operation, fields))
        return parse(soap.expect_wrapper(operation, soap.parse_document(self.body)))


def test_submit_message_sends_once_and_returns_result():
    fake = FakeClient(answer("1000", "0", "Message Sent OK"))
    result = submit.submit_message(fake, request(reply_to="csoft.co.uk"))
    assert result == submit.SubmitResult("1000", "0", "Message Sent OK", None)
    assert len(fake.calls) == 1
    operation, fields = fake.calls[0]
    assert operation == "SubmitMessage"
    assert [field[0] for field in fields] == ["Recipient", "Message", "ReplyTo", "MessageIdentifier"]


def test_submit_message_sends_the_send_time():
    fake = FakeClient(answer("1000", "0", "Message Sent OK"))
    submit.submit_message(fake, request(send_at=LATER, delivery_option="LeastCost", now=NOW))
    (_operation, fields) = fake.calls[0]
    assert dict(dict(fields)["Recipient"])["SendOptions"] == (("SendTimeAbsolute", LATER), ("DeliveryOption", "LeastCost"))


def test_sent_at_is_taken_just_before_the_request():
    events = []

    def clock():
        events.append("clock")
        return NOW

    class Recording(FakeClient):
        def request(self, operation, fields=(), parse=None):
            events.append(operation)
            return super().request(operation, fields, parse)

    result = submit.submit_message(Recording(answer("1000", "0", "Message Sent OK")), request(), clock=clock)
    assert events == ["clock", "SubmitMessage"]
    assert result.sent_at == NOW
    assert "sent_at" not in result.returned(), "the module returns it itself, in ISO 8601"
    assert result == submit.SubmitResult("1000", "0", "Message Sent OK", None)


def test_sent_at_uses_the_clock_by_default():
    before = times.utc_now()
    result = submit.submit_message(FakeClient(answer("1000", "0", "Message Sent OK")), request())
    assert before <= result.sent_at <= times.utc_now()


def test_sent_at_is_not_set_on_a_rejection():
    with pytest.raises(submit.CsoftRejectedError) as info:
        submit.submit_message(FakeClient(answer("-1", "2", "Invalid Login")), request(), clock=lambda: NOW)
    assert info.value.result.sent_at is None


def test_submit_message_rejection_never_echoes_the_pin():
    fake = FakeClient(answer("-1", "2", f"Invalid Login for PIN {PIN}"))
    with pytest.raises(submit.CsoftRejectedError) as info:
        submit.submit_message(fake, request())
    assert PIN not in str(info.value) and PIN not in (info.value.text or "")
    assert "Report 2" in str(info.value)
    assert len(fake.calls) == 1
