# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Connection options shared by every csoft.sms plugin (private to the collection).

The options are documented once, in ``plugins/doc_fragments/connection.py``.
Modules read them through ``connection_argument_spec()`` (with environment
fall-backs); plugins through ``get_option()``. ``client_from_options`` turns
either into one ``CsoftClient``, so fail-over, TLS and time-outs behave the
same everywhere.
"""

from ansible.module_utils.basic import env_fallback

from ansible_collections.csoft.sms.plugins.module_utils._client import (
    DEFAULT_ENDPOINTS,
    DEFAULT_TIMEOUT,
    CsoftClient,
)


def connection_argument_spec():
    """Argument spec of the connection options for AnsibleModule."""
    return {
        "username": {"type": "str", "fallback": (env_fallback, ["CSOFT_USERNAME"])},
        "pin": {"type": "str", "no_log": True, "fallback": (env_fallback, ["CSOFT_PIN"])},
        "endpoints": {
            "type": "list",
            "elements": "str",
            "default": list(DEFAULT_ENDPOINTS),
            "fallback": (env_fallback, ["CSOFT_ENDPOINTS"]),
        },
        "validate_certs": {"type": "bool", "default": True, "fallback": (env_fallback, ["CSOFT_VALIDATE_CERTS"])},
        "ca_path": {"type": "path", "fallback": (env_fallback, ["CSOFT_CA_PATH"])},
        "timeout": {"type": "float", "default": DEFAULT_TIMEOUT, "fallback": (env_fallback, ["CSOFT_TIMEOUT"])},
    }


def client_from_options(get_option, **kwargs):
    """Build a CsoftClient from an option getter: ``module.params.get`` or ``plugin.get_option``."""
    return CsoftClient(
        username=get_option("username"),
        pin=get_option("pin"),
        endpoints=get_option("endpoints") or DEFAULT_ENDPOINTS,
        validate_certs=get_option("validate_certs") is not False,
        ca_path=get_option("ca_path") or None,
        timeout=DEFAULT_TIMEOUT if get_option("timeout") is None else get_option("timeout"),
        **kwargs,
    )
