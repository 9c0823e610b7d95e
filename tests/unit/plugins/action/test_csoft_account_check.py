# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The action csoft_account_check: its arguments, how accounts inherit the task's values, and the role form
(variables_prefix) run in this process against the simulator."""

import os
import tempfile
from decimal import Decimal
from types import SimpleNamespace

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.csoft.sms.plugins.action.csoft_account_check import (
    ActionModule,
    account_settings,
    argument_spec,
    checked_prefix,
    checked_thresholds,
    option_label,
    plain,
    unknown_variables_message,
    validated_variables,
    variables_spec,
)
from ansible_collections.csoft.sms.plugins.module_utils._connection import NAMES as CONNECTION_OPTIONS
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.clients import operation_counts

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


def role_options():
    with open(os.path.join(ROOT, "roles", "credit_gate", "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)["argument_specs"]["gate"]["options"]


def validated(args):
    result = ArgumentSpecValidator(argument_spec()).validate(dict(args))
    assert not result.error_messages, result.error_messages
    return result.validated_parameters


def test_defaults_and_environment(monkeypatch):
    monkeypatch.setenv("CSOFT_USERNAME", "Env.user")
    monkeypatch.setenv("CSOFT_PIN", PIN)
    monkeypatch.setenv("CSOFT_CACHE", "false")
    params = validated({})
    assert params["username"] == "Env.user" and params["pin"] == PIN
    assert params["min_credit"] == 0.0 and params["min_messages"] == 0 and params["required_reply_to"] == []
    assert params["cache"] is False and params["cache_ttl"] == 120
    assert params["endpoints"] == ["https://www.csoft.co.uk/sendsms5", "https://www2.csoft.co.uk/sendsms5"]


def test_the_pin_is_a_secret_everywhere():
    spec = argument_spec()
    assert spec["pin"]["no_log"] is True
    assert spec["accounts"]["options"]["pin"]["no_log"] is True
    result = ArgumentSpecValidator(spec).validate({"pin": PIN, "accounts": [{"pin": "OtherPin7Qw2Er5Ty"}]})
    assert {PIN, "OtherPin7Qw2Er5Ty"} <= result._no_log_values


def test_types_are_converted_as_ansible_does():
    params = validated({"username": "u", "pin": PIN, "min_credit": "2.5", "min_messages": "7", "required_reply_to": 447700912345})
    assert params["min_credit"] == 2.5 and params["min_messages"] == 7 and params["required_reply_to"] == ["447700912345"]


def test_wrong_types_and_unknown_suboptions_are_errors():
    spec = argument_spec()
    assert ArgumentSpecValidator(spec).validate({"min_credit": "lots"}).error_messages
    assert ArgumentSpecValidator(spec).validate({"accounts": ["not-a-dict"]}).error_messages
    assert ArgumentSpecValidator(spec).validate({"accounts": [{"min_credits": 1}]}).error_messages


def test_one_account_is_the_task_itself():
    params = validated({"username": "Main.1", "pin": PIN, "min_credit": 3})
    (settings,) = account_settings(params)
    assert settings == {name: params[name] for name in CONNECTION_OPTIONS + ("min_credit", "min_messages", "required_reply_to")}


def test_accounts_inherit_what_they_do_not_set():
    params = validated(
        {
            "endpoints": ["http://127.0.0.1:9/sendsms5"],
            "timeout": 4,
            "min_credit": 1,
            "min_messages": 5,
            "accounts": [
                {"name": "main", "username": "Main.1", "pin": PIN, "min_credit": 2},
                {"username": "Low.1", "pin": PIN, "endpoints": ["http://127.0.0.1:8/sendsms5"], "required_reply_to": ["ACME"]},
            ],
        }
    )
    first, second = account_settings(params)
    assert (first["username"], first["min_credit"], first["min_messages"], first["endpoints"], first["timeout"]) == (
        "Main.1",
        2.0,
        5,
        ["http://127.0.0.1:9/sendsms5"],
        4.0,
    )
    assert (second["min_credit"], second["endpoints"], second["required_reply_to"]) == (1.0, ["http://127.0.0.1:8/sendsms5"], ["ACME"])


@pytest.mark.parametrize(
    ("name", "value"),
    [("min_credit", float("nan")), ("min_credit", float("-inf")), ("min_credit", float("inf")), ("min_credit", -1), ("min_messages", 10**400)],
)
def test_thresholds_that_are_not_finite_or_in_range_are_refused(name, value):
    """min_credit: nan gave [<class 'decimal.InvalidOperation'>]; -inf made the gate always pass."""
    item = {"min_credit": 0.0, "min_messages": 0, "required_reply_to": [], name: value}
    with pytest.raises(CsoftInputError, match=name) as caught:
        checked_thresholds(item)
    assert "\n" not in str(caught.value)


def test_thresholds_in_range():
    assert checked_thresholds({"min_credit": "2.5", "min_messages": "7", "required_reply_to": [447700912345]}) == {
        "min_credit": Decimal("2.5"),
        "min_messages": 7,
        "required_reply_to": ["447700912345"],
    }


# variables_prefix: the options read from the role's variables ------------------------------------

PREFIX = "credit_gate_"


def test_every_option_but_the_prefix_has_a_variable():
    spec = variables_spec(PREFIX)
    assert sorted(spec) == sorted(PREFIX + name for name in argument_spec() if name != "variables_prefix")
    assert all("default" not in entry and "fallback" not in entry for entry in spec.values())
    assert spec["credit_gate_pin"]["no_log"] is True and spec["credit_gate_accounts"]["options"]["pin"]["no_log"] is True


def test_the_roles_argument_specs_document_exactly_the_variables():
    """meta/argument_specs.yml is what ansible-doc shows: the same names, types, elements, no_log and suboptions."""
    documented = role_options()
    spec = variables_spec(PREFIX)
    assert sorted(documented) == sorted(spec)
    for name, entry in spec.items():
        assert documented[name]["type"] == entry["type"], name
        assert documented[name].get("elements") == entry.get("elements"), name
        assert bool(documented[name].get("no_log")) == bool(entry.get("no_log")), name
        suboptions = entry.get("options")
        if suboptions:
            assert sorted(documented[name]["options"]) == sorted(suboptions), name
            for sub, sub_entry in suboptions.items():
                assert documented[name]["options"][sub]["type"] == sub_entry["type"], (name, sub)
                assert bool(documented[name]["options"][sub].get("no_log")) == bool(sub_entry.get("no_log")), (name, sub)


def test_the_roles_defaults_are_the_actions_defaults():
    with open(os.path.join(ROOT, "roles", "credit_gate", "defaults", "main.yml"), encoding="utf-8") as handle:
        defaults = yaml.safe_load(handle)
    spec = argument_spec()
    for name, value in defaults.items():
        assert value == spec[name[len(PREFIX) :]]["default"], name
        assert role_options()[name].get("default") == value, name


@pytest.mark.parametrize("value", ["credit_gate", "credit gate_", "1gate_", "", 5, None, "a" * 70 + "_", "gate_\n"])
def test_a_prefix_that_is_not_a_variable_name_prefix_is_refused(value):
    with pytest.raises(CsoftInputError, match="variables_prefix") as caught:
        checked_prefix(value)
    assert "\n" not in str(caught.value)


def test_unknown_variables_are_named_with_the_closest_known_name():
    known = list(variables_spec(PREFIX))
    assert unknown_variables_message(["credit_gate_min_credits"], known) == "unknown variable credit_gate_min_credits (did you mean credit_gate_min_credit?)"
    assert unknown_variables_message(["credit_gate_usernme", "credit_gate_pins"], known) == (
        "unknown variable credit_gate_pins (did you mean credit_gate_pin?); unknown variable credit_gate_usernme (did you mean credit_gate_username?)"
    )
    text = unknown_variables_message(["credit_gate_zzzzzzzzzzzzzzzzzz"], known)
    assert text.startswith("unknown variable credit_gate_zzzzzzzzzzzzzzzzzz (the variables are credit_gate_accounts, ")
    assert "\n" not in text


def test_variables_are_converted_and_checked_with_the_options_types():
    values = validated_variables({"credit_gate_min_credit": "2.5", "credit_gate_required_reply_to": 447700912345, "credit_gate_pin": 1234}, PREFIX)
    assert values == {"min_credit": 2.5, "required_reply_to": ["447700912345"], "pin": "1234"}


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"credit_gate_min_credit": "plenty"}, "argument 'credit_gate_min_credit' is of type"),
        ({"credit_gate_accounts": ["not-a-dict"]}, "credit_gate_accounts"),
        ({"credit_gate_accounts": [{"min_credits": 1, "pin": PIN}]}, "unsupported parameter credit_gate_accounts.min_credits."),
        ({"credit_gate_validate_certs": "perhaps", "credit_gate_pin": PIN}, "credit_gate_validate_certs"),
    ],
)
def test_wrong_variables_are_one_line_without_the_pin(values, named):
    with pytest.raises(CsoftInputError) as caught:
        validated_variables(values, PREFIX)
    text = str(caught.value)
    assert text.startswith("invalid variable: ") and named in text
    assert "\n" not in text and PIN not in text and "<class" not in text.replace("<class 'str'>", "")


def test_tagged_values_become_plain_data():
    class Tagged(str):
        pass

    class TaggedDict(dict):
        pass

    value = plain(TaggedDict({Tagged("a"): [Tagged("b"), (1, 2.5, True)]}))
    assert value == {"a": ["b", [1, 2.5, True]]}
    assert [item.__class__ for item in (next(iter(value)), value["a"][0], value["a"][1][2])] == [str, str, bool]


def test_messages_name_the_option_the_way_the_user_set_it():
    label = option_label(PREFIX, {"pin": "x"}, {"timeout": "soon"}, environ={"CSOFT_CA_PATH": "/nowhere"})
    assert label("pin") == "credit_gate_pin"  # from the role's variable
    assert label("username") == "credit_gate_username"  # not set anywhere: the role's variable is the way to set it
    assert label("timeout") == "the timeout option"  # from module_defaults or the task's arguments
    assert label("ca_path") == "the CSOFT_CA_PATH environment variable"


# The action run in this process -----------------------------------------------------------------


def trusted(value):
    """A template string as a playbook's YAML gives it (ansible-core 2.19 templates only trusted strings)."""
    try:
        from ansible.template import trust_as_template
    except ImportError:  # ansible-core before 2.19: every string is a template
        return value
    return trust_as_template(value)


