# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one send path of csoft.sms (private to the collection).

``send`` is how every sender (the module csoft_sms and the callback
sms_notify) sends a prepared ``SubmitRequest``: the ReplyTo check (one
``PermittedReplyTo`` request when a ReplyTo is set), the ``SubmitMessage``
request, and the outcome. A failure is one ``CsoftSendError`` whose text says
whether the SMS was sent and whose ``may_have_been_sent`` says it to code.

Imports nothing from the Ansible controller, so it can run on any host.
"""

from ansible_collections.csoft.sms.plugins.module_utils._errors import (
    CsoftError,
    CsoftFaultError,
    CsoftHTTPError,
    CsoftInputError,
    CsoftUnreachableError,
)
from ansible_collections.csoft.sms.plugins.module_utils._submit import OPERATION, CsoftRejectedError, check_reply_to, submit_message

MAY_HAVE_BEEN_SENT = "the SMS may already have been sent, so it was not sent to another endpoint: check the account's sent messages before sending it again"


class CsoftSendError(CsoftError):
    """The SMS was not sent, or may have been (``may_have_been_sent``); the text says which.

    ``answer`` is the service's SubmitResult when it answered and did not accept the message, else None.
    """

    def __init__(self, message, may_have_been_sent, endpoint=None, answer=None):
        super().__init__(message, endpoint, OPERATION)
        self.may_have_been_sent = may_have_been_sent
        self.answer = answer

    def _fields(self):
        return {"message": self.message, "may_have_been_sent": self.may_have_been_sent, "endpoint": self.endpoint, "answer": self.answer}


def send(client, request, check_mode=False):
    """Send ``request`` (a SubmitRequest) once with ``client``; return the accepted SubmitResult (None in check mode).

    A ReplyTo is checked first against the account's permitted values (also in
    check mode). Never retries. Raises CsoftSendError.
    """
    sending = False
    try:
        if request.reply_to is not None:
            check_reply_to(request.reply_to, client.permitted_reply_to())
        if check_mode:
            return None
        sending = True
        return submit_message(client, request)
    except CsoftError as exc:
        raise send_error(exc, sending, client) from None


def send_error(exc, sending=False, client=None):
    """The CsoftSendError of ``exc``, a CsoftError raised before the SubmitMessage request (``sending`` False) or by it.

    Before it, the SMS was not sent. The text goes through ``client.redact`` when a client is given.
    """
    if isinstance(exc, CsoftSendError):
        return exc
    text = str(exc)
    may_have_been_sent = False
    if not sending or isinstance(exc, (CsoftInputError, CsoftUnreachableError)):
        text += "; the SMS was not sent"
    elif isinstance(exc, (CsoftFaultError, CsoftHTTPError)):
        text += "; the service answered with an error, so the SMS was not accepted"
    elif not isinstance(exc, CsoftRejectedError):  # a time-out or an answer that could not be read: the service may have it
        text, may_have_been_sent = f"{text}; {MAY_HAVE_BEEN_SENT}", True
    if client is not None:
        text = client.redact(text)
    endpoint = exc.endpoint or (client.endpoint if client is not None else None)
    return CsoftSendError(text, may_have_been_sent, endpoint, exc.result if isinstance(exc, CsoftRejectedError) else None)
