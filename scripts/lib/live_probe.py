# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A probe of the real Connection Software service (run by scripts/live-probe.sh).

    python scripts/lib/live_probe.py [ENDPOINT...]

Sends each read-only account query (AvailableCredit, AvailableMessages, PermittedReplyTo) once to each
endpoint (the arguments, else CSOFT_ENDPOINTS, else the vendor's two), with CSOFT_USERNAME and CSOFT_PIN,
through this collection's own transport and parser, and prints a report that is safe to paste into a bug
report: per endpoint and operation the HTTP status, the time, the Content-Type, the response wrapper's
namespace and local name, its child elements' names and whether each value parsed. It never prints the
PIN, the username, a value or any part of a response body (a SOAP fault shows its faultcode only), never
sends SubmitMessage and never retries. CSOFT_CA_PATH, CSOFT_VALIDATE_CERTS and CSOFT_TIMEOUT apply as in
the modules. Exit status: 0 when every endpoint answered every query with values that parsed, 1 otherwise,
2 when it could not start.
"""

import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The read-only queries, each with the children its answer holds; nothing else is ever sent.
QUERIES = (
    ("AvailableCredit", ("Credit", "Currency")),
    ("AvailableMessages", ("Messages",)),
    ("PermittedReplyTo", ("PermittedReplyTo",)),
)


def import_collection():
    """Make this checkout (or installed copy) importable as ``ansible_collections.csoft.sms``."""
    from collection_link import make_importable  # scripts/lib, next to this file

    make_importable(ROOT)


def settings(argv, environ):
    """The checked ConnectionSettings of the CSOFT_* variables (endpoints: ``argv`` first); raises ValueError or
    CsoftInputError with a one-line text. The same checks as every plugin's (``ConnectionSettings.from_values``)."""
    from ansible_collections.csoft.sms.plugins.module_utils._connection import ConnectionSettings

    missing = [name for name in ("CSOFT_USERNAME", "CSOFT_PIN") if not environ.get(name)]
    if missing:
        raise ValueError(f"set {' and '.join(missing)} (the account to probe) in the environment")
    return ConnectionSettings.from_values({"endpoints": list(argv) or None}, environ=environ)


class Probe:
    """One client per endpoint (no fail-over), the Content-Type of each answer caught by a response hook."""

    def __init__(self, connection):
        from ansible_collections.csoft.sms.plugins.module_utils import _client

        self.settings = connection
        self.username, self.pin = connection.username, connection.pin
        self.secrets = sorted(set(_client._secret_forms(self.pin)) | set(_client._secret_forms(self.username)), key=len, reverse=True)

    def mask(self, text):
        for form in self.secrets:
            text = text.replace(form, "<hidden>")
        return text

    def query(self, endpoint, operation, children):
        """One POST of ``operation`` to ``endpoint``: a list of report lines about its answer."""
        from ansible_collections.csoft.sms.plugins.module_utils import _client, _soap, _transport
        from ansible_collections.csoft.sms.plugins.module_utils._account import parse_credit, parse_currency, parse_messages, parse_reply_to

        parsers = {"Credit": parse_credit, "Currency": parse_currency, "Messages": parse_messages, "PermittedReplyTo": parse_reply_to}
        client = _client.CsoftClient(self.settings.replace(endpoints=(endpoint,)))
        seen = {}
        client._session.hooks["response"].append(lambda response, *args, **kwargs: seen.update(content_type=response.headers.get("Content-Type")))
        envelope = _soap.build_envelope(operation, self.username, self.pin)
        start = time.monotonic()
        try:
            status, body = _transport.post(
                client._session, endpoint, envelope, operation, client.timeout, client.verify, client._proxies.get(endpoint), client.max_response_bytes
            )
        except _transport.ConnectFailure as failure:
            return [f"no connection after {time.monotonic() - start:.3f} s: {failure.reason}"]
        except Exception as exc:  # a final error after sending: its class only (its text may quote the answer)
            return [f"failed after {time.monotonic() - start:.3f} s: {type(exc).__name__} (no answer that could be read)"]
        finally:
            client.close()
        elapsed = time.monotonic() - start
        lines = [f"HTTP {status} in {elapsed:.3f} s, Content-Type {seen.get('content_type') or '(none)'}, {len(body)} bytes"]
        lines += self.describe_body(operation, children, body, parsers)
        return lines

    @staticmethod
    def describe_body(operation, children, body, parsers):
        from ansible_collections.csoft.sms.plugins.module_utils import _soap
        from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftError, is_login_rejection

        try:
            element = _soap.parse_document(body)
        except CsoftError as exc:
            message = exc.message if hasattr(exc, "message") else str(exc)
            if message.startswith("the answer is not XML"):
                message = "the answer is not XML"  # the rest quotes the body
            return [f"not a SOAP answer the collection accepts: {message.split(':')[0]}"]
        wrapper_ns, wrapper_name = _soap.namespace_of(element.tag) or "(no namespace)", _soap.local_name(element.tag)
        if _soap.is_fault(element):
            code, text = _soap.fault_fields(element)
            login = " (the collection reads it as a rejected login)" if is_login_rejection(text) else ""
            return [f"SOAP Fault {{{wrapper_ns}}}{wrapper_name}: faultcode {code or '(none)'}, faultstring of {len(text)} characters (not shown){login}"]
        expected = f"{operation}Response"
        verdict = "as expected" if wrapper_ns == _soap.CSOFT_NS and wrapper_name == expected else f"expected {{{_soap.CSOFT_NS}}}{expected}"
        lines = [f"wrapper {{{wrapper_ns}}}{wrapper_name} ({verdict})"]
        names = []
        for child in _soap.elements(element):
            namespace = _soap.namespace_of(child.tag)
            name = _soap.local_name(child.tag)
            names.append(f"{{{namespace}}}{name}" if namespace else name)
        lines.append("children " + (", ".join(names) if names else "(none)"))
        for name in children:
            try:
                parsers[name](_soap.child_text(element, name, operation))
                lines.append(f"{name}: parsed")
            except CsoftError as exc:
                reason = "missing" if getattr(exc, "missing_element", None) else "did not parse"
                lines.append(f"{name}: {reason}")
        return lines


def report(argv, environ, out):
    """Write the report to ``out``; return the exit status."""
    try:
        import_collection()
        from ansible_collections.csoft.sms.plugins.module_utils import _transport

        if not _transport.HAS_REQUESTS:
            raise ValueError("the Python library requests is missing: pip install -r requirements.txt")
        from ansible_collections.csoft.sms.plugins.module_utils import _soap

        if not _soap.HAS_LXML:
            raise ValueError("the Python library lxml is missing: pip install -r requirements.txt")
        connection = settings(argv, environ)
    except Exception as exc:  # one line, never a traceback; credentials are validated without echoing them
        out.write(f"live-probe: cannot start: {getattr(exc, 'message', None) or exc}\n")
        return 2
    probe = Probe(connection)
    lines = [
        "csoft.sms live probe: read-only account queries, one request each, no retry, no SubmitMessage",
        f"time-out {connection.timeout:g} s, certificates {'verified' if connection.validate_certs else 'NOT verified'}"
        f"{' with CSOFT_CA_PATH' if connection.ca_path else ''}",
    ]
    good = True
    for endpoint in connection.endpoints:
        lines.append(f"endpoint {endpoint}")
        for operation, children in QUERIES:
            answer = probe.query(endpoint, operation, children)
            good = good and answer[0].startswith("HTTP 2") and all(not line.endswith(("missing", "did not parse")) for line in answer)
            good = good and any("(as expected)" in line for line in answer)
            lines.append(f"  {operation}: {answer[0]}")
            lines.extend(f"    {line}" for line in answer[1:])
    lines.append(
        "result: " + ("every endpoint answered every query with values that parsed" if good else "see above: not every query was answered as expected")
    )
    out.write(probe.mask("\n".join(lines)) + "\n")
    return 0 if good else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(report(sys.argv[1:], os.environ, sys.stdout))
