# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""csoft.sms.csoft_account (lookup) in real ansible-playbook runs against the simulator.

Each task runs in its own forked worker, so "one request per operation" across
tasks and hosts proves that the per-run cache outlives a process.
"""

import json
import os
import pathlib
import shutil
import stat
import tempfile

import pytest

from ansible_collections.csoft.sms.tests.simulator import csoft_simulator as sim
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.network import closed_port

OPS = ("AvailableCredit", "AvailableMessages", "PermittedReplyTo")
WRONG_PIN = "WrongPin5Yt8Hv2Q"
LOOKUP = "csoft.sms.csoft_account"


def ops(server):
    counts = server.counts()
    return [counts[op] for op in OPS]


def play(endpoints, tasks, extra_vars="", pin=PIN, username=USERNAME):
    """A localhost play with the csoft_* variables set; ``tasks`` is YAML indented by 8 spaces."""
    return f"""
    - hosts: localhost
      gather_facts: false
      vars:
        csoft_username: {username}
        csoft_pin: {pin}
        csoft_endpoints: {json.dumps(endpoints)}
{extra_vars}
      tasks:
{tasks}
    """


def save(expression, name="result.json"):
    """A task that writes ``expression`` (a Jinja expression) as JSON next to the playbook."""
    return f"""
        - name: Save {name}
          ansible.builtin.copy:
            content: "{{{{ {expression} | to_json }}}}"
            dest: "{{{{ playbook_dir }}}}/{name}"
            mode: "0600"
          check_mode: false
"""


def saved(runner, name="result.json"):
    return json.loads((runner.tmp_path / name).read_text())


# Values -------------------------------------------------------------------------------


def test_values_and_types(ansible, pair):
    expression = (
        "{'credit': lookup('csoft.sms.csoft_account', 'credit'),"
        " 'currency': lookup('csoft.sms.csoft_account', 'currency'),"
        " 'messages': lookup('csoft.sms.csoft_account', 'messages'),"
        " 'reply_to': query('csoft.sms.csoft_account', 'reply_to'),"
        " 'reply_to_joined': lookup('csoft.sms.csoft_account', 'reply_to'),"
        " 'several': query('csoft.sms.csoft_account', 'credit', 'currency', 'messages', 'reply_to'),"
        " 'wantlist': lookup('csoft.sms.csoft_account', 'credit', 'messages', wantlist=true),"
        " 'credit_type': lookup('csoft.sms.csoft_account', 'credit') | type_debug,"
        " 'messages_type': lookup('csoft.sms.csoft_account', 'messages') | type_debug}"
    )
    ansible.run(play([pair.primary.url], save(expression)), check=True)
    result = saved(ansible)
    assert result["credit"] == 2.895
    assert result["credit_type"] == "float"
    assert result["currency"] == "GBP"
    assert result["messages"] == 24
    assert result["messages_type"] == "int"
    assert result["reply_to"] == ["447700912345", "csoft.co.uk"]
    assert result["reply_to_joined"] == "447700912345,csoft.co.uk"
    assert result["several"] == [2.895, "GBP", 24, ["447700912345", "csoft.co.uk"]]
    assert result["wantlist"] == [2.895, 24]
    # nine lookups in one task: one request per operation
    assert ops(pair.primary) == [1, 1, 1]
    assert pair.secondary.counts()["total"] == 0


def test_lookup_in_a_template_file(ansible, pair):
    (ansible.tmp_path / "app.ini.j2").write_text(
        "[sms]\n"
        "sender = {{ query('csoft.sms.csoft_account', 'reply_to') | first }}\n"
        "credit = {{ lookup('csoft.sms.csoft_account', 'credit') }} {{ lookup('csoft.sms.csoft_account', 'currency') }}\n"
        "messages = {{ lookup('csoft.sms.csoft_account', 'messages') }}\n"
        "allowed = {{ lookup('csoft.sms.csoft_account', 'reply_to') }}\n"
    )
    tasks = """
        - name: Write the application configuration
          ansible.builtin.template:
            src: "{{ playbook_dir }}/app.ini.j2"
            dest: "{{ playbook_dir }}/app.ini"
            mode: "0600"
