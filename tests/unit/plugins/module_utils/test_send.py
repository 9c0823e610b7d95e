# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one send path (module_utils/_send.py): the ReplyTo check, the request and its outcome, against the simulator."""

import pytest

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError, CsoftTimeoutError
from ansible_collections.csoft.sms.plugins.module_utils._send import MAY_HAVE_BEEN_SENT, CsoftSendError, send, send_error
from ansible_collections.csoft.sms.plugins.module_utils._submit import SubmitResult, prepare_submit
from ansible_collections.csoft.sms.tests.support.accounts import PIN
from ansible_collections.csoft.sms.tests.support.clients import assert_no_pin, make_client
from ansible_collections.csoft.sms.tests.support.network import closed_port

TO = ["447700900123"]


def counts(pair):
    both = pair.counts()
    return {name: both["primary"][name] + both["secondary"][name] for name in ("PermittedReplyTo", "SubmitMessage")}


def failure(client, request, **kwargs):
    with pytest.raises(CsoftSendError) as info:
        send(client, request, **kwargs)
    assert_no_pin(info.value)
    return info.value


def test_sends_once_without_a_reply_to_check(pair):
    with make_client(pair.urls) as client:
        answer = send(client, prepare_submit(TO, "deployed"))
    assert answer.accepted and answer.returned() == {"message_identifier": answer.message_identifier, "report": "0", "text": "Message Sent OK"}
    assert counts(pair) == {"PermittedReplyTo": 0, "SubmitMessage": 1}
    assert [message["text"] for message in pair.primary.messages()] == ["deployed"]


def test_a_reply_to_is_checked_once_first(pair):
    with make_client(pair.urls) as client:
        send(client, prepare_submit(TO, "deployed", reply_to="csoft.co.uk"))
    assert counts(pair) == {"PermittedReplyTo": 1, "SubmitMessage": 1}
    assert pair.primary.messages()[0]["reply_to"] == "csoft.co.uk"


def test_check_mode_checks_the_reply_to_and_sends_nothing(pair):
    with make_client(pair.urls) as client:
        assert send(client, prepare_submit(TO, "deployed", reply_to="csoft.co.uk"), check_mode=True) is None
    assert counts(pair) == {"PermittedReplyTo": 1, "SubmitMessage": 0}


def test_a_reply_to_not_permitted_is_not_sent(pair):
    with make_client(pair.urls) as client:
        error = failure(client, prepare_submit(TO, "deployed", reply_to="447700900999"))
    assert "is not permitted for this account" in str(error) and str(error).endswith("; the SMS was not sent")
    assert (error.may_have_been_sent, error.answer) == (False, None)
    assert counts(pair) == {"PermittedReplyTo": 1, "SubmitMessage": 0}


def test_a_time_out_after_sending_may_have_been_sent(pair):
    pair.set_mode("hang", "SubmitMessage")
    with make_client(pair.urls, timeout=0.5) as client:
        error = failure(client, prepare_submit(TO, "deployed"))
    assert error.may_have_been_sent is True and str(error).endswith(MAY_HAVE_BEEN_SENT)
    assert error.endpoint == pair.primary.url
    assert counts(pair)["SubmitMessage"] == 1  # never sent again to the secondary


def test_a_fault_is_not_accepted(pair):
    pair.set_mode("fault", "SubmitMessage")
    with make_client(pair.urls) as client:
        error = failure(client, prepare_submit(TO, "deployed"))
    assert error.may_have_been_sent is False and str(error).endswith("the service answered with an error, so the SMS was not accepted")


def test_a_bad_pin_is_not_accepted(pair):
    with make_client(pair.urls, pin="Wrong" + PIN[:10]) as client:
        error = failure(client, prepare_submit(TO, "deployed"))
    assert error.may_have_been_sent is False and "check the username and PIN" in str(error)
    assert pair.primary.messages() == []


class RefusingClient:
    """Answers SubmitMessage with Report 2 and an echo of the PIN, as a service could."""

    endpoint = "https://sms.example/sendsms5"

    def __init__(self):
        self.operations = []

    def redact(self, text):
        return text.replace(PIN, "********")

    def request(self, operation, fields=(), parse=None):
        self.operations.append(operation)
        return SubmitResult("-1", "2", f"Invalid Login for PIN {PIN}", 7)


def test_a_rejection_keeps_the_answer_and_never_the_pin():
    client = RefusingClient()
    error = failure(client, prepare_submit(TO, "deployed"))
    assert error.may_have_been_sent is False and "Report 2" in str(error) and "check the username and PIN" in str(error)
    assert error.answer.returned() == {"message_identifier": "-1", "report": "2", "text": "Invalid Login for PIN ********", "library_number": 7}
    assert (error.endpoint, client.operations) == (client.endpoint, ["SubmitMessage"])


def test_no_endpoint_reached_is_not_sent():
    with make_client([closed_port()]) as client:
        error = failure(client, prepare_submit(TO, "deployed"))
    assert "no endpoint could be reached" in str(error) and str(error).endswith("; the SMS was not sent")
    assert error.may_have_been_sent is False


def test_send_error_of_an_error_before_sending_and_of_itself():
    before = send_error(CsoftInputError("csoft timeout is invalid"))
    assert (str(before), before.may_have_been_sent, before.endpoint) == ("csoft timeout is invalid; the SMS was not sent", False, None)
    assert send_error(before) is before
    # Only the SubmitMessage request itself can leave the SMS maybe sent.
    timed_out = CsoftTimeoutError("csoft SubmitMessage at https://sms.example failed", "https://sms.example")
    assert send_error(timed_out).may_have_been_sent is False
    assert send_error(timed_out, sending=True).may_have_been_sent is True
    assert send_error(timed_out, sending=True).endpoint == "https://sms.example"


def test_send_error_redacts_with_the_client(pair):
    with make_client(pair.urls) as client:
        error = send_error(CsoftInputError(f"echo {PIN}"), client=client)
    assert PIN not in str(error) and "********" in str(error)
