# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The connection options in Ansible's terms (private to the collection).

The options are declared once, in ``_connection.OPTIONS``; this file turns
that declaration into an AnsibleModule argument spec (with the environment
fall-backs) and reads checked ``ConnectionSettings`` from either a module's
``params`` or a plugin's ``get_option``.
"""

from ansible.module_utils.basic import env_fallback

from ansible_collections.csoft.sms.plugins.module_utils._connection import OPTIONS, ConnectionSettings


def connection_argument_spec(defaults=True, fallbacks=True):
    """Argument spec of the connection options, derived from ``_connection.OPTIONS``.

    ``defaults=False`` and ``fallbacks=False`` give the spec of a per-account entry (the action's
    ``accounts`` items), whose missing values are inherited rather than defaulted.
    """
    spec = {}
    for option in OPTIONS:
        entry = {"type": option.type}
        if option.elements:
            entry["elements"] = option.elements
        if option.no_log:
            entry["no_log"] = True
        if defaults and option.default is not None:
            entry["default"] = list(option.default) if isinstance(option.default, (list, tuple)) else option.default
        if fallbacks:
            entry["fallback"] = (env_fallback, [option.env])
        spec[option.name] = entry
    return spec


def settings_from_options(get_option, label=None):
    """Checked ConnectionSettings from ``module.params.get`` or ``plugin.get_option`` (CsoftInputError when invalid)."""
    return ConnectionSettings.from_values(get_option, label=label)
