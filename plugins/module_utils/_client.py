# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SOAP client for the Connection Software (csoft.co.uk) API: ``CsoftClient``.

This file is private to the collection (the leading underscore says so): its
interface may change between releases without notice.

One client serves every plugin of the collection. It

* takes the connection settings as ``_connection.ConnectionSettings``, checked
  once at the edge (module, lookup, action, callback, event source), and does
  not check them again;
* sends each request once with ``_transport.post`` (deadline, size cap, no
  retries, no redirects) and fails over to the next endpoint only when no
  connection could be made to the current one (refused, name resolution,
  connect time-out, TLS), never after an HTTP answer or after the request may
  have been received;
* interprets the answer with ``_soap`` (hardened parser, faults) and the
  operation's own parser (``_account``, ``_submit``);
* raises the errors of ``_errors``, whose text and attributes never hold the PIN.

It imports nothing from the Ansible controller, so it can run on any host.
"""

from urllib.parse import quote, quote_plus

from ansible_collections.csoft.sms.plugins.module_utils._account import OPERATIONS, gather, parse_operation_result
from ansible_collections.csoft.sms.plugins.module_utils._connection import ConnectionSettings
from ansible_collections.csoft.sms.plugins.module_utils._errors import (
    CsoftError,
    CsoftFaultError,
    CsoftHTTPError,
    CsoftInputError,
    CsoftResponseError,
    CsoftUnreachableError,
    is_login_rejection,
)
from ansible_collections.csoft.sms.plugins.module_utils._soap import (
    HAS_LXML,
    build_envelope,
    expect_wrapper,
    fault_fields,
    is_fault,
    parse_document,
    snippet,
)
from ansible_collections.csoft.sms.plugins.module_utils._transport import (
    HAS_REQUESTS,
    ConnectFailure,
    environment_ca_bundle,
    environment_proxies,
    new_session,
    post,
)

MAX_RESPONSE_BYTES = 1024 * 1024

_REASON_PHRASES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def _secret_forms(secret):
    """The secret as an answer could echo it, longest first.

    As is, XML/HTML-escaped and percent-encoded; and the same forms of its
    escaped form, which is how it travels in the request body (an error page
    that quotes the request escapes it once more).
    """
    forms = set()
    for text in (secret, secret.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")):
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        quoted = escaped.replace('"', "&quot;")
        forms.update((text, escaped, quoted, quoted.replace("'", "&#x27;"), quoted.replace("'", "&#39;"), quoted.replace("'", "&apos;")))
        forms.update((quote(text, safe=""), quote(text), quote_plus(text)))
    return sorted(forms, key=len, reverse=True)


class CsoftClient:
    """Query one Connection Software account.

    The client remembers which endpoint answered: once one has, later calls
    go straight to it, so a dead primary costs one connect attempt per client.
    """

    def __init__(self, settings, max_response_bytes=MAX_RESPONSE_BYTES, session=None):
        """``settings``: the ConnectionSettings checked at the edge (``ConnectionSettings.from_values``); not checked again."""
        if not isinstance(settings, ConnectionSettings):
            raise TypeError("CsoftClient takes ConnectionSettings; build them with ConnectionSettings.from_values")
        if not HAS_REQUESTS or not HAS_LXML:
            missing = [name for name, ok in (("requests", HAS_REQUESTS), ("lxml", HAS_LXML)) if not ok]
            raise CsoftInputError(
                f"the Python library {' and '.join(missing)} is missing on the host that runs the query; "
                "install it with pip (see the collection's requirements.txt)"
            )
        self.settings = settings
        self.username = settings.username
        self._pin = settings.pin
        self._pin_forms = _secret_forms(self._pin)
        self.endpoints = settings.endpoints
        self.timeout = settings.timeout
        self.max_response_bytes = int(max_response_bytes)
        self.verify = settings.verify
        if session is None:
            self._session = new_session()
            # requests reads the proxy variables, REQUESTS_CA_BUNDLE and ~/.netrc again on every
            # request (about 0.1 ms, a tenth of a query on loopback). The environment of one run
            # does not change: read it once per client, with requests' own rules. ~/.netrc is not
            # read: the service takes no HTTP credentials, the PIN travels in the body.
            self._proxies = environment_proxies(self.endpoints)
            if self.verify is True:
                self.verify = environment_ca_bundle() or True
        else:  # the caller's session, with its own settings
            self._session = session
            self._proxies = {}
        self._start = 0  # index of the endpoint to try first
        self.endpoint = None  # URL that answered the last call
        self.failed_over = False  # True once any call was answered by a non-first endpoint
        self.requests_sent = 0
        self.sent_unencrypted = None  # the first http:// endpoint a request (with the PIN) may have reached
        self._envelopes = {}  # (operation, username, PIN) -> request document of a query without fields

    @classmethod
    def from_values(cls, username=None, pin=None, endpoints=None, validate_certs=None, ca_path=None, timeout=None, **kwargs):
        """A client of unchecked option values (tools and tests): checked once by ``ConnectionSettings.from_values``."""
        values = {"username": username, "pin": pin, "endpoints": endpoints, "validate_certs": validate_certs, "ca_path": ca_path, "timeout": timeout}
        return cls(ConnectionSettings.from_values(values), **kwargs)

    def __repr__(self):
        return f"CsoftClient(username={self.username!r}, endpoints={self.endpoints!r}, pin=<hidden>)"

    def close(self):
        self._session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def redact(self, text):
        """Remove the PIN (in any form an echo could show it) from any text that could reach a user."""
        for form in self._pin_forms:
            text = text.replace(form, "********")
        return text

    def _mask(self, body):
        """The answer (bytes) with every form of the PIN masked."""
        for form in self._pin_forms:
            body = body.replace(form.encode("utf-8"), b"********")
        return body

    # Public queries ----------------------------------------------------

    def available_credit(self):
        """Return AccountCredit(credit=Decimal, currency=str)."""
        return self.call("AvailableCredit")

    def available_messages(self):
        """Return the approximate number of premier messages (int)."""
        return self.call("AvailableMessages")

    def permitted_reply_to(self):
        """Return the permitted ReplyTo values (list of str, order kept)."""
        return self.call("PermittedReplyTo")

    def figures(self, operations):
        """The AccountFigures of ``operations`` (friendly or SOAP names), each asked once, in order."""
        return gather(lambda operation: (self.call(operation), self.endpoint), operations, self.endpoints[0])

    def call(self, operation):
        """Send one account query and return its parsed value."""
        if operation not in OPERATIONS.values():
            raise CsoftInputError(f"unknown csoft operation {operation!r}; expected one of {', '.join(OPERATIONS.values())}")
        return self.request(operation, parse=lambda wrapper: parse_operation_result(operation, wrapper))

    def request(self, operation, fields=(), parse=None):
        """Send ``operation`` once (with fail-over before any answer) and return ``parse(wrapper)``.

        ``parse`` turns the checked response wrapper element into a value; a
        CsoftResponseError it raises gains the endpoint and operation. Without
        ``parse`` the wrapper element itself is returned.
        """
        key = None if fields else (operation, self.username, self._pin)
        envelope = self._envelopes.get(key) if key else None
        if envelope is None:
            envelope = build_envelope(operation, self.username, self._pin, fields)
            if key:
                self._envelopes[key] = envelope
        try:
            status, body, endpoint = self._post(operation, envelope)
            return self._interpret_safely(operation, endpoint, status, body, parse)
        except CsoftError as exc:
            # A new error without the chained exceptions, which hold the request and excerpts of the answer.
            error = exc.redacted(self.redact)
        raise error

    # Fail-over ---------------------------------------------------------

    def _post(self, operation, envelope):
        attempts = []
        for index in range(self._start, len(self.endpoints)):
            url = self.endpoints[index]
            self.requests_sent += 1
            try:
                status, body = post(self._session, url, envelope, operation, self.timeout, self.verify, self._proxies.get(url), self.max_response_bytes)
            except ConnectFailure as failure:
                attempts.append((url, failure.reason))  # no connection: the request, and so the PIN, did not leave
                continue
            except CsoftInputError:
                raise  # an endpoint requests cannot use: nothing was sent
            except CsoftError:
                self._note_sent(url)  # answered badly or not in time: the request may have been sent
                raise
            self._note_sent(url)
            self._start = index
            self.endpoint = url
            if index > 0:
                self.failed_over = True
            return status, body, url
        tried = "; ".join("{}: {}".format(*attempt) for attempt in attempts)
        raise CsoftUnreachableError(
            f"csoft {operation} failed: no endpoint could be reached ({tried}); check the network, proxy and DNS "
            "from the host that runs the query, the endpoints option, and the CA bundle for TLS errors",
            attempts,
            operation=operation,
        )

    def _note_sent(self, url):
        if self.sent_unencrypted is None and url.lower().startswith("http://"):
            self.sent_unencrypted = url

    def plain_http_warning(self):
        """The warning for a PIN that was (or may have been) sent over plain http://, or None."""
        if self.sent_unencrypted is None:
            return None
        return f"the PIN was sent unencrypted to {self.sent_unencrypted}; use an https:// endpoint"

    # Interpretation ----------------------------------------------------

    def _interpret_safely(self, operation, url, status, body, parse):
        """Interpret the answer; explain a failure from a copy of it in which the PIN is masked.

        A service or a proxy may echo the request in an error page or a fault.
        Excerpts of the answer in errors are cut short, so redacting the
        message afterwards could leave part of the PIN: they come from the
        masked copy instead. Values of a good answer are never altered.
        """
        try:
            return self._interpret(operation, url, status, body, parse)
        except CsoftError as exc:
            error = exc
        masked = self._mask(body)
        if masked != body:
            try:
                self._interpret(operation, url, status, masked, parse)
            except CsoftError as exc:
                error = exc
        raise error

    def _interpret(self, operation, url, status, body, parse):
        where = f"csoft {operation} at {url} failed"
        if 300 <= status < 400:
            raise CsoftHTTPError(
                f"{where}: HTTP {status} redirect, which is not followed; check the endpoints option (for example http:// instead of https://)",
                status,
                url,
                operation,
            )
        try:
            element = parse_document(body)
        except CsoftResponseError as exc:
            if not 200 <= status < 300:
                raise CsoftHTTPError(f"{where}: HTTP {status} {_reason_phrase(status)}: {snippet(body)}; not retried", status, url, operation) from None
            raise CsoftResponseError(
                f"{where}: {exc.message}; the endpoint may not be the csoft SOAP service, or the service changed",
                url,
                operation,
            ) from None
        if is_fault(element):
            code, text = fault_fields(element)
            if is_login_rejection(text):
                message = f"{where}: login rejected by the service (SOAP fault {code or '?'}: {text or 'no reason given'}); check the username and PIN"
            else:
                message = f"{where}: the service returned SOAP fault {code or '?'}: {text or 'no reason given'} (HTTP {status}); not retried"
            raise CsoftFaultError(message, code, text, status, url, operation)
        if not 200 <= status < 300:
            raise CsoftHTTPError(f"{where}: HTTP {status} {_reason_phrase(status)}; not retried", status, url, operation)
        try:
            wrapper = expect_wrapper(operation, element)
            return parse(wrapper) if parse else wrapper
        except CsoftResponseError as exc:
            if exc.missing_element:
                hint = "check the username and PIN (a rejected login may look like this)"
            else:
                hint = "the service sent a value this collection cannot trust"
            raise CsoftResponseError(f"{where}: {exc.message}; {hint}", url, operation, missing_element=exc.missing_element) from None


def _reason_phrase(status):
    return _REASON_PHRASES.get(status, "error")
