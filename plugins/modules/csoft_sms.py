#!/usr/bin/python
# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: csoft_sms
short_description: Send an SMS text message through the Connection Software SOAP API
version_added: 1.0.0
description:
  - Sends one text message to one or more mobile numbers with the C(SubmitMessage) operation
    of the Connection Software (csoft.co.uk) SOAP API.
  - Every input is checked before anything is sent. When O(reply_to) is given, the account's permitted ReplyTo values
    are read first (C(PermittedReplyTo)) with the same connection, and nothing is sent unless O(reply_to) is one of them.
  - Sending is not idempotent, so the rule for the next endpoint is strict. The module moves on to the next URL of
    O(endpoints) only when no connection could be made to the current one at all (connection refused, host name not resolved,
    connect time-out, TLS handshake or certificate failure).
    Once the request may have reached the service, the outcome is final. A read time-out or a connection broken after sending
    fails the task with a message that says the SMS may already have been sent. The module never retries.
  - The message is accepted only when the service answers C(Report) V(0) with a C(MessageIdentifier) other than V(-1).
    Any other answer fails the task with the report code and the service's text.
    See the collection's sending guide for the report codes known; that table is incomplete, because the vendor publishes none.
  - Every run sends the message again. Guard the task yourself (a handler, C(when), C(run_once)) to send it once.
author:
  - csoft.sms contributors (@csoft-sms)
options:
  to:
    description:
      - The mobile numbers to send the message to, in international format without C(+), for example V(447700912345).
      - Digits only, 7 to 15 long, not starting with V(0). A number given in national format (V(07700912345)),
        with a leading C(+) or C(00), or with spaces is refused with a hint.
      - A number listed more than once is sent to once, in the order of first appearance, with a warning;
        RV(recipients) lists the numbers actually sent to.
    type: list
    elements: str
    required: true
  msg:
    description:
      - The text of the message.
      - It must not be empty or blank, and may hold line breaks and tabs but no other control characters.
      - Ansible reserves the option name C(message) for its own use, so this option is O(msg), as in other messaging modules.
      - The vendor documents no length limit. This module refuses text that needs more than 4 SMS parts,
        that is more than 612 characters of the GSM 03.38 alphabet (each of C(^ { } \ [ ] ~ | €) counts as 2),
        or more than 268 characters when the text needs Unicode (UCS-2, for example for emoji or non-Latin scripts).
      - Text longer than one SMS (160 GSM characters, or 70 in UCS-2) is sent as several parts with a warning,
        because every part is charged. The split is the usual estimate; the service decides the final one.
      - The text is not secret and may show in verbose output, but the PIN never does.
    type: str
    required: true
  reply_to:
    description:
      - The sender (ReplyTo) the recipients see, for example a mobile number V(447700912345) or V(csoft.co.uk).
      - It must be one of the account's permitted ReplyTo values. The module checks that with a C(PermittedReplyTo) query
        before sending, in check mode too, and fails without sending when it is not permitted. The comparison is exact.
      - When not set, the element is left out and the service uses the account's default.
    type: str
  delivery_option:
    description:
      - The delivery route, the C(SendOptions/DeliveryOption) of the vendor's WSDL.
      - When not set, the element is left out and the service uses the account's default.
    type: str
    choices: [Default, Premier, LeastCost, Economy]
  message_identifier:
    description:
      - Your own identifier for the message, sent as C(MessageIdentifier), to match delivery receipts.
      - 1 to 50 printable ASCII characters without spaces; V(-1) is refused because the service uses it for "not accepted".
      - When not set, the service assigns one and the module returns it in RV(message_identifier).
    type: str
  send_at:
    description:
      - When the service is to send the message, instead of now, sent as C(SendOptions/SendTimeAbsolute) of the vendor's WSDL.
      - An ISO 8601 time in the extended format, C(YYYY-MM-DDTHH:MM:SS) with an optional fraction of a second
        and an optional zone (V(Z), C(+HH:MM) or C(-HH:MM)), for example V(2026-12-08T09:00:00Z) or V(2026-12-08T10:00:00+01:00).
        A time without a zone is UTC, and a date alone (V(2026-12-08)) is midnight UTC. Quote the value.
      - The time is sent in UTC, in whole seconds (a fraction is dropped), and returned in RV(scheduled_for).
      - A time that is not in the future is refused before any request is made, in check mode too.
        An empty value means send now, as when the option is not set.
      - The vendor documents no upper limit, so a time far in the future is passed on as given;
        the service decides whether it accepts it. A scheduled message cannot be cancelled with this collection.
    type: str
    version_added: 1.1.0
