# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SOAP client for the Connection Software (csoft.co.uk) account query API.

This file is private to the collection (the leading underscore says so): its
interface may change between releases without notice.

One client serves the module, the lookup and the role. It

* builds the SOAP 1.1 envelopes the vendor documents, with lxml;
* posts them with one ``requests`` session, a time-out on every request, no
  redirects and no urllib3 retries;
* fails over to the next endpoint only when no connection could be made to
  the current one (refused, name resolution, connect time-out, TLS), and
  never after an HTTP answer or after the request may have been received;
* reads at most ``max_response_bytes`` of the answer, within one overall
  deadline per request (a watchdog shuts the socket down when it passes, so
  an answer dripped one byte at a time cannot hold the client for longer);
* parses the answer with a hardened lxml parser (no DTD, no entities, no
  network) and matches elements by namespace URI and local name only;
* raises typed errors whose text never holds the PIN.

It imports nothing from the Ansible controller, so it can run on any host.
"""

import heapq
import itertools
import os
import re
import socket
import threading
import time
import warnings
from decimal import Decimal, InvalidOperation
from urllib.parse import quote, quote_plus

try:
    import requests
    from requests.adapters import HTTPAdapter
    from requests.utils import get_environ_proxies
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.exceptions import ConnectTimeoutError, InsecureRequestWarning, NewConnectionError, ReadTimeoutError
    from urllib3.exceptions import HTTPError as Urllib3HTTPError
    from urllib3.exceptions import SSLError as Urllib3SSLError
    from urllib3.poolmanager import ProxyManager
    from urllib3.util.retry import Retry
except ImportError:  # pragma: no cover - reported by the callers
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = "requests"
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

try:
    from lxml import etree
except ImportError:  # pragma: no cover - reported by the callers
    HAS_LXML = False
else:
    HAS_LXML = True


SOAP11_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV_NS = "http://www.w3.org/2003/05/soap-envelope"
SOAP_ENC_NS = "http://schemas.xmlsoap.org/soap/encoding/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
CSOFT_NS = "http://www.csoft.co.uk/dtd/sendsms5.xsd"

DEFAULT_ENDPOINTS = (
    "https://www.csoft.co.uk/sendsms5",
    "https://www2.csoft.co.uk/sendsms5",
)
DEFAULT_TIMEOUT = 10.0
MAX_RESPONSE_BYTES = 1024 * 1024
USER_AGENT = "csoft.sms-ansible-collection/1.0"

# Friendly names used by the module, the lookup and the role.
OPERATIONS = {
    "credit": "AvailableCredit",
    "messages": "AvailableMessages",
    "reply_to": "PermittedReplyTo",
}

_CREDENTIAL_RE = re.compile(r"^[\x21-\x7e]{1,20}$")
_DECIMAL_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$", re.ASCII)  # ASCII digits only: int() and Decimal() accept any script
_UINT_RE = re.compile(r"^\+?\d+$", re.ASCII)
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_LOGIN_WORDS = re.compile(r"login|logon|password|\bpin\b|username|credential|auth", re.IGNORECASE)
_SNIPPET_CHARS = 160


class CsoftError(Exception):
    """Base class of every error the client raises.

    ``str(error)`` is one line: what failed, where, why and what to do next.
    It never contains the PIN.
    """

    def __init__(self, message, endpoint=None, operation=None):
        super().__init__(message)
        self.message = message
        self.endpoint = endpoint
        self.operation = operation

    def __str__(self):
        return self.message


class CsoftInputError(CsoftError):
    """An option value is invalid; nothing was sent."""


class CsoftUnreachableError(CsoftError):
    """No endpoint could be connected to; ``attempts`` lists (url, reason)."""

    def __init__(self, message, attempts, operation=None):
        super().__init__(message, operation=operation)
        self.attempts = attempts


class CsoftTimeoutError(CsoftError):
    """The request was sent but no complete answer came in time (final)."""


class CsoftHTTPError(CsoftError):
    """The service answered with an HTTP status that is not a success."""

    def __init__(self, message, status, endpoint=None, operation=None):
        super().__init__(message, endpoint, operation)
        self.status = status


class CsoftFaultError(CsoftError):
    """The service answered with a SOAP Fault."""

    def __init__(self, message, faultcode, faultstring, status, endpoint=None, operation=None):
        super().__init__(message, endpoint, operation)
        self.faultcode = faultcode
        self.faultstring = faultstring
        self.status = status

    @property
    def login_rejected(self):
        return bool(_LOGIN_WORDS.search(self.faultstring or ""))


class CsoftResponseError(CsoftError):
    """The answer is not a well-formed, expected SOAP response."""


class AccountCredit:
    """The answer of AvailableCredit."""

    __slots__ = ("credit", "currency")

    def __init__(self, credit, currency):
        self.credit = credit
        self.currency = currency

    def __repr__(self):
        return f"AccountCredit(credit={self.credit!r}, currency={self.currency!r})"

    def __eq__(self, other):
        return isinstance(other, AccountCredit) and (self.credit, self.currency) == (other.credit, other.currency)

    def __hash__(self):
        return hash((self.credit, self.currency))


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


def validate_credential(name, value):
    """Check a Username or PIN as the vendor defines them; never echo it."""
    if value is None or value == "":
        raise CsoftInputError(f"csoft {name} is missing: set the {name} option or the CSOFT_{name.upper()} environment variable")
    if not isinstance(value, str) or not _CREDENTIAL_RE.match(value):
        length = len(value) if isinstance(value, str) else 0
        raise CsoftInputError(
            f"csoft {name} is invalid: it must be 1 to 20 printable ASCII characters without spaces "
            f"(the value given has {length} characters); check the {name} option"
        )
    return value


def validate_endpoints(endpoints):
    """Return the endpoints as a tuple of http(s) URLs, or raise CsoftInputError."""
    if isinstance(endpoints, str):
        endpoints = endpoints.split(",")
    urls = tuple(e.strip() for e in (endpoints or ()) if e is not None and str(e).strip())
    if not urls:
        raise CsoftInputError(f"csoft endpoints is empty: give at least one service URL such as {DEFAULT_ENDPOINTS[0]}")
    for url in urls:
        if not re.match(r"^https?://[^/\s?#@]+(?:/[^\s]*)?$", url, re.IGNORECASE):
            raise CsoftInputError(f"csoft endpoint {url[:200]!r} is not an http:// or https:// URL with a host; check the endpoints option")
    return urls


def validate_timeout(timeout):
    try:
        value = float(timeout)
    except (TypeError, ValueError):
        raise CsoftInputError(f"csoft timeout {timeout!r} is not a number of seconds; check the timeout option") from None
    if not 0 < value < float("inf"):
        raise CsoftInputError(f"csoft timeout must be a positive number of seconds, not {timeout!r}")
    return value


def build_envelope(operation, username, pin, fields=()):
    """Return the request document of ``operation`` (bytes), as the vendor's examples show it.

    ``fields`` are further children after Username and PIN: ``(name, value)``
    pairs where value is a string, ``None`` (left out) or a sequence of pairs
    (a nested element). lxml escapes every value, so no input can add markup.
    """
    env = etree.Element(
        f"{{{SOAP11_ENV_NS}}}Envelope",
        nsmap={"SOAP-ENV": SOAP11_ENV_NS, "SOAP-ENC": SOAP_ENC_NS, "xsi": XSI_NS, "xsd": XSD_NS, "ns2": CSOFT_NS},
    )
    body = etree.SubElement(env, f"{{{SOAP11_ENV_NS}}}Body")
    wrapper = etree.SubElement(body, f"{{{CSOFT_NS}}}{operation}")
    # elementFormDefault="unqualified": the children carry no namespace.
    _add_fields(wrapper, (("Username", username), ("PIN", pin)) + tuple(fields))
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def _add_fields(parent, fields):
    for name, value in fields:
        if value is None:
            continue
        child = etree.SubElement(parent, name)
        if isinstance(value, str):
            child.text = value
        else:
            _add_fields(child, value)


def _safe_parser():
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


# lxml tags are Clark notation, "{namespace}local" or "local"; string operations read them faster than etree.QName.
def _local(tag):
    return tag.rpartition("}")[2] if isinstance(tag, str) else None


def _namespace(tag):
    return (tag[1:].partition("}")[0] or None) if isinstance(tag, str) and tag[:1] == "{" else None


def _elements(parent):
    return [child for child in parent if isinstance(child.tag, str)]


def _snippet(body):
    """A short printable excerpt of a body for error messages."""
    text = body[: _SNIPPET_CHARS * 4].decode("utf-8", "replace")
    text = re.sub(r"\s+", " ", re.sub(r"[^\x20-\x7e\s]", "?", text)).strip()
    if len(text) > _SNIPPET_CHARS:
        text = text[:_SNIPPET_CHARS] + "..."
    return text or "(empty body)"


def parse_document(body):
    """Parse a response body into the SOAP Body's first element.

    Raises CsoftResponseError (without endpoint context) on anything that is
    not a safe, well-formed SOAP envelope. A DOCTYPE is always refused: the
    vendor never sends one and it is the vehicle of entity attacks.
    """
    if not body or not body.strip():
        raise CsoftResponseError("the service answered with an empty body")
    head = body[:4096].lstrip()
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise CsoftResponseError("the answer contains a DOCTYPE or entity declaration, which is refused")
    if not head.startswith((b"<", b"\xef\xbb\xbf<", b"\xff\xfe<", b"\xfe\xff\x00<")):
        raise CsoftResponseError(f"the answer is not XML: {_snippet(body)}")
    try:
        root = etree.fromstring(body, _safe_parser())
    except etree.XMLSyntaxError as exc:
        raise CsoftResponseError(f"the answer is not well-formed XML ({str(exc).splitlines()[0][:200]})") from None
    except ValueError as exc:
        raise CsoftResponseError(f"the answer could not be parsed as XML ({str(exc)[:200]})") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None or tree.docinfo.externalDTD is not None:
        raise CsoftResponseError("the answer contains a DOCTYPE, which is refused")
    env_ns = _namespace(root.tag)
    if _local(root.tag) != "Envelope" or env_ns not in (SOAP11_ENV_NS, SOAP12_ENV_NS):
        raise CsoftResponseError(f"the answer is XML but not a SOAP envelope (root element {_describe(root)})")
    bodies = [child for child in _elements(root) if child.tag == f"{{{env_ns}}}Body"]
    if len(bodies) != 1:
        raise CsoftResponseError(f"the SOAP envelope has {len(bodies)} Body elements, expected 1")
    content = _elements(bodies[0])
    if not content:
        raise CsoftResponseError("the SOAP Body is empty")
    first = content[0]
    if _local(first.tag) == "Fault" and _namespace(first.tag) == env_ns:
        return first
    if len(content) != 1:
        raise CsoftResponseError(f"the SOAP Body holds {len(content)} elements, expected 1")
    return first


def _describe(element):
    namespace = _namespace(element.tag)
    return f"{{{namespace}}}{_local(element.tag)}" if namespace else _local(element.tag)


def _fault_fields(fault):
    """Return (faultcode, faultstring) of a SOAP 1.1 or 1.2 Fault element."""
    code = reason = ""
    for child in _elements(fault):
        name = _local(child.tag)
        if name in ("faultcode", "faultstring"):
            value = " ".join((child.text or "").split())
            if name == "faultcode":
                code = value
            else:
                reason = value
        elif name == "Code":  # SOAP 1.2
            values = [c for c in child.iter() if _local(c.tag) == "Value"]
            code = " ".join((values[0].text or "").split()) if values else ""
        elif name == "Reason":
            texts = [c for c in child.iter() if _local(c.tag) == "Text"]
            reason = " ".join((texts[0].text or "").split()) if texts else ""
    return code[:100], reason[:300]


def child_text(wrapper, name, operation):
    """Text of the one child of the wrapper with local name ``name``, stripped."""
    found = [child for child in _elements(wrapper) if _local(child.tag) == name]
    if not found:
        raise CsoftResponseError(f"the {operation}Response has no {name} element")
    if len(found) > 1:
        raise CsoftResponseError(f"the {operation}Response has {len(found)} {name} elements, expected 1")
    element = found[0]
    if _elements(element):
        raise CsoftResponseError(f"the {name} element holds elements, expected text")
    return "".join(element.itertext()).strip()


def _bad_value(name, value, expected):
    shown = value if len(value) <= 40 else value[:40] + "..."
    return CsoftResponseError(f"the service sent {name} {shown!r}, which is not {expected}")


def parse_credit(text):
    if not _DECIMAL_RE.match(text):
        raise _bad_value("Credit", text, "a decimal number")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above prevents it
        raise _bad_value("Credit", text, "a decimal number") from None


def parse_currency(text):
    if not _CURRENCY_RE.match(text):
        raise _bad_value("Currency", text, "an ISO 4217 three-letter code")
    return text


def parse_messages(text):
    if not _UINT_RE.match(text):
        raise _bad_value("Messages", text, "a whole number of zero or more")
    return int(text)


def parse_reply_to(text):
    values = [item.strip() for item in text.split(",")]
    values = [item for item in values if item]
    if not values:
        raise CsoftResponseError("the service sent an empty PermittedReplyTo list (it always holds at least csoft.co.uk)")
    for item in values:
        if re.search(r"[\x00-\x20\x7f]", item):
            raise _bad_value("PermittedReplyTo entry", item, "a ReplyTo value without spaces or control characters")
    return values


def expect_wrapper(operation, element):
    """Check that ``element`` is the response wrapper of ``operation``; return it."""
    expected = f"{operation}Response"
    if _namespace(element.tag) != CSOFT_NS or _local(element.tag) != expected:
        raise CsoftResponseError(f"the answer holds {_describe(element)} where {expected} was expected")
    return element


def parse_response(operation, body):
    """Parse a successful answer of an account query (bytes) into its value; used by tests and tools."""
    element = parse_document(body)
    if _local(element.tag) == "Fault":
        raise CsoftResponseError("the answer is a SOAP Fault")
    return parse_operation_result(operation, expect_wrapper(operation, element))


def parse_operation_result(operation, wrapper):
    """Turn the (checked) response wrapper of an account query into a Python value."""
    if operation == "AvailableCredit":
        credit = parse_credit(child_text(wrapper, "Credit", operation))
        currency = parse_currency(child_text(wrapper, "Currency", operation))
        return AccountCredit(credit, currency)
    if operation == "AvailableMessages":
        return parse_messages(child_text(wrapper, "Messages", operation))
    if operation == "PermittedReplyTo":
        return parse_reply_to(child_text(wrapper, "PermittedReplyTo", operation))
    raise CsoftInputError(f"unknown csoft operation {operation!r}")  # pragma: no cover


# Overall deadline ---------------------------------------------------------------
#
# A socket time-out bounds each read, not the answer: a service (or a proxy)
# that sends one byte just inside every time-out, in the headers or in the
# body, would hold the client for ever. So each request has a watchdog that
# shuts its socket down when the deadline passes; the blocked read then
# returns at once and the client reports a time-out.

_WATCH = threading.local()  # .deadline: the _Deadline of the request this thread is sending


class _Deadline:
    """Shut the watched socket down once ``seconds`` have passed, unless stopped before."""

    def __init__(self, seconds):
        self._lock = threading.Lock()
        self._sock = None
        self._passed = False
        self._stopped = False
        self.fired = False  # a socket was shut down because the deadline passed
        self._seconds = max(0.0, seconds)

    def start(self):
        _WATCHDOG.add(time.monotonic() + self._seconds, self)
        return self

    def watch(self, sock):
        """Watch the socket the answer is read from (a connection's socket is known only once it is connected)."""
        with self._lock:
            if sock is None or self._stopped:
                return
            self._sock = sock
            if self._passed:
                self._shutdown()

    def stop(self):
        with self._lock:
            self._stopped = True
            self._sock = None  # the watchdog drops this deadline when its time comes

    def _expire(self):
        with self._lock:
            if self._stopped:
                return
            self._passed = True
            if self._sock is not None:
                self._shutdown()

    def _shutdown(self):  # with the lock held
        self.fired = True
        sock = self._sock
        try:
            if isinstance(sock, socket.socket):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the TCP socket itself, also under TLS
            else:  # pragma: no cover - e.g. TLS inside a TLS proxy tunnel
                sock.shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError, ValueError):
            pass  # already closed: nothing left to interrupt


