#!/usr/bin/python
# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This file holds the documentation only; the action plugin plugins/action/csoft_account_check.py does the work.

DOCUMENTATION = r"""
module: csoft_account_check
short_description: Fail when a Connection Software SMS account is below its credit, message or ReplyTo thresholds
version_added: 1.1.0
description:
  - Reads the credit, the message allowance and the permitted ReplyTo values of one or more Connection Software
    (csoft.co.uk) SMS accounts, each operation once per account, and fails when any figure is below its threshold
    or a required ReplyTo value is not permitted. The message names every shortfall with the measured value
    and the threshold, for example C(csoft credit 2.8950 GBP is below the required 10.0000 GBP).
  - The check is an action plugin and always runs on the controller, whatever host the task runs for; it never
    connects to the managed host. Use it with C(run_once) to check once per play (once per C(serial) batch).
  - With C(run_once), the hosts of a batch share one reading of each account also under the C(free) and
    C(host_pinned) strategies, which run a C(run_once) task on every host (Ansible warns that C(run_once) is not
    supported there). The first host's check asks the service and leaves its answers, or its error, in the run's
    cache, and the other hosts' checks use them without a request. A host that runs the same check again (a loop,
    a second C(include_role)), and the first host of the next C(serial) batch, ask afresh.
  - It is the check of the role P(csoft.sms.credit_gate#role), usable on its own as one task in any play.
  - It always asks the service (a deployment is decided on current figures) and stores the answers in the run's
    cache of the lookup P(csoft.sms.csoft_account#lookup), so that lookups of the same account later in the same
    C(ansible-playbook) run send no further request. O(cache=false) keeps the answers out of that cache.
  - Fails over from the first endpoint to the next only when no connection could be made;
    any answer of the service, including an error, is final and never retried.
  - The check never changes anything; it reports RV(ignore:changed=false) and queries in check mode as well.
author:
  - csoft.sms contributors (@csoft-sms)
options:
  min_credit:
    description:
      - The lowest acceptable credit, in the account's currency. The check fails when the credit is below it;
        a credit equal to it passes.
    type: float
    default: 0.0
  min_messages:
    description:
      - The lowest acceptable number of messages the credit buys. The check fails when the account has fewer.
    type: int
    default: 0
  required_reply_to:
    description:
      - ReplyTo values (sender numbers or names) the deployment relies on. The check fails for each one
        that is not permitted on the account.
    type: list
    elements: str
    default: []
  accounts:
    description:
      - Check several accounts in one task. Each item may set its own connection values and thresholds;
        a value an item does not set falls back to the option of the same name of the task.
      - When empty, the one account given by the task's options is checked.
      - With several accounts, every message ends with C((account <label>)), the label being the item's
        O(accounts[].name), else its O(accounts[].username), else its position in the list (from 1).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: A label for messages.
        type: str
      username:
        description: Username of this account.
        type: str
      pin:
        description: PIN of this account. Never shown in any output.
        type: str
      endpoints:
        description: Service URLs for this account, tried in order.
        type: list
        elements: str
      validate_certs:
        description: Verify TLS certificates for this account.
        type: bool
      ca_path:
        description: CA bundle for this account.
        type: path
      timeout:
        description: Time-out in seconds of each request for this account.
        type: float
      min_credit:
        description: Lowest acceptable credit of this account.
        type: float
      min_messages:
        description: Lowest acceptable message allowance of this account.
        type: int
      required_reply_to:
        description: ReplyTo values this account must permit.
        type: list
        elements: str
  cache:
    description:
      - Store the answers in the run's cache of the lookup P(csoft.sms.csoft_account#lookup), for lookups later
        in the same run. The check itself always asks the service.
      - The cache holds no PIN, is readable by its owner only and its answers expire after O(cache_ttl) seconds;
        see the lookup's documentation. Failed queries are never stored.
      - Falls back to the E(CSOFT_CACHE) environment variable.
    type: bool
    default: true
  cache_ttl:
    description:
      - How many seconds a stored answer stays valid for later lookups. Between V(1) and V(3600); V(0) stores nothing,
        like O(cache=false).
      - Falls back to the E(CSOFT_CACHE_TTL) environment variable.
    type: int
    default: 120
  variables_prefix:
    description:
      - Read the options from variables as well, the way the role P(csoft.sms.credit_gate#role) does with
        V(credit_gate_). The variable named this prefix followed by an option's name (for example
        C(credit_gate_min_credit)), when it is set and not null, gives that option and wins over the task's
        argument and C(module_defaults) for that option only. Every other option keeps its argument,
        C(module_defaults), E(CSOFT_*) or default value.
      - The variables are read as the task sees them (role defaults and parameters, play, block and task vars,
        host vars, extra vars), with their templates rendered, and checked with the options' types before any
        request. Any other variable that starts with the prefix and is given to the task fails the check in one
        line, with the closest name, for example "unknown variable credit_gate_min_credits (did you mean
        credit_gate_min_credit?)". The host's own variables (inventory, facts, registered results) are left
        alone, and so are the two facts below. A missing credential is named as its variable, for example
        C(set credit_gate_username).
      - On success, the check sets the facts C(<prefix>account) (as RV(account)) and C(<prefix>account_list) (as
        RV(accounts)) on every host of the play when run with C(run_once), and its message, shown at every
        verbosity, starts with C(csoft credit gate passed:) followed by the figures. RV(account), RV(accounts),
        RV(problems) and RV(summary) are then not returned.
      - Letters, digits and underscores, ending with an underscore.
    type: str
extends_documentation_fragment:
  - csoft.sms.connection
  - csoft.sms.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.ACTIONGROUPS
  - ansible.builtin.action_common_attributes.CONN
  - ansible.builtin.action_common_attributes.FLOW
attributes:
  action:
    support: full
  async:
    support: none
  become:
    support: none
  bypass_host_loop:
    support: none
    details: Use C(run_once) to check once per play.
  check_mode:
    support: full
    details: The check only reads; in check mode it queries the service exactly as in normal mode.
  connection:
    support: none
    details: The check never connects to the managed host.
  delegation:
    support: none
    details: The check always runs on the controller; delegation changes nothing.
  platform:
    platforms: all
seealso:
  - name: Pre-deploy credit gate guide
    description: The role csoft.sms.credit_gate, which runs this check once per play, and the lookup in deployment plays.
    link: https://github.com/csoft-sms/csoft.sms/blob/main/docs/docsite/rst/guide_credit_gate.rst
  - module: csoft.sms.csoft_account_info
  - plugin: csoft.sms.csoft_account
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: Stop the play when the account cannot carry the deployment
  csoft.sms.csoft_account_check:
    username: ANOther.61234
    pin: "{{ vault_csoft_pin }}"
    min_credit: 10
    min_messages: 500
    required_reply_to: [ACMEOTP]
  run_once: true

- name: Credentials from module_defaults, figures registered for later tasks
  hosts: app_servers
  gather_facts: false
  module_defaults:
    group/csoft.sms.account:
      username: ANOther.61234
      pin: "{{ vault_csoft_pin }}"
  tasks:
    - name: Check the SMS account once
      csoft.sms.csoft_account_check:
        min_credit: 5
      run_once: true
      register: sms_check

    - name: Use the figures
      ansible.builtin.debug:
        msg: "{{ sms_check.account.messages }} messages left, answered by {{ sms_check.account.endpoint }}"

- name: Thresholds and credentials from variables, figures as facts (what the role csoft.sms.credit_gate does)
  csoft.sms.csoft_account_check:
    variables_prefix: sms_gate_
  vars:
    sms_gate_min_credit: 10
    sms_gate_username: ANother.61234
    sms_gate_pin: "{{ vault_csoft_pin }}"
  run_once: true

- name: Two accounts in one check, each with its own threshold
  csoft.sms.csoft_account_check:
    accounts:
      - name: alerts
        username: Alerts.61234
        pin: "{{ vault_alerts_pin }}"
        min_credit: 20
      - name: otp
        username: Otp.61234
        pin: "{{ vault_otp_pin }}"
        required_reply_to: [ACMEOTP]
  run_once: true
"""