"""
    ansible.run(play([pair.primary.url], tasks), check=True)
    assert (ansible.tmp_path / "app.ini").read_text() == (
        "[sms]\nsender = 447700912345\ncredit = 2.895 GBP\nmessages = 24\nallowed = 447700912345,csoft.co.uk\n"
    )
    assert ops(pair.primary) == [1, 1, 1]


def test_hundred_uses_in_one_template_send_one_request_per_operation(ansible, pair):
    (ansible.tmp_path / "many.j2").write_text(
        "{% for i in range(100) %}{{ i }} {{ lookup('csoft.sms.csoft_account', 'credit') }}"
        " {{ query('csoft.sms.csoft_account', 'reply_to') | last }}\n{% endfor %}"
    )
    tasks = """
        - name: Render a template that uses the lookup 200 times
          ansible.builtin.template:
            src: "{{ playbook_dir }}/many.j2"
            dest: "{{ playbook_dir }}/many.txt"
            mode: "0600"
"""
    ansible.run(play([pair.primary.url], tasks), check=True)
    lines = (ansible.tmp_path / "many.txt").read_text().splitlines()
    assert lines == [f"{i} 2.895 csoft.co.uk" for i in range(100)]
    assert ops(pair.primary) == [1, 0, 1]


def four_tasks(kwargs=""):
    """Four tasks (four worker processes) that each use the lookup for credit and messages."""
    return "".join(
        f"""
        - name: Task {n} uses the lookup
          ansible.builtin.debug:
            msg: "task{n} {{{{ lookup('csoft.sms.csoft_account', 'credit'{kwargs}) }}}} {{{{ lookup('csoft.sms.csoft_account', 'messages'{kwargs}) }}}}"
