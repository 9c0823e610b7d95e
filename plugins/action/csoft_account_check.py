# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Action plugin of csoft.sms.csoft_account_check: runs on the controller, never on a managed host.

The documentation is in plugins/modules/csoft_account_check.py. The decision
(thresholds, messages) is in plugins/plugin_utils/_account_check.py; the
queries go through the run's cache (plugins/plugin_utils/_account_reader.py),
so a lookup later in the run reuses the figures this check read, and with
``run_once`` every host of a batch shares one reading whatever the strategy
(plugins/plugin_utils/_check_once.py).

With ``variables_prefix`` (the role csoft.sms.credit_gate) the action also
reads its options from the variables ``<prefix><option>`` as the task sees
them, refuses any other ``<prefix>*`` variable given to it, and sets the facts
``<prefix>account`` and ``<prefix>account_list``.
"""

import difflib
import os
import re
from collections.abc import Mapping

from ansible.errors import AnsibleError
from ansible.module_utils.basic import env_fallback
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.csoft.sms.plugins.module_utils._account import MAX_CREDIT_DIGITS, MAX_MESSAGES_DIGITS
from ansible_collections.csoft.sms.plugins.module_utils._connection import BY_NAME
from ansible_collections.csoft.sms.plugins.module_utils._connection import NAMES as CONNECTION_OPTIONS
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftError, CsoftInputError
from ansible_collections.csoft.sms.plugins.module_utils._options import connection_argument_spec, settings_from_options
from ansible_collections.csoft.sms.plugins.module_utils._soap import HAS_LXML
from ansible_collections.csoft.sms.plugins.module_utils._transport import HAS_REQUESTS
from ansible_collections.csoft.sms.plugins.module_utils._values import as_number, is_missing, shown
from ansible_collections.csoft.sms.plugins.plugin_utils._account_check import account_label, report, shortfalls
from ansible_collections.csoft.sms.plugins.plugin_utils._account_reader import AccountReader, open_cache
from ansible_collections.csoft.sms.plugins.plugin_utils._check_once import Scope, read_once

try:  # ansible-core 2.21 and later: variables registered like set_fact's, not as top-level facts (deprecated there)
    from ansible.plugins.action import VariableLayer
except ImportError:  # pragma: no cover - older cores: the facts are returned as ansible_facts
    VariableLayer = None

display = Display()

_PREFIX = "csoft.sms.csoft_account_check"
THRESHOLDS = ("min_credit", "min_messages", "required_reply_to")
# The facts set with variables_prefix, after the prefix: never "unknown variables" when seen again later in the play.
FACTS = ("account", "account_list")
DEFAULT_CACHE_TTL = 120
_PREFIX_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}_\Z")


def _threshold_spec(defaults):
    return {
        "min_credit": {"type": "float", "default": 0.0} if defaults else {"type": "float"},
        "min_messages": {"type": "int", "default": 0} if defaults else {"type": "int"},
        "required_reply_to": {"type": "list", "elements": "str", "default": []} if defaults else {"type": "list", "elements": "str"},
    }


def argument_spec():
    """The action's arguments: the connection options (with CSOFT_* fall-backs), thresholds, accounts, cache."""
    account = {"name": {"type": "str"}}
    account.update(connection_argument_spec(defaults=False, fallbacks=False))
    account.update(_threshold_spec(defaults=False))
    spec = connection_argument_spec()
    spec.update(_threshold_spec(defaults=True))
    spec["accounts"] = {"type": "list", "elements": "dict", "default": [], "options": account}
    spec["cache"] = {"type": "bool", "default": True, "fallback": (env_fallback, ["CSOFT_CACHE"])}
    spec["cache_ttl"] = {"type": "int", "default": DEFAULT_CACHE_TTL, "fallback": (env_fallback, ["CSOFT_CACHE_TTL"])}
    spec["variables_prefix"] = {"type": "str"}
    return spec


def variables_spec(prefix):
    """The spec of the variables read with ``variables_prefix``: every option but that one, no defaults, no fall-backs."""
    spec = {}
    for name, entry in argument_spec().items():
        if name != "variables_prefix":
            spec[prefix + name] = {key: value for key, value in entry.items() if key not in ("default", "fallback")}
    return spec


def checked_prefix(value):
    """The ``variables_prefix``: letters, digits and underscores, starting with a letter or _ and ending with _."""
    if not isinstance(value, str) or not _PREFIX_RE.match(value):
        raise CsoftInputError(
            f"variables_prefix {shown(value)} is not a variable name prefix: give letters, digits and underscores "
            "ending with an underscore, such as credit_gate_"
        )
    return value