class _Watchdog:
    """One daemon thread that expires the pending deadlines of the process in time order.

    A thread per request (threading.Timer) cost 0.1 to 1 ms per call, most of
    the client's own time on a kept-alive connection; a shared thread costs a
    heap push. It starts on first use, and again in a forked child, where the
    parent's thread does not exist.
    """

    def __init__(self):
        self._start_lock = threading.Lock()
        self._pid = None
        self._cond = None
        self._heap = None
        self._order = itertools.count()

    def forked(self):
        self._start_lock = threading.Lock()
        self._pid = None

    def add(self, when, deadline):
        if self._pid != os.getpid():
            self._start()
        with self._cond:
            heapq.heappush(self._heap, (when, next(self._order), deadline))
            if self._heap[0][2] is deadline:  # earlier than what the thread waits for
                self._cond.notify()

    def _start(self):
        with self._start_lock:
            if self._pid == os.getpid():
                return
            self._cond, self._heap = threading.Condition(threading.Lock()), []
            threading.Thread(target=self._run, args=(self._cond, self._heap), name="csoft-sms-deadline", daemon=True).start()
            self._pid = os.getpid()

    @staticmethod
    def _run(cond, heap):
        with cond:
            while True:
                now = time.monotonic()
                while heap and heap[0][0] <= now:
                    heapq.heappop(heap)[2]._expire()
                cond.wait(heap[0][0] - now if heap else None)


