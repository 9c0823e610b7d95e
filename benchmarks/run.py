#!/usr/bin/env python
# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmarks of csoft.sms, each against the baseline a user would otherwise use, measured in the same run.

    python benchmarks/run.py            # every row, full repetition counts
    python benchmarks/run.py --smoke    # every row, tiny counts (CI); timing targets reported, not enforced
    python benchmarks/run.py --only client --only import

Prints a table and writes benchmarks/results/<timestamp>.json and
benchmarks/results/latest.json. Exits 1 when a target is missed (in --smoke
mode only the exact request-count targets count), 2 on a usage error.
See benchmarks/README.md for what each row measures and how.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests"))  # the test support (tests/support), standard library only

from support.accounts import PIN, USERNAME  # noqa: E402
from support.network import BlackHole, StreamingServer  # noqa: E402
from support.playbook_env import ansible_env  # noqa: E402
from support.simulator import SimulatorProcess  # noqa: E402

RESULTS_DIR = os.path.join(HERE, "results")
PYTHON = sys.executable
CLIENT_MODULE = "ansible_collections.csoft.sms.plugins.module_utils._client"
SOAP_MODULE = "ansible_collections.csoft.sms.plugins.module_utils._soap"
MODULE_NAME = "ansible_collections.csoft.sms.plugins.modules.csoft_account_info"
EXPECTED = {"credit": 2.895, "currency": "GBP", "messages": 24, "permitted_reply_to": ["447700912345", "csoft.co.uk"]}
OPERATIONS = ("AvailableCredit", "AvailableMessages", "PermittedReplyTo")
ONE_EACH = dict.fromkeys(OPERATIONS, 1)

# Repetition counts: (full, smoke).
REPS = {
    "client_calls": (2000, 200),
    "client_reps": (5, 3),
    "playbook_reps": (5, 1),
    "failover_pairs": (200, 20),
    "blackhole_reps": (5, 1),
    "memory_reps": (3, 1),
    "import_reps": (40, 6),
}
BLACKHOLE_T = 1.0  # connect time-out T of the black-holed row, seconds
HOSTILE_MIB = 50


def log(message):
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def median(values):
    return statistics.median(values) if values else None


# --------------------------------------------------------------------------
# Environment: the collection on a collections path, the simulator process
# --------------------------------------------------------------------------


