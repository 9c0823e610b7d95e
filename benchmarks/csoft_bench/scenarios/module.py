# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Row module: credit + messages + reply_to in one csoft_account_info task, against three uri tasks and a set_fact."""

import json
import os
import textwrap

from support.accounts import PIN, USERNAME

from ..bench import EXPECTED, ONE_EACH, OPERATIONS, SOAP_MODULE, import_from_collection
from ..playbooks import compare_playbooks, yaml_vars
from ..results import Row


def row_module(bench):
    row = Row(
        "module",
        "credit + messages + reply_to in one csoft_account_info task (task time)",
        "3 x ansible.builtin.uri POST + set_fact regex_search",
        "<= 0.5x",
    )
    soap_mod = import_from_collection(bench, SOAP_MODULE)
    url = bench.urls["primary"]
    variables = {"csoft_username": USERNAME, "csoft_pin": PIN, "csoft_endpoints": [url, bench.urls["secondary"]], "csoft_url": url}
    for op in OPERATIONS:
        variables[f"envelope_{op}"] = soap_mod.build_envelope(op, USERNAME, PIN).decode("utf-8")
    head = "- hosts: localhost\n  gather_facts: false\n" + yaml_vars(variables) + "  tasks:\n"
    save = textwrap.dedent(
        """\
        - name: Save the result
          ansible.builtin.copy:
            content: "{{ account | to_json }}"
            dest: "{{ playbook_dir }}/module-result.json"
            mode: "0600"
        """
    )
    empty = bench.write("module-empty.yml", "- hosts: localhost\n  gather_facts: false\n  tasks: []\n")
    subject_tasks = textwrap.dedent(
        """\
        - name: Query the account with the collection
          csoft.sms.csoft_account_info:
            username: "{{ csoft_username }}"
            pin: "{{ csoft_pin }}"
            endpoints: "{{ csoft_endpoints }}"
          register: account
        """
    )
    uri_task = textwrap.dedent(
        """\
        - name: {op} with uri
          ansible.builtin.uri:
            url: "{{{{ csoft_url }}}}"
            method: POST
            headers:
              Content-Type: text/xml; charset=utf-8
              SOAPAction: '""'
            body: "{{{{ envelope_{op} }}}}"
            return_content: true
          register: answer_{op}
        """
    )
    baseline_tasks = "".join(uri_task.format(op=op) for op in OPERATIONS) + textwrap.dedent(
        """\
        - name: Parse the answers
          ansible.builtin.set_fact:
            account:
              credit: "{{ answer_AvailableCredit.content | regex_search('<Credit>([^<]+)</Credit>', '\\\\1') | first | float }}"
              currency: "{{ answer_AvailableCredit.content | regex_search('<Currency>([^<]+)</Currency>', '\\\\1') | first }}"
              messages: "{{ answer_AvailableMessages.content | regex_search('<Messages>([^<]+)</Messages>', '\\\\1') | first | int }}"
              permitted_reply_to: >-
                {{ (answer_PermittedReplyTo.content | regex_search('<PermittedReplyTo>([^<]+)</PermittedReplyTo>', '\\1') | first).split(',') }}
        """
    )
    subject = bench.write("module-subject.yml", head + textwrap.indent(subject_tasks, "    "))
    baseline = bench.write("module-baseline.yml", head + textwrap.indent(baseline_tasks, "    "))
    # Untimed runs with a task that saves the values: warm-up and correctness check of both ways.
    for name, tasks in (("subject", subject_tasks), ("baseline", baseline_tasks)):
        check = bench.write(f"module-{name}-check.yml", head + textwrap.indent(tasks + save, "    "))
        bench.reset()
        bench.playbook(check)
        with open(os.path.join(bench.workdir, "module-result.json")) as handle:
            result = json.load(handle)
        got = {key: result.get(key) for key in EXPECTED}
        row.check(f"{name} returns {EXPECTED} (got {got})", got == EXPECTED)
    bench.playbook(empty)
    return compare_playbooks(bench, row, empty, subject, baseline, target_ratio=0.5, expect_counts=ONE_EACH)
