# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What every csoft.sms module does the same way (private to the collection).

``CsoftModule`` wraps ``AnsibleModule`` (in the spirit of amazon.aws's
``AnsibleAWSModule``): it adds the connection options to the module's own
argument spec, fails with ``missing_required_lib`` when requests or lxml is
missing, checks the connection options once (``ConnectionSettings``), builds the client, turns a ``CsoftError`` into
``fail_json`` and warns when the PIN went over plain ``http://`` (on success and on failure alike). Every
warning starts with ``csoft.sms.<module>:``, as the action's, the lookup's and the callback's do.
"""

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.csoft.sms.plugins.module_utils._client import CsoftClient
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.plugins.module_utils._options import connection_argument_spec, settings_from_options
from ansible_collections.csoft.sms.plugins.module_utils._soap import HAS_LXML
from ansible_collections.csoft.sms.plugins.module_utils._transport import HAS_REQUESTS


class CsoftModule:
    """An AnsibleModule with the connection options and the csoft.sms conventions."""

    def __init__(self, name, argument_spec=None, **kwargs):
        """``name``: the module's short name (``csoft_sms``); its warnings start with ``csoft.sms.<name>:``."""
        self.name = name
        self._client = None
        spec = connection_argument_spec()
        spec.update(argument_spec or {})
        self.ansible_module = AnsibleModule(argument_spec=spec, **kwargs)
        for name, present in (("requests", HAS_REQUESTS), ("lxml", HAS_LXML)):
            if not present:
                self.ansible_module.fail_json(msg=missing_required_lib(name))
        try:
            # Checked once, here: the client takes these settings as they are.
            self.settings = settings_from_options(self.params.get)
        except CsoftInputError as exc:
            self.ansible_module.fail_json(msg=str(exc), changed=False)

    @property
    def params(self):
        return self.ansible_module.params

    @property
    def check_mode(self):
        return self.ansible_module.check_mode

    def client(self):
        """The CsoftClient of the connection options (a context manager)."""
        self._client = CsoftClient(self.settings)
        return self._client

    def warn(self, message):
        self.ansible_module.warn(f"csoft.sms.{self.name}: {message}")

    def _warn_if_plain_http(self):
        """Warn when the PIN was (or may have been) sent over plain http://, whether or not the call succeeded."""
        warning = self._client.plain_http_warning() if self._client is not None else None
        if warning:
            self.warn(warning)

    def fail_on_error(self, error, msg=None, **result):
        """Fail the task for a CsoftError: its one-line text (or ``msg``), ``changed`` (default False) and ``result``."""
        self._warn_if_plain_http()
        result.setdefault("changed", False)
        self.ansible_module.fail_json(msg=str(error) if msg is None else msg, **result)

    def exit_json(self, **result):
        self._warn_if_plain_http()
        self.ansible_module.exit_json(**result)
