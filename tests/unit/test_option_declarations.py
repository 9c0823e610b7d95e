# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every YAML copy of the connection options that Ansible reads statically agrees with their one declaration.

The declaration is ``plugins/module_utils/_connection.py`` (``OPTIONS``). Ansible reads the doc fragment
(its module, plugin and callback parts), the role's ``meta/argument_specs.yml`` and each event source's
DOCUMENTATION without running Python, so those stay YAML; this test fails on any difference of name,
type, elements, default, environment variable, ``ansible.cfg`` key, variable or ``no_log``. Each event
source documents exactly the arguments its settings accept (``SOURCES``).
"""

import ast
import os
import re

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.csoft.sms.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.csoft.sms.plugins.module_utils._connection import NAMES, OPTIONS
from ansible_collections.csoft.sms.plugins.module_utils._options import connection_argument_spec
from ansible_collections.csoft.sms.plugins.plugin_utils import _inbox_arguments, _watch_arguments

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EVENT_SOURCES = os.path.join(ROOT, "extensions", "eda", "plugins", "event_source")
# every event source -> its settings (the arguments it accepts)
SOURCES = {"credit_watch": _watch_arguments.Settings, "sms_inbox": _inbox_arguments.Settings}


def fragment(part):
    return yaml.safe_load(getattr(ModuleDocFragment, part))["options"]


def source_documentation(name):
    with open(os.path.join(EVENT_SOURCES, f"{name}.py"), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["DOCUMENTATION"]:
            return yaml.safe_load(node.value.value)["options"]
    raise AssertionError(f"the event source {name} has no DOCUMENTATION")


def role_options():
    with open(os.path.join(ROOT, "roles", "credit_gate", "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)["argument_specs"]["gate"]["options"]


def described(entry):
    text = entry.get("description")
    return " ".join(text) if isinstance(text, list) else str(text)


def same_default(documented, declared):
    if isinstance(declared, (list, tuple)):
        return list(documented or []) == list(declared)
    return documented == declared


def test_every_event_source_is_listed():
    assert sorted(name[:-3] for name in os.listdir(EVENT_SOURCES) if name.endswith(".py")) == sorted(SOURCES)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_each_event_source_documents_exactly_its_arguments(name):
    documented = source_documentation(name)
    assert sorted(documented) == sorted(SOURCES[name].ARGUMENTS)
    for argument, entry in documented.items():
        assert entry.get("type") and entry.get("description"), f"{name}: {argument} has no type or description"
    assert "for tests against the simulator only" in described(documented["interval_floor_for_tests"]).lower()


@pytest.mark.parametrize("where", ["fragment", *sorted(SOURCES)])
def test_names_types_defaults_and_environment_variables(where):
    documented = fragment("DOCUMENTATION") if where == "fragment" else {k: v for k, v in source_documentation(where).items() if k in NAMES}
    assert sorted(documented) == sorted(NAMES), f"the {where} documents other connection options"
    for option in OPTIONS:
        entry = documented[option.name]
        assert entry["type"] == option.type, (where, option.name)
        assert entry.get("elements") == option.elements, (where, option.name)
        assert same_default(entry.get("default"), option.default), (where, option.name)
        assert f"E({option.env})" in described(entry), f"{where}: {option.name} does not name {option.env}"
        assert entry.get("required", False) is False, "required options fall back to the environment: never required: true"


@pytest.mark.parametrize(
    ("part", "section", "with_vars"),
    [("PLUGINS", "csoft_account", True), ("CALLBACK", "callback_csoft_sms_notify", False)],  # Ansible passes callbacks no variables
)
def test_the_plugin_and_callback_parts_list_the_declared_env_ini_and_vars(part, section, with_vars):
    documented = fragment(part)
    assert sorted(documented) == sorted(NAMES)
    for option in OPTIONS:
        entry = documented[option.name]
        assert entry["env"] == [{"name": option.env}], option.name
        assert entry.get("ini") == ([{"section": section, "key": option.ini}] if option.ini else None), option.name
        assert entry.get("vars") == ([{"name": option.var}] if with_vars else None), option.name


def test_the_roles_variables_match_the_declaration():
    documented = role_options()
    for option in OPTIONS:
        entry = documented[f"credit_gate_{option.name}"]
        assert entry["type"] == option.type, option.name
        assert entry.get("elements") == option.elements, option.name
        assert bool(entry.get("no_log", False)) is option.no_log, option.name
        assert "default" not in entry, "unset connection variables fall back to module_defaults and CSOFT_*"
    connection_like = {name for name in documented if name[len("credit_gate_") :] in NAMES}
    assert connection_like == {f"credit_gate_{name}" for name in NAMES}


def test_the_roles_tasks_name_the_declared_options():
    with open(os.path.join(ROOT, "roles", "credit_gate", "tasks", "main.yml"), encoding="utf-8") as handle:
        tasks = handle.read()
    for match in re.finditer(r"\^credit_gate_\(([a-z_|]+)\)\$", tasks):
        assert set(match.group(1).split("|")) - {"cache", "cache_ttl"} == set(NAMES)


def test_the_argument_spec_is_the_declaration(monkeypatch):
    spec = connection_argument_spec()
    assert list(spec) == list(NAMES)
    assert [name for name, entry in spec.items() if entry.get("no_log")] == [o.name for o in OPTIONS if o.no_log]
    for option in OPTIONS:
        monkeypatch.setenv(option.env, {"list": "http://a/x,http://b/x", "bool": "no", "float": "3"}.get(option.type, "value7"))
    params = ArgumentSpecValidator(spec).validate({}).validated_parameters
    assert params["endpoints"] == ["http://a/x", "http://b/x"] and params["validate_certs"] is False and params["timeout"] == 3.0
    assert params["username"] == "value7" and params["pin"] == "value7"
    bare = connection_argument_spec(defaults=False, fallbacks=False)
    assert all("default" not in entry and "fallback" not in entry for entry in bare.values())
