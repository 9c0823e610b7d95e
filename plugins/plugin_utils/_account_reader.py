# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One account's answers on the controller, shared through the run's cache (private to the collection).

The lookup ``csoft.sms.csoft_account`` and the action ``csoft.sms.csoft_account_check``
read the account through an ``AccountReader``, so the two see one view of the
account per ``ansible-playbook`` run:

* ``read(operation)`` answers from the run's cache when an answer is there
  (the lookup), and otherwise asks the service and stores the answer;
* ``refresh(operation)`` always asks the service and stores the answer (the
  gate: a deployment is decided on figures read when the gate runs, and every
  lookup later in the run reuses them).

Each stored answer keeps the endpoint that gave it, so a cached answer still
says where it came from. Errors are never stored. The cache's own rules
(no PIN on disk, owner-only files, a short TTL) live in ``_cache.py``.
"""

from ansible_collections.csoft.sms.plugins.module_utils._account import decode_answer, encode_answer, gather
from ansible_collections.csoft.sms.plugins.module_utils._client import CsoftClient
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftResponseError
from ansible_collections.csoft.sms.plugins.plugin_utils._cache import MAX_TTL, CacheError, RunCache


def encode(operation, value, endpoint):
    """The JSON form of an operation's answer and the endpoint that gave it, as stored in the cache."""
    return {"value": encode_answer(operation, value), "endpoint": endpoint}


def decode(operation, entry, endpoints):
    """``(value, endpoint)`` of a stored answer, parsed as an answer of the service; CsoftResponseError when it is not one."""
    if not isinstance(entry, dict) or entry.get("endpoint") not in endpoints:
        raise CsoftResponseError("a stored answer names no endpoint of this account")
    return decode_answer(operation, entry.get("value")), entry["endpoint"]


def open_cache(enabled, ttl, log, warn):
    """The run's cache, or None when it is turned off or cannot be used safely (then a warning says why).

    Raises ValueError for a TTL out of range: that is the caller's option error.
    """
    if not enabled:
        log("cache disabled (cache=false)")
        return None
    if ttl == 0:
        log("cache disabled (cache_ttl=0)")
        return None
    if ttl is None or not 0 < ttl <= MAX_TTL:
        raise ValueError(f"cache_ttl must be 0 (no cache) to {MAX_TTL} seconds, not {ttl}")
    try:
        cache = RunCache(ttl)
    except CacheError as exc:
        warn(f"not caching answers: {exc}")
        return None
    if cache.fallback_reason:  # the same line in every worker: Ansible shows it once
        warn(cache.fallback_reason)
    return cache


class AccountReader:
    """Reads one account (its checked ``ConnectionSettings``) through the run's cache.

    ``log`` and ``warn`` take one line each and must never be given a secret: nothing
    here passes them one. Errors of the client (``CsoftError``) propagate unchanged.
    """

    def __init__(self, settings, cache, log, warn):
        self.settings = settings
        self.endpoints = list(settings.endpoints)
        self._cache = cache
        self._log = log
        self._warn = warn
        self._client = None
        self._warned_http = False

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        if self._client is not None:
            self._client.close()
            self._client = None

    def figures(self, operations, refresh=False):
        """The AccountFigures of ``operations``: each answer from the cache (unless ``refresh``) or the service."""
        return gather(self.refresh if refresh else self.read, operations, self.endpoints[0])

    def read(self, operation):
        """``(value, endpoint)``: from the cache when it holds an answer, else from the service."""
        return self._through_cache(operation, use_stored=True)

    def refresh(self, operation):
        """``(value, endpoint)`` from the service; the answer replaces the cached one."""
        return self._through_cache(operation, use_stored=False)

    # ------------------------------------------------------------------

    def _through_cache(self, operation, use_stored):
        if self._cache is None:
            return self._query(operation)
        answer = None
        try:
            key = self._cache.key(self.endpoints, self.settings.username, self.settings.pin, operation)
            with self._cache.locked(key):
                if use_stored:
                    stored = self._cache.get(key)
                    if stored is not RunCache.MISS:
                        try:
                            answer = decode(operation, stored, self.endpoints)
                        except CsoftResponseError:
                            self._log(f"ignoring an unreadable cache entry for {operation}")
                        else:
                            self._log(f"cache hit for {operation} ({self._cache.path})")
                            return answer
                    self._log(f"cache miss for {operation}, querying the service")
                # Queried inside the lock: other workers that need the same answer wait for this one.
                answer = self._query(operation)
                self._cache.put(key, encode(operation, *answer))
                return answer
        except CacheError as exc:
            self._warn(f"not caching answers: {exc}")
            self._cache = None
            # An answer already received is never asked for again: the vendor blocks clients that repeat.
            return answer if answer is not None else self._query(operation)

    def _start_index(self):
        """Index of the endpoint that answered earlier in this run (0 when none did or it is unknown)."""
        if self._cache is None:
            return 0
        try:
            index = self._cache.get(self._cache.endpoint_key(self.endpoints))
        except CacheError:
            return 0
        if isinstance(index, int) and not isinstance(index, bool) and 0 < index < len(self.endpoints):
            self._log(f"starting at {self.endpoints[index]}, which answered earlier in this run")
            return index
        return 0

    def _warn_if_plain_http(self):
        warning = self._client.plain_http_warning()
        if warning and not self._warned_http:
            self._warned_http = True
            self._warn(warning)

    def _query(self, operation):
        if self._client is None:
            # The settings were checked at the edge; the client starts at the endpoint that answered earlier.
            self._client = CsoftClient(self.settings.replace(endpoints=self.endpoints[self._start_index() :]))
        try:
            value = self._client.call(operation)
        finally:
            # Also when the call failed: an answer that is a fault, or none in time, may follow the PIN's journey.
            self._warn_if_plain_http()
        endpoint = self._client.endpoint
        self._log(f"{operation} answered by {endpoint}")
        index = self.endpoints.index(endpoint) if endpoint in self.endpoints else 0
        if self._cache is not None and index > 0:
            try:
                self._cache.put(self._cache.endpoint_key(self.endpoints), index)
            except CacheError:
                pass
        return value, endpoint
