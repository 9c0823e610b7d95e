# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTTP transport of the csoft.sms client (private to the collection).

``post`` sends one request and reads its answer:

* with a ``requests`` session from ``new_session``: no urllib3 retries, no
  redirects, identity encoding, no proxy or ``~/.netrc`` lookups per request
  (the client reads the environment once, ``environment_proxies``);
* within one overall deadline from the start of the attempt (``_deadline``):
  the watched connections below hand their socket to it, and it shuts the
  socket down when the deadline passes, so an answer dripped one byte at a
  time, in the headers or in the body, cannot hold the client for longer;
* reading at most ``max_response_bytes`` of the answer;
* telling a failure to connect (``ConnectFailure``: the request was not
  sent, another endpoint may be tried) from one after sending (a final
  ``CsoftTimeoutError``: the service may have received the request).

Imports nothing from the Ansible controller, so it can run on any host.
"""

import os
import re
import socket
import threading
import time
import warnings

from ansible_collections.csoft.sms.plugins.module_utils._deadline import Deadline
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError, CsoftResponseError, CsoftTimeoutError

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
else:
    HAS_REQUESTS = True

USER_AGENT = "csoft.sms-ansible-collection/1.0"


class ConnectFailure(Exception):
    """No connection could be made to the endpoint, so the request was not sent; ``reason`` says why."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


# The deadline of the request this thread is sending, for the watched connections below.
_WATCH = threading.local()  # .deadline: a Deadline or None


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


# Session and environment ------------------------------------------------------------


def new_session():
    """A session for ``post``: watched connections, no retries, the SOAP headers, the environment not read."""
    session = requests.Session()
    session.trust_env = False  # the client reads the environment once (environment_proxies, environment_ca_bundle)
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


def environment_proxies(urls):
    """The proxies of each URL from the environment, by requests' own rules (``*_proxy``, ``no_proxy``)."""
    return {url: get_environ_proxies(url) for url in urls}


def environment_ca_bundle():
    """The CA bundle requests would take from the environment, or None."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or None


# One POST ---------------------------------------------------------------------------------


def post(session, url, envelope, operation, timeout, verify, proxies, max_response_bytes):
    """POST ``envelope`` to ``url`` once; return (HTTP status, body bytes).

    Raises ConnectFailure when no connection could be made (the request was
    not sent), CsoftInputError when the URL cannot be used, and a final
    CsoftTimeoutError or CsoftResponseError when the request may have reached
    the service (no answer in time, a broken connection, an answer that is
    too large or compressed).
    """
    try:
        return _exchange(session, url, envelope, operation, timeout, verify, proxies, max_response_bytes)
    except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema) as exc:
        raise CsoftInputError(f"csoft endpoint {url} cannot be used ({exc.__class__.__name__}); check the endpoints option", url, operation) from None
    except requests.exceptions.RequestException as exc:
        reason = connect_failure_reason(exc)
        if reason is None:
            raise _after_sending_error(exc, url, operation, timeout) from None
        raise ConnectFailure(reason) from None


def _exchange(session, url, envelope, operation, timeout, verify, proxies, max_response_bytes):
    deadline = time.monotonic() + timeout
    watchdog = Deadline(timeout).start()
    _WATCH.deadline = watchdog
    try:
        try:
            with warnings.catch_warnings():
                if verify is False:  # the user chose this; the option's documentation warns about it
                    warnings.simplefilter("ignore", InsecureRequestWarning)
                response = session.post(url, data=envelope, timeout=(timeout, timeout), verify=verify, proxies=proxies, allow_redirects=False, stream=True)
        except requests.exceptions.RequestException:
            watchdog.stop()
            if watchdog.fired:  # the headers did not arrive in time
                raise _deadline_error(url, operation, timeout) from None
            raise
        watchdog.watch(_response_socket(response))  # also when the session was given by the caller
        try:
            body = _read_body(response, url, operation, deadline, timeout, max_response_bytes)
        except (Urllib3HTTPError, OSError) as exc:
            # Raised by urllib3 or the socket while the body streams in: the
            # service has the request, so this is final.
            watchdog.stop()
            if watchdog.fired:
                raise _deadline_error(url, operation, timeout) from None
            if isinstance(exc, (ReadTimeoutError, socket.timeout)):
                raise requests.exceptions.ReadTimeout(exc) from None
            raise requests.exceptions.ChunkedEncodingError(exc) from None
        finally:
            response.close()
        watchdog.stop()
        if watchdog.fired:  # the read ended because the socket was shut down
            raise _deadline_error(url, operation, timeout)
        return response.status_code, body
    finally:
        _WATCH.deadline = None
        watchdog.stop()


def _read_body(response, url, operation, deadline, timeout, max_response_bytes):
    encoding = (response.headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding not in ("identity", ""):
        raise CsoftResponseError(
            f"csoft {operation} at {url} failed: the answer uses Content-Encoding {encoding[:40]!r}, which is refused; it was asked for identity",
            url,
            operation,
        )
    declared = response.headers.get("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > max_response_bytes:
        raise _too_big(url, operation, max_response_bytes)
    chunks = []
    size = 0
    raw = response.raw
    read = getattr(raw, "read1", None) or raw.read
    while True:
        if time.monotonic() > deadline:
            raise _deadline_error(url, operation, timeout)
        chunk = read(65536)
        if not chunk:
            break
        size += len(chunk)
        if size > max_response_bytes:
            raise _too_big(url, operation, max_response_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _deadline_error(url, operation, timeout):
    return CsoftTimeoutError(
        f"csoft {operation} at {url} failed: the answer did not complete within the {timeout:g} s time-out; the request "
        "reached the service, so it was not retried; raise the timeout option if the service is slow",
        url,
        operation,
    )


def _too_big(url, operation, max_response_bytes):
    return CsoftResponseError(
        f"csoft {operation} at {url} failed: the answer is larger than {max_response_bytes} bytes, which is refused; "
        "the endpoint is probably not the csoft SOAP service",
        url,
        operation,
    )


# Classification of failures -------------------------------------------------------------


def connect_failure_reason(exc):
    """Return why no connection could be made, or None when the request may have been received.

    Only failures before the request was written qualify for fail-over:
    refused, name resolution, connect time-out and TLS handshake or
    certificate errors. Anything else (reset after sending, read time-out,
    protocol error) means the service may have seen the request. requests
    and urllib3 tell some causes only in their text.
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


def _after_sending_error(exc, url, operation, timeout):
    """The final error of a request that failed after it may have reached the service."""
    if isinstance(exc, (requests.exceptions.ReadTimeout, requests.exceptions.Timeout)):
        return CsoftTimeoutError(
            f"csoft {operation} at {url} failed: no answer within the {timeout:g} s time-out after the request was sent; it was "
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