RETURN = r"""
account:
  description: The figures of the (first) account.
  returned: when every account could be read and O(variables_prefix) is not set
  type: dict
  contains:
    credit:
      description: The available credit.
      type: float
      sample: 2.895
    currency:
      description: ISO 4217 code of the credit's currency.
      type: str
      sample: GBP
    messages:
      description: The approximate number of premier messages the credit buys.
      type: int
      sample: 24
    permitted_reply_to:
      description: The ReplyTo values the account may send from, in the service's order.
      type: list
      elements: str
      sample: ["447700912345", "csoft.co.uk"]
    endpoint:
      description: The endpoint URL that answered the last query.
      type: str
      sample: https://www.csoft.co.uk/sendsms5
    failed_over:
      description: Whether the answers came from an endpoint other than the first of O(endpoints).
      type: bool
      sample: false
accounts:
  description: The figures of every account, in the order of O(accounts), each as RV(account).
  returned: when every account could be read and O(variables_prefix) is not set
  type: list
  elements: dict
  sample:
    - {credit: 2.895, currency: GBP, messages: 24, permitted_reply_to: ["447700912345", "csoft.co.uk"],
       endpoint: "https://www.csoft.co.uk/sendsms5", failed_over: false}
problems:
  description: One clause per threshold that is not met; empty when the check passes.
  returned: when every account could be read and O(variables_prefix) is not set
  type: list
  elements: str
  sample: ["csoft credit 2.8950 GBP is below the required 10.0000 GBP"]
summary:
  description: The figures of every account in one line.
  returned: when every account could be read and O(variables_prefix) is not set
  type: str
  sample: "credit 2.8950 GBP, 24 messages, ReplyTo 447700912345, csoft.co.uk (from https://www.csoft.co.uk/sendsms5)"
msg:
  description:
    - On failure, the clauses of RV(problems) joined with C(; ), or why an account could not be read.
    - On success, C(csoft account check passed:) followed by RV(summary); with O(variables_prefix),
      C(csoft credit gate passed:) followed by the same figures.
  returned: always
  type: str
  sample: "csoft credit 2.8950 GBP is below the required 10.0000 GBP; csoft messages 24 is below the required 500"
"""
