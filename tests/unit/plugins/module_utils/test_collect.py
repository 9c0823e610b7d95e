# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_collect.py: CollectMessages answers, the one request through the client, the request against the WSDL, Seen, Matcher.

Answers are parsed straight from documents in the vendor's style, or served
over loopback HTTP the way test_client.py does it: the simulator pair for
fail-over and final answers, ``RawServer`` for answers the simulator cannot
give (an echoed PIN, an exact size, a hand-made document).
"""

import json
import signal
import threading
import time
from datetime import date, datetime, timezone
from xml.sax.saxutils import escape

import pytest
from lxml import etree

from ansible_collections.csoft.sms.plugins.module_utils import _collect as collect
from ansible_collections.csoft.sms.plugins.module_utils import _errors as errors
from ansible_collections.csoft.sms.plugins.module_utils import _soap as soap
from ansible_collections.csoft.sms.tests.simulator import csoft_simulator as sim
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.clients import assert_no_pin, make_client, pin_fragments
from ansible_collections.csoft.sms.tests.support.network import RawServer, closed_port, http_answer

TO = "447700912345"  # the account's two-way number
ALICE = "447700900123"
BOB = "447700900456"
STAMP = "2026-12-07T12:00:05Z"

# Documents ---------------------------------------------------------------------------------------

# The vendor's document style (the account query page): XML declaration, one namespace declaration
# a line, the 1999 schema namespaces in answers, ns2 for the wrapper, unqualified children.
VENDOR_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<SOAP-ENV:Envelope\n"
    'xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"\n'
    'xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/"\n'
    'xmlns:xsi="http://www.w3.org/1999/XMLSchema-instance"\n'
    'xmlns:xsd="http://www.w3.org/1999/XMLSchema"\n'
    'xmlns:ns2="http://www.csoft.co.uk/dtd/sendsms5.xsd">\n'
    "<SOAP-ENV:Body>\n"
    "<ns2:CollectMessagesResponse>\n"
)
VENDOR_TAIL = "</ns2:CollectMessagesResponse>\n</SOAP-ENV:Body>\n</SOAP-ENV:Envelope>\n"


def item(to=TO, sender=ALICE, stamp=STAMP, text="yes", kind="TextMessage", message=None):
    """One MOMessage ``item``; a field given as None is left out, ``message`` replaces the Message element's content."""
    parts = [f"<{name}>{escape(value)}</{name}>\n" for name, value in (("SendTo", to), ("ReplyTo", sender), ("Timestamp1", stamp)) if value is not None]
    if message is None and text is not None:
        message = f"<{kind}>{escape(text)}</{kind}>"
    if message is not None:
        parts.append(f"<Message>{message}</Message>\n")
    return "<item>\n" + "".join(parts) + "</item>\n"


def response(children):
    return (VENDOR_HEAD + children + VENDOR_TAIL).encode("utf-8")


def answer(*items, report="0"):
    """A CollectMessagesResponse of Report ``report`` (left out when None) and a MessageList of ``items``."""
    head = "" if report is None else f"<Report>{report}</Report>\n"
    return response(head + "<MessageList>\n" + "".join(items) + "</MessageList>\n")


def parse(body):
    return collect.parse_collect_response(soap.expect_wrapper("CollectMessages", soap.parse_document(body)))


def replies(body):
    collected = parse(body)
    assert collected.report == 0
    return collected.replies


def reply(sender=ALICE, text="yes", received=STAMP, to=TO):
    return collect.Reply(sender, to, text, collect.parse_time("received", received))


def serve(body, status="200 OK"):
    """A RawServer that answers every request with ``body``."""

    def handler(server, conn, request):
        server.send(conn, http_answer(status, body))

    return RawServer(handler)


def one_line(error):
    message = str(error)
    assert message and "\n" not in message and "\r" not in message and "Traceback" not in message, message
    return message


# Parsing -----------------------------------------------------------------------------------------


def test_several_items_keep_their_order_and_public_form():
    body = answer(
        item(sender=BOB, stamp="2026-12-07T12:00:09Z", text="second in time, first in the list"),
        item(sender=ALICE, stamp="2026-12-07T12:00:05Z", text="YES"),
        item(to="447700912399", sender="csoft.co.uk", stamp="2026-12-07T12:00:07Z", text=""),
    )
    assert [r.public() for r in replies(body)] == [
        {"from": BOB, "to": TO, "text": "second in time, first in the list", "received": "2026-12-07T12:00:09Z"},
        {"from": ALICE, "to": TO, "text": "YES", "received": "2026-12-07T12:00:05Z"},
        {"from": "csoft.co.uk", "to": "447700912399", "text": "", "received": "2026-12-07T12:00:07Z"},
    ]
    first = replies(body)[0]
    assert first.received == datetime(2026, 12, 7, 12, 0, 9, tzinfo=timezone.utc)
    assert json.loads(json.dumps(first.public())) == first.public()


@pytest.mark.parametrize(
    "children",
    [
        "<Report>0</Report>\n",
        "<Report>0</Report>\n<MessageList></MessageList>\n",
        "<Report>0</Report>\n<MessageList/>\n",
        "<Report>0</Report>\n<MessageList>\n  \n</MessageList>\n",
        "<Report>0</Report>\n<MessageList><!-- none --></MessageList>\n",
    ],
    ids=["no MessageList", "empty", "self-closing", "whitespace", "comment"],
)
def test_no_messages(children):
    collected = parse(response(children))
    assert (collected.report, collected.replies) == (0, [])


