#!/usr/bin/python
# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: csoft_account_info
short_description: Query the credit, messages and permitted ReplyTo values of a Connection Software SMS account
version_added: 1.0.0
description:
  - Calls the account query operations of the Connection Software (csoft.co.uk) SOAP API
    (C(AvailableCredit), C(AvailableMessages), C(PermittedReplyTo)) and returns their values.
  - Only the operations needed for O(gather) are called, each once.
  - Fails over from the first endpoint to the next only when no connection could be made;
    any answer of the service, including an error, is final and never retried.
  - This module never changes anything; it reports RV(ignore:changed=false) and runs in check mode as well.
author:
  - csoft.sms contributors (@csoft-sms)
options:
  gather:
    description:
      - Which values to fetch.
      - V(credit) returns RV(credit) and RV(currency) (one C(AvailableCredit) call),
        V(messages) returns RV(messages) (one C(AvailableMessages) call),
        V(reply_to) returns RV(permitted_reply_to) (one C(PermittedReplyTo) call).
    type: list
    elements: str
    choices: [credit, messages, reply_to]
    default: [credit, messages, reply_to]
extends_documentation_fragment:
  - csoft.sms.connection
  - csoft.sms.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
attributes:
  check_mode:
    support: full
    details: The module only reads; in check mode it queries the service exactly as in normal mode.
  platform:
    platforms: posix
seealso:
  - plugin: csoft.sms.csoft_account
    plugin_type: lookup
  - name: Connection Software Account Query SOAP API
    description: The vendor's description of the three account queries.
    link: https://www.csoft.co.uk/
"""

EXAMPLES = r"""
- name: Read the account figures
  csoft.sms.csoft_account_info:
    username: ANOther.61234
    pin: "{{ vault_csoft_pin }}"
  delegate_to: localhost
  run_once: true
  register: sms_account

- name: Show them
  ansible.builtin.debug:
    msg: >-
      {{ sms_account.credit }} {{ sms_account.currency }},
      about {{ sms_account.messages }} messages,
      ReplyTo {{ sms_account.permitted_reply_to | join(', ') }}

- name: Only the credit, with credentials from CSOFT_USERNAME / CSOFT_PIN in the environment
  csoft.sms.csoft_account_info:
    gather: [credit]
  delegate_to: localhost
  register: sms_credit

- name: Set the credentials once for every csoft.sms module of a play
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/csoft.sms.account:
      username: ANOther.61234
      pin: "{{ vault_csoft_pin }}"
      timeout: 5
  tasks:
    - name: Query through module_defaults
      csoft.sms.csoft_account_info:
      register: sms_account

- name: A private endpoint pair with a corporate CA bundle
  csoft.sms.csoft_account_info:
    endpoints:
      - https://sms-primary.example.com/sendsms5
      - https://sms-secondary.example.com/sendsms5
    ca_path: /etc/pki/tls/certs/corporate-ca.pem
  delegate_to: localhost
  register: sms_account
"""

RETURN = r"""
credit:
  description:
    - The available credit on the account. The service sends it with four decimal places (V(2.8950)).
  returned: when V(credit) is in O(gather)
  type: float
  sample: 2.895
currency:
  description: ISO 4217 code of the currency of RV(credit).
  returned: when V(credit) is in O(gather)
  type: str
  sample: GBP
messages:
  description:
    - The approximate number of premier messages the credit buys at the account's current tariff.
  returned: when V(messages) is in O(gather)
  type: int
  sample: 24
permitted_reply_to:
  description:
    - The ReplyTo values the account may send from, in the order the service gives them.
    - Always holds at least V(csoft.co.uk), the global default.
  returned: when V(reply_to) is in O(gather)
  type: list
  elements: str
  sample: ["447700912345", "csoft.co.uk"]
endpoint:
  description: The endpoint URL that answered the last call.
  returned: success
  type: str
  sample: https://www.csoft.co.uk/sendsms5
failed_over:
  description: Whether any call was answered by an endpoint other than the first of O(endpoints).
  returned: success
  type: bool
  sample: false
"""

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftError
from ansible_collections.csoft.sms.plugins.module_utils._module import CsoftModule

GATHER_CHOICES = ["credit", "messages", "reply_to"]


def gather_account(client, items):
    """Query the account for each item of ``items`` (in the fixed order of GATHER_CHOICES); the module's result values."""
    wanted = [item for item in GATHER_CHOICES if item in items]
    return client.figures(wanted).public()


def main():
    module = CsoftModule(
        "csoft_account_info",
        {"gather": {"type": "list", "elements": "str", "choices": GATHER_CHOICES, "default": GATHER_CHOICES}},
        supports_check_mode=True,
    )
    try:
        with module.client() as client:
            result = gather_account(client, module.params["gather"])
    except CsoftError as exc:
        module.fail_on_error(exc)

    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