def unknown_variables_message(unknown, known):
    """One line naming each unknown variable, with the closest known name when there is one."""
    parts = []
    for name in sorted(unknown):
        close = difflib.get_close_matches(name, known, n=1)
        parts.append(f"unknown variable {name} (did you mean {close[0]}?)" if close else f"unknown variable {name}")
    if not any("did you mean" in part for part in parts):
        parts[-1] += f" (the variables are {', '.join(sorted(known))})"
    return "; ".join(parts)


def plain(value):
    """``value`` as plain Python data (templated values may be tagged subclasses of str, int, dict and list)."""
    if isinstance(value, Mapping):
        return {plain(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(item) for item in value]
    for kind in (bool, str, int, float):
        if isinstance(value, kind):
            return kind(value)
    return value


def validated_variables(values, prefix):
    """``values`` (prefixed variable -> value) checked against ``variables_spec``: option -> value; CsoftInputError."""
    result = ArgumentSpecValidator(variables_spec(prefix)).validate(plain(values))
    if result.error_messages:
        texts = []
        for error in result.errors.errors:
            text = " ".join(str(error).split())
            texts.append(f"unsupported parameter {text}" if isinstance(error, UnsupportedError) else text)
        raise CsoftInputError(f"invalid variable: {remove_values('; '.join(texts), result._no_log_values)}")
    return {name[len(prefix) :]: result.validated_parameters[name] for name in values}


def account_settings(params):
    """One settings dict per account: each item of ``accounts`` over the top-level values, or the top level alone."""
    items = params["accounts"] or [{}]
    settings = []
    for item in items:
        merged = {name: params[name] for name in CONNECTION_OPTIONS + THRESHOLDS}
        merged.update({key: value for key, value in item.items() if value is not None})
        settings.append(merged)
    return settings


def checked_thresholds(item):
    """The thresholds of one account, finite and in range (CsoftInputError naming the option otherwise)."""
    return {
        "min_credit": as_number("min_credit", item["min_credit"], low=0, high=10**MAX_CREDIT_DIGITS),
        "min_messages": as_number("min_messages", item["min_messages"], low=0, high=10**MAX_MESSAGES_DIGITS, integer=True),
        "required_reply_to": [str(value) for value in item["required_reply_to"]],
    }


def option_label(prefix, from_variables, task_args, environ=None):
    """How the user sets each connection option, for messages: the variable, unless the value came from elsewhere."""
    environ = os.environ if environ is None else environ

    def label(name):
        if name in from_variables:
            return prefix + name
        if not is_missing(task_args.get(name)):
            return f"the {name} option"  # the task's argument or module_defaults: the message's own wording
        option = BY_NAME.get(name)
        if option is not None and not is_missing(environ.get(option.env)):
            return f"the {option.env} environment variable"
        return prefix + name

    return label


def _log(line):
    display.vvv(f"{_PREFIX}: {line}")


def _warn(line):
    display.warning(f"{_PREFIX}: {line}")


def _play_of(task):
    node = task
    while node is not None:
        play = getattr(node, "_play", None)
        if play is not None:
            return play
        node = getattr(node, "_parent", None)
    return None


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False  # the check talks to the service from the controller, never to the host
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # nothing runs on the managed host
        task_vars = task_vars or {}
        result["changed"] = False

        # An argument given as null counts as not given: its module_defaults, CSOFT_* variable or default applies.
        task_args = {name: value for name, value in self._task.args.items() if value is not None}
        prefix = task_args.pop("variables_prefix", None)
        from_variables = {}
        if prefix is not None:
            try:
                prefix = checked_prefix(prefix)
                from_variables = self._variables(prefix, task_vars)
            except CsoftInputError as exc:
                return dict(result, failed=True, msg=f"{_PREFIX}: {exc}")
        self._task.args = dict(task_args, **from_variables)
        _validation, params = self.validate_argument_spec(argument_spec=argument_spec())
        for name, present in (("requests", HAS_REQUESTS), ("lxml", HAS_LXML)):
            if not present:
                return dict(result, failed=True, msg=f"{_PREFIX} needs the Python library {name} on the controller: pip install -r requirements.txt")

        settings = account_settings(params)
        several = len(settings) > 1
        labels = [account_label(item, index) if several else None for index, item in enumerate(params["accounts"] or [{}])]
        label = option_label(prefix, from_variables, task_args) if prefix is not None else None

        # Every account's options are checked before the first request.
        checked = []
        for item, account in zip(settings, labels, strict=True):
            try:
                checked.append((settings_from_options(item.get, label=label), checked_thresholds(item), account))
            except CsoftError as exc:
                return dict(result, failed=True, msg=f"{_PREFIX}: {exc}" + (f" (account {account})" if several else ""))
        try:
            cache = open_cache(params["cache"], params["cache_ttl"], _log, _warn)
            # With run_once, the hosts of a batch share one reading even where run_once is not honoured (free,
            # host_pinned): through the run's cache, also when the answers are kept out of the lookups' part of it.
            shared = cache if cache is not None or not self._task.run_once else open_cache(True, params["cache_ttl"] or DEFAULT_CACHE_TTL, _log, _warn)
        except ValueError as exc:
            return dict(result, failed=True, msg=f"{_PREFIX}: {exc}")
        scope = self._scope(task_vars) if self._task.run_once else None

        figures, problems = [], []
        for connection, thresholds, account in checked:
            try:
                with AccountReader(connection, cache, _log, _warn) as reader:
                    public = read_once(shared, scope, connection, reader.refresh, _log, _warn).public()
            except CsoftError as exc:
                return dict(result, failed=True, msg=f"{exc}" + (f" (account {account})" if several else ""))
            figures.append(public)
            problems.extend(shortfalls(public, thresholds, account))

        summary = "; ".join(report(public, account) for public, account in zip(figures, labels, strict=True))
        if prefix is not None:
            return self._gate_result(result, prefix, figures, problems, summary)
        result.update(account=dict(figures[0]), accounts=figures, problems=problems, summary=summary)
        if problems:
            return dict(result, failed=True, msg="; ".join(problems))
        result["msg"] = f"csoft account check passed: {summary}"
        return result

    # Reading the options from variables (variables_prefix) ----------------------------------

    def _variables(self, prefix, task_vars):
        """The options set through ``<prefix><option>`` variables, templated and checked (CsoftInputError)."""
        known = variables_spec(prefix)
        ignored = {prefix + name for name in FACTS}
        given = [name for name in task_vars if name.startswith(prefix) and name not in ignored]
        unknown = self._given_to_the_task([name for name in given if name not in known], task_vars)
        if unknown:
            raise CsoftInputError(unknown_variables_message(unknown, list(known)))
        values = {}
        for name in given:
            if name not in known:
                continue
            try:
                value = self._templar.template(task_vars[name])
            except AnsibleError as exc:
                first = (str(getattr(exc, "message", "") or exc).strip().splitlines() or ["it could not be templated"])[0]
                raise CsoftInputError(f"{name}: {first}") from None
            if value is not None:  # null counts as not set
                values[name] = value
        return validated_variables(values, prefix)

    def _given_to_the_task(self, names, task_vars):
        """The ``names`` given to this task (role params, role, play, block or task vars, extra vars), not the host's own.

        The host's own variables (inventory, facts, registered results) are those of ``hostvars`` for the host;
        extra vars are there too, but apply to everything and so count as given.
        """
        if not names:
            return []
        own = set()
        try:
            own = set(task_vars["hostvars"][task_vars["inventory_hostname"]])
        except (KeyError, TypeError, AnsibleError):
            pass
        manager = getattr(self._task, "_variable_manager", None)
        extra = set(getattr(manager, "extra_vars", None) or ())
        return [name for name in names if name not in own or name in extra]

    # Once per play ---------------------------------------------------------------------------

    def _scope(self, task_vars):
        """Who shares one reading: this task in this play, for the hosts of this batch."""
        play = _play_of(self._task)
        host = str(task_vars.get("inventory_hostname", ""))
        batch = [str(name) for name in task_vars.get("ansible_play_batch") or [host]]
        return Scope(getattr(play, "_uuid", "") or "", self._task._uuid or "", host, batch)

    # The role's result ----------------------------------------------------------------------

    def _gate_result(self, result, prefix, figures, problems, summary):
        if problems:
            return dict(result, failed=True, msg="; ".join(problems))
        facts = {f"{prefix}account": dict(figures[0]), f"{prefix}account_list": figures}
        if VariableLayer is not None and hasattr(self, "register_host_variables"):
            # As set_fact does: host variables for every host of a run_once task, and no top-level facts.
            self.register_host_variables({}, VariableLayer.CACHEABLE_FACT)
            self.register_host_variables(facts, VariableLayer.EPHEMERAL_FACT)
        else:
            result["ansible_facts"] = facts
        # Shown at every verbosity, like a debug task's message.
        return dict(result, msg=f"csoft credit gate passed: {summary}", _ansible_verbose_always=True)
