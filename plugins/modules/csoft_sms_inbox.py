#!/usr/bin/python
# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: csoft_sms_inbox
short_description: Read the SMS replies sent to a Connection Software account, or wait for one
version_added: 1.1.0
description:
  - Collects the messages sent to the account's numbers with the C(CollectMessages) operation of the Connection Software
    (csoft.co.uk) SOAP API, once, or until a reply that satisfies O(from), O(match) and O(since) arrives.
  - With O(wait) it is an "approve by SMS" step. Text on-call a question with M(csoft.sms.csoft_sms), then wait here for the answer,
    with O(since) set to the RV(csoft.sms.csoft_sms#module:sent_at) that task returns.
  - Each poll is one C(CollectMessages) request. The rule of every csoft.sms call holds.
    The next endpoint is tried only when no connection could be made, and a request is never retried after an answer.
    A poll that fails ends the task; the messages already collected are still returned.
  - The vendor does not say whether collecting removes a message from the service, so the module assumes it may.
    Every message collected by the task is returned in RV(messages), also when the task fails or times out, and RV(ignore:changed) is
    V(true) when any message was collected. A message the service returns twice is listed once (same sender, time and text).
    A message that cannot be read (a value in it does not parse) is left out with a warning and one line in RV(unreadable);
    the other messages of that answer are still returned.
  - Run one consumer per account, this module or the event source C(csoft.sms.sms_inbox), not both at once,
    because one may take the messages the other waits for.
  - The text of a reply is data. The module never templates or runs it, and Ansible marks it unsafe, so text such as
    C({{ lookup('pipe', 'id') }}) stays text in later tasks.
  - Sender numbers can be spoofed. A reply confirms the intent of the person who holds the phone; it is not strong authentication.
author:
  - csoft.sms contributors (@csoft-sms)
options:
  wait:
    description:
      - Seconds to wait for a reply that satisfies O(from), O(match) and O(since). V(0) collects once and returns.
      - More than V(0) polls every O(poll_interval) seconds until such a reply arrives or the time runs out, at most 86400 (a day).
        A longer watch belongs in a rulebook with the event source C(csoft.sms.sms_inbox).
    type: float
    default: 0
  poll_interval:
    description:
      - Seconds between polls while waiting, at least 5 (so that no task can hammer the service) and at most 3600.
    type: float
    default: 10
  poll_interval_floor_for_tests:
    description:
      - For tests against the simulator only. Lowers the floor of O(poll_interval) below 5 seconds (above 0, at most 5).
      - Never set it against the real service, which blocks clients that poll too often.
    type: float
  from:
    description:
      - Sender numbers, in international format without C(+), for example V(447700900123).
        Only replies from these numbers can match. Not set, a reply from any number can match.
    type: list
    elements: str
  match:
    description:
      - A Python regular expression searched (not anchored unless you anchor it) in the reply's text, case-insensitive.
        Not set, any text matches.
      - A search that takes longer than 1 second on one reply fails the task with one line. This happens with patterns of nested
        repeats such as V((a+\)+). Use a pattern without them.
    type: str
  since:
    description:
      - An ISO 8601 time, for example V(2026-12-08T09:00:00Z). A time without a zone is UTC. Replies received before it never match.
      - The typical value is the RV(csoft.sms.csoft_sms#module:sent_at) of the task that asked the question.
    type: str
  fail_on_timeout:
    description:
      - Whether the task fails when O(wait) is more than V(0) and no reply matched in time.
        The failure is one line, and the messages collected are still returned.
      - With V(false) the task succeeds with RV(matched) null; test it in a later task.
    type: bool
    default: true
extends_documentation_fragment:
  - csoft.sms.connection
  - csoft.sms.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
attributes:
  check_mode:
    support: full
    details:
      - Checks every option and collects nothing, because collecting may remove the messages from the service.
        Returns RV(ignore:changed=false), an empty RV(messages) and RV(matched) null.
  platform:
    platforms: posix
notes:
  - The vendor publishes no table of the C(Report) codes of C(CollectMessages). V(0) is success; any other code fails the task
    with the code.
seealso:
  - module: csoft.sms.csoft_sms
  - name: Reply to act
    description: The event source csoft.sms.sms_inbox, which turns replies into rulebook events.
    link: https://github.com/csoft-sms/csoft.sms/blob/main/docs/docsite/rst/guide_reply_to_act.rst
  - name: Approve by SMS
    description: The guide to the ask-and-wait pattern, with its security caveat.
    link: https://github.com/csoft-sms/csoft.sms/blob/main/docs/docsite/rst/guide_approve_by_sms.rst
"""

EXAMPLES = r"""
- name: Ask on-call before the deployment
  csoft.sms.csoft_sms:
    to: ["{{ oncall }}"]
    msg: "Deploy build 42 to prod? Reply YES or NO"
  delegate_to: localhost
  run_once: true
  register: asked

- name: Wait up to 15 minutes for the answer
  csoft.sms.csoft_sms_inbox:
    from: ["{{ oncall }}"]
    match: '^\s*(yes|no)\b'
    since: "{{ asked.sent_at }}"
    wait: 900
  delegate_to: localhost
  run_once: true
  register: answer

- name: Go on only with a yes
  ansible.builtin.assert:
    that: answer.matched.text is match('(?i)\s*yes')
    fail_msg: "{{ answer.matched.from }} answered no"

- name: Read every reply waiting now, without failing when there is none
  csoft.sms.csoft_sms_inbox:
  delegate_to: localhost
  register: inbox

- name: Show them
  ansible.builtin.debug:
    msg: "{{ item.received }} {{ item.from }}: {{ item.text }}"
  loop: "{{ inbox.messages }}"
"""

RETURN = r"""
messages:
  description:
    - Every message this task collected, each once, in the order the service gave them. Also returned when the task fails.
  returned: always, once the options are valid
  type: list
  elements: dict
  contains:
    from:
      description: The sender's number, the one to answer (the C(ReplyTo) of the vendor's message).
      type: str
      sample: "447700900123"
    to:
      description: The account's number the message was sent to (C(SendTo)).
      type: str
      sample: "447700912345"
    text:
      description: The text of the message, with control characters other than line breaks and tabs shown as V(?).
      type: str
      sample: "YES"
    received:
      description: When the service received it, ISO 8601 in UTC.
      type: str
      sample: "2026-12-08T09:01:12Z"
  sample:
    - {"from": "447700900123", "to": "447700912345", "text": "YES", "received": "2026-12-08T09:01:12Z"}
matched:
  description:
    - The first message collected that satisfies O(from), O(match) and O(since), in the form of the items of RV(messages);
      null when none did.
  returned: always, once the options are valid
  type: dict
  sample: {"from": "447700900123", "to": "447700912345", "text": "YES", "received": "2026-12-08T09:01:12Z"}
unreadable:
  description:
    - One line for each collected message that could not be read (a value in it did not parse, such as a C(Timestamp1)
      that is not a time), at most 20; such a message is not in RV(messages) and never matches.
    - The rest of that answer is still read, because collecting may have removed its messages from the service.
      The task warns once when this list is not empty.
  returned: always, once the options are valid
  type: list
  elements: str
  sample:
    - >-
      csoft CollectMessages at https://www.csoft.co.uk/sendsms5: the service sent Timestamp1 'soon' in item 2,
      which is not an xsd:dateTime; this message was left out
polls:
  description: How many C(CollectMessages) requests the task sent (V(0) in check mode).
  returned: always, once the options are valid
  type: int
  sample: 3
endpoint:
  description: The endpoint URL that answered the last call.
  returned: when a call was answered
  type: str
  sample: https://www.csoft.co.uk/sendsms5
failed_over:
  description: Whether any call was answered by an endpoint other than the first of O(endpoints).
  returned: always, once the options are valid
  type: bool
  sample: false
"""

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.plugins.module_utils._inbox import InboxError, InboxOptions, read_inbox
from ansible_collections.csoft.sms.plugins.module_utils._module import CsoftModule


def collected_any(inbox):
    """Whether the service handed over any message, readable or not (collecting may remove it there)."""
    return bool(inbox.messages or inbox.unreadable.count)


def warn_unreadable(module, inbox):
    warning = inbox.unreadable.warning()
    if warning:
        module.warn(warning)


def main():
    module = CsoftModule(
        "csoft_sms_inbox",
        {
            "wait": {"type": "float", "default": 0},
            "poll_interval": {"type": "float", "default": 10},
            "poll_interval_floor_for_tests": {"type": "float"},
            "from": {"type": "list", "elements": "str"},
            "match": {"type": "str"},
            "since": {"type": "str"},
            "fail_on_timeout": {"type": "bool", "default": True},
        },
        supports_check_mode=True,
    )
    try:
        options = InboxOptions.from_values(module.params.get)
    except CsoftInputError as exc:
        module.fail_on_error(exc)

    result = {"messages": [], "matched": None, "polls": 0, "unreadable": [], "failed_over": False}
    if module.check_mode:
        module.exit_json(changed=False, msg="check mode: nothing was collected, because collecting may remove the messages from the service", **result)

    client = None
    try:
        with module.client() as client:
            inbox = read_inbox(client, options)
    except InboxError as exc:
        result.update(exc.result.public(), failed_over=client.failed_over if client is not None else False)
        if client is not None and client.endpoint:
            result["endpoint"] = client.endpoint
        warn_unreadable(module, exc.result)
        module.fail_on_error(exc, changed=collected_any(exc.result), **result)

    result.update(inbox.public(), failed_over=client.failed_over)
    if client.endpoint:
        result["endpoint"] = client.endpoint
    warn_unreadable(module, inbox)
    changed = collected_any(inbox)
    if inbox.timed_out and module.params["fail_on_timeout"]:
        wanted = options.matcher.describe() or "of any kind"
        module.fail_on_error(
            None,
            msg=f"csoft.sms.csoft_sms_inbox: no reply {wanted} within {options.wait:g} s ({inbox.polls} polls, {len(inbox.messages)} other messages "
            "collected, returned in messages); ask again, wait longer, or set fail_on_timeout: false",
            changed=changed,
            **result,
        )
    module.exit_json(changed=changed, **result)


if __name__ == "__main__":
    main()
