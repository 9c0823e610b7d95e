# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    # Connection options, written once for every module and plugin of csoft.sms.
    DOCUMENTATION = r"""
options:
  username:
    description:
      - The Username of the Connection Software account to query, for example V(ANOther.61234).
      - Case-sensitive, 1 to 20 printable characters without spaces. A whole number (a template that renders to one)
        is read as its decimal text.
      - Required. Modules fall back to the E(CSOFT_USERNAME) environment variable of the host that runs them.
    type: str
  pin:
    description:
      - The PIN (not the password) of the account.
      - Case-sensitive, 1 to 20 printable characters without spaces. A whole number (an all-digit PIN that a template
        renders to a number) is read as its decimal text.
      - Required. Modules fall back to the E(CSOFT_PIN) environment variable.
      - Sent only in the body of the SOAP request, never in a URL, and never shown in any output or error message.
    type: str
  endpoints:
    description:
      - The SOAP service URLs, tried in order; at most 8, each C(http://) or C(https://) with a host name or address,
        an optional numeric port and a path.
      - The next URL is tried only when no connection could be made to the current one
        (connection refused, host name not resolved, connect time-out, TLS handshake or certificate failure).
      - Once the service has answered, in any way, the answer is final; the request is never retried,
        because the vendor blocks clients that retry in loops.
      - Modules fall back to the E(CSOFT_ENDPOINTS) environment variable (comma-separated).
    type: list
    elements: str
    default:
      - https://www.csoft.co.uk/sendsms5
      - https://www2.csoft.co.uk/sendsms5
  validate_certs:
    description:
      - Verify the TLS certificate of HTTPS endpoints.
      - Set to V(false) only for testing; the PIN is then exposed to anyone who can intercept the connection.
      - Modules fall back to the E(CSOFT_VALIDATE_CERTS) environment variable.
    type: bool
    default: true
  ca_path:
    description:
      - Path to a PEM file of CA certificates used to verify HTTPS endpoints, for example a corporate TLS-inspecting proxy's CA.
      - When not set, the CA bundle of the Python C(requests) library is used (C(certifi)), B(not) the system store,
        unless E(REQUESTS_CA_BUNDLE) is set.
      - Modules fall back to the E(CSOFT_CA_PATH) environment variable.
    type: path
  timeout:
    description:
      - Time-out in seconds for each request, used both for connecting and for the whole answer.
      - More than 0 and at most 3600.
      - A connect time-out moves on to the next endpoint; a request that was sent but not answered in time fails at once,
        without retry, because the service may have received it.
      - Modules fall back to the E(CSOFT_TIMEOUT) environment variable.
    type: float
    default: 10
notes:
  - The vendor strongly recommends HTTPS; with an C(http://) endpoint the PIN crosses the network in clear text.
  - Requests are made from the host that runs the module or plugin, normally the controller.
  - Proxies are taken from the E(HTTPS_PROXY), E(HTTP_PROXY), E(ALL_PROXY) and E(NO_PROXY) environment variables
    of that host, as C(requests) reads them, once per task or lookup. Credentials in C(~/.netrc) are never sent.
requirements:
  - requests >= 2.28 (Python library)
  - lxml >= 4.9 (Python library)
"""

    # Where plugins (lookups) can also read the connection options from.
    PLUGINS = r"""
options:
  username:
    env:
      - name: CSOFT_USERNAME
    ini:
      - section: csoft_account
        key: username
    vars:
      - name: csoft_username
  pin:
    env:
      - name: CSOFT_PIN
    vars:
      - name: csoft_pin
  endpoints:
    env:
      - name: CSOFT_ENDPOINTS
    ini:
      - section: csoft_account
        key: endpoints
    vars:
      - name: csoft_endpoints
  validate_certs:
    env:
      - name: CSOFT_VALIDATE_CERTS
    ini:
      - section: csoft_account
        key: validate_certs
    vars:
      - name: csoft_validate_certs
  ca_path:
    env:
      - name: CSOFT_CA_PATH
    ini:
      - section: csoft_account
        key: ca_path
    vars:
      - name: csoft_ca_path
  timeout:
    env:
      - name: CSOFT_TIMEOUT
    ini:
      - section: csoft_account
        key: timeout
    vars:
      - name: csoft_timeout
"""

    # Where the notification callback csoft.sms.sms_notify reads the connection options from. Ansible passes no
    # variables to callback plugins, so there are no vars: entries; the PIN has no ansible.cfg key on purpose.
    CALLBACK = r"""
options:
  username:
    env:
      - name: CSOFT_USERNAME
    ini:
      - section: callback_csoft_sms_notify
        key: username
  pin:
    env:
      - name: CSOFT_PIN
  endpoints:
    env:
      - name: CSOFT_ENDPOINTS
    ini:
      - section: callback_csoft_sms_notify
        key: endpoints
  validate_certs:
    env:
      - name: CSOFT_VALIDATE_CERTS
    ini:
      - section: callback_csoft_sms_notify
        key: validate_certs
  ca_path:
    env:
      - name: CSOFT_CA_PATH
    ini:
      - section: callback_csoft_sms_notify
        key: ca_path
  timeout:
    env:
      - name: CSOFT_TIMEOUT
    ini:
      - section: callback_csoft_sms_notify
        key: timeout
"""