extends_documentation_fragment:
  - csoft.sms.connection
  - csoft.sms.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
attributes:
  check_mode:
    support: full
    details:
      - Validates every option, including that O(send_at) is in the future, and, when O(reply_to) is set, reads the account's
        permitted ReplyTo values (a read-only query) and fails if O(reply_to) is not among them.
        Sends nothing, reports RV(ignore:changed=true), and returns RV(scheduled_for) when O(send_at) is set, but not RV(sent_at).
  platform:
    platforms: posix
notes:
  - The report codes known are V(0) (accepted, the vendor's text is C(Message Sent OK)) and V(2) (C(Invalid Login));
    a C(MessageIdentifier) of V(-1) always means the message was not accepted. Other codes are reported as the service sends them.
  - A wrong username or PIN may also be answered with a SOAP fault; either way the task fails without retry.
seealso:
  - module: csoft.sms.csoft_sms_inbox
    description: Read the replies to a message, or wait for one.
  - module: csoft.sms.csoft_account_info
  - plugin: csoft.sms.csoft_account
    plugin_type: lookup
  - name: Connection Software SMS API
    description: The vendor's developer pages.
    link: https://www.csoft.co.uk/
"""

EXAMPLES = r"""
- name: Tell the on-call engineer
  csoft.sms.csoft_sms:
    username: ANOther.61234
    pin: "{{ vault_csoft_pin }}"
    to:
      - "447700900123"
    msg: "deployed {{ app_version }} to {{ inventory_hostname }}"
  delegate_to: localhost
  run_once: true

- name: Send from a permitted ReplyTo, on the premier route, with our own identifier
  csoft.sms.csoft_sms:
    to: ["447700900123", "447700900456"]
    msg: Nightly backup failed, see the runbook.
    reply_to: "447700912345"
    delivery_option: Premier
    message_identifier: "backup-{{ ansible_date_time.epoch }}"
  delegate_to: localhost
  run_once: true
  register: sms

- name: Show what the service answered
  ansible.builtin.debug:
    msg: "message {{ sms.message_identifier }} to {{ sms.recipients | join(', ') }}: {{ sms.text }}"

- name: Schedule the maintenance reminder for 09:00 UTC on 8 December
  csoft.sms.csoft_sms:
    to: ["447700900123"]
    msg: "Maintenance window starts in one hour."
    send_at: "2026-12-08T09:00:00Z"
  delegate_to: localhost
  run_once: true
  register: reminder

- name: Show when the service will send it
  ansible.builtin.debug:
    msg: "message {{ reminder.message_identifier }} is scheduled for {{ reminder.scheduled_for }} (asked at {{ reminder.sent_at }})"

- name: Notify from a handler, so the message goes out once and only after a change
  hosts: webservers
  module_defaults:
    group/csoft.sms.account:
      username: ANOther.61234
      pin: "{{ vault_csoft_pin }}"
  tasks:
    - name: Deploy the application
      ansible.builtin.copy:
        src: "app-{{ app_version }}.tar.gz"
        dest: /opt/app/
        mode: "0644"
      notify: Tell on-call
  handlers:
    - name: Tell on-call
      csoft.sms.csoft_sms:
        to: ["447700900123"]
        msg: "deployed {{ app_version }}"
      delegate_to: localhost
      run_once: true
"""

RETURN = r"""
message_identifier:
  description:
    - The C(MessageIdentifier) the service gave the accepted message (or echoed from O(message_identifier)).
  returned: when the message was accepted; also on failure when the service answered
  type: str
  sample: "1000"
report:
  description:
    - The C(Report) code of the service's answer. V(0) when the message was accepted.
  returned: when the message was accepted; also on failure when the service answered
  type: str
  sample: "0"
text:
  description:
    - The C(Text) of the service's answer, on one line, for example V(Message Sent OK).
  returned: when the message was accepted and the service sent a text; also on failure when the service answered
  type: str
  sample: Message Sent OK
library_number:
  description: The C(LibraryNumber) of the answer, when the service sent one that is not empty.
  returned: when present in the answer
  type: int
  sample: 12
recipients:
  description:
    - The numbers the message was sent to (or would be, in check mode), each once, in the order given.
  returned: always, once the options are valid
  type: list
  elements: str
  sample: ["447700900123", "447700900456"]
parts:
  description:
    - How many SMS parts the text needs (the usual estimate; every part is charged).
  returned: always, once the options are valid
  type: int
  sample: 1
endpoint:
  description:
    - The endpoint URL that answered the last call. Not returned in check mode when no query was needed.
    - On failure, the endpoint the failed request went to, also when it did not answer in time.
  returned: when a call was answered or a request was sent
  type: str
  sample: https://www.csoft.co.uk/sendsms5
failed_over:
  description: Whether any call was answered by an endpoint other than the first of O(endpoints).
  returned: always, once the options are valid
  type: bool
  sample: false
scheduled_for:
  description:
    - The time the service was asked to send the message (O(send_at) as sent in C(SendTimeAbsolute)),
      ISO 8601 in UTC, in whole seconds.
  returned: when O(send_at) is set, once the options are valid (also in check mode)
  type: str
  sample: "2026-12-08T09:00:00Z"
  version_added: 1.1.0
sent_at:
  description:
    - When the message was handed to the service, ISO 8601 in UTC, in whole seconds (rounded down).
    - Taken just before the C(SubmitMessage) request, so any reply to the message is received at or after it.
      Give it as O(csoft.sms.csoft_sms_inbox#module:since) to the M(csoft.sms.csoft_sms_inbox) module to read only the replies that came after this message.
    - With O(send_at), this is when the message was handed over to be sent later, not when it goes out (see RV(scheduled_for)).
  returned: when the message was accepted (not in check mode)
  type: str
  sample: "2026-12-07T12:00:00Z"
  version_added: 1.1.0
may_have_been_sent:
  description:
    - On failure, whether the request may have reached the service, so that the message may have been sent
      (a time-out or a broken connection after sending, or an answer that could not be read).
      Check the account's sent messages before sending it again.
  returned: on failure after the options were valid
  type: bool
  sample: false
"""

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftError, CsoftInputError
from ansible_collections.csoft.sms.plugins.module_utils._module import CsoftModule
from ansible_collections.csoft.sms.plugins.module_utils._send import send, send_error
from ansible_collections.csoft.sms.plugins.module_utils._submit import DELIVERY_OPTIONS, prepare_submit
from ansible_collections.csoft.sms.plugins.module_utils._times import iso_utc


def main():
    module = CsoftModule(
        "csoft_sms",
        {
            "to": {"type": "list", "elements": "str", "required": True},
            "msg": {"type": "str", "required": True},
            "reply_to": {"type": "str"},
            "delivery_option": {"type": "str", "choices": list(DELIVERY_OPTIONS)},
            "message_identifier": {"type": "str"},
            "send_at": {"type": "str"},
        },
        supports_check_mode=True,
    )
    params = module.params
    try:
        request = prepare_submit(
            params["to"],
            params["msg"],
            reply_to=params["reply_to"],
            delivery_option=params["delivery_option"],
            message_identifier=params["message_identifier"],
            send_at=params["send_at"],
        )
    except CsoftInputError as exc:
        module.fail_on_error(exc)

    if request.duplicates:
        module.warn(f"{len(request.duplicates)} repeated number(s) in to were dropped; each number gets the message once")
    if request.parts > 1:
        module.warn(
            f"the message is {request.length} {request.encoding} characters and goes out as {request.parts} SMS parts "
            f"to each of {len(request.recipients)} recipient(s); every part is charged"
        )

    result = {"recipients": list(request.recipients), "parts": request.parts, "failed_over": False}
    if request.send_at is not None:
        result["scheduled_for"] = request.scheduled_for
    client = None
    try:
        with module.client() as client:
            answer = send(client, request, check_mode=module.check_mode)
    except CsoftError as exc:
        error = send_error(exc, client=client)
        if client is not None:
            result["failed_over"] = client.failed_over
        # The endpoint the failed request went to (a time-out after sending has no answering endpoint).
        if error.endpoint:
            result["endpoint"] = error.endpoint
        if error.answer is not None:
            result.update(error.answer.returned())
        module.fail_on_error(error, may_have_been_sent=error.may_have_been_sent, **result)

    if answer is not None:
        result.update(answer.returned())
        result["sent_at"] = iso_utc(answer.sent_at)
    result["failed_over"] = client.failed_over
    if client.endpoint:
        result["endpoint"] = client.endpoint
    module.exit_json(changed=True, **result)


if __name__ == "__main__":
    main()