def run_action(args, task_vars, host="h1", batch=("h1", "h2"), task_uuid="task-1", run_once=True, own=(), extra=None):
    """ActionModule.run for ``host`` with ``task_vars``; ``own`` names the host's own variables (its hostvars)."""
    variables = dict(task_vars, inventory_hostname=host, ansible_play_batch=list(batch))
    variables["hostvars"] = {host: {name: variables[name] for name in own}}
    play = SimpleNamespace(_uuid="play-1", _parent=None)
    task = SimpleNamespace(
        args=dict(args),
        async_val=0,
        check_mode=False,
        diff=False,
        action="csoft.sms.csoft_account_check",
        run_once=run_once,
        _uuid=task_uuid,
        _parent=SimpleNamespace(_play=play, _parent=None),
        _variable_manager=SimpleNamespace(extra_vars=dict(extra or {})),
    )
    connection = SimpleNamespace(_shell=SimpleNamespace(tmpdir="/nonexistent"))
    module = ActionModule(task, connection, SimpleNamespace(check_mode=False), DataLoader(), Templar(loader=DataLoader(), variables=variables), None)
    module._load_name = "csoft.sms.csoft_account_check"
    registered = {}
    module.register_host_variables = lambda values, layer=None: registered.update(values)  # ansible-core 2.21's API
    result = module.run(task_vars=variables)
    return result, dict(result.get("ansible_facts") or {}, **registered)


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    """The run's cache in a folder of this test (the cache of a run is this test process)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    for name in ("CSOFT_USERNAME", "CSOFT_PIN", "CSOFT_ENDPOINTS", "CSOFT_CACHE", "CSOFT_CACHE_TTL", "CSOFT_TIMEOUT", "CSOFT_CA_PATH"):
        monkeypatch.delenv(name, raising=False)


def role_vars(pair, **extra):
    values = {"credit_gate_username": USERNAME, "credit_gate_pin": PIN, "credit_gate_endpoints": [pair.primary.url]}
    values.update({"credit_gate_min_credit": 0.0, "credit_gate_min_messages": 0, "credit_gate_required_reply_to": [], "credit_gate_accounts": []})
    values.update(extra)
    return values


def test_the_role_form_reads_templated_variables_and_sets_the_facts(pair, private_cache):
    variables = role_vars(pair, credit_gate_min_credit=trusted("{{ 1 + 1 }}"), credit_gate_pin=trusted("{{ vault_pin }}"), vault_pin=PIN)
    result, facts = run_action({"variables_prefix": PREFIX}, variables)
    assert not result.get("failed"), result
    figures = {"credit": 2.895, "currency": "GBP", "messages": 24, "permitted_reply_to": ["447700912345", "csoft.co.uk"]}
    assert facts == {
        "credit_gate_account": dict(figures, endpoint=pair.primary.url, failed_over=False),
        "credit_gate_account_list": [facts["credit_gate_account"]],
    }
    assert result["msg"] == f"csoft credit gate passed: credit 2.8950 GBP, 24 messages, ReplyTo 447700912345, csoft.co.uk (from {pair.primary.url})"
    assert result["_ansible_verbose_always"] is True
    assert operation_counts(pair.primary) == [1, 1, 1]


def test_a_variable_wins_over_the_tasks_argument_for_its_option_only(pair, private_cache):
    """module_defaults reach the action as arguments: a credit_gate_* variable that is set wins for that option."""
    args = {"variables_prefix": PREFIX, "username": USERNAME, "pin": PIN, "endpoints": [pair.primary.url], "min_credit": 100}
    variables = {"credit_gate_endpoints": [pair.secondary.url], "credit_gate_min_credit": None}
    result, facts = run_action(args, variables)
    assert "csoft credit 2.8950 GBP is below the required 100.0000 GBP" == result["msg"]  # null counts as not set
    result, facts = run_action(dict(args, min_credit=1), variables, task_uuid="task-2")
    assert facts["credit_gate_account"]["endpoint"] == pair.secondary.url
    assert pair.primary.counts()["total"] == 0


def test_a_misspelt_variable_is_one_line_before_any_request(pair, private_cache):
    result, facts = run_action({"variables_prefix": PREFIX}, role_vars(pair, credit_gate_min_credits=5))
    assert result["failed"] is True and facts == {}
    assert result["msg"] == "csoft.sms.csoft_account_check: unknown variable credit_gate_min_credits (did you mean credit_gate_min_credit?)"
    assert pair.primary.counts()["total"] == 0


def test_the_hosts_own_variables_are_left_alone_but_extra_vars_are_not(pair, private_cache):
    variables = role_vars(pair, credit_gate_team="payments", credit_gate_result={"changed": False}, credit_gate_account={"credit": 1})
    result, _facts = run_action({"variables_prefix": PREFIX}, variables, own=("credit_gate_team", "credit_gate_result"))
    assert not result.get("failed"), result
    variables = role_vars(pair, credit_gate_min_credits="5")
    result, _facts = run_action(
        {"variables_prefix": PREFIX}, variables, own=("credit_gate_min_credits",), extra={"credit_gate_min_credits": "5"}, task_uuid="t2"
    )
    assert result["msg"].endswith("unknown variable credit_gate_min_credits (did you mean credit_gate_min_credit?)")
    assert operation_counts(pair.primary) == [1, 1, 1]


def test_every_missing_credential_is_named_as_the_roles_variable(private_cache):
    result, _facts = run_action({"variables_prefix": PREFIX}, {"credit_gate_min_credit": 1.0})
    assert result["msg"] == ("csoft.sms.csoft_account_check: csoft username is missing: set credit_gate_username; csoft pin is missing: set credit_gate_pin")


def test_wrong_types_fail_before_any_request_without_the_pin(pair, private_cache):
    result, _facts = run_action({"variables_prefix": PREFIX}, role_vars(pair, credit_gate_min_credit="plenty", credit_gate_timeout=[5]))
    assert result["failed"] is True and result["msg"].startswith("csoft.sms.csoft_account_check: invalid variable: ")
    assert "credit_gate_min_credit" in result["msg"] and "credit_gate_timeout" in result["msg"] and PIN not in result["msg"]
    assert pair.primary.counts()["total"] == 0


def test_a_template_that_fails_is_one_line(pair, private_cache):
    result, _facts = run_action({"variables_prefix": PREFIX}, role_vars(pair, credit_gate_min_credit=trusted("{{ no_such_variable }}")))
    assert result["failed"] is True and result["msg"].startswith("csoft.sms.csoft_account_check: credit_gate_min_credit: ")
    assert "no_such_variable" in result["msg"] and "\n" not in result["msg"]
    assert pair.primary.counts()["total"] == 0


def test_run_once_hosts_of_a_batch_share_one_reading(pair, private_cache):
    """Under the free strategy every host runs the run_once task: the second host reuses the first one's figures."""
    first, _unused = run_action({"variables_prefix": PREFIX}, role_vars(pair), host="h1")
    second, facts = run_action({"variables_prefix": PREFIX}, role_vars(pair), host="h2")
    assert first["msg"] == second["msg"] and facts["credit_gate_account"]["endpoint"] == pair.primary.url
    assert operation_counts(pair.primary) == [1, 1, 1]
    run_action({"variables_prefix": PREFIX}, role_vars(pair, credit_gate_cache=False), host="h1", task_uuid="t2")
    run_action({"variables_prefix": PREFIX}, role_vars(pair, credit_gate_cache=False), host="h2", task_uuid="t2")
    assert operation_counts(pair.primary) == [2, 2, 2]  # also with the answers kept out of the lookups' cache


def test_without_run_once_every_host_asks(pair, private_cache):
    for host in ("h1", "h2"):
        run_action(credentials(pair), {}, host=host, run_once=False)
    assert operation_counts(pair.primary) == [2, 2, 2]


def test_the_plain_check_returns_its_figures_and_no_facts(pair, private_cache):
    result, facts = run_action(dict(credentials(pair), min_credit=1), {"credit_gate_min_credit": 100})
    assert facts == {} and result["msg"].startswith("csoft account check passed: credit 2.8950 GBP")
    assert result["account"]["messages"] == 24 and result["problems"] == [] and "_ansible_verbose_always" not in result


def credentials(pair):
    return {"username": USERNAME, "pin": PIN, "endpoints": [pair.primary.url]}