"""
        for n in range(1, 5)
    )


def test_four_tasks_send_one_request_per_operation(ansible, pair):
    run = ansible.run(play([pair.primary.url], four_tasks()), "-vvv", check=True)
    for n in range(1, 5):
        assert f"task{n} 2.895 24" in run.output
    assert ops(pair.primary) == [1, 1, 0]
    assert run.output.count("cache hit for AvailableCredit") >= 3


def test_check_mode_still_queries_and_caches(ansible, pair):
    run = ansible.run(play([pair.primary.url], four_tasks()), "--check", check=True)
    assert "task4 2.895 24" in run.output
    assert ops(pair.primary) == [1, 1, 0]


@pytest.mark.parametrize("how", ["variable", "keyword", "environment", "ttl-zero"])
def test_cache_off_sends_a_request_each_time(ansible, pair, how):
    extra_vars, kwargs, env = "", "", None
    if how == "variable":
        extra_vars = "        csoft_cache: false"
    elif how == "keyword":
        kwargs = ", cache=false"
    elif how == "environment":
        env = {"CSOFT_CACHE": "false"}
    else:
        env = {"CSOFT_CACHE_TTL": "0"}
    run = ansible.run(play([pair.primary.url], four_tasks(kwargs), extra_vars=extra_vars), env=env, check=True)
    assert "task4 2.895 24" in run.output
    assert ops(pair.primary) == [4, 4, 0]


def test_cache_ttl_out_of_range_is_an_error(ansible, pair):
    run = ansible.run(play([pair.primary.url], four_tasks(", cache_ttl=7200")), check=False)
    assert "cache_ttl must be 0 (no cache) to 3600 seconds, not 7200" in run.output
    assert pair.primary.counts()["total"] == 0


@pytest.fixture
def short_tmpdir():
    # ansible-core 2.21 opens a Unix socket under TMPDIR, whose path may hold at most 107 bytes: pytest's
    # tmp_path is too deep for it ("Local RPC server did not start").
    path = tempfile.mkdtemp(prefix="csoft-t")
    yield pathlib.Path(path)
    shutil.rmtree(path, ignore_errors=True)


def test_cache_file_is_private_and_holds_no_pin(ansible, pair, short_tmpdir):
    tmpdir = short_tmpdir
    ansible.run(play([pair.primary.url], four_tasks()), env={"TMPDIR": str(tmpdir)}, check=True)
    cache_dir = tmpdir / f"csoft-sms-cache-{os.geteuid()}"
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    files = sorted(cache_dir.glob("run-*.json"))
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    data = files[0].read_bytes()
    assert PIN.encode() not in data
    assert b"2.8950" in data and b"GBP" in data  # it does hold the answers
    for path in cache_dir.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert PIN.encode() not in path.read_bytes()


# Options ------------------------------------------------------------------------------


def test_variables_may_be_templates(ansible, pair):
    play_text = f"""
    - hosts: localhost
      gather_facts: false
      vars:
        secret_pin: {PIN}
        sim_endpoints: ["{closed_port()}", "{pair.secondary.url}"]
        csoft_username: "{{{{ 'ANother' ~ '.123456' }}}}"
        csoft_pin: "{{{{ secret_pin }}}}"
        csoft_endpoints: "{{{{ sim_endpoints }}}}"
        csoft_timeout: "{{{{ 2 + 3 }}}}"
        csoft_validate_certs: "{{{{ 1 == 1 }}}}"
        csoft_cache: "{{{{ true }}}}"
      tasks:
{save("query('csoft.sms.csoft_account', 'credit', 'messages')")}
    """
    ansible.run(play_text, check=True)
    assert saved(ansible) == [2.895, 24]
    assert ops(pair.secondary) == [1, 1, 0]


def test_vaulted_pin_behind_a_template(ansible, pair):
    from ansible.parsing.vault import VaultLib, VaultSecret

    password = "vault-test-password-7"
    (ansible.tmp_path / "vault.txt").write_text(password + "\n")
    encrypted = VaultLib([("default", VaultSecret(password.encode()))]).encrypt(PIN.encode()).decode()
    block = "\n".join("          " + line for line in encrypted.splitlines())
    extra_vars = f"        vault_csoft_pin: !vault |\n{block}"
    play_text = play([pair.primary.url], save("lookup('csoft.sms.csoft_account', 'messages')"), extra_vars=extra_vars, pin='"{{ vault_csoft_pin }}"')
    ansible.run(play_text, "--vault-password-file", str(ansible.tmp_path / "vault.txt"), check=True)
    assert saved(ansible) == 24
    assert ops(pair.primary) == [0, 1, 0]


def test_keyword_arguments_override_variables(ansible, pair):
    expression = f"lookup('csoft.sms.csoft_account', 'credit', endpoints=['{pair.secondary.url}'])"
    ansible.run(play([pair.primary.url], save(expression)), check=True)
    assert saved(ansible) == 2.895
    assert pair.primary.counts()["total"] == 0
    assert ops(pair.secondary) == [1, 0, 0]


def test_credentials_from_environment(ansible, pair):
    play_text = f"""
    - hosts: localhost
      gather_facts: false
      tasks:
{save("query('csoft.sms.csoft_account', 'reply_to')")}
    """
    env = {"CSOFT_USERNAME": USERNAME, "CSOFT_PIN": PIN, "CSOFT_ENDPOINTS": f"{pair.secondary.url},{pair.primary.url}"}
    ansible.run(play_text, env=env, check=True)
    assert saved(ansible) == ["447700912345", "csoft.co.uk"]
    assert ops(pair.secondary) == [0, 0, 1]


def test_settings_from_ansible_cfg(ansible, pair):
    (ansible.tmp_path / "ansible.cfg").write_text(f"[csoft_account]\nusername = {USERNAME}\nendpoints = {pair.primary.url}\ntimeout = 4\ncache = false\n")
    play_text = f"""
    - hosts: localhost
      gather_facts: false
      tasks:
        - name: Twice, and the cache is off in ansible.cfg
          ansible.builtin.debug:
            msg: "{{{{ lookup('csoft.sms.csoft_account', 'currency') }}}}"
{save("lookup('csoft.sms.csoft_account', 'currency')")}
    """
    env = {"CSOFT_PIN": PIN, "ANSIBLE_CONFIG": str(ansible.tmp_path / "ansible.cfg")}
    ansible.run(play_text, env=env, check=True)
    assert saved(ansible) == "GBP"
    assert ops(pair.primary) == [2, 0, 0]


def test_failover_is_remembered_across_tasks(ansible, pair):
    tasks = "".join(
        f"""
        - name: Ask for {term}
          ansible.builtin.debug:
            msg: "{{{{ query('csoft.sms.csoft_account', '{term}') }}}}"
