# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Rows gate-*: the credit gate in the form users write (roles:), against a hand-written check, from one interleaved measurement."""

import os

from support.accounts import PIN, USERNAME

from ..bench import ONE_EACH, OPERATIONS, SOAP_MODULE, import_from_collection, median
from ..playbooks import yaml_vars
from ..results import Row

GATE_FORKS = 50
GATE_SIZES = (1, 200, 1000)
# The role is one task, the check, which validates the role's variables itself (variables_prefix), once per play.
GATE_VALIDATION = "TASK [csoft.sms.credit_gate : Compare the account with the thresholds]"
AUTOMATIC_VALIDATION = "Validating arguments against arg spec"
LOOKUP_USES = 100

# What a user would write by hand instead of the role: one run_once uri POST and one assert.
HAND_WRITTEN_TASKS = """\
    - name: Ask the service for the credit
      ansible.builtin.uri:
        url: "{{ csoft_url }}"
        method: POST
        headers:
          Content-Type: text/xml; charset=utf-8
          SOAPAction: '""'
        body: "{{ credit_envelope }}"
        return_content: true
      run_once: true
      register: credit_answer
    - name: Compare the credit with the threshold
      ansible.builtin.assert:
        that: (credit_answer.content | regex_findall('<Credit>([^<]+)</Credit>') | first | float) >= 1.0
        fail_msg: the SMS credit is too low
        quiet: true
      run_once: true
"""


# The check alone, as one task: what a large-inventory play can use instead of the role.
CHECK_TASK = """\
    - name: Check the SMS account
      csoft.sms.csoft_account_check:
        username: "{{ credit_gate_username }}"
        pin: "{{ credit_gate_pin }}"
        endpoints: "{{ credit_gate_endpoints }}"
        min_credit: 1.0
        min_messages: 10
        required_reply_to: [csoft.co.uk]
      run_once: true
"""


def trivial_role(bench):
    """Path of a role with one run_once debug task: the cost of being a role, whatever the role does."""
    tasks = os.path.join(bench.workdir, "roles", "one_task", "tasks")
    os.makedirs(tasks, exist_ok=True)
    with open(os.path.join(tasks, "main.yml"), "w") as handle:
        handle.write("- name: One task\n  ansible.builtin.debug:\n    msg: one task\n  run_once: true\n")
    return os.path.dirname(tasks)


def validated_hosts(stdout, header):
    """How many hosts report a result under the task whose header starts with ``header`` (0 when it did not run)."""
    if header not in stdout:
        return 0
    section = stdout.split(header, 1)[1].split("\nTASK [", 1)[0].split("\nPLAY RECAP", 1)[0]
    return sum(1 for line in section.splitlines() if line.startswith(("ok: [", "changed: [", "fatal: [")))


# The timed rows: name -> (figure, baseline, target text, subject run, baseline run, target ratio or None: reported only).
# A run is (playbook, hosts); its task time is its wall time minus that of the empty play over the same hosts.
TIMED = {
    "gate-roles": (
        "credit_gate via roles:, 200 hosts, forks 50 (task time)",
        "the same play on 1 host",
        "<= 1.2x, 1 request per operation",
        ("roles", 200),
        ("roles", 1),
        1.2,
    ),
    "gate-1000": (
        "credit_gate via roles:, 1000 hosts, forks 50 (task time)",
        "hand-written check on 1000 hosts: run_once uri + assert",
        "<= 1.1x, 1 request per operation",
        ("roles", 1000),
        ("hand", 1000),
        1.1,
    ),
    "gate-1": ("credit_gate via roles:, 1 host (task time)", "hand-written check on 1 host: run_once uri + assert", "<= 1.0x", ("roles", 1), ("hand", 1), 1.0),
    "gate-task-1000": (
        "csoft_account_check as one run_once task, 1000 hosts, forks 50 (task time)",
        "hand-written check on 1000 hosts: run_once uri + assert",
        "<= 1.0x",
        ("task", 1000),
        ("hand", 1000),
        1.0,
    ),
    "role-floor-1000": (
        "a role with one run_once debug task via roles:, 1000 hosts, forks 50 (task time)",
        "hand-written check on 1000 hosts: run_once uri + assert",
        "reported: what any role costs",
        ("floor", 1000),
        ("hand", 1000),
        None,
    ),
    "gate-floor-1000": (
        "credit_gate via roles:, 1000 hosts, forks 50 (task time)",
        "a role whose only task is one run_once debug, 1000 hosts: Ansible's floor for any role",
        "<= 1.15x, 1 request per operation",
        ("roles", 1000),
        ("floor", 1000),
        1.15,
    ),
}
# Every run the rows may need, in the order of the interleaved loop.
RUNS = [(name, size) for size in GATE_SIZES for name in ("empty", "roles")] + [("hand", 1), ("hand", 1000), ("task", 1000), ("floor", 1000)]
# Rows whose plays must ask once per operation, and rows whose plays over N hosts must validate once.
ONE_REQUEST_ROWS = ("gate-roles", "gate-1000", "gate-task-1000", "gate-floor-1000")
VALIDATION_ROWS = {"gate-roles": 200, "gate-1000": 1000}


def row_gate(bench):
    """Every gate row, from one interleaved measurement: the role (roles: form), the check as one task, a hand-written check, the one-task role, empty plays."""
    return measure(bench, [*TIMED, "gate-lookups"])


def row_gate_floor(bench):
    """The row gate-floor-1000 alone: the role and the one-task role over 1000 hosts, and the empty play."""
    return measure(bench, ["gate-floor-1000"])