class Bench:
    """What every row needs: the mode, a scratch directory, the collection path and the simulator."""

    def __init__(self, smoke, workdir):
        self.smoke = smoke
        self.workdir = workdir
        self.collections = os.path.join(workdir, "collections")
        link = os.path.join(self.collections, "ansible_collections", "csoft", "sms")
        os.makedirs(os.path.dirname(link))
        os.symlink(REPO, link)
        self.simulator = None
        self.urls = None
        self.control = requests.Session()
        self.control.trust_env = False  # never through a proxy: loopback only

    def reps(self, name):
        full, smoke = REPS[name]
        return smoke if self.smoke else full

    # ----- simulator (a separate process, so it does not share the GIL with the client) -----

    def start_simulator(self):
        self.simulator = SimulatorProcess(os.path.join(self.workdir, "simulator"))
        self.urls = {"primary": self.simulator.primary, "secondary": self.simulator.secondary}
        log(f"simulator pid {self.simulator.pid}: {self.urls['primary']} {self.urls['secondary']}")

    def stop_simulator(self):
        if self.simulator is not None:
            self.simulator.stop()

    def _control_url(self, server, path):
        return self.urls[server].rsplit("/sendsms5", 1)[0] + path

    def reset(self):
        for server in ("primary", "secondary"):
            self.control.post(self._control_url(server, "/_sim/reset"), timeout=10).raise_for_status()

    def set_mode(self, server, mode):
        response = self.control.post(self._control_url(server, "/_sim/mode"), json={"mode": mode}, timeout=10)
        response.raise_for_status()

    def log(self, server):
        response = self.control.get(self._control_url(server, "/_sim/log"), timeout=10)
        response.raise_for_status()
        return response.json()

    def counts(self, server):
        response = self.control.get(self._control_url(server, "/_sim/counts"), timeout=10)
        response.raise_for_status()
        return response.json()

    # ----- ansible-playbook -----

    def ansible_env(self, extra=None):
        return ansible_env(self.collections, self.workdir, python=PYTHON, extra={"ANSIBLE_DEPRECATION_WARNINGS": "0", **(extra or {})})

    def write(self, name, text):
        path = os.path.join(self.workdir, name)
        with open(path, "w") as handle:
            handle.write(text)
        return path

    def inventory(self, hosts):
        """An inventory with localhost and a group ``targets`` of ``hosts`` local hosts."""
        name = f"inventory-{hosts}.ini"
        path = os.path.join(self.workdir, name)
        if not os.path.exists(path):
            lines = [f"localhost ansible_connection=local ansible_python_interpreter={PYTHON}", "", "[targets]"]
            lines += [f"h{index:03d} ansible_connection=local ansible_python_interpreter={PYTHON}" for index in range(1, hosts + 1)]
            self.write(name, "\n".join(lines) + "\n")
        return path

    def playbook(self, playbook, inventory=None, args=(), env=None):
        """Run ansible-playbook; return (wall seconds, CompletedProcess). Raises on a non-zero exit."""
        binary = os.path.join(os.path.dirname(PYTHON), "ansible-playbook")
        if not os.path.exists(binary):
            binary = shutil.which("ansible-playbook") or binary
        cmd = [binary, "-i", inventory or self.inventory(1), playbook, *args]
        start = time.perf_counter()
        result = subprocess.run(cmd, env=self.ansible_env(env), capture_output=True, text=True, timeout=900, check=False, cwd=self.workdir)
        wall = time.perf_counter() - start
        if result.returncode != 0:
            tail = (result.stdout + result.stderr)[-3000:]
            raise RuntimeError(f"ansible-playbook {os.path.basename(playbook)} exited {result.returncode}:\n{tail}")
        return wall, result


def import_from_collection(bench, name=CLIENT_MODULE):
    if bench.collections not in sys.path:
        sys.path.insert(0, bench.collections)
    import importlib

    return importlib.import_module(name)


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------


class Row:
    def __init__(self, name, figure, baseline_text, target_text):
        self.name = name
        self.figure = figure
        self.baseline_text = baseline_text
        self.target_text = target_text
        self.subject = None  # seconds or bytes
        self.baseline = None
        self.unit = "s"
        self.ratio = None
        self.delta = None
        self.timing_ok = None  # None: not judged
        self.checks = []  # (description, ok): exact request-count and correctness checks
        self.status = None
        self.reason = ""
        self.details = {}

    def check(self, description, ok):
        self.checks.append((description, bool(ok)))
        return ok

    def finish(self, smoke):
        if self.status in ("SKIPPED", "ERROR"):
            return
        failed = [description for description, ok in self.checks if not ok]
        if failed:
            self.status = "FAIL"
            self.reason = "; ".join(failed)
        elif self.timing_ok is False:
            self.status = "WARN" if smoke else "FAIL"
            self.reason = "timing target missed" + (" (smoke: not enforced)" if smoke else "")
        else:
            self.status = "PASS"

    @property
    def failed(self):
        return self.status in ("FAIL", "ERROR")

    def as_dict(self):
        return {
            "row": self.name,
            "figure": self.figure,
            "baseline_is": self.baseline_text,
            "target": self.target_text,
            "unit": self.unit,
            "subject": self.subject,
            "baseline": self.baseline,
            "ratio": self.ratio,
            "delta": self.delta,
            "timing_ok": self.timing_ok,
            "checks": [{"check": description, "ok": ok} for description, ok in self.checks],
            "status": self.status,
            "reason": self.reason,
            "details": self.details,
        }


