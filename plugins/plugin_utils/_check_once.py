# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One reading of an account per ``run_once`` check, whatever the strategy (private to the collection).

``run_once`` runs a task on one host per play (per ``serial`` batch) in the
``linear`` strategy, but the ``free`` and ``host_pinned`` strategies run it on
every host (Ansible only warns). So that the check still asks the service once
per operation, the first worker that runs a check leaves a marker in the run's
cache, under the per-key lock of the cache:

* the marker's key: the account (endpoints, username, PIN digest, as the
  cache keys every entry) and the ``Scope``'s play and task (their uuids);
* its value: the hosts of the batch, the hosts served so far, and the answers
  read (the service's texts and the endpoint of each), or the error;
* a worker of another host of the same batch that finds it reuses the answers
  (parsed again with the bounds of an answer from the service) or fails with
  the same error, without a request; a worker whose host was already served
  (the same check run again: a loop, a second include) or that belongs to
  another batch reads afresh and starts a new marker.

The marker expires with the cache's TTL like every entry, and its answers
are under a key of their own: the lookups never read them.
"""

from collections import namedtuple

from ansible_collections.csoft.sms.plugins.module_utils._account import gather
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftError, CsoftResponseError
from ansible_collections.csoft.sms.plugins.plugin_utils._account_reader import decode, encode
from ansible_collections.csoft.sms.plugins.plugin_utils._cache import CacheError

OPERATIONS = ("AvailableCredit", "AvailableMessages", "PermittedReplyTo")
MAX_ERROR_CHARS = 2000
MAX_HOSTS = 100_000

# play, task: uuids; host: the host this worker runs for; batch: the hosts of its batch (ansible_play_batch).
Scope = namedtuple("Scope", "play task host batch")


class StoredError(CsoftError):
    """The error another host's worker met for the same check: the same line, no new request."""


def _host_list(value):
    if not isinstance(value, list) or len(value) > MAX_HOSTS or not all(isinstance(item, str) for item in value):
        return None
    return value


def _reused(marker, scope, endpoints):
    """The AccountFigures of a usable marker for ``scope`` (StoredError for a stored error); None: read afresh."""
    if not isinstance(marker, dict):
        return None
    batch, served = _host_list(marker.get("batch")), _host_list(marker.get("served"))
    if batch is None or served is None or scope.host not in batch or scope.host in served:
        return None
    error = marker.get("error")
    if isinstance(error, str) and error:
        raise StoredError(" ".join(error.split())[:MAX_ERROR_CHARS])
    answers = marker.get("answers")
    if not isinstance(answers, dict):
        return None
    try:
        decoded = {operation: decode(operation, answers.get(operation), endpoints) for operation in OPERATIONS}
    except CsoftResponseError:
        return None
    return gather(decoded.__getitem__, OPERATIONS, endpoints[0])


def read_once(cache, scope, settings, read, log, warn):
    """The AccountFigures of the three operations of one account, read once for every host of ``scope``.

    ``read(operation)`` returns ``(value, endpoint)`` from the service. Without a cache or a scope
    (no ``run_once``) it is simply called for each operation. Errors of ``read`` propagate, and are
    recorded for the other hosts of the batch.
    """
    endpoints = list(settings.endpoints)
    if cache is None or scope is None:
        return gather(read, OPERATIONS, endpoints[0])
    answers = {}

    def recording(operation):
        value, endpoint = read(operation)
        answers[operation] = encode(operation, value, endpoint)
        return value, endpoint

    try:
        key = cache.key(endpoints, settings.username, settings.pin, f"csoft.sms check {scope.play} {scope.task}")
        with cache.locked(key):
            stored = cache.get(key)
            try:
                figures = _reused(stored, scope, endpoints)
            except StoredError:
                stored["served"].append(scope.host)
                _put(cache, key, stored, warn)
                log(f"another host's check of this account failed in this play; not asking again ({cache.path})")
                raise
            if figures is not None:
                stored["served"].append(scope.host)
                _put(cache, key, stored, warn)
                log(f"using the figures another host's check read in this play ({cache.path})")
                return figures
            marker = {"batch": list(scope.batch), "served": [scope.host]}
            try:
                figures = gather(recording, OPERATIONS, endpoints[0])
            except CsoftError as exc:
                _put(cache, key, dict(marker, error=str(exc)[:MAX_ERROR_CHARS]), warn)
                raise
            _put(cache, key, dict(marker, answers=answers), warn)
            return figures
    except CacheError as exc:  # before anything was read: from the key, the lock or the marker's read
        warn(f"the check may ask once per host: {exc}")
        return gather(read, OPERATIONS, endpoints[0])


def _put(cache, key, value, warn):
    """Store the marker; a failure only means that other hosts ask again (an answer is never asked for twice here)."""
    try:
        cache.put(key, value)
    except CacheError as exc:
        warn(f"the check may ask once per host: {exc}")


__all__ = ("OPERATIONS", "Scope", "StoredError", "read_once")