def measure(bench, wanted):
    """The rows named in ``wanted`` (keys of TIMED, and "gate-lookups"), running only the plays they need."""
    rows = {name: Row(name, *TIMED[name][:3]) for name in TIMED if name in wanted}
    lookups = None
    if "gate-lookups" in wanted:
        lookups = Row(
            "gate-lookups",
            f"credit_gate, then the lookup csoft_account used {LOOKUP_USES} times in the same run",
            "requests counted by the simulator",
            "1 request per operation in all",
        )
    needed = {run for name in rows for run in TIMED[name][3:5]}
    needed |= {("empty", size) for _name, size in needed}
    runs = [run for run in RUNS if run in needed]
    first = rows.get("gate-1") or next(iter(rows.values()), lookups)  # the row that carries the untimed checks
    soap_mod = import_from_collection(bench, SOAP_MODULE)
    url = bench.urls["primary"]
    variables = {
        "credit_gate_username": USERNAME,
        "credit_gate_pin": PIN,
        "credit_gate_endpoints": [url, bench.urls["secondary"]],
        "credit_gate_min_credit": 1.0,
        "credit_gate_min_messages": 10,
        "credit_gate_required_reply_to": ["csoft.co.uk"],
        "csoft_url": url,
        "credit_envelope": soap_mod.build_envelope("AvailableCredit", USERNAME, PIN).decode("utf-8"),
    }
    head = "- hosts: targets\n  gather_facts: false\n" + yaml_vars(variables)
    books = {
        "empty": bench.write("gate-empty.yml", head + "  tasks: []\n"),
        "roles": bench.write("gate-roles.yml", head + "  roles:\n    - role: csoft.sms.credit_gate\n"),
        "hand": bench.write("gate-hand.yml", head + "  tasks:\n" + HAND_WRITTEN_TASKS),
        "task": bench.write("gate-task.yml", head + "  tasks:\n" + CHECK_TASK),
        "floor": bench.write("gate-floor.yml", head + "  roles:\n    - role: " + trivial_role(bench) + "\n"),
    }
    uses = "".join("{{ lookup('csoft.sms.csoft_account', 'credit', 'messages', 'reply_to') }}" for _unused in range(LOOKUP_USES))
    lookup_vars = dict(variables, csoft_username=USERNAME, csoft_pin=PIN, csoft_endpoints=variables["credit_gate_endpoints"])
    with_lookups = bench.write(
        "gate-lookups.yml",
        "- hosts: targets\n  gather_facts: false\n"
        + yaml_vars(lookup_vars)
        + "  roles:\n    - role: csoft.sms.credit_gate\n  tasks:\n    - name: Use the account\n      ansible.builtin.debug:\n"
        + f'        msg: "{uses}"\n',
    )
    inventories = {size: bench.inventory(size) for size in GATE_SIZES}
    args = ("-f", str(GATE_FORKS))

    # Warm-up and correctness, untimed: the checks pass; the gate then 100 lookups asks once per operation.
    bench.reset()
    _unused, result = bench.playbook(books["roles"], inventory=inventories[1], args=args)
    first.check("the gate passes and reports the account", "csoft credit gate passed" in result.stdout and "2.8950 GBP" in result.stdout)
    if any(name == "hand" for name, _size in runs):
        bench.reset()
        bench.playbook(books["hand"], inventory=inventories[1], args=args)
        first.check("the hand-written check passes with one request", bench.counts("primary")["AvailableCredit"] == 1)
    if lookups:
        bench.reset()
        bench.playbook(with_lookups, inventory=inventories[1], args=args)
        counts = bench.counts("primary")
        got = {op: counts[op] for op in OPERATIONS}
        lookups.check(f"requests per run: exactly {ONE_EACH} (got {got})", got == ONE_EACH and not bench.counts("secondary")["total"])
    if runs:
        bench.playbook(books["empty"], inventory=inventories[max(size for _name, size in runs)], args=args)

    # One interleaved loop over every (playbook, inventory), rotated each repetition, so drift hits all alike.
    reps = bench.reps("playbook_reps")
    walls = {run: [] for run in runs}
    bad_counts, validations = [], {}
    for rep in range(reps):
        for name, size in runs[rep % len(runs) :] + runs[: rep % len(runs)]:
            bench.reset()
            wall, result = bench.playbook(books[name], inventory=inventories[size], args=args)
            walls[(name, size)].append(wall)
            if name in ("roles", "task"):
                counts = bench.counts("primary")
                got = {op: counts[op] for op in OPERATIONS}
                if got != ONE_EACH or counts["invalid"] or bench.counts("secondary")["total"]:
                    bad_counts.append(f"{name}, {size} hosts, run {rep + 1}: {got}")
            if name == "roles":
                validations.setdefault(size, (validated_hosts(result.stdout, AUTOMATIC_VALIDATION), validated_hosts(result.stdout, GATE_VALIDATION)))

    def task_time(name, size):
        return median(walls[(name, size)]) - median(walls[("empty", size)])

    for name, row in rows.items():
        subject, baseline, target = TIMED[name][3:]
        row.subject, row.baseline = task_time(*subject), task_time(*baseline)
        row.ratio = row.subject / row.baseline if row.baseline > 0 else None
        row.timing_ok = None if target is None else row.ratio is not None and row.ratio <= target
        row.details = {"reps": reps, "forks": GATE_FORKS, "walls_s": {f"{name}-{size}": values for (name, size), values in walls.items()}}
        if name in ONE_REQUEST_ROWS:
            row.check(f"requests per play: exactly {ONE_EACH}" + (f" (got {bad_counts})" if bad_counts else ""), not bad_counts)
        if name in VALIDATION_ROWS:
            automatic, own = validations.get(VALIDATION_ROWS[name], (None, None))
            row.check(f"validation once, not per host: automatic on {automatic} hosts, the role's own on {own}", (automatic, own) == (0, 1))
    return [*rows.values()] + ([lookups] if lookups else [])