_WATCHDOG = _Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_WATCHDOG.forked)


def _response_socket(response):
    connection = getattr(response.raw, "connection", None) or getattr(response.raw, "_connection", None)
    return getattr(connection, "sock", None)


if HAS_REQUESTS:

    class _WatchedConnectionMixin:
        def getresponse(self, *args, **kwargs):
            # The request is sent: from now on the answer must arrive before the deadline.
            deadline = getattr(_WATCH, "deadline", None)
            if deadline is not None:
                deadline.watch(self.sock)
            return super().getresponse(*args, **kwargs)

    class _WatchedHTTPConnection(_WatchedConnectionMixin, HTTPConnection):
        pass

    class _WatchedHTTPSConnection(_WatchedConnectionMixin, HTTPSConnection):
        pass

    class _WatchedHTTPConnectionPool(HTTPConnectionPool):
        ConnectionCls = _WatchedHTTPConnection

    class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
        ConnectionCls = _WatchedHTTPSConnection

    _WATCHED_POOLS = {"http": _WatchedHTTPConnectionPool, "https": _WatchedHTTPSConnectionPool}

    class _WatchedAdapter(HTTPAdapter):
        """An HTTPAdapter whose connections let the request's watchdog see their socket."""

        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = dict(_WATCHED_POOLS)

        def proxy_manager_for(self, proxy, **proxy_kwargs):
            manager = super().proxy_manager_for(proxy, **proxy_kwargs)
            if isinstance(manager, ProxyManager):  # not SOCKS, which has pool classes of its own
                manager.pool_classes_by_scheme = dict(_WATCHED_POOLS)
            return manager


