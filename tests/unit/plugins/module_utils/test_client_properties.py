# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Property tests of the client's interpretation of answers (hypothesis).

Arbitrary bytes and mutated vendor documents, with any HTTP status, end in a
value of the right type or a ``CsoftError`` subclass, never in another
exception, and the error text never holds the PIN.

Deterministic (``derandomize=True``, no example database), so CI runs are
repeatable; about 250 examples per property. test_account_properties.py
checks that every valid answer gives back exactly its values.
"""

import re
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.csoft.sms.plugins.module_utils import _account as account
from ansible_collections.csoft.sms.plugins.module_utils import _client as client
from ansible_collections.csoft.sms.plugins.module_utils import _errors as errors
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.vendor import vendor

SETTINGS = settings(max_examples=250, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])

URL = "http://127.0.0.1:9/sendsms5"

VENDOR_ANSWERS = {
    operation: vendor(name + "_response")
    for operation, name in (("AvailableCredit", "credit"), ("AvailableMessages", "messages"), ("PermittedReplyTo", "reply_to"))
}


# Anything else is a CsoftError ----------------------------------------------------------------------


def offline_client(status, body):
    """A client whose transport returns ``(status, body)``: the rest of the path (interpretation, redaction) is real."""
    instance = client.CsoftClient.from_values(USERNAME, PIN, endpoints=[URL])
    instance._post = lambda operation, envelope: (status, body, URL)  # pylint: disable=protected-access
    return instance


def check_value(operation, value):
    if operation == "AvailableCredit":
        assert isinstance(value, account.AccountCredit) and value.credit.is_finite() and re.match(r"^[A-Z]{3}$", value.currency)
    elif operation == "AvailableMessages":
        assert isinstance(value, int) and value >= 0
    else:
        assert value and all(isinstance(item, str) and item and not re.search(r"[\x00-\x20\x7f]", item) for item in value)


def assert_only_csoft_errors(operation, status, body):
    with offline_client(status, body) as instance:
        try:
            value = instance.call(operation)
        except errors.CsoftError as exc:
            text = str(exc)
            assert text and "\n" not in text and URL in text
            assert PIN not in text and PIN not in repr(exc.args)
            return False
    check_value(operation, value)
    return True


operations = st.sampled_from(sorted(VENDOR_ANSWERS))

statuses = st.sampled_from([200, 200, 200, 201, 204, 301, 302, 400, 401, 403, 404, 429, 500, 502, 503]) | st.integers(min_value=100, max_value=599)


@SETTINGS
@given(operation=operations, status=statuses, body=st.binary(max_size=2048))
def test_arbitrary_bytes_raise_only_csoft_errors(operation, status, body):
    assert_only_csoft_errors(operation, status, body)


MARKUP = [
    b"<",
    b">",
    b"&",
    b"&xxe;",
    b"]]>",
    b"<!DOCTYPE x>",
    b'<!ENTITY e SYSTEM "file:///etc/passwd">',
    b"<![CDATA[",
    b"<?pi x?>",
    b"<!--",
    b"-->",
    b"</Credit>",
    b"<Credit>",
    b"<Messages>-1</Messages>",
    b'xmlns="urn:other"',
    b"\x00",
    b"\xff\xfe",
    b"\xc3\x28",
    b"\xef\xbb\xbf",
    b"NaN",
    b"1e999",
    b"9" * 400,
    b"<a>" * 300,
    PIN.encode(),
    b"PIN=" + PIN.encode(),
]


VALUE_ELEMENTS = (b"Credit", b"Currency", b"Messages", b"PermittedReplyTo")

tricky_values = st.sampled_from(
    ["", " ", "24.5", "-5", "+7", "1e3", "0x10", "NaN", "-Infinity", "1_000", "\u0663", "2,5", "GBP ", "gbp", "a b", "a,,b", ", ,"]
) | st.text(max_size=12)


@st.composite
def mutated(draw):
    operation = draw(operations)
    body = bytearray(VENDOR_ANSWERS[operation])
    for _child in range(draw(st.integers(min_value=1, max_value=6))):
        kind = draw(st.sampled_from(["value", "value", "flip", "delete", "insert", "markup", "truncate", "duplicate"]))
        at = draw(st.integers(min_value=0, max_value=len(body)))
        if kind == "value":  # another text in a value element
            name = draw(st.sampled_from(VALUE_ELEMENTS))
            found = re.search(b"<" + name + b">(.*?)</" + name + b">", bytes(body), re.DOTALL)
            if found:
                body[found.start(1) : found.end(1)] = escape(draw(tricky_values)).encode("utf-8", "surrogatepass")
        elif kind == "flip" and at < len(body):
            body[at] = draw(st.integers(min_value=0, max_value=255))
        elif kind == "delete":
            del body[at : at + draw(st.integers(min_value=1, max_value=40))]
        elif kind == "insert":
            body[at:at] = draw(st.binary(min_size=1, max_size=20))
        elif kind == "markup":
            body[at:at] = draw(st.sampled_from(MARKUP))
        elif kind == "truncate":
            del body[at:]
        else:
            end = draw(st.integers(min_value=at, max_value=len(body)))
            body[at:at] = body[at:end]
    return operation, bytes(body)


@SETTINGS
@given(case=mutated(), status=statuses)
def test_mutated_vendor_answers_raise_only_csoft_errors(case, status):
    operation, body = case
    assert_only_csoft_errors(operation, status, body)


def test_unmutated_vendor_answers_pass_the_same_check():
    """The check above is not vacuous: the vendor's own answers come back as values."""
    for operation, body in VENDOR_ANSWERS.items():
        assert assert_only_csoft_errors(operation, 200, body) is True
