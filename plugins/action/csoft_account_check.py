# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Action plugin of csoft.sms.csoft_account_check: runs on the controller, never on a managed host.

The documentation is in plugins/modules/csoft_account_check.py. The decision
(thresholds, messages) is in plugins/plugin_utils/_account_check.py; the
queries go through the run's cache (plugins/plugin_utils/_account_reader.py),
so a lookup later in the run reuses the figures this check read.
"""

from ansible.module_utils.basic import env_fallback
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.csoft.sms.plugins.module_utils._account import MAX_CREDIT_DIGITS, MAX_MESSAGES_DIGITS
from ansible_collections.csoft.sms.plugins.module_utils._connection import NAMES as CONNECTION_OPTIONS
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftError
from ansible_collections.csoft.sms.plugins.module_utils._options import connection_argument_spec, settings_from_options
from ansible_collections.csoft.sms.plugins.module_utils._soap import HAS_LXML
from ansible_collections.csoft.sms.plugins.module_utils._transport import HAS_REQUESTS
from ansible_collections.csoft.sms.plugins.module_utils._values import as_number
from ansible_collections.csoft.sms.plugins.plugin_utils._account_check import account_label, report, shortfalls
from ansible_collections.csoft.sms.plugins.plugin_utils._account_reader import AccountReader, open_cache

display = Display()

_PREFIX = "csoft.sms.csoft_account_check"
THRESHOLDS = ("min_credit", "min_messages", "required_reply_to")


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
    spec["cache_ttl"] = {"type": "int", "default": 120, "fallback": (env_fallback, ["CSOFT_CACHE_TTL"])}
    return spec


def _log(line):
    display.vvv(f"{_PREFIX}: {line}")


def _warn(line):
    display.warning(f"{_PREFIX}: {line}")


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


def read_figures(settings, cache):
    """Query one account afresh (three operations, each once); its AccountFigures, CsoftError on any failure."""
    with AccountReader(settings, cache, _log, _warn) as reader:
        return reader.figures(("credit", "messages", "reply_to"), refresh=True)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False  # the check talks to the service from the controller, never to the host
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # nothing runs on the managed host
        result["changed"] = False

        # An argument given as null counts as not given: its module_defaults, CSOFT_* variable or default applies.
        self._task.args = {name: value for name, value in self._task.args.items() if value is not None}
        _validation, params = self.validate_argument_spec(argument_spec=argument_spec())
        for name, present in (("requests", HAS_REQUESTS), ("lxml", HAS_LXML)):
            if not present:
                return dict(result, failed=True, msg=f"{_PREFIX} needs the Python library {name} on the controller: pip install -r requirements.txt")

        settings = account_settings(params)
        several = len(settings) > 1
        labels = [account_label(item, index) if several else None for index, item in enumerate(params["accounts"] or [{}])]
        try:
            cache = open_cache(params["cache"], params["cache_ttl"], _log, _warn)
        except ValueError as exc:
            return dict(result, failed=True, msg=f"{_PREFIX}: {exc}")

        # Every account's options are checked before the first request.
        checked = []
        for item, label in zip(settings, labels, strict=True):
            try:
                checked.append((settings_from_options(item.get), checked_thresholds(item), label))
            except CsoftError as exc:
                return dict(result, failed=True, msg=f"{_PREFIX}: {exc}" + (f" (account {label})" if several else ""))

        figures, problems = [], []
        for connection, thresholds, label in checked:
            try:
                account = read_figures(connection, cache).public()
            except CsoftError as exc:
                where = f" (account {label})" if several else ""
                return dict(result, failed=True, msg=f"{exc}{where}")
            figures.append(account)
            problems.extend(shortfalls(account, thresholds, label))

        result.update(
            account=dict(figures[0]),
            accounts=figures,
            problems=problems,
            summary="; ".join(report(account, label) for account, label in zip(figures, labels, strict=True)),
        )
        if problems:
            return dict(result, failed=True, msg="; ".join(problems))
        result["msg"] = f"csoft account check passed: {result['summary']}"
        return result
