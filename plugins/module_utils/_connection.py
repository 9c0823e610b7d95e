# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The connection options of csoft.sms, declared once, and their checked value (private to the collection).

``OPTIONS`` is the one declaration of the connection options: name, type,
default, environment variable, ``ansible.cfg`` key, ``csoft_*`` variable,
``no_log`` and the check of a value. Everything else is derived from it:

* the modules' and the action's argument spec (``_options.connection_argument_spec``);
* how the lookup, the action and the callback read them (``get_option``);
* the event source's arguments (``ConnectionSettings.from_values`` with the environment);
* and a unit test compares every YAML copy Ansible reads statically (the doc
  fragment, the role's ``argument_specs.yml``, the event source's
  DOCUMENTATION) with it.

``ConnectionSettings.from_values`` checks all the options at once (every
missing or invalid one named in one line) and returns a frozen value; the
client takes that value as it is and checks nothing again. Imports nothing
from the Ansible controller, so the event source can use it without ansible-core.
"""

import os
import re
from collections import namedtuple

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.plugins.module_utils._values import as_bool, as_number, as_text, as_text_list, is_missing, relabel, shown

DEFAULT_ENDPOINTS = (
    "https://www.csoft.co.uk/sendsms5",
    "https://www2.csoft.co.uk/sendsms5",
)
DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 3600.0
MAX_ENDPOINTS = 8
MAX_URL_CHARS = 2000
_CREDENTIAL_RE = re.compile(r"^[\x21-\x7e]{1,20}$")
# scheme, then a host name, IPv4 or [IPv6] address, an optional numeric port, an optional path (no user info)
_URL_RE = re.compile(r"^https?://(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?)(?::\d{1,5})?(?:/[^\s]*)?$", re.IGNORECASE)

# One connection option. ``env``: its environment variable; ``ini``: its key in ansible.cfg (None: never in a file);
# ``var``: the variable a lookup reads; ``required``: it has no default and must be given somewhere.
Option = namedtuple("Option", "name type elements default env ini var no_log required")

OPTIONS = (
    Option("username", "str", None, None, "CSOFT_USERNAME", "username", "csoft_username", False, True),
    Option("pin", "str", None, None, "CSOFT_PIN", None, "csoft_pin", True, True),
    Option("endpoints", "list", "str", list(DEFAULT_ENDPOINTS), "CSOFT_ENDPOINTS", "endpoints", "csoft_endpoints", False, False),
    Option("validate_certs", "bool", None, True, "CSOFT_VALIDATE_CERTS", "validate_certs", "csoft_validate_certs", False, False),
    Option("ca_path", "path", None, None, "CSOFT_CA_PATH", "ca_path", "csoft_ca_path", False, False),
    Option("timeout", "float", None, DEFAULT_TIMEOUT, "CSOFT_TIMEOUT", "timeout", "csoft_timeout", False, False),
)
NAMES = tuple(option.name for option in OPTIONS)
BY_NAME = {option.name: option for option in OPTIONS}


def check_credential(name, value):
    """A Username or PIN as the vendor defines them (a whole number is its decimal text); never echoed."""
    text = as_text(name, value, secret=True)
    if text is None or not _CREDENTIAL_RE.match(text):
        raise CsoftInputError(
            f"csoft {name} is invalid: it must be 1 to 20 printable ASCII characters without spaces "
            f"(the value given has {len(text) if text is not None else 0} characters); check the {name} option"
        )
    return text


def check_endpoints(value):
    """The endpoints as a tuple of http(s) URLs (a list, or one comma-separated text)."""
    urls = as_text_list("endpoints", value)
    if not urls:
        raise CsoftInputError(f"csoft endpoints is empty: give at least one service URL such as {DEFAULT_ENDPOINTS[0]}")
    if len(urls) > MAX_ENDPOINTS:
        raise CsoftInputError(f"csoft endpoints has {len(urls)} URLs; give at most {MAX_ENDPOINTS}")
    for url in urls:
        if len(url) > MAX_URL_CHARS or not _URL_RE.match(url):
            raise CsoftInputError(f"csoft endpoint {shown(url, limit=200)} is not an http:// or https:// URL with a host; check the endpoints option")
    return urls


def check_ca_path(value):
    path = as_text("ca_path", value)
    path = os.path.expanduser(path)
    if not os.path.isfile(path):
        raise CsoftInputError(f"csoft ca_path {shown(path, limit=200)} is not a readable file; give a PEM bundle of CA certificates")
    return path


def check_timeout(value):
    return float(as_number("timeout", value, low=0, high=MAX_TIMEOUT, low_open=True))


_CHECKS = {
    "username": lambda value: check_credential("username", value),
    "pin": lambda value: check_credential("pin", value),
    "endpoints": check_endpoints,
    "validate_certs": lambda value: as_bool("validate_certs", value),
    "ca_path": check_ca_path,
    "timeout": check_timeout,
}


def _missing_hint(option, label):
    if label is not None:
        return f"set {label(option.name)}"
    return f"set the {option.name} option or the {option.env} environment variable"


class ConnectionSettings:
    """The checked connection options of one account: what ``CsoftClient`` takes. Immutable; the PIN is never shown."""

    __slots__ = ("username", "pin", "endpoints", "validate_certs", "ca_path", "timeout")

    def __init__(self, username, pin, endpoints, validate_certs, ca_path, timeout):
        # Only from_values (checked values) and replace call this.
        for name, value in zip(self.__slots__, (username, pin, tuple(endpoints), validate_certs, ca_path, timeout)):
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise AttributeError("ConnectionSettings is immutable")

    def __repr__(self):
        return f"ConnectionSettings(username={self.username!r}, endpoints={self.endpoints!r}, timeout={self.timeout!r}, pin=<hidden>)"

    def __eq__(self, other):
        return isinstance(other, ConnectionSettings) and all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    def __hash__(self):
        return hash(tuple(getattr(self, name) for name in self.__slots__))

    @classmethod
    def from_values(cls, values, environ=None, label=None):
        """Check the connection options in ``values`` (a dict or a getter) and return the settings.

        A value that is missing (None or empty) falls back to ``environ[option.env]`` when ``environ`` is
        given, then to the option's default. Every missing or invalid option is named in one
        ``CsoftInputError`` line; ``label(name)`` says how the user sets an option (for example
        ``credit_gate_username`` in the role).
        """
        get = values.get if isinstance(values, dict) else values
        checked, problems = {}, []
        for option in OPTIONS:
            value = get(option.name)
            if is_missing(value) and environ is not None:
                value = environ.get(option.env)
            if is_missing(value):
                if option.required:
                    problems.append(f"csoft {option.name} is missing: {_missing_hint(option, label)}")
                    continue
                value = option.default
                if value is None:
                    checked[option.name] = None
                    continue
            try:
                checked[option.name] = _CHECKS[option.name](value)
            except CsoftInputError as exc:
                problems.append(str(exc if label is None else relabel(exc, option.name, label(option.name))))
        if problems:
            raise CsoftInputError("; ".join(problems))
        return cls(**checked)

    def replace(self, **changes):
        """A copy with ``changes`` (already checked values, such as a tail of the endpoints)."""
        values = {name: getattr(self, name) for name in self.__slots__}
        values.update(changes)
        return ConnectionSettings(**values)

    @property
    def verify(self):
        """What requests takes as ``verify``: the CA bundle, True, or False."""
        return (self.ca_path or True) if self.validate_certs else False
