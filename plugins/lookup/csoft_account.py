# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
name: csoft_account
short_description: Read the credit, message allowance or permitted ReplyTo values of a Connection Software SMS account
version_added: 1.0.0
description:
  - Returns values of a Connection Software (csoft.co.uk) SMS account, queried with the account query operations
    of its SOAP API (C(AvailableCredit), C(AvailableMessages), C(PermittedReplyTo)), for use in templates and variables.
  - Only the operations the terms need are called; V(credit) and V(currency) share one C(AvailableCredit) call.
  - Answers are cached for the life of one C(ansible-playbook) run (see O(cache)), so a template that uses the lookup
    a hundred times, or a task that runs on fifty hosts, sends one request per operation.
  - The lookup runs on the controller. It does not see C(module_defaults) and ignores check mode (it only reads);
    set the connection options as keyword arguments, C(csoft_*) variables, environment variables or in C(ansible.cfg).
  - >-
    The C(csoft_*) variables may be templates themselves, for example O(pin) set as
    C(csoft_pin: "{{ vault_csoft_pin }}"); they are rendered before use.
author:
  - csoft.sms contributors (@csoft-sms)
options:
  _terms:
    description:
      - The values to return, one result per term, in order.
      - V(credit) is the available credit (float, for example V(2.895)).
      - V(currency) is the ISO 4217 code of the credit (for example V(GBP)).
      - V(messages) is the approximate number of premier messages the credit buys (int).
      - V(reply_to) is the list of permitted ReplyTo values, in the service's order.
    type: list
    elements: str
    required: true
  cache:
    description:
      - Cache the answers for the rest of the C(ansible-playbook) run, across tasks, hosts and worker processes.
      - The cache is one file per run in a directory of the user under the system's temporary directory
        (C(csoft-sms-cache-<uid>)), readable by the owner only. It holds the answers and salted,
        key-stretched (PBKDF2) digests of the credentials, never the PIN. Files of finished runs are removed.
      - When that directory cannot be trusted (another user's, open to others, a link), the cache moves to
        C($XDG_CACHE_HOME/csoft-sms) (C(~/.cache/csoft-sms)) with one warning; only when that cannot be trusted
        either is the cache off. Only regular files of the user are read (never a FIFO, link or device), with a size cap.
      - Failed queries are never cached.
      - The action M(csoft.sms.csoft_account_check) (and so the role C(csoft.sms.credit_gate)) stores the figures it
        reads in the same cache, so lookups of the same account later in the run send no request.
      - Set to V(false) to send a request for every evaluation of the lookup.
    type: bool
    default: true
    env:
      - name: CSOFT_CACHE
    ini:
      - section: csoft_account
        key: cache
    vars:
      - name: csoft_cache
  cache_ttl:
    description:
      - How many seconds a cached answer stays valid; older answers are fetched again.
      - Between V(1) and V(3600). V(0) disables the cache like O(cache=false).
    type: int
    default: 120
    env:
      - name: CSOFT_CACHE_TTL
    ini:
      - section: csoft_account
        key: cache_ttl
    vars:
      - name: csoft_cache_ttl
extends_documentation_fragment:
  - csoft.sms.connection
  - csoft.sms.connection.plugins
notes:
  - With one term, C(lookup) returns that term's value. With V(reply_to) or several terms use C(query) (or C(wantlist=true));
    C(lookup) joins a list of strings into one comma-separated string.
  - Errors (bad login, unreachable endpoints, an unexpected answer) fail the task with the one-line message of the query,
    which never holds the PIN. With C(errors=ignore) or C(errors=warn) the lookup returns nothing instead.
  - The cache is shared by all worker processes of one run; a run is identified by the C(ansible-playbook) process
    (its PID and start time), so later runs start afresh.
seealso:
  - module: csoft.sms.csoft_account_info
  - name: Pre-deploy credit gate guide
    description: The role csoft.sms.credit_gate and this lookup in deployment plays.
    link: https://github.com/csoft-sms/csoft.sms/blob/main/docs/docsite/rst/guide_credit_gate.rst
"""

EXAMPLES = r"""
# Credentials from the environment (CSOFT_USERNAME, CSOFT_PIN) or from csoft_* variables.
- name: Show the credit
  ansible.builtin.debug:
    msg: "{{ lookup('csoft.sms.csoft_account', 'credit') }} {{ lookup('csoft.sms.csoft_account', 'currency') }}"

- name: Use the first permitted ReplyTo as the sender of an application
  ansible.builtin.template:
    src: sms.ini.j2  # sender = {{ query('csoft.sms.csoft_account', 'reply_to') | first }}
    dest: /etc/myapp/sms.ini
    mode: "0640"

- name: Several values at once, one per term, in order
  ansible.builtin.set_fact:
    sms_figures: "{{ query('csoft.sms.csoft_account', 'credit', 'currency', 'messages') }}"

- name: Credentials as variables; csoft_pin may itself be a template over a vaulted variable
  ansible.builtin.debug:
    msg: "{{ lookup('csoft.sms.csoft_account', 'messages') }} messages left"
  vars:
    csoft_username: ANOther.61234
    csoft_pin: "{{ vault_csoft_pin }}"

- name: Options as keyword arguments, without the cache
  ansible.builtin.debug:
    msg: >-
      {{ lookup('csoft.sms.csoft_account', 'credit',
                username='ANOther.61234', pin=vault_csoft_pin,
                endpoints=['https://www.csoft.co.uk/sendsms5'], timeout=5, cache=false) }}
"""

RETURN = r"""
_raw:
  description:
    - One value per term, in the order of the terms.
    - V(credit) gives a float, V(currency) a string, V(messages) an integer,
      V(reply_to) a list of strings (with C(query) and only that term, the list itself).
  type: list
  elements: raw
"""

from ansible import constants as C
from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.csoft.sms.plugins.module_utils._connection import OPTIONS
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftError
from ansible_collections.csoft.sms.plugins.module_utils._options import settings_from_options
from ansible_collections.csoft.sms.plugins.plugin_utils._account_reader import AccountReader, open_cache

display = Display()

# term -> the figure of AccountFigures.public() it returns, and the friendly name of its operation
TERMS = {
    "credit": ("credit", "credit"),
    "currency": ("currency", "credit"),
    "messages": ("messages", "messages"),
    "reply_to": ("permitted_reply_to", "reply_to"),
}
_FALLBACK_VAR_NAMES = tuple(option.var for option in OPTIONS) + ("csoft_cache", "csoft_cache_ttl")
_PREFIX = "csoft.sms.csoft_account"


def _log(line):
    display.vvv(f"{_PREFIX}: {line}")


def _warn(line):
    display.warning(f"{_PREFIX}: {line}")


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=self._rendered_variables(variables), direct=kwargs)
        wanted = self._check_terms(terms, self.get_option("pin"))
        try:
            settings = settings_from_options(self.get_option)
            cache = open_cache(self.get_option("cache"), self.get_option("cache_ttl"), _log, _warn)
            with AccountReader(settings, cache, _log, _warn) as reader:
                figures = reader.figures([TERMS[term][1] for term in wanted]).public()
        except (CsoftError, ValueError) as exc:
            raise AnsibleLookupError(f"{_PREFIX}: {exc}") from None

        values = [figures[TERMS[term][0]] for term in wanted]
        if len(wanted) == 1 and wanted[0] == "reply_to":
            return values[0]  # query('...', 'reply_to') is the flat list itself
        return values

    # Options ----------------------------------------------------------------

    def _option_var_names(self):
        try:
            definitions = C.config.get_configuration_definitions(self.plugin_type, self._load_name)
        except Exception:  # pragma: no cover - defensive: fall back to the documented names
            definitions = None
        names = [entry["name"] for definition in (definitions or {}).values() for entry in definition.get("vars") or () if entry.get("name")]
        return tuple(dict.fromkeys(names)) or _FALLBACK_VAR_NAMES

    def _rendered_variables(self, variables):
        """The variables this lookup reads, rendered: ``csoft_pin: "{{ vault_pin }}"`` must give the PIN.

        Ansible hands lookups the raw variables (2.16 and 2.19 alike); option
        type checks would otherwise see the template text (a bool option would
        even read ``"{{ ... }}"`` as false). Untrusted strings (2.19 data
        tagging) are left alone by the templar, as elsewhere in Ansible.
        """
        if not variables:
            return variables
        rendered = {}
        for name in self._option_var_names():
            if name in variables:
                value = variables[name]
                rendered[name] = self._templar.template(value) if self._templar is not None else value
        return rendered

    @staticmethod
    def _check_terms(terms, pin):
        flat = []
        for term in terms or ():
            if isinstance(term, (list, tuple)):
                flat.extend(term)
            else:
                flat.append(term)
        valid = ", ".join(TERMS)
        if not flat:
            raise AnsibleLookupError(f"{_PREFIX} needs at least one term: {valid}")
        wanted = []
        for term in flat:
            name = term.strip() if isinstance(term, str) else term
            if name not in TERMS:
                shown = repr(str(term)[:40])
                if pin and isinstance(pin, str) and pin in str(term):
                    shown = "(hidden: it holds the PIN)"
                raise AnsibleLookupError(f"{_PREFIX}: unknown term {shown}; valid terms are {valid}")
            wanted.append(str(name))
        return wanted
