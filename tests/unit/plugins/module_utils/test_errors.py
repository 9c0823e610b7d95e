# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_errors.py: every error is built complete, carries structured attributes, and can be rebuilt redacted (no network)."""

import pytest

from ansible_collections.csoft.sms.plugins.module_utils import _client as client
from ansible_collections.csoft.sms.plugins.module_utils import _errors as errors
from ansible_collections.csoft.sms.plugins.module_utils import _soap as soap
from ansible_collections.csoft.sms.plugins.module_utils import _submit as submit
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.vendor import vendor

URL = "http://127.0.0.1:9/sendsms5"


def mask(text):
    return text.replace(PIN, "********")


def examples():
    """One error of each class, the PIN in every text field."""
    return [
        errors.CsoftInputError(f"bad {PIN}"),
        errors.CsoftUnreachableError(f"nothing at {URL} {PIN}", [(URL, "connection refused")], operation="AvailableCredit"),
        errors.CsoftTimeoutError(f"late {PIN}", URL, "AvailableCredit"),
        errors.CsoftHTTPError(f"HTTP 500 {PIN}", 500, URL, "AvailableCredit"),
        errors.CsoftFaultError(f"fault {PIN}", f"Client {PIN}", f"Invalid PIN {PIN}", 500, URL, "AvailableCredit"),
        errors.CsoftResponseError(f"no Credit {PIN}", URL, "AvailableCredit", missing_element="Credit"),
    ]


@pytest.mark.parametrize("error", examples(), ids=lambda error: type(error).__name__)
def test_redacted_is_a_new_error_of_the_same_class_with_every_text_masked(error):
    error.__cause__ = error.__context__ = ValueError(f"the request held {PIN}")  # as when raised from it
    clean = error.redacted(mask)
    assert clean.__class__ is error.__class__ and clean is not error
    assert str(clean) == clean.message == mask(error.message) and clean.args == (clean.message,)
    assert clean.__cause__ is None and clean.__context__ is None
    for name, value in vars(error).items():
        assert getattr(clean, name) == (mask(value) if isinstance(value, str) else value), name
    assert PIN not in repr(vars(clean))


def test_a_rejected_message_is_rebuilt_from_its_result():
    """submit_message masks the PIN in the service's Text before it builds the error; redacted() keeps the result."""
    result = submit.SubmitResult("-1", "2", "Invalid Login")
    clean = submit.CsoftRejectedError(f"rejected {PIN}", result, URL).redacted(mask)
    assert clean.__class__ is submit.CsoftRejectedError and clean.result is result
    assert (clean.message, clean.endpoint, clean.operation, clean.report, clean.text) == ("rejected ********", URL, "SubmitMessage", "2", "Invalid Login")


def test_attributes_are_given_to_the_constructor():
    fault = errors.CsoftFaultError("one line", "SOAP-ENV:Client", "Invalid Login", 500, URL, "AvailableMessages")
    assert (fault.message, fault.faultcode, fault.faultstring, fault.status, fault.endpoint, fault.operation) == (
        "one line",
        "SOAP-ENV:Client",
        "Invalid Login",
        500,
        URL,
        "AvailableMessages",
    )
    assert errors.CsoftResponseError("x").missing_element is None
    assert errors.CsoftUnreachableError("x", [(URL, "connect time-out")]).attempts == [(URL, "connect time-out")]


@pytest.mark.parametrize(
    "faultstring, rejected",
    [("Invalid Login", True), ("Bad PIN", True), ("Authentication failed", True), ("Server busy", False), ("", False), (None, False)],
)
def test_login_rejection_is_read_from_the_services_fault_text(faultstring, rejected):
    assert errors.is_login_rejection(faultstring) is rejected
    assert errors.CsoftFaultError("x", "Client", faultstring, 500).login_rejected is rejected


def test_a_missing_element_is_named_by_an_attribute():
    wrapper = soap.expect_wrapper("AvailableCredit", soap.parse_document(vendor("credit_response").replace(b"<Credit>2.8950</Credit>", b"")))
    with pytest.raises(errors.CsoftResponseError) as info:
        soap.child_text(wrapper, "Credit", "AvailableCredit")
    assert info.value.missing_element == "Credit"
    twice = soap.expect_wrapper("AvailableCredit", soap.parse_document(vendor("credit_response").replace(b"</Credit>", b"</Credit><Credit>1</Credit>")))
    with pytest.raises(errors.CsoftResponseError) as info:
        soap.child_text(twice, "Credit", "AvailableCredit")
    assert info.value.missing_element is None


def answered(body):
    """A client whose transport returns ``body`` with HTTP 200."""
    instance = client.CsoftClient.from_values(USERNAME, PIN, endpoints=[URL])
    instance._post = lambda operation, envelope: (200, body, URL)  # pylint: disable=protected-access
    return instance


def test_the_clients_hint_follows_the_attribute_not_the_text():
    """A missing element may be a rejected login; a bad value is not, even when its text reads 'has no'."""
    missing = vendor("messages_response").replace(b"<Messages>24</Messages>", b"")
    with answered(missing) as instance, pytest.raises(errors.CsoftResponseError) as info:
        instance.available_messages()
    assert info.value.missing_element == "Messages"
    assert "check the username and PIN" in str(info.value)
    wrong = vendor("messages_response").replace(b"<Messages>24", b"<Messages>has no")
    with answered(wrong) as instance, pytest.raises(errors.CsoftResponseError) as info:
        instance.available_messages()
    assert info.value.missing_element is None
    assert "cannot trust" in str(info.value) and "check the username and PIN" not in str(info.value)