def fmt_value(value, unit):
    if value is None:
        return "-"
    if unit == "MiB":
        return f"{value:.1f} MiB"
    if value >= 1:
        return f"{value:.3f} s"
    if value >= 0.001:
        return f"{value * 1000:.2f} ms"
    return f"{value * 1e6:.0f} us"


def fmt_compare(row):
    parts = []
    if row.ratio is not None:
        parts.append(f"{row.ratio:.2f}x")
    if row.delta is not None:
        parts.append(("+" if row.delta >= 0 else "-") + fmt_value(abs(row.delta), row.unit).replace(" ", ""))
    return " / ".join(parts) or "-"


def print_table(rows):
    header = ("row", "figure", "subject", "baseline", "ratio / delta", "target", "status")
    lines = [(r.name, r.figure, fmt_value(r.subject, r.unit), fmt_value(r.baseline, r.unit), fmt_compare(r), r.target_text, r.status) for r in rows]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines, strict=True)]
    out = [" | ".join(str(cell).ljust(width) for cell, width in zip(header, widths, strict=True))]
    out.append("-+-".join("-" * width for width in widths))
    for row, line in zip(rows, lines, strict=True):
        out.append(" | ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)))
        if row.reason:
            out.append("    " + row.reason)
    print("\n".join(out))


# --------------------------------------------------------------------------
# Row: client
# --------------------------------------------------------------------------


def row_client(bench):
    row = Row(
        "client",
        "one AvailableCredit query in process, kept-alive session",
        "bare requests.Session().post() of the same envelope, not parsed",
        "<= 1.15x",
    )
    client_mod = import_from_collection(bench)
    url = bench.urls["primary"]
    calls = bench.reps("client_calls")
    reps = bench.reps("client_reps")
    envelope = import_from_collection(bench, SOAP_MODULE).build_envelope("AvailableCredit", USERNAME, PIN)
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}

    session = requests.Session()
    client = client_mod.CsoftClient(USERNAME, PIN, endpoints=[url], timeout=10)
    value = client.call("AvailableCredit")
    row.check("client parsed credit 2.895 GBP", float(value.credit) == EXPECTED["credit"] and value.currency == "GBP")
    session.post(url, data=envelope, headers=headers, timeout=10)  # open the kept-alive connection
    bench.reset()
    for _unused in range(20):
        client.call("AvailableCredit")
    ports = {entry["client_port"] for entry in bench.log("primary")}
    row.check(f"the client keeps one connection alive (20 calls came on {len(ports)} connection(s))", len(ports) == 1)

    def run_baseline(n):
        post = session.post
        start = time.perf_counter()
        for _unused in range(n):
            post(url, data=envelope, headers=headers, timeout=10)
        return time.perf_counter() - start

    def run_subject(n):
        call = client.call
        start = time.perf_counter()
        for _unused in range(n):
            call("AvailableCredit")
        return time.perf_counter() - start

    # Each repetition = `calls` calls of each, interleaved in ten slices so drift hits both alike.
    slices = 10
    per_slice = max(1, calls // slices)
    subject, baseline, ratios = [], [], []
    bench.reset()
    for rep in range(reps):
        s_total = b_total = 0.0
        for index in range(slices):
            if (index + rep) % 2:
                s_total += run_subject(per_slice)
                b_total += run_baseline(per_slice)
            else:
                b_total += run_baseline(per_slice)
                s_total += run_subject(per_slice)
        subject.append(s_total / (per_slice * slices))
        baseline.append(b_total / (per_slice * slices))
        ratios.append(s_total / b_total)
    counts = bench.counts("primary")
    sent = 2 * per_slice * slices * reps
    row.check(
        f"one request per call ({sent} sent, simulator counted {counts['AvailableCredit']})", counts["AvailableCredit"] == sent and counts["invalid"] == 0
    )
    client.close()
    session.close()
    row.subject = median(subject)
    row.baseline = median(baseline)
    row.ratio = median(ratios)
    row.timing_ok = row.ratio <= 1.15
    row.details = {"calls_per_rep": per_slice * slices, "reps": reps, "subject_per_call_s": subject, "baseline_per_call_s": baseline, "ratios": ratios}
    return row


# --------------------------------------------------------------------------
# Row: module vs three uri tasks
# --------------------------------------------------------------------------


def yaml_vars(variables):
    """Play vars as one flow mapping (JSON is YAML)."""
    return "  vars: " + json.dumps(variables) + "\n"


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


def compare_playbooks(bench, row, empty, subject, baseline, target_ratio, expect_counts, inventory=None, args=(), empty_baseline=None, counts_label="per run"):
    """Time empty / subject / baseline playbooks interleaved; task time = wall - empty wall (same inventory)."""
    reps = bench.reps("playbook_reps")
    walls = {"empty": [], "subject": [], "baseline": [], "empty_baseline": []}
    books = [("empty", empty, inventory[0] if inventory else None), ("subject", subject, inventory[0] if inventory else None)]
    books.append(("baseline", baseline, inventory[1] if inventory else None))
    if empty_baseline:
        books.append(("empty_baseline", empty_baseline, inventory[1]))
    bad_counts = []
    for rep in range(reps):
        order = books[rep % len(books) :] + books[: rep % len(books)]
        for name, path, inv in order:
            bench.reset()
            wall, _unused = bench.playbook(path, inventory=inv, args=args)
            walls[name].append(wall)
            if name in ("subject", "baseline"):
                counts = bench.counts("primary")
                got = {op: counts[op] for op in OPERATIONS}
                if got != expect_counts or counts["invalid"]:
                    bad_counts.append(f"{name} run {rep + 1}: {got}")
    row.check(f"requests {counts_label}: exactly {expect_counts}" + (f" (got {bad_counts})" if bad_counts else ""), not bad_counts)
    empty_wall = median(walls["empty"])
    empty_base_wall = median(walls["empty_baseline"]) if empty_baseline else empty_wall
    row.subject = median(walls["subject"]) - empty_wall
    row.baseline = median(walls["baseline"]) - empty_base_wall
    row.ratio = row.subject / row.baseline if row.baseline > 0 else None
    row.timing_ok = row.ratio is not None and row.ratio <= target_ratio
    row.details = {"reps": reps, "walls_s": walls, "empty_wall_s": empty_wall, "empty_baseline_wall_s": empty_base_wall}
    return row


# --------------------------------------------------------------------------
# Rows: fail-over
# --------------------------------------------------------------------------


def refused_endpoint():
    """A bound, never-listening socket: connecting to it is refused, and no one else can take the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}/sendsms5"


def row_failover_refused(bench):
    row = Row(
        "failover-refused",
        "AvailableCredit with the primary refusing connections (fresh client)",
        "the same query sent straight to the secondary (fresh client)",
        "<= 1.1x + 20 ms",
    )
    client_mod = import_from_collection(bench)
    secondary = bench.urls["secondary"]
    sock, dead = refused_endpoint()
    pairs = bench.reps("failover_pairs")
    subject, baseline = [], []
    failed_over = []

    def one(endpoints):
        start = time.perf_counter()
        with client_mod.CsoftClient(USERNAME, PIN, endpoints=endpoints, timeout=5) as client:
            value = client.call("AvailableCredit")
        elapsed = time.perf_counter() - start
        return elapsed, client, value

    try:
        one([secondary])  # warm-up
        bench.reset()
        for index in range(pairs):
            order = (("s", [dead, secondary]), ("b", [secondary])) if index % 2 else (("b", [secondary]), ("s", [dead, secondary]))
            for kind, endpoints in order:
                elapsed, client, value = one(endpoints)
                if kind == "s":
                    subject.append(elapsed)
                    failed_over.append(client.failed_over and client.endpoint == secondary and client.requests_sent == 2)
                else:
                    baseline.append(elapsed)
    finally:
        sock.close()
    counts = bench.counts("secondary")
    row.check(f"secondary answered each query once ({counts['AvailableCredit']} of {2 * pairs})", counts["AvailableCredit"] == 2 * pairs)
    row.check("each failed-over query tried the dead primary once, then the secondary", all(failed_over))
    row.subject = median(subject)
    row.baseline = median(baseline)
    row.ratio = row.subject / row.baseline
    row.delta = row.subject - row.baseline
    row.timing_ok = row.subject <= 1.1 * row.baseline + 0.020
    row.details = {"pairs": pairs, "subject_p90_s": statistics.quantiles(subject, n=10)[-1] if len(subject) > 1 else subject[0]}
    return row


def row_failover_blackhole(bench):
    T = BLACKHOLE_T
    row = Row(
        "failover-blackhole",
        f"credit + messages + reply_to, primary black-holed (connect time-out T={T:g} s)",
        "T + the three queries sent straight to the secondary",
        f"<= T + 0.2 s = {T + 0.2:g} s",
    )
    client_mod = import_from_collection(bench)
    secondary = bench.urls["secondary"]
    hole = BlackHole()  # connecting to hole.url times out (tests/support/network.py)
    dead = hole.url
    reps = bench.reps("blackhole_reps")
    subject, direct, attempts, answered = [], [], [], []

    def three(endpoints):
        start = time.perf_counter()
        with client_mod.CsoftClient(USERNAME, PIN, endpoints=endpoints, timeout=T) as client:
            values = [client.call(op) for op in OPERATIONS]
        return time.perf_counter() - start, client, values

    try:
        three([secondary])  # warm-up
        bench.reset()
        for _unused in range(reps):
            elapsed, _unused, _unused = three([secondary])
            direct.append(elapsed)
            elapsed, client, values = three([dead, secondary])
            subject.append(elapsed)
            attempts.append(client.requests_sent)
            answered.append(client.failed_over and client.endpoint == secondary and values[0].currency == "GBP")
    finally:
        hole.close()
    counts = bench.counts("secondary")
    row.check("every run was answered by the secondary after failing over", all(answered))
    row.check(f"dead endpoint tried once per run, not per operation (attempts per run {sorted(set(attempts))}, expected 4)", set(attempts) == {4})
    got = {op: counts[op] for op in OPERATIONS}
    row.check(f"secondary got one request per operation per run ({got})", got == dict.fromkeys(OPERATIONS, 2 * reps))
    row.subject = median(subject)
    row.baseline = T + median(direct)
    row.delta = row.subject - row.baseline
    row.timing_ok = row.subject <= T + 0.2
    row.details = {"reps": reps, "T_s": T, "subject_s": subject, "direct_three_s": direct}
    return row


# --------------------------------------------------------------------------
# Row: lookup used 100 times in one template
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# Rows: the credit gate in the form users write (roles:), against a hand-written check
# --------------------------------------------------------------------------


GATE_FORKS = 50
GATE_SIZES = (1, 200, 1000)
GATE_VALIDATION = "TASK [csoft.sms.credit_gate : Validate the role's variables against meta/argument_specs.yml, once]"
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


def row_gate(bench):
    """The gate rows, from one interleaved measurement of the role (roles: form), the check as one task, a hand-written check and empty plays."""
    roles_200 = Row("gate-roles", "credit_gate via roles:, 200 hosts, forks 50 (task time)", "the same play on 1 host", "<= 1.2x, 1 request per operation")
    roles_1000 = Row(
        "gate-1000",
        "credit_gate via roles:, 1000 hosts, forks 50 (task time)",
        "hand-written check on 1000 hosts: run_once uri + assert",
        "<= 1.1x, 1 request per operation",
    )
    roles_1 = Row("gate-1", "credit_gate via roles:, 1 host (task time)", "hand-written check on 1 host: run_once uri + assert", "<= 1.0x")
    task_1000 = Row(
        "gate-task-1000",
        "csoft_account_check as one run_once task, 1000 hosts, forks 50 (task time)",
        "hand-written check on 1000 hosts: run_once uri + assert",
        "<= 1.0x",
    )
    floor_1000 = Row(
        "role-floor-1000",
        "a role with one run_once debug task via roles:, 1000 hosts, forks 50 (task time)",
        "hand-written check on 1000 hosts: run_once uri + assert",
        "reported: what any role costs",
    )
    lookups = Row(
        "gate-lookups",
        f"credit_gate, then the lookup csoft_account used {LOOKUP_USES} times in the same run",
        "requests counted by the simulator",
        "1 request per operation in all",
    )
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

    # Warm-up and correctness, untimed: both checks pass; the gate then 100 lookups asks once per operation.
    bench.reset()
    _unused, result = bench.playbook(books["roles"], inventory=inventories[1], args=args)
    roles_1.check("the gate passes and reports the account", "csoft credit gate passed" in result.stdout and "2.8950 GBP" in result.stdout)
    bench.reset()
    bench.playbook(books["hand"], inventory=inventories[1], args=args)
    roles_1.check("the hand-written check passes with one request", bench.counts("primary")["AvailableCredit"] == 1)
    bench.reset()
    bench.playbook(with_lookups, inventory=inventories[1], args=args)
    counts = bench.counts("primary")
    got = {op: counts[op] for op in OPERATIONS}
    lookups.check(f"requests per run: exactly {ONE_EACH} (got {got})", got == ONE_EACH and not bench.counts("secondary")["total"])
    bench.playbook(books["empty"], inventory=inventories[1000], args=args)

    # One interleaved loop over every (playbook, inventory), rotated each repetition, so drift hits all alike.
    runs = [(name, size) for size in GATE_SIZES for name in ("empty", "roles")] + [("hand", 1), ("hand", 1000), ("task", 1000), ("floor", 1000)]
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

    for row, subject, baseline, target in (
        (roles_200, ("roles", 200), ("roles", 1), 1.2),
        (roles_1000, ("roles", 1000), ("hand", 1000), 1.1),
        (roles_1, ("roles", 1), ("hand", 1), 1.0),
        (task_1000, ("task", 1000), ("hand", 1000), 1.0),
        (floor_1000, ("floor", 1000), ("hand", 1000), None),
    ):
        row.subject, row.baseline = task_time(*subject), task_time(*baseline)
        row.ratio = row.subject / row.baseline if row.baseline > 0 else None
        row.timing_ok = None if target is None else row.ratio is not None and row.ratio <= target
        row.details = {"reps": reps, "forks": GATE_FORKS, "walls_s": {f"{name}-{size}": values for (name, size), values in walls.items()}}
    for row in (roles_200, roles_1000, task_1000):
        row.check(f"requests per play: exactly {ONE_EACH}" + (f" (got {bad_counts})" if bad_counts else ""), not bad_counts)
    for size, row in ((200, roles_200), (1000, roles_1000)):
        automatic, own = validations.get(size, (None, None))
        row.check(f"validation once, not per host: automatic on {automatic} hosts, the role's own on {own}", (automatic, own) == (0, 1))
    return [roles_200, roles_1000, roles_1, task_1000, floor_1000, lookups]


# --------------------------------------------------------------------------
# Row: peak memory on a 50 MB hostile answer
# --------------------------------------------------------------------------


def run_module_process(bench, endpoints):
    """Run the module as its own process (python -m, args file); return (peak RSS MiB, result dict)."""
    args = {"ANSIBLE_MODULE_ARGS": {"username": USERNAME, "pin": PIN, "endpoints": endpoints, "timeout": 30}}
    path = bench.write("module-args.json", json.dumps(args))
    env = dict(os.environ, PYTHONPATH=bench.collections, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    proc = subprocess.Popen([PYTHON, "-m", MODULE_NAME, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=bench.workdir)
    out, err = proc.stdout.read(), proc.stderr.read()
    _unused, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()
    proc.stderr.close()
    try:
        result = json.loads(out)
    except ValueError:
        result = {"failed": True, "msg": f"unparseable module output: {out[-500:]!r} {err[-500:]!r}"}
    return usage.ru_maxrss / 1024.0, result


def row_memory(bench):
    row = Row(
        "memory",
        f"peak RSS of the module process on a {HOSTILE_MIB} MB hostile answer",
        "peak RSS on a normal answer",
        "<= +20 MB",
    )
    row.unit = "MiB"
    reps = bench.reps("memory_reps")
    endpoints = [bench.urls["primary"], bench.urls["secondary"]]
    flood = StreamingServer("chunked", mib=HOSTILE_MIB)  # no Content-Length (tests/support/network.py)
    normal, declared, chunked = [], [], []
    try:
        for _unused in range(reps):
            bench.reset()
            rss, result = run_module_process(bench, endpoints)
            normal.append(rss)
            if len(normal) == 1:
                row.check("normal answer: module succeeds", not result.get("failed") and result.get("credit") == EXPECTED["credit"])

            bench.reset()
            bench.set_mode("primary", f"big:{HOSTILE_MIB}")
            rss, result = run_module_process(bench, endpoints)
            declared.append(rss)
            counts = bench.counts("primary"), bench.counts("secondary")
            if len(declared) == 1:
                row.check("big answer (Content-Length): refused for size", result.get("failed") and "larger than" in result.get("msg", ""))
                row.check(
                    f"big answer: one request, no retry, no fail-over (primary {counts[0]['total']}, secondary {counts[1]['total']})",
                    counts[0]["total"] == 1 and counts[1]["total"] == 0,
                )
            bench.reset()

            before = len(flood.requests)
            rss, result = run_module_process(bench, [flood.url, bench.urls["secondary"]])
            chunked.append(rss)
            if len(chunked) == 1:
                row.check("chunked answer without length: refused for size", result.get("failed") and "larger than" in result.get("msg", ""))
                row.check(
                    f"chunked answer: one request, no fail-over ({len(flood.requests) - before} sent, secondary {bench.counts('secondary')['total']})",
                    len(flood.requests) - before == 1 and bench.counts("secondary")["total"] == 0,
                )
    finally:
        flood.stop()
        bench.reset()
    row.baseline = median(normal)
    row.subject = max(median(declared), median(chunked))
    row.delta = row.subject - row.baseline
    row.timing_ok = row.delta <= 20 * 1000 * 1000 / (1024 * 1024)  # 20 MB
    row.details = {"normal_mib": normal, "big_content_length_mib": declared, "chunked_flood_mib": chunked}
    return row


# --------------------------------------------------------------------------
# Row: import time
# --------------------------------------------------------------------------


def row_import(bench):
    row = Row(
        "import",
        "import of the module_utils client (fresh python -c)",
        "import requests alone (fresh python -c)",
        "<= 1.3x",
    )
    reps = bench.reps("import_reps")
    env = dict(os.environ, PYTHONPATH=bench.collections)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    commands = {"subject": [PYTHON, "-c", f"import {CLIENT_MODULE}"], "baseline": [PYTHON, "-c", "import requests"]}

    def wall(cmd):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, cwd=bench.workdir)
        return time.perf_counter() - start

    for cmd in commands.values():  # byte-compile, warm the page cache
        wall(cmd)
        wall(cmd)
    times = {"subject": [], "baseline": []}
    ratios = []
    for index in range(reps):
        order = ("subject", "baseline") if index % 2 else ("baseline", "subject")
        pair = {name: wall(commands[name]) for name in order}
        for name, value in pair.items():
            times[name].append(value)
        ratios.append(pair["subject"] / pair["baseline"])
    # Where the time goes, once: -X importtime cumulative microseconds of the top-level imports.
    result = subprocess.run([PYTHON, "-X", "importtime", "-c", f"import {CLIENT_MODULE}"], env=env, capture_output=True, text=True, check=True)
    top = {}
    for line in result.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            name = parts[2].rstrip()
            if name.strip() in ("requests", "lxml.etree", "lxml", CLIENT_MODULE, "decimal", "threading"):
                top[name.strip()] = int(parts[1])
    row.subject = median(times["subject"])
    row.baseline = median(times["baseline"])
    row.ratio = median(ratios)
    row.timing_ok = row.ratio <= 1.3
    row.details = {"reps": reps, "subject_s": times["subject"], "baseline_s": times["baseline"], "ratios": ratios, "importtime_cumulative_us": top}
    return row


ROWS = {
    "client": row_client,
    "module": row_module,
    "failover-refused": row_failover_refused,
    "failover-blackhole": row_failover_blackhole,
    "lookup": row_lookup,
    "gate": row_gate,
    "memory": row_memory,
    "import": row_import,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--smoke", action="store_true", help="tiny repetition counts; timing targets reported but not enforced")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(ROWS),
        metavar="ROW",
        help=f"run only this row (repeatable): {', '.join(ROWS)} (gate gives every gate-* row and role-floor-1000)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (playbooks, simulator log)")
    args = parser.parse_args(argv)
    names = [name for name in ROWS if not args.only or name in args.only]

    started = time.time()
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    workdir = tempfile.mkdtemp(prefix="csoft-bench-")
    bench = Bench(args.smoke, workdir)
    rows = []
    try:
        bench.start_simulator()
        for name in names:
            log(f"row {name} ...")
            row_start = time.perf_counter()
            try:
                made = ROWS[name](bench)  # a Row, or a list of rows measured together (the gate rows)
            except Exception as exc:  # a broken row must not hide the others
                made = Row(name, name, "-", "-")
                made.status, made.reason = "ERROR", f"{type(exc).__name__}: {exc}"
            wall_s = round(time.perf_counter() - row_start, 3)
            for row in made if isinstance(made, list) else [made]:
                row.finish(args.smoke)
                row.details["row_wall_s"] = wall_s
                log(f"row {row.name}: {row.status} in {wall_s:.1f} s")
                rows.append(row)
    finally:
        bench.stop_simulator()
        if args.keep:
            log(f"scratch directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    wall = time.time() - started
    print()
    print_table(rows)
    failed = [row.name for row in rows if row.failed]
    warned = [row.name for row in rows if row.status == "WARN"]
    verdict = f"FAILED: {', '.join(failed)}" if failed else "all checks passed"
    if warned:
        verdict += f"; timing target missed, not enforced in a smoke run: {', '.join(warned)}"
    elif not failed:
        verdict = "all targets met"
    print(f"\n{'smoke' if args.smoke else 'full'} run: {len(rows)} rows in {wall:.1f} s; {verdict}")

    report = {
        "timestamp": stamp,
        "mode": "smoke" if args.smoke else "full",
        "wall_time_s": round(wall, 3),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "requests": requests.__version__,
        "rows": [row.as_dict() for row in rows],
        "failed": failed,
    }
    os.makedirs(RESULTS_DIR, exist_ok=True)
    text = json.dumps(report, indent=2, sort_keys=False) + "\n"
    for name in (f"{stamp}.json", "latest.json"):
        tmp = os.path.join(RESULTS_DIR, f".{name}.tmp")
        with open(tmp, "w") as handle:
            handle.write(text)
        os.replace(tmp, os.path.join(RESULTS_DIR, name))
    print(f"results: {os.path.join(RESULTS_DIR, stamp + '.json')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
