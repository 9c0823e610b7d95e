# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run a plugin or a module in the test process, without ansible-playbook (fast unit tests of each plugin).

* ``plugin(module, plugin_type, name, parts)``: an instance of the plugin class whose options Ansible reads
  from its DOCUMENTATION merged with the named parts of the csoft.sms.connection doc fragment, as the
  plugin loader would (so ``set_options``/``get_option`` are Ansible's own);
* ``run_module(main, args)``: a module's ``main()`` with ``args``; returns its result dict (``failed`` set
  when it called ``fail_json``), on ansible-core 2.16 to 2.21, with ``warnings`` as plain texts (2.19 and
  later return structured warning summaries) and only this run's warnings.
"""

import contextlib
import io
import json

import yaml
from ansible.module_utils import basic
from ansible.module_utils.common import warnings as module_warnings

from ansible_collections.csoft.sms.plugins.doc_fragments.connection import ModuleDocFragment


def plugin(module, plugin_type, name, parts, class_name):
    from ansible import constants as C  # pylint: disable=import-outside-toplevel  # not importable in module tests

    options = yaml.safe_load(module.DOCUMENTATION).get("options") or {}
    for part in parts:
        for option, entry in yaml.safe_load(getattr(ModuleDocFragment, part))["options"].items():
            options.setdefault(option, {}).update(entry)
    C.config.initialize_plugin_configuration_definitions(plugin_type, name, options)
    instance = getattr(module, class_name)()
    instance._load_name = name  # pylint: disable=protected-access
    return instance


@contextlib.contextmanager
def _module_args(args):
    try:
        from ansible.module_utils.testing import patch_module_args  # ansible-core 2.19 and later
    except ImportError:
        previous = basic._ANSIBLE_ARGS  # pylint: disable=protected-access
        basic._ANSIBLE_ARGS = json.dumps({"ANSIBLE_MODULE_ARGS": args}).encode()  # pylint: disable=protected-access
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = previous  # pylint: disable=protected-access
        return
    with patch_module_args(args):
        yield


def run_module(main, args):
    """The result of ``main()`` with ``args`` (AnsibleModule prints it as JSON and exits)."""
    out = io.StringIO()
    # AnsibleModule keeps warnings in a process-wide store; a real module is one process per run.
    module_warnings._global_warnings.clear()  # pylint: disable=protected-access
    module_warnings._global_deprecations.clear()  # pylint: disable=protected-access
    with _module_args(dict(args, _ansible_remote_tmp="/tmp", _ansible_keep_remote_files=False)), contextlib.redirect_stdout(out), _as_a_module():
        try:
            main()
        except SystemExit:
            pass
    result = json.loads(out.getvalue())
    if "warnings" in result:
        result["warnings"] = [_warning_text(entry) for entry in result["warnings"]]
    return result


@contextlib.contextmanager
def _as_a_module():
    """Run as a module process: from 2.19 a module's warnings in a process that loaded the controller go to the
    controller's display instead of the result (``module_utils._internal.is_controller``)."""
    try:
        from ansible.module_utils import _internal  # pylint: disable=import-outside-toplevel  # 2.19 and later
    except ImportError:
        yield
        return
    previous = getattr(_internal, "is_controller", False)
    _internal.is_controller = False
    try:
        yield
    finally:
        _internal.is_controller = previous


def _warning_text(entry):
    """The text of a module warning: a string up to 2.18, a WarningSummary (``{"event": {"msg": ...}}``) from 2.19."""
    return entry["event"]["msg"] if isinstance(entry, dict) else entry
