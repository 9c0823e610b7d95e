# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Property tests of the account answers' parser (hypothesis).

Any answer the vendor could validly send (any prefixes, 1999 or 2001 schema
namespaces, SOAP 1.1 or 1.2, whitespace, comments, ``Reserved`` content,
child order, qualified or unqualified children) gives back exactly the
values that were put in; digits of other scripts are refused.

Deterministic (``derandomize=True``, no example database), so CI runs are
repeatable; about 250 examples per property. test_client_properties.py
sends arbitrary and mutated answers through the client.
"""

from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansible_collections.csoft.sms.plugins.module_utils import _account as account
from ansible_collections.csoft.sms.plugins.module_utils import _errors as errors
from ansible_collections.csoft.sms.plugins.module_utils import _soap as soap
from ansible_collections.csoft.sms.tests.support.vendor import vendor

SETTINGS = settings(max_examples=250, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])

VENDOR_ANSWERS = {
    operation: vendor(name + "_response")
    for operation, name in (("AvailableCredit", "credit"), ("AvailableMessages", "messages"), ("PermittedReplyTo", "reply_to"))
}


SOAP_NS = [soap.SOAP11_ENV_NS, soap.SOAP12_ENV_NS]

SCHEMA_NS = [("http://www.w3.org/1999/XMLSchema-instance", "http://www.w3.org/1999/XMLSchema"), (soap.XSI_NS, soap.XSD_NS)]


# Building blocks ------------------------------------------------------------------------------------


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

prefixes = st.builds(str.__add__, st.sampled_from(_LETTERS + "_"), st.text(alphabet=_LETTERS + "0123456789_.-", max_size=7)).filter(
    lambda p: not p.lower().startswith("xml")
)

space = st.text(alphabet=" \t\n\r", max_size=4)

safe_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)


@st.composite
def credits(draw):
    """A Decimal with four places, as the service sends it: negative, zero or large."""
    units = draw(st.integers(min_value=-(10**14), max_value=10**14) | st.sampled_from([0, -1, 1, 28950, -28950, 10**14]))
    sign = "-" if units < 0 else ""
    text = f"{sign}{abs(units) // 10000}.{abs(units) % 10000:04d}"
    return text, Decimal(text)


reply_tokens = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=","), min_size=1, max_size=20)


@st.composite
def reply_to_lists(draw):
    tokens = draw(st.lists(reply_tokens, min_size=1, max_size=6))
    pieces = [draw(space) + escape(token) + draw(space) for token in tokens]
    text = ",".join(pieces) + draw(st.sampled_from(["", ",", " , "]))
    return text, tokens


@st.composite
def reserved(draw):
    kind = draw(st.sampled_from(["fields", "empty", "nested", "text"]))
    if kind == "empty":
        return "<Reserved/>"
    if kind == "text":
        return f"<Reserved>{escape(draw(safe_text))}</Reserved>"
    if kind == "nested":
        return f"<Reserved><Field1><deep a={quoteattr(draw(safe_text))}>{escape(draw(safe_text))}</deep></Field1></Reserved>"
    fields = "".join(f"<Field{n}>{escape(draw(safe_text))}</Field{n}>" if draw(st.booleans()) else f"<Field{n}/>" for n in range(1, 5))
    return f"<Reserved>{fields}</Reserved>"


@st.composite
def answers(draw, operation, values):
    """A valid answer to ``operation`` whose value elements hold ``values`` (element name -> text)."""
    env_p, xsi_p, xsd_p, ns_p = draw(st.lists(prefixes, min_size=4, max_size=4, unique_by=str.lower))
    env_ns = draw(st.sampled_from(SOAP_NS))
    xsi_ns, xsd_ns = draw(st.sampled_from(SCHEMA_NS))
    default_ns = draw(st.booleans())  # the csoft namespace as the wrapper's default namespace
    qualified = not default_ns and draw(st.booleans())  # children with the csoft prefix (tolerated)
    typed = draw(st.booleans())  # rpc-style xsi:type attributes

    def ws():
        return draw(space)

    children = []
    for name, text in values.items():
        tag = f"{ns_p}:{name}" if qualified else name
        attr = f' {xsi_p}:type="{xsd_p}:string"' if typed else ""
        children.append(f"<{tag}{attr}>{ws()}{text}{ws()}</{tag}>")
    children.insert(draw(st.integers(0, len(children))), draw(reserved()))
    if draw(st.booleans()):
        children.insert(draw(st.integers(0, len(children))), "<!-- gateway note -->")
    children = draw(st.permutations(children))
    wrapper = f"{operation}Response"
    if default_ns:
        open_wrapper, close_wrapper = f'<{wrapper} xmlns="{soap.CSOFT_NS}">', f"</{wrapper}>"
    else:
        open_wrapper, close_wrapper = f'<{ns_p}:{wrapper} xmlns:{ns_p}="{soap.CSOFT_NS}">', f"</{ns_p}:{wrapper}>"
    header = f"<{env_p}:Header/>" if draw(st.booleans()) else ""
    encoding = f' {env_p}:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"' if draw(st.booleans()) else ""
    document = (
        draw(st.sampled_from(["", '<?xml version="1.0" encoding="UTF-8"?>\n', "<?xml version='1.0'?>"]))
        + f'<{env_p}:Envelope xmlns:{env_p}="{env_ns}"{ws() or " "}xmlns:{xsi_p}="{xsi_ns}" xmlns:{xsd_p}="{xsd_ns}">{ws()}'
        + f"{header}{ws()}<{env_p}:Body{encoding}>{ws()}{open_wrapper}{ws()}"
        + ws().join(children)
        + f"{ws()}{close_wrapper}{ws()}</{env_p}:Body>{ws()}</{env_p}:Envelope>{ws()}"
    )
    body = document.encode("utf-8")
    return (b"\xef\xbb\xbf" + body) if draw(st.booleans()) else body


# Valid answers round-trip ---------------------------------------------------------------------------


@SETTINGS
@given(data=st.data(), credit=credits(), currency=st.text(alphabet=_LETTERS[26:], min_size=3, max_size=3))
def test_any_valid_credit_answer_round_trips(data, credit, currency):
    text, value = credit
    body = data.draw(answers("AvailableCredit", {"Credit": text, "Currency": currency}))
    result = account.parse_response("AvailableCredit", body)
    assert result == account.AccountCredit(value, currency)
    assert result.credit.as_tuple().exponent == -4
    assert float(result.credit) == float(text)  # what the module returns


@SETTINGS
@given(data=st.data(), messages=st.integers(min_value=0, max_value=10**9))
def test_any_valid_messages_answer_round_trips(data, messages):
    body = data.draw(answers("AvailableMessages", {"Messages": str(messages)}))
    assert account.parse_response("AvailableMessages", body) == messages


@SETTINGS
@given(data=st.data(), reply_to=reply_to_lists())
def test_any_valid_reply_to_answer_round_trips(data, reply_to):
    text, tokens = reply_to
    body = data.draw(answers("PermittedReplyTo", {"PermittedReplyTo": text}))
    assert account.parse_response("PermittedReplyTo", body) == tokens


# Digits of other scripts ----------------------------------------------------------------------------


non_ascii_digits = st.characters(categories=("Nd",)).filter(lambda c: not "0" <= c <= "9")


@SETTINGS
@given(digits=st.lists(non_ascii_digits | st.sampled_from("0123456789"), min_size=1, max_size=6).filter(lambda d: any(not "0" <= c <= "9" for c in d)))
def test_digits_of_other_scripts_are_refused(digits):
    """int() and Decimal() read Arabic-Indic or Devanagari digits; the service only ever sends ASCII ones."""
    number = "".join(digits)
    messages = VENDOR_ANSWERS["AvailableMessages"].replace(b"<Messages>24", b"<Messages>" + number.encode())
    credit = VENDOR_ANSWERS["AvailableCredit"].replace(b"2.8950", f"{number}.5000".encode())
    for operation, body in (("AvailableMessages", messages), ("AvailableCredit", credit)):
        try:
            account.parse_response(operation, body)
        except errors.CsoftResponseError as exc:
            assert "which is not" in str(exc)
        else:
            raise AssertionError(f"{operation} accepted {number!r}")
