# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Row lookup: the lookup used 100 times in one template, against one use."""

import json
import os
import textwrap

from support.accounts import PIN, USERNAME

from ..bench import EXPECTED, ONE_EACH
from ..playbooks import compare_playbooks, yaml_vars
from ..results import Row


def row_lookup(bench):
    row = Row(
        "lookup",
        "lookup used 100 times in one template (task time)",
        "the lookup used once (one query of the same terms)",
        "<= 1.5x, <= 1 request per operation",
    )
    variables = {"csoft_username": USERNAME, "csoft_pin": PIN, "csoft_endpoints": [bench.urls["primary"], bench.urls["secondary"]]}
    terms = ("credit", "currency", "messages", "reply_to")
    uses = []
    for index in range(100):
        term = terms[index % len(terms)]
        if term == "reply_to":
            uses.append(f"{index}: {{{{ query('csoft.sms.csoft_account', 'reply_to') | join(',') }}}}")
        else:
            uses.append(f"{index}: {{{{ lookup('csoft.sms.csoft_account', '{term}') }}}}")
    many = bench.write("lookup-100.j2", "\n".join(uses) + "\n")
    once = bench.write("lookup-1.j2", "{{ query('csoft.sms.csoft_account', 'credit', 'currency', 'messages', 'reply_to') | to_json }}\n")
    task = textwrap.dedent(
        """\
        - name: Render the template
          ansible.builtin.template:
            src: {src}
            dest: "{{{{ playbook_dir }}}}/{dest}"
            mode: "0600"
        """
    )
    head = "- hosts: localhost\n  gather_facts: false\n" + yaml_vars(variables) + "  tasks:\n"
    empty = bench.write("lookup-empty.yml", "- hosts: localhost\n  gather_facts: false\n" + yaml_vars(variables) + "  tasks: []\n")
    subject = bench.write("lookup-subject.yml", head + textwrap.indent(task.format(src=many, dest="lookup-100.out"), "    "))
    baseline = bench.write("lookup-baseline.yml", head + textwrap.indent(task.format(src=once, dest="lookup-1.out"), "    "))
    # Warm-up and correctness: render both once, untimed.
    bench.reset()
    bench.playbook(subject)
    with open(os.path.join(bench.workdir, "lookup-100.out")) as handle:
        lines = handle.read().splitlines()
    expected_line = {"credit": "2.895", "currency": "GBP", "messages": "24", "reply_to": "447700912345,csoft.co.uk"}
    wrong = [line for index, line in enumerate(lines) if line != f"{index}: {expected_line[terms[index % len(terms)]]}"]
    row.check(f"100 uses render the right values ({len(wrong)} wrong{': ' + wrong[0] if wrong else ''})", len(lines) == 100 and not wrong)
    bench.reset()
    bench.playbook(baseline)
    with open(os.path.join(bench.workdir, "lookup-1.out")) as handle:
        once_values = json.loads(handle.read())
    row.check(f"one use renders the right values ({once_values})", once_values == [2.895, "GBP", 24, EXPECTED["permitted_reply_to"]])
    bench.playbook(empty)
    return compare_playbooks(bench, row, empty, subject, baseline, target_ratio=1.5, expect_counts=ONE_EACH)