EXPECTED_ONE = [{"from": ALICE, "to": TO, "text": "yes", "received": STAMP}]
# The same answer in the forms the vendor's examples show, and in the forms any SOAP stack may send.
FORMS = {
    "the vendor's style": answer(item()),
    "one line, no declaration, other prefixes, 2001 schema": (
        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        b'<soap:Body><x:CollectMessagesResponse xmlns:x="http://www.csoft.co.uk/dtd/sendsms5.xsd"><Report>0</Report><MessageList>'
        b"<item><SendTo>447700912345</SendTo><ReplyTo>447700900123</ReplyTo><Timestamp1>2026-12-07T12:00:05Z</Timestamp1>"
        b"<Message><TextMessage>yes</TextMessage></Message></item></MessageList></x:CollectMessagesResponse></soap:Body></soap:Envelope>"
    ),
    "default namespace, xsi:type, encodingStyle, indentation": b"""<?xml version='1.0' encoding='utf-8'?>
<E:Envelope xmlns:E="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/1999/XMLSchema-instance"
    xmlns:xsd="http://www.w3.org/1999/XMLSchema">
  <E:Header/>
  <E:Body encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">
    <CollectMessagesResponse xmlns="http://www.csoft.co.uk/dtd/sendsms5.xsd">
      <Report xsi:type="xsd:int">
        0
      </Report>
      <MessageList>
        <item>
          <SendTo xsi:type="xsd:string"> 447700912345 </SendTo>
          <ReplyTo xsi:type="xsd:string">
            447700900123
          </ReplyTo>
          <Timestamp1 xsi:type="xsd:dateTime"> 2026-12-07T12:00:05Z </Timestamp1>
          <Message>
            <TextMessage xsi:type="xsd:string">yes</TextMessage>
          </Message>
        </item>
      </MessageList>
    </CollectMessagesResponse>
  </E:Body>
</E:Envelope>""",
    "qualified children": response(
        "<ns2:Report>0</ns2:Report><ns2:MessageList><ns2:item><ns2:SendTo>447700912345</ns2:SendTo><ns2:ReplyTo>447700900123</ns2:ReplyTo>"
        "<ns2:Timestamp1>2026-12-07T12:00:05Z</ns2:Timestamp1><ns2:Message><ns2:TextMessage>yes</ns2:TextMessage></ns2:Message>"
        "</ns2:item></ns2:MessageList>"
    ),
    "BOM, comments, a processing instruction, CDATA, unknown extras": (
        b"\xef\xbb\xbf"
        + answer(item(message="<!-- c --><TextMessage><![CDATA[yes]]></TextMessage>"))
        .replace(b"<Report>", b"<?audit x?><!-- gateway --><Report>")
        .replace(b"</MessageList>", b"<Future>1</Future></MessageList><Reserved><Field1/></Reserved>")
    ),
    "SOAP 1.2 envelope": answer(item()).replace(b"http://schemas.xmlsoap.org/soap/envelope/", b"http://www.w3.org/2003/05/soap-envelope"),
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_document_forms_parse_alike(name):
    assert [r.public() for r in replies(FORMS[name])] == EXPECTED_ONE


@pytest.mark.parametrize(
    "stamp, received, microsecond",
    [
        ("2026-12-07T13:00:05+01:00", "2026-12-07T12:00:05Z", 0),
        ("2026-12-07T07:00:05-0500", "2026-12-07T12:00:05Z", 0),
        ("2026-12-07T00:30:05+12:30", "2026-12-06T12:00:05Z", 0),
        ("2026-12-07T12:00:05", "2026-12-07T12:00:05Z", 0),
        ("2026-12-07T12:00:05z", "2026-12-07T12:00:05Z", 0),
        ("2026-12-07T12:00:05.987654Z", "2026-12-07T12:00:05Z", 987654),
        ("2026-12-07T12:00:05.5", "2026-12-07T12:00:05Z", 500000),
        ("2026-12-07T13:00:05.123456789+01:00", "2026-12-07T12:00:05Z", 123456),
        ("\n  2026-12-07T12:00:05Z  \n", "2026-12-07T12:00:05Z", 0),
    ],
)
def test_timestamp1_forms_become_utc(stamp, received, microsecond):
    (one,) = replies(answer(item(stamp=stamp)))
    assert one.public()["received"] == received
    assert one.received.tzinfo == timezone.utc and one.received.microsecond == microsecond


@pytest.mark.parametrize(
    "message, text",
    [
        ("<FlashMessage>flash yes</FlashMessage>", "flash yes"),
        ("<TextMessage>text wins</TextMessage><FlashMessage>flash</FlashMessage>", "text wins"),
        ("", ""),
        ("<Ringtone>024A3A51D195CDD0</Ringtone>", ""),
        ("<TextMessage></TextMessage>", ""),
        ("<TextMessage>  two\n lines\tand a tab </TextMessage>", "  two\n lines\tand a tab "),
    ],
    ids=["flash", "text and flash", "empty Message", "binary only", "empty text", "whitespace kept"],
)
def test_message_kinds(message, text):
    (one,) = replies(answer(item(message=message)))
    assert one.text == text


def test_control_characters_in_text_become_question_marks():
    # XML 1.0 carries C1 controls and DEL (not C0): \x9b is the one-byte CSI a terminal obeys like ESC [.
    (one,) = replies(answer(item(text="ok\x9b31mred\x7f \x85end\ttab\nline")))
    assert one.text == "ok?31mred? ?end\ttab\nline"


@pytest.mark.parametrize("text", ["{{ lookup('pipe','id') }}", "<b>&amp;", "{% raw %}{{ x }}{% endraw %} ${HOME} $(id) `id`", "]]><![CDATA["])
def test_text_is_inert_data(text):
    (one,) = replies(answer(item(text=text)))
    assert one.text == text and one.text.__class__ is str
    assert one.public()["text"] == text and one.public()["text"].__class__ is str


def test_longest_text_accepted():
    (one,) = replies(answer(item(text="x" * collect.MAX_TEXT_CHARS)))
    assert len(one.text) == collect.MAX_TEXT_CHARS


@pytest.mark.parametrize("report", ["+0", "-0", "00", " 0 "])
def test_report_zero_forms(report):
    assert len(replies(answer(item(), report=report))) == 1


# The answer as a whole does not parse: refused whole.
MALFORMED = [
    ("report not a number", answer(item(), report="OK"), "Report 'OK'"),
    ("report empty", answer(item(), report=""), "Report ''"),
    ("report a fraction", answer(item(), report="0.0"), "Report '0.0'"),
    ("report too long", answer(item(), report="1234567890"), "Report '1234567890'"),
    ("report holds elements", response("<Report><x>0</x></Report><MessageList/>"), "Report element of the CollectMessagesResponse holds elements"),
    ("no Report", answer(item(), report=None), "has no Report element"),
    ("two Reports", response("<Report>0</Report><Report>0</Report><MessageList/>"), "2 Report elements"),
    ("two MessageLists", response("<Report>0</Report><MessageList/><MessageList/>"), "2 MessageList elements"),
]


@pytest.mark.parametrize("body, error", [case[1:] for case in MALFORMED], ids=[case[0] for case in MALFORMED])
def test_malformed_answers_refused_in_one_line(body, error):
    with pytest.raises(errors.CsoftResponseError) as info:
        parse(body)
    assert not isinstance(info.value, collect.CsoftCollectError)
    message = one_line(info.value)
    assert error in message
    assert len(message) < 300, message


# One item does not parse: it is left out with one line, and the other messages of the answer are
# kept (collecting may have removed them from the service). Each bad item is item 2 of 3.
BAD_ITEMS = [
    ("item without SendTo", item(to=None), "item 2 has no SendTo element"),
    ("item without ReplyTo", item(sender=None), "item 2 has no ReplyTo element"),
    ("item without Timestamp1", item(stamp=None), "item 2 has no Timestamp1 element"),
    ("item without Message", item(text=None), "item 2 has 0 Message elements"),
    ("item with two Messages", item(message="x</Message><Message>y"), "item 2 has 2 Message elements"),
    ("two SendTo", item().replace("<SendTo>", "<SendTo>447700912346</SendTo><SendTo>"), "2 SendTo elements"),
    ("two TextMessages", item(message="<TextMessage>a</TextMessage><TextMessage>b</TextMessage>"), "2 TextMessage elements"),
    ("text holds elements", item(message="<TextMessage>a<b>bold</b></TextMessage>"), "TextMessage element of the Message of item 2 holds elements"),
    ("Timestamp1 garbage", item(stamp="yesterday"), "Timestamp1 'yesterday' in item 2"),
    ("Timestamp1 empty", item(stamp=""), "Timestamp1 '' in item 2"),
    ("Timestamp1 year 99999", item(stamp="99999-01-01T00:00:00Z"), "Timestamp1 '99999-01-01T00:00:00Z'"),
    ("Timestamp1 beyond 9999 in UTC", item(stamp="9999-12-31T23:59:59-14:00"), "Timestamp1 '9999-12-31T23:59:59-14:00'"),
    ("Timestamp1 before year 1 in UTC", item(stamp="0001-01-01T00:00:00+14:00"), "not an xsd:dateTime"),
    ("Timestamp1 huge", item(stamp="2026-12-07T12:00:05." + "9" * 100000 + "Z"), "not an xsd:dateTime"),
    ("Timestamp1 day 30 of February", item(stamp="2026-02-30T12:00:05Z"), "not an xsd:dateTime"),
    ("Timestamp1 hour 25", item(stamp="2026-12-07T25:00:05Z"), "not an xsd:dateTime"),
    ("text too long", item(text="x" * (collect.MAX_TEXT_CHARS + 1)), f"TextMessage of {collect.MAX_TEXT_CHARS + 1} characters"),
    ("flash too long", item(kind="FlashMessage", text="y" * 100000), "at most 10000 are accepted"),
    ("SendTo with spaces", item(to="44 7700 912345"), "SendTo '44 7700 912345' in item 2"),
    ("ReplyTo with a tab", item(sender="44770\t0900123"), "ReplyTo '44770\\t0900123'"),
    ("ReplyTo with a control character", item(sender="447700\x9b900123"), "ReplyTo '447700\\x9b900123'"),
    ("ReplyTo with a DEL", item(sender="447700900123\x7f"), "not a number or sender name"),
    ("ReplyTo not ASCII", item(sender="４４７７００９００１２３"), "not a number or sender name"),
    ("SendTo empty", item(to=""), "SendTo '' in item 2"),
    ("SendTo too long", item(to="4" * (collect.MAX_NUMBER_CHARS + 1)), "not a number or sender name"),
    ("SendTo holds elements", item(to=None).replace("<item>\n", "<item>\n<SendTo><n>4477</n></SendTo>"), "SendTo element"),
]


@pytest.mark.parametrize("bad, error", [case[1:] for case in BAD_ITEMS], ids=[case[0] for case in BAD_ITEMS])
def test_an_unreadable_item_is_left_out_in_one_line_and_the_others_kept(bad, error):
    collected = parse(answer(item(text="before"), bad, item(sender=BOB, text="after")))
    assert collected.report == 0
    assert [(reply.sender, reply.text) for reply in collected.replies] == [(ALICE, "before"), (BOB, "after")]
    assert collected.unreadable_count == 1
    (line,) = collected.unreadable
    assert error in line and "\n" not in line and len(line) < 300, line


def test_unreadable_lines_are_bounded_and_counted():
    bad = [item(stamp=f"soon {n}") for n in range(collect.MAX_UNREADABLE + 5)]
    collected = parse(answer(*bad, item(text="kept")))
    assert [reply.text for reply in collected.replies] == ["kept"]
    assert collected.unreadable_count == collect.MAX_UNREADABLE + 5
    assert len(collected.unreadable) == collect.MAX_UNREADABLE
    assert collected.unreadable[0].startswith("the service sent Timestamp1 'soon 0' in item 1")


def test_an_answer_of_unreadable_items_only_is_still_an_answer():
    collected = parse(answer(item(stamp="soon"), item(to="")))
    assert collected.replies == [] and collected.unreadable_count == 2


def test_longest_number_accepted_and_sender_names_too():
    (one,) = replies(answer(item(to="4" * collect.MAX_NUMBER_CHARS, sender="csoft.co.uk")))
    assert (one.to, one.sender) == ("4" * collect.MAX_NUMBER_CHARS, "csoft.co.uk")


# Through the client ------------------------------------------------------------------------------


def test_one_collect_is_one_request():
    body = answer(item(sender=ALICE, text="yes"), item(sender=BOB, text="no"))
    with serve(body) as server, make_client([server.url]) as client:
        got = collect.collect_messages(client)
        assert client.requests_sent == 1 and client.endpoint == server.url
    assert [(r.sender, r.text) for r in got.replies] == [(ALICE, "yes"), (BOB, "no")]
    assert got.report == 0 and got.unreadable == [] and got.unreadable_count == 0
    assert server.connections == 1 and len(server.requests) == 1
    head, _sep, sent = server.requests[0].partition(b"\r\n\r\n")
    assert head.startswith(b"POST /sendsms5 ")
    wrapper = etree.fromstring(sent).find(f"{{{soap.SOAP11_ENV_NS}}}Body")[0]
    assert wrapper.tag == f"{{{soap.CSOFT_NS}}}CollectMessages"


def test_simulator_inbox_is_collected_once(pair):
    pair.inject_reply(USERNAME, ALICE, "yes please", received="2026-12-07T13:00:05+01:00")
    with make_client([pair.primary.url, pair.secondary.url]) as client:
        assert [r.public() for r in collect.collect_messages(client).replies] == [{"from": ALICE, "to": TO, "text": "yes please", "received": STAMP}]
        assert collect.collect_messages(client).replies == []
        assert client.requests_sent == 2
    assert pair.primary.counts()["CollectMessages"] == 2
    assert pair.secondary.counts()["total"] == 0


@pytest.mark.parametrize("mode", ["xxe", "bomb", "dtd-remote"])
def test_hostile_documents_refused(pair, mode):
    pair.primary.set_mode(mode)
    with make_client([pair.primary.url, pair.secondary.url]) as client, pytest.raises(errors.CsoftResponseError) as info:
        collect.collect_messages(client)
    message = one_line(info.value)
    assert "DOCTYPE" in message and pair.primary.url in message
    assert_no_pin(info.value)
    assert pair.primary.counts()["CollectMessages"] == 1
    assert pair.secondary.counts()["total"] == 0


LAUGHS = '<!ENTITY lol "lol">' + "".join('<!ENTITY lol{} "{}">'.format(n, "&lol{};".format(n - 1 or "") * 10) for n in range(1, 10))


def with_doctype(doctype, reference, before=""):
    """A good answer with ``doctype`` (after ``before``) and the entity ``reference`` as the reply's text."""
    body = answer(item(text="REFERENCE")).replace(b"REFERENCE", reference.encode())
    return body.replace(b"?>\n", f"?>\n{before}{doctype}\n".encode(), 1)


HOSTILE = {
    "billion laughs in the text": with_doctype(f"<!DOCTYPE SOAP-ENV:Envelope [{LAUGHS}]>", "&lol9;"),
    "external entity in the text": with_doctype('<!DOCTYPE SOAP-ENV:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;"),
    "DOCTYPE after 8 KiB of comment": with_doctype('<!DOCTYPE x [<!ENTITY e "boom">]>', "&e;", "<!--" + "c" * 8192 + "-->"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_bodies_refused_by_the_client(name):
    assert HOSTILE[name].count(b"<!DOCTYPE") == 1
    with serve(HOSTILE[name]) as server, make_client([server.url]) as client, pytest.raises(errors.CsoftResponseError) as info:
        collect.collect_messages(client)
    message = one_line(info.value)
    assert "DOCTYPE or entity declaration" in message and server.url in message
    assert "root:" not in message and "lollol" not in message and "boom" not in message
    assert server.connections == 1


@pytest.mark.parametrize("extra, refused", [(0, False), (1, True), (100000, True)])
def test_answer_larger_than_max_response_bytes_refused(extra, refused):
    limit = 4096
    body = answer(item(text="x"))
    body = body.replace(b"<MessageList>", b"<MessageList><!--" + b"p" * (limit - len(body) - 7 + extra) + b"-->")
    assert len(body) == limit + extra
    with serve(body) as server, make_client([server.url], max_response_bytes=limit) as client:
        if not refused:
            assert len(collect.collect_messages(client).replies) == 1
            return
        with pytest.raises(errors.CsoftResponseError) as info:
            collect.collect_messages(client)
    assert f"larger than {limit} bytes" in one_line(info.value) and server.url in str(info.value)


@pytest.mark.parametrize("dead", [closed_port, lambda: "http://csoft-primary.invalid/sendsms5"], ids=["refused", "unresolvable"])
def test_fails_over_when_no_connection_can_be_made(pair, dead):
    pair.inject_reply(USERNAME, BOB, "no")
    with make_client([dead(), pair.secondary.url]) as client:
        assert [(r.sender, r.text) for r in collect.collect_messages(client).replies] == [(BOB, "no")]
        assert client.failed_over is True and client.endpoint == pair.secondary.url
        assert collect.collect_messages(client).replies == []
        assert client.requests_sent == 3  # the dead primary once, then the secondary twice
    assert pair.secondary.counts()["CollectMessages"] == 2
    assert pair.primary.counts()["total"] == 0


FINAL = [
    ("fault", errors.CsoftFaultError, "login rejected"),
    ("status:503", errors.CsoftHTTPError, "HTTP 503"),
    ("html500", errors.CsoftHTTPError, "HTTP 500"),
    ("redirect:307", errors.CsoftHTTPError, "not followed"),
    ("garbage", errors.CsoftResponseError, "not XML"),
    ("truncated", errors.CsoftResponseError, "not well-formed"),
    ("missing", errors.CsoftResponseError, "has no Report element"),
    ("wrong-wrapper", errors.CsoftResponseError, "was expected"),
    ("close", errors.CsoftTimeoutError, "connection broke after the request was sent"),
]


@pytest.mark.parametrize("mode, error, text", FINAL, ids=[case[0] for case in FINAL])
def test_any_answer_is_final(pair, mode, error, text):
    pair.inject_reply(USERNAME, ALICE, "yes")
    pair.primary.set_mode(mode)
    with make_client([pair.primary.url, pair.secondary.url]) as client, pytest.raises(error) as info:
        collect.collect_messages(client)
    message = one_line(info.value)
    assert text in message and pair.primary.url in message
    assert_no_pin(info.value)
    assert pair.primary.counts()["CollectMessages"] == 1
    assert pair.secondary.counts()["total"] == 0


@pytest.mark.parametrize(
    "report, hint", [("2", "check the username and PIN"), ("1", "nothing was collected"), ("-5", "ask its support"), (" +7 ", "ask its support")]
)
def test_non_zero_report_is_a_collect_error(report, hint):
    with serve(answer(item(), report=report)) as server, make_client([server.url]) as client, pytest.raises(collect.CsoftCollectError) as info:
        collect.collect_messages(client)
    code = int(report)
    message = one_line(info.value)
    assert message.startswith(f"csoft CollectMessages at {server.url} failed: the service answered Report {code}; ")
    assert hint in message
    assert (info.value.report, info.value.endpoint, info.value.operation) == (code, server.url, "CollectMessages")
    assert isinstance(info.value, errors.CsoftResponseError)
    assert info.value.redacted(lambda text: text).report == code
    assert_no_pin(info.value)
    assert server.connections == 1


ESCAPABLE_PIN = "Pq&<7>Zr'9\"Lk2"


def pin_echoes(pin):
    """Answers that echo ``pin`` (as XML carries it): non-zero Reports, malformed values, faults."""
    echo = escape(pin)
    return {
        "Report 2 with the PIN in an unknown element": response(f"<Report>2</Report><Text>Invalid PIN {echo}</Text><MessageList/>"),
        "Report 2 with the PIN as the SendTo": answer(item(to=echo), report="2"),
        "Report 2 with the PIN as a text": answer(item(text=f"your PIN is {echo}"), report="2"),
        "the PIN as the Report": answer(item(), report=echo),
        "the PIN after a long Report": answer(item(), report="1" * 30 + echo),
        "fault 500": sim.fault_document(f"Invalid PIN {pin}"),
        "fault with the PIN as the code": sim.fault_document("Invalid Login", faultcode=pin),
    }


@pytest.mark.parametrize("pin", [PIN, ESCAPABLE_PIN], ids=["plain", "escapable"])
def test_echoed_pin_never_reaches_an_error(pin):
    for name, body in pin_echoes(pin).items():
        status = "500 Internal Server Error" if name.startswith("fault") else "200 OK"
        with serve(body, status) as server, make_client([server.url], pin=pin) as client, pytest.raises(errors.CsoftError) as info:
            collect.collect_messages(client)
        one_line(info.value)
        assert server.url in str(info.value), name
        assert_no_pin(info.value, pin)


@pytest.mark.parametrize("pin", [PIN, ESCAPABLE_PIN], ids=["plain", "escapable"])
def test_echoed_pin_never_reaches_a_reply(pin):
    # a good answer (Report 0) that echoes the PIN in each field of a reply: masked, as in errors
    echo = escape(pin)
    body = answer(item(to=f"to{echo}", sender=f"from{echo}", text=f"your PIN is {echo}!"))
    with serve(body, "200 OK") as server, make_client([server.url], pin=pin) as client:
        (reply,) = collect.collect_messages(client).replies
    assert reply.public() == dict(reply.public(), **{"from": "from********", "to": "to********", "text": "your PIN is ********!"})
    text = " ".join(reply.public().values())
    assert not [piece for piece in pin_fragments(pin) if piece in text], text


@pytest.mark.parametrize("pin", [PIN, ESCAPABLE_PIN], ids=["plain", "escapable"])
def test_echoed_pin_never_reaches_an_unreadable_line(pin):
    # items that do not parse because they echo the PIN: the line about each names the endpoint, not the PIN
    body = answer(item(stamp=pin), item(sender=f"x {pin}"), item(text="kept"))  # item() escapes for XML
    with serve(body, "200 OK") as server, make_client([server.url], pin=pin) as client:
        collected = collect.collect_messages(client)
    assert [reply.text for reply in collected.replies] == ["kept"]
    assert len(collected.unreadable) == 2
    for line in collected.unreadable:
        assert line.startswith(f"csoft CollectMessages at {server.url}: the service sent ") and line.endswith("; this message was left out")
        assert "********" in line and not [piece for piece in pin_fragments(pin) if piece in line], line


# The request -------------------------------------------------------------------------------------

# The CollectMessages element of the WSDL v5.7 (www.csoft.co.uk/dtd/sendsms5.wsdl): Username then PIN,
# both xsd:string, unqualified (elementFormDefault="unqualified"); here both are required.
COLLECT_XSD = etree.XMLSchema(
    etree.fromstring(
        b"""<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.csoft.co.uk/dtd/sendsms5.xsd"
    elementFormDefault="unqualified">
  <xsd:element name="CollectMessages">
    <xsd:complexType>
      <xsd:sequence>
        <xsd:element name="Username" type="xsd:string"/>
        <xsd:element name="PIN" type="xsd:string"/>
      </xsd:sequence>
    </xsd:complexType>
  </xsd:element>
</xsd:schema>"""
    )
)


def request_wrapper(body):
    """The one element of the SOAP 1.1 Body of a request document, checked against COLLECT_XSD."""
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    envelope = etree.fromstring(body)
    assert envelope.tag == f"{{{soap.SOAP11_ENV_NS}}}Envelope"
    assert [child.tag for child in envelope] == [f"{{{soap.SOAP11_ENV_NS}}}Body"]
    (wrapper,) = envelope[0]
    COLLECT_XSD.assertValid(wrapper)
    return wrapper


@pytest.mark.parametrize("username, pin", [(USERNAME, PIN), ("u<&>'\"]]>x", "p&amp;<x>]]>'\"Z9"), ("a", "Z")])
def test_request_envelope_follows_the_wsdl(username, pin):
    wrapper = request_wrapper(soap.build_envelope(collect.OPERATION, username, pin))
    assert [(child.tag, child.text) for child in wrapper] == [("Username", username), ("PIN", pin)]
    assert not wrapper.attrib and not any(child.attrib for child in wrapper)


def test_request_the_client_sends_follows_the_wsdl():
    with serve(answer()) as server, make_client([server.url]) as client:
        assert collect.collect_messages(client).replies == []
    head, _sep, body = server.requests[0].partition(b"\r\n\r\n")
    wrapper = request_wrapper(body)
    assert [(child.tag, child.text) for child in wrapper] == [("Username", USERNAME), ("PIN", PIN)]
    assert PIN.encode() not in head and body.count(PIN.encode()) == 1


@pytest.mark.parametrize(
    "old, new",
    [
        (b"<Username>u</Username><PIN>p</PIN>", b"<PIN>p</PIN><Username>u</Username>"),
        (b"<PIN>p</PIN>", b""),
        (b"<PIN>p</PIN>", b"<PIN>p</PIN><Reserved/>"),
        (b"<PIN>p</PIN>", b"<ns2:PIN>p</ns2:PIN>"),
        (b"ns2:CollectMessages>", b"ns2:AvailableCredit>"),
    ],
    ids=["order", "no PIN", "extra child", "qualified child", "other operation"],
)
def test_the_schema_tells_a_wrong_request(old, new):
    body = soap.build_envelope(collect.OPERATION, "u", "p")
    assert old in body
    with pytest.raises(etree.DocumentInvalid):
        request_wrapper(body.replace(old, new))


# Seen --------------------------------------------------------------------------------------------


def test_seen_drops_repeats_within_one_answer_and_across_calls():
    seen = collect.Seen()
    a, b, c = reply(ALICE, "yes"), reply(BOB, "no"), reply(ALICE, "later", "2026-12-07T12:01:00Z")
    assert seen.new([a, reply(ALICE, "yes"), b, a]) == [a, b]
    assert seen.new([a, b, c]) == [c]
    assert seen.new([c, b, a]) == []
    assert len(seen) == 3


@pytest.mark.parametrize(
    "other, same",
    [
        (reply(to="447700912399"), True),
        (reply(received="2026-12-07T13:00:05+01:00"), True),
        (reply(sender=BOB), False),
        (reply(text="Yes"), False),
        (reply(text="yes "), False),
        (reply(received="2026-12-07T12:00:06Z"), False),
    ],
    ids=["other to", "same time in another zone", "other sender", "other case", "other text", "other time"],
)
def test_seen_key_is_sender_received_text(other, same):
    seen = collect.Seen()
    seen.new([reply()])
    assert seen.new([other]) == ([] if same else [other])


def test_seen_limit_forgets_the_oldest():
    seen = collect.Seen(limit=3)
    r1, r2, r3, r4 = (reply(text=f"message {n}") for n in range(1, 5))
    assert seen.new([r1, r2, r3, r4]) == [r1, r2, r3, r4]
    assert len(seen) == 3
    assert seen.new([r4, r3, r2]) == []
    assert seen.new([r1]) == [r1]  # forgotten, so new again; r2 is now the oldest and goes
    assert seen.new([r3, r4, r1]) == []
    assert seen.new([r2]) == [r2]
    assert len(seen) == 3
    assert collect.Seen().limit == collect.MAX_SEEN


# Matcher -----------------------------------------------------------------------------------------


def test_no_filter_matches_everything():
    matcher = collect.Matcher()
    assert matcher.matches(reply(text=""))
    assert matcher.describe() == ""
    assert collect.Matcher(senders=[], match="", since="").describe() == ""


def test_from_matches_only_listed_senders():
    matcher = collect.Matcher(senders=[ALICE, "447700900789"])
    assert matcher.matches(reply(ALICE))
    assert matcher.matches(reply("447700900789"))
    assert not matcher.matches(reply(BOB))
    assert not matcher.matches(reply("csoft.co.uk"))
    assert not matcher.matches(reply(ALICE[:-1]))


@pytest.mark.parametrize(
    "text, found",
    [
        ("yes", True),
        ("YES please", True),
        ("  No.", True),
        ("\tYes\n", True),
        ("no!", True),
        ("nope", False),
        ("yesterday", False),
        ("maybe yes", False),
        ("", False),
    ],
)
def test_match_is_a_case_insensitive_search(text, found):
    assert collect.Matcher(match=r"^\s*(yes|no)\b").matches(reply(text=text)) is found


def test_match_searches_anywhere():
    matcher = collect.Matcher(match="deploy")
    assert matcher.matches(reply(text="please DEPLOY now"))
    assert not matcher.matches(reply(text="please wait"))


@pytest.mark.parametrize(
    "since, found",
    [
        ("2026-12-07T12:00:04Z", True),
        ("2026-12-07T12:00:05Z", True),
        ("2026-12-07T12:00:06Z", False),
        ("2026-12-07T13:00:05+01:00", True),
        ("2026-12-07T13:00:06+01:00", False),
        ("2026-12-07T07:00:04-05:00", True),
        ("2026-12-07T12:00:05", True),
        ("2026-12-07 12:00:05.000001Z", False),
        (datetime(2026, 12, 7, 13, 0, 5, tzinfo=timezone.utc), False),
        (datetime(2026, 12, 7, 12, 0, 5), True),
        (date(2026, 12, 7), True),
        (date(2026, 12, 8), False),
    ],
)
def test_since_never_matches_older(since, found):
    assert collect.Matcher(since=since).matches(reply(received=STAMP)) is found


def test_combined_filters_all_apply():
    matcher = collect.Matcher(senders=f"{ALICE},{BOB}", match="^yes", since="2026-12-07T12:00:00Z")
    assert matcher.matches(reply(ALICE, "Yes!", STAMP))
    assert not matcher.matches(reply("447700900789", "Yes!", STAMP))
    assert not matcher.matches(reply(BOB, "no", STAMP))
    assert not matcher.matches(reply(ALICE, "Yes!", "2026-12-07T11:59:59Z"))


def test_first_is_the_first_match_in_order():
    matcher = collect.Matcher(match="^yes")
    late, early = reply(BOB, "yes", "2026-12-07T12:00:09Z"), reply(ALICE, "yes", "2026-12-07T12:00:01Z")
    assert matcher.first([reply(text="no"), late, early]) is late
    assert matcher.first([reply(text="no"), reply(text="maybe")]) is None
    assert matcher.first([]) is None


def test_describe():
    matcher = collect.Matcher(senders=[ALICE, BOB], match=r"^\s*yes", since="2026-12-07T13:00:00+01:00")
    assert matcher.describe() == r"matching '^\\s*yes' from 447700900123, 447700900456 since 2026-12-07T12:00:00Z"
    many = collect.Matcher(senders=[f"44770090{n:04d}" for n in range(7)])
    assert many.describe() == "from 447700900000, 447700900001, 447700900002, 447700900003, 447700900004, ..."
    long = collect.Matcher(match="x" * 500).describe()
    assert long == "matching '" + "x" * 60 + "...'"


HOSTILE_OPTIONS = [
    ("match", 5, "not a regular expression"),
    ("match", 1.5, "not a regular expression"),
    ("match", True, "not a regular expression"),
    ("match", ["yes"], "not a regular expression"),
    ("match", {"re": "yes"}, "not a regular expression"),
    ("match", "(yes", "not a Python regular expression"),
    ("match", "[a-", "not a Python regular expression"),
    ("match", "a{2,1}", "not a Python regular expression"),
    ("match", "(?<=a+)b", "not a Python regular expression"),
    ("match", "(?P<x>a)(?P<x>b)", "not a Python regular expression"),
    ("match", "yes\\", "not a Python regular expression"),
    ("match", "(\n", "not a Python regular expression"),
    ("match", "y" * 2000, "2000 characters long"),
    ("since", float("nan"), "not a time"),
    ("since", float("inf"), "not a time"),
    ("since", float("-inf"), "not a time"),
    ("since", 1e308, "not a time"),
    ("since", 1765108805, "not a time"),
    ("since", True, "not a time"),
    ("since", False, "not a time"),
    ("since", ["2026-12-07"], "not a time"),
    ("since", "99999-01-01", "not an ISO 8601 time"),
    ("since", "9999-12-31T23:59:59-14:00", "outside the times"),
    ("since", "2026-12-07T12:00:05" + "0" * 9981, "longer than 64 characters"),
    ("since", "x" * 10000, "longer than 64 characters"),
    ("since", "yesterday", "not an ISO 8601 time"),
    ("since", "2026-13-01", "not an ISO 8601 time"),
    ("from", "+447700900123", "leading '+'"),
    ("from", ["07700900123"], "international format"),
    ("from", [ALICE, "0044770090012"], "'00'"),
    ("from", "44 7700 900123", "digits only"),
    ("from", "csoft.co.uk", "digits only"),
    ("from", True, "not a list of numbers"),
    ("from", 447700900123.0, "not a list of numbers"),
    ("from", {ALICE: 1}, "not a list of numbers"),
    ("from", [{ALICE: 1}], "not a number"),
    ("from", [[ALICE]], "not a number"),
    ("from", [ALICE, False], "not a number"),
    ("from", [10**199], "7 to 15 digits"),
    ("from", ["1" * 10000], "7 to 15 digits"),
]


@pytest.mark.parametrize("option, value, error", HOSTILE_OPTIONS, ids=[f"{case[0]}-{n}" for n, case in enumerate(HOSTILE_OPTIONS)])
def test_hostile_options_refused_in_one_line(option, value, error):
    kwargs = {{"from": "senders"}.get(option, option): value}
    with pytest.raises(errors.CsoftInputError) as info:
        collect.Matcher(**kwargs)
    message = one_line(info.value)
    assert message.startswith(f"csoft {option} ") and error in message
    assert len(message) < 300, message


def test_option_names_are_the_callers():
    with pytest.raises(errors.CsoftInputError, match=r"^csoft reply_from holds '\+44"):
        collect.Matcher(senders=["+447700900123"], names=("reply_from", "reply_match", "reply_since"))
    with pytest.raises(errors.CsoftInputError, match="check the reply_since option"):
        collect.Matcher(since="never", names=("reply_from", "reply_match", "reply_since"))


def in_main_thread():
    if threading.current_thread() is not threading.main_thread():  # pragma: no cover - pytest and xdist run tests there
        pytest.skip("the search time limit is SIGALRM, which only the main thread can use")


@pytest.fixture
def outer_alarm():
    """A SIGALRM handler and timer of the test's own, like a caller's: returns when the handler ran (monotonic times)."""
    in_main_thread()
    fired = []

    def handler(signum, frame):
        fired.append(time.monotonic())

    original = signal.signal(signal.SIGALRM, handler)
    try:
        yield handler, fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, original)


CATASTROPHIC = "a" * 40 + "b"  # (a+)+$ tries 2**40 ways on it


def test_catastrophic_pattern_is_stopped_and_the_callers_timer_restored(outer_alarm):
    handler, fired = outer_alarm
    signal.setitimer(signal.ITIMER_REAL, 10)
    matcher = collect.Matcher(match="(a+)+$")
    start = time.monotonic()
    with pytest.raises(errors.CsoftInputError) as info:
        matcher.matches(reply(text=CATASTROPHIC))
    elapsed = time.monotonic() - start
    left = signal.getitimer(signal.ITIMER_REAL)[0]
    assert collect.MAX_SEARCH_SECONDS - 0.05 <= elapsed < 3, f"stopped after {elapsed:.3f} s"
    assert one_line(info.value) == (
        "csoft match '(a+)+$' was stopped after 1 s on a reply's text of 41 characters; use a pattern without nested repeats such as (a+)+"
    )
    assert signal.getsignal(signal.SIGALRM) is handler
    # The caller's timer kept running while the search ran: it is neither lost nor started again.
    assert 10 - elapsed - 0.2 < left <= 10 - elapsed + 0.01, f"{left:.3f} s left after {elapsed:.3f} s"
    assert not fired
    # A harmless search afterwards leaves no timer of its own behind.
    assert matcher.matches(reply(text="aaa"))
    assert signal.getsignal(signal.SIGALRM) is handler and 0 < signal.getitimer(signal.ITIMER_REAL)[0] <= left


def test_callers_timer_due_during_a_search_still_fires(outer_alarm):
    handler, fired = outer_alarm
    signal.setitimer(signal.ITIMER_REAL, 0.8)  # due within the search's limit: restored as is, it would come at 1.8 s
    start = time.monotonic()
    with pytest.raises(errors.CsoftInputError, match="was stopped after"):
        collect.Matcher(match="(a+)+$").matches(reply(text=CATASTROPHIC))
    deadline = time.monotonic() + 1
    while not fired and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fired, "the caller's alarm never came"
    assert fired[0] - start < collect.MAX_SEARCH_SECONDS + 0.4, f"the caller's alarm came {fired[0] - start:.3f} s after the start"
    assert signal.getsignal(signal.SIGALRM) is handler


def test_no_timer_is_left_when_there_was_none(outer_alarm):
    handler, _fired = outer_alarm
    matcher = collect.Matcher(match="^yes")
    assert matcher.matches(reply(text="yes"))
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is handler
    with pytest.raises(errors.CsoftInputError):
        collect.Matcher(match="(a+)+$").matches(reply(text=CATASTROPHIC))
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


# validate_senders --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "values, senders",
    [
        (f"{ALICE}, {BOB},,{ALICE} ,", (ALICE, BOB)),
        ([ALICE, BOB, ALICE], (ALICE, BOB)),
        ((BOB, ALICE), (BOB, ALICE)),
        ([447700900123, ALICE, " 447700900456 "], (ALICE, BOB)),
        ([None, "", "  ", ALICE], (ALICE,)),
        ("1234567", ("1234567",)),
        ("123456789012345", ("123456789012345",)),
        (None, ()),
        ("", ()),
        ([], ()),
    ],
)
def test_validate_senders(values, senders):
    assert collect.validate_senders("from", values) == senders