"""
        for term in ("credit", "messages", "reply_to")
    )
    run = ansible.run(play([closed_port(), pair.secondary.url], tasks), "-vvv", check=True)
    assert ops(pair.secondary) == [1, 1, 1]
    assert run.output.count(f"starting at {pair.secondary.url}, which answered earlier in this run") == 2


# Errors -------------------------------------------------------------------------------


def test_wrong_pin_fails_once_without_leaking(ansible, pair):
    tasks = """
        - name: Use the lookup with a wrong PIN
          ansible.builtin.debug:
            msg: "{{ lookup('csoft.sms.csoft_account', 'credit') }}"

        - name: Never reached
          ansible.builtin.debug:
            msg: NEXT-TASK-RAN
"""
    run = ansible.run(play([pair.primary.url, pair.secondary.url], tasks, pin=WRONG_PIN), "-vvvv", check=False)
    assert "login rejected" in run.output
    assert f"csoft AvailableCredit at {pair.primary.url} failed" in run.output
    assert "An unhandled exception occurred" not in run.output  # AnsibleLookupError, not a crash
    assert "Traceback" not in run.output
    assert WRONG_PIN not in run.output
    assert PIN not in run.output
    assert "NEXT-TASK-RAN" not in run.output
    assert pair.primary.counts()["total"] == 1
    assert pair.secondary.counts()["total"] == 0


def test_errors_are_not_cached(ansible, pair):
    tasks = "".join(
        f"""
        - name: Attempt {n}
          ansible.builtin.debug:
            msg: "{{{{ lookup('csoft.sms.csoft_account', 'messages') }}}}"
          ignore_errors: true
"""
        for n in (1, 2)
    )
    run = ansible.run(play([pair.primary.url], tasks, pin=WRONG_PIN), check=True)
    assert run.output.count("login rejected") >= 2
    assert ops(pair.primary) == [0, 2, 0]


def test_unreachable_endpoints_name_each_url(ansible, pair):
    dead = [closed_port(), closed_port()]
    run = ansible.run(play(dead, save("lookup('csoft.sms.csoft_account', 'credit', timeout=3)")), check=False)
    assert "no endpoint could be reached" in run.output
    for url in dead:
        assert f"{url}: connection refused" in run.output


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ("'balance'", "unknown term 'balance'; valid terms are credit, currency, messages, reply_to"),
        ("'credit', 'Credit'", "unknown term 'Credit'; valid terms are credit, currency, messages, reply_to"),
        ("", "csoft.sms.csoft_account needs at least one term: credit, currency, messages, reply_to"),
    ],
)
def test_bad_terms_are_rejected_before_any_request(ansible, pair, terms, message):
    separator = ", " if terms else ""
    run = ansible.run(play([pair.primary.url], save(f"query('csoft.sms.csoft_account'{separator}{terms})")), check=False)
    assert message in run.output
    assert pair.primary.counts()["total"] == 0


def test_pin_given_as_a_term_is_not_echoed(ansible, pair):
    run = ansible.run(play([pair.primary.url], save("lookup('csoft.sms.csoft_account', csoft_pin)")), check=False)
    assert "unknown term (hidden: it holds the PIN)" in run.output
    assert PIN not in run.output


def test_missing_credentials_are_reported(ansible, pair):
    play_text = f"""
    - hosts: localhost
      gather_facts: false
      tasks:
{save(f"lookup('csoft.sms.csoft_account', 'credit', username='{USERNAME}', endpoints=['{pair.primary.url}'])")}
    """
    run = ansible.run(play_text, check=False)
    assert "csoft pin is missing" in run.output
    assert pair.primary.counts()["total"] == 0


def test_https_with_a_private_ca_bundle(ansible):
    servers = sim.start_pair(tls=True)
    try:
        endpoints = [servers.primary.url, servers.secondary.url]
        trusted = play(endpoints, save("lookup('csoft.sms.csoft_account', 'messages')"), extra_vars=f"        csoft_ca_path: {servers.ca_pem_path}")
        ansible.run(trusted, check=True)
        assert saved(ansible) == 24
        assert ops(servers.primary) == [0, 1, 0]
        untrusted = play(endpoints, save("lookup('csoft.sms.csoft_account', 'credit', cache=false)"))
        run = ansible.run(untrusted, check=False)
        assert "no endpoint could be reached" in run.output
        for url in endpoints:
            assert f"{url}: TLS certificate not trusted" in run.output
    finally:
        servers.stop()