def _connect_failure_reason(exc):
    """Return why no connection could be made, or None when the request may have been received.

    Only failures before the request was written qualify for fail-over:
    refused, name resolution, connect time-out and TLS handshake or
    certificate errors. Anything else (reset after sending, read time-out,
    protocol error) means the service may have seen the request.
    """
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connect time-out"
    if isinstance(exc, requests.exceptions.SSLError):
        text = str(exc)
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
            detail = re.search(r"certificate verify failed: ([^(')\"]+)", text)
            return "TLS certificate not trusted (%s)" % (detail.group(1).strip() if detail else "verify failed")
        if "doesn't match" in text or "hostname" in text.lower():
            return "TLS certificate does not match the host name"
        return "TLS handshake failed"
    if isinstance(exc, requests.exceptions.ProxyError):
        return "proxy connection failed"
    if not isinstance(exc, requests.exceptions.ConnectionError):
        return None
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3 MaxRetryError wraps the cause
    if isinstance(reason, Urllib3SSLError):
        return "TLS handshake failed"
    # NewConnectionError is a subclass of ConnectTimeoutError in urllib3: test it first.
    if isinstance(reason, NewConnectionError):
        text = str(reason).lower()
        if "name resolution" in text or "name or service" in text or "nodename nor servname" in text or "getaddrinfo" in text:
            return "host name could not be resolved"
        if "refused" in text:
            return "connection refused"
        if "unreachable" in text:
            return "network unreachable"
        if "timed out" in text:
            return "connect time-out"
        return "connection failed"
    if isinstance(reason, ConnectTimeoutError):
        return "connect time-out"
    return None


class CsoftClient:
    """Query one Connection Software account.

    The client remembers which endpoint answered: once one has, later calls
    go straight to it, so a dead primary costs one connect attempt per client.
    """

    def __init__(
        self,
        username,
        pin,
        endpoints=DEFAULT_ENDPOINTS,
        validate_certs=True,
        ca_path=None,
        timeout=DEFAULT_TIMEOUT,
        max_response_bytes=MAX_RESPONSE_BYTES,
        session=None,
    ):
        if not HAS_REQUESTS or not HAS_LXML:
            missing = [name for name, ok in (("requests", HAS_REQUESTS), ("lxml", HAS_LXML)) if not ok]
            raise CsoftInputError(
                f"the Python library {' and '.join(missing)} is missing on the host that runs the query; "
                "install it with pip (see the collection's requirements.txt)"
            )
        self.username = validate_credential("username", username)
        self._pin = validate_credential("pin", pin)
        self._pin_forms = _secret_forms(self._pin)
        self.endpoints = validate_endpoints(endpoints)
        self.timeout = validate_timeout(timeout)
        self.max_response_bytes = int(max_response_bytes)
        self.verify = (ca_path or True) if validate_certs else False
        if session is None:
            self._session = self._new_session()
            # requests reads the proxy variables, REQUESTS_CA_BUNDLE and ~/.netrc again on every
            # request (about 0.1 ms, a tenth of a query on loopback). The environment of one run
            # does not change: read it once per client, with requests' own rules. ~/.netrc is not
            # read: the service takes no HTTP credentials, the PIN travels in the body.
            self._proxies = {url: get_environ_proxies(url) for url in self.endpoints}
            if self.verify is True:
                self.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        else:  # the caller's session, with its own settings
            self._session = session
            self._proxies = {}
        self._start = 0  # index of the endpoint to try first
        self.endpoint = None  # URL that answered the last call
        self.failed_over = False  # True once any call was answered by a non-first endpoint
        self.requests_sent = 0
        self._envelopes = {}  # (operation, username, PIN) -> request document of a query without fields

    def __repr__(self):
        return f"CsoftClient(username={self.username!r}, endpoints={self.endpoints!r}, pin=<hidden>)"

    @staticmethod
    def _new_session():
        session = requests.Session()
        session.trust_env = False  # the environment is read once, in __init__
        adapter = _WatchedAdapter(max_retries=Retry(total=0, connect=0, read=0, redirect=0, status=0, other=0, raise_on_status=False))
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.headers.update(
            {
                "Content-Type": "text/xml; charset=utf-8",
                "SOAPAction": '""',
                "Accept": "text/xml",
                "Accept-Encoding": "identity",
                "User-Agent": USER_AGENT,
            }
        )
        return session

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
            exc.message = self.redact(exc.message)
            exc.args = (exc.message,)
            if isinstance(exc, CsoftFaultError):
                exc.faultcode, exc.faultstring = self.redact(exc.faultcode), self.redact(exc.faultstring)
            # The chained exceptions (hidden with "from None") hold the request and excerpts of the answer: drop them.
            exc.__context__ = exc.__cause__ = None
            raise

    # Transport ---------------------------------------------------------

    def _post(self, operation, envelope):
        attempts = []
        order = list(range(self._start, len(self.endpoints)))
        for index in order:
            url = self.endpoints[index]
            try:
                status, body = self._exchange(url, operation, envelope)
            except (
                requests.exceptions.InvalidURL,
                requests.exceptions.MissingSchema,
                requests.exceptions.InvalidSchema,
            ) as exc:
                raise CsoftInputError(
                    f"csoft endpoint {url} cannot be used ({exc.__class__.__name__}); check the endpoints option",
                    url,
                    operation,
                ) from None
            except requests.exceptions.RequestException as exc:
                reason = _connect_failure_reason(exc)
                if reason is None:
                    raise self._final_transport_error(exc, url, operation) from None
                attempts.append((url, reason))
                continue
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

    def _exchange(self, url, operation, envelope):
        """POST once; return (status, body bytes). Reads at most the size cap within the deadline."""
        deadline = time.monotonic() + self.timeout
        watchdog = _Deadline(self.timeout).start()
        _WATCH.deadline = watchdog
        self.requests_sent += 1
        try:
            try:
                with warnings.catch_warnings():
                    if self.verify is False:  # the user chose this; the option's documentation warns about it
                        warnings.simplefilter("ignore", InsecureRequestWarning)
                    response = self._session.post(
                        url,
                        data=envelope,
                        timeout=(self.timeout, self.timeout),
                        verify=self.verify,
                        proxies=self._proxies.get(url),
                        allow_redirects=False,
                        stream=True,
                    )
            except requests.exceptions.RequestException:
                watchdog.stop()
                if watchdog.fired:  # the headers did not arrive in time
                    raise self._deadline_error(url, operation) from None
                raise
            watchdog.watch(_response_socket(response))  # also when the session was given by the caller
            try:
                body = self._read_body(response, url, operation, deadline)
            except (Urllib3HTTPError, OSError) as exc:
                # Raised by urllib3 or the socket while the body streams in: the
                # service has the request, so this is final.
                watchdog.stop()
                if watchdog.fired:
                    raise self._deadline_error(url, operation) from None
                if isinstance(exc, (ReadTimeoutError, socket.timeout)):
                    raise requests.exceptions.ReadTimeout(exc) from None
                raise requests.exceptions.ChunkedEncodingError(exc) from None
            finally:
                response.close()
            watchdog.stop()
            if watchdog.fired:  # the read ended because the socket was shut down
                raise self._deadline_error(url, operation)
            return response.status_code, body
        finally:
            _WATCH.deadline = None
            watchdog.stop()

    def _deadline_error(self, url, operation):
        return CsoftTimeoutError(
            f"csoft {operation} at {url} failed: the answer did not complete within the {self.timeout:g} s time-out; the request "
            "reached the service, so it was not retried; raise the timeout option if the service is slow",
            url,
            operation,
        )

    def _read_body(self, response, url, operation, deadline):
        encoding = (response.headers.get("Content-Encoding") or "identity").strip().lower()
        if encoding not in ("identity", ""):
            raise CsoftResponseError(
                f"csoft {operation} at {url} failed: the answer uses Content-Encoding {encoding[:40]!r}, which is refused; it was asked for identity",
                url,
                operation,
            )
        declared = response.headers.get("Content-Length")
        if declared and declared.strip().isdigit() and int(declared) > self.max_response_bytes:
            raise self._too_big(url, operation)
        chunks = []
        size = 0
        raw = response.raw
        read = getattr(raw, "read1", None) or raw.read
        while True:
            if time.monotonic() > deadline:
                raise self._deadline_error(url, operation)
            chunk = read(65536)
            if not chunk:
                break
            size += len(chunk)
            if size > self.max_response_bytes:
                raise self._too_big(url, operation)
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_big(self, url, operation):
        return CsoftResponseError(
            f"csoft {operation} at {url} failed: the answer is larger than {self.max_response_bytes} bytes, which is refused; "
            "the endpoint is probably not the csoft SOAP service",
            url,
            operation,
        )

    def _final_transport_error(self, exc, url, operation):
        if isinstance(exc, CsoftError):  # pragma: no cover
            return exc
        if isinstance(exc, (requests.exceptions.ReadTimeout, requests.exceptions.Timeout)):
            return CsoftTimeoutError(
                f"csoft {operation} at {url} failed: no answer within the {self.timeout:g} s time-out after the request was sent; it was "
                "not retried because the service may have received it; raise the timeout option if the service is slow",
                url,
                operation,
            )
        detail = str(exc.__class__.__name__)
        cause = exc.args[0] if exc.args else None
        cause = getattr(cause, "reason", cause)
        if isinstance(cause, Exception):
            detail = cause.__class__.__name__
            if cause.args and isinstance(cause.args[0], str):
                detail = cause.args[0][:80]
        return CsoftTimeoutError(
            f"csoft {operation} at {url} failed: the connection broke after the request was sent ({detail}); it was not retried "
            "because the service may have received it",
            url,
            operation,
        )

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
                raise CsoftHTTPError(
                    f"{where}: HTTP {status} {_reason_phrase(status)}: {_snippet(body)}; not retried",
                    status,
                    url,
                    operation,
                ) from None
            raise CsoftResponseError(
                f"{where}: {exc.message}; the endpoint may not be the csoft SOAP service, or the service changed",
                url,
                operation,
            ) from None
        if _local(element.tag) == "Fault":
            code, text = _fault_fields(element)
            fault = CsoftFaultError("", code, text, status, url, operation)
            if fault.login_rejected:
                fault.message = f"{where}: login rejected by the service (SOAP fault {code or '?'}: {text or 'no reason given'}); check the username and PIN"
            else:
                fault.message = f"{where}: the service returned SOAP fault {code or '?'}: {text or 'no reason given'} (HTTP {status}); not retried"
            raise fault
        if not 200 <= status < 300:
            raise CsoftHTTPError(f"{where}: HTTP {status} {_reason_phrase(status)}; not retried", status, url, operation)
        try:
            wrapper = expect_wrapper(operation, element)
            return parse(wrapper) if parse else wrapper
        except CsoftResponseError as exc:
            hint = (
                "check the username and PIN (a rejected login may look like this)"
                if "has no" in exc.message
                else ("the service sent a value this collection cannot trust")
            )
            raise CsoftResponseError(f"{where}: {exc.message}; {hint}", url, operation) from None


def _reason_phrase(status):
    phrases = {
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
    return phrases.get(status, "error")
