# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""csoft.sms.credit_watch: an ansible-rulebook event source that watches a Connection Software account.

Every ``interval`` seconds it asks the service for the account's credit and
message allowance (and its permitted ReplyTo values when ``reply_to`` is
true), one request per operation, with the collection's one client
(``plugins/module_utils/_client.py``). It puts one ``status`` event on the
queue at start, then an event only when a state changes.

Arguments:
    username, pin, endpoints, validate_certs, ca_path, timeout
        the connection options of every csoft.sms module (same names and
        defaults; each falls back to its ``CSOFT_*`` environment variable).
        Pass the PIN as a template variable (``--vars``, ``--env-vars`` or an
        EDA credential), never literally: ansible-rulebook logs source
        arguments as written at ``-vv``.
    min_credit      credit below which the account is low (number, default 0)
    min_messages    messages below which the account is low (integer, default 0)
    interval        seconds between polls (default 60, at least 10)
    backoff_max     longest wait between polls while the service cannot be
                    reached (default 900; the wait doubles from 2 x interval)
    hysteresis      fraction of a threshold a figure must climb above it to
                    be ``ok`` again (default 0.1), so a figure at the
                    threshold does not flap
    reply_to        also query PermittedReplyTo (default false)
    min_runway      hours: the runway (how long the credit lasts at the
                    current rate) is low below this; not set, the source
                    makes no estimate and its events are as before
    runway_window   hours of polls from which the rate is taken (default 24)
    state_file      a file that keeps the samples across restarts
    interval_floor_for_tests
                    FOR TESTS AGAINST THE SIMULATOR ONLY: lowers the 10 s floor
                    of ``interval`` (0 < value <= 10). Never set it against the
                    real service, which blocks clients that poll too often.

Events: ``{"csoft": {"type": ..., ...}}``, ``type`` one of ``status`` (the
first), ``credit_low``, ``credit_ok``, ``messages_low``, ``messages_ok``,
``unreachable``, ``reachable``, with the figures ``credit``, ``currency``,
``messages``, ``endpoint``, ``failed_over``, ``min_credit``,
``min_messages``, ``time`` and the states ``credit_state``,
``messages_state`` (``low``/``ok``) and ``reachable``. With ``min_runway``
also ``runway_low`` and ``runway_ok`` (on changes), and in every event the
figures ``burn_per_hour`` and ``runway_hours`` (numbers, or null while unknown
or, for ``runway_hours``, while nothing is spent), ``min_runway`` and
``runway_state`` (``low``/``ok``/``unknown``). Never the username or the PIN.

Example (the credentials from CSOFT_USERNAME and CSOFT_PIN of ansible-rulebook's
environment; EXAMPLES below passes them as template variables):
    - csoft.sms.credit_watch:
        min_credit: 25.5
        interval: 120
"""

import asyncio
import importlib.util
import os
import time

DOCUMENTATION = r"""
---
short_description: Watch the credit and message allowance of a Connection Software (csoft.co.uk) SMS account.
description:
  - Polls the account every O(interval) seconds with the csoft.sms client, one request per operation,
    and emits an event at start and on every change of state.
  - The service's rule holds here too, fail-over only when no connection could be made, no retry after an answer.
  - A bad argument or a login the service rejects at start ends the source with one line.
    Later faults, time-outs or an unreachable service emit one C(unreachable) event per outage and back off.
options:
  username:
    description: The account's Username. Falls back to E(CSOFT_USERNAME).
    type: str
  pin:
    description:
      - The account's PIN. Falls back to E(CSOFT_PIN).
      - Pass it as a template variable, never literally; ansible-rulebook logs source arguments as written.
    type: str
  endpoints:
    description: Service URLs tried in order (a list or a comma-separated string). Falls back to E(CSOFT_ENDPOINTS).
    type: list
    elements: str
    default: [https://www.csoft.co.uk/sendsms5, https://www2.csoft.co.uk/sendsms5]
  validate_certs:
    description: Verify TLS certificates. Falls back to E(CSOFT_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description: PEM bundle of CA certificates for HTTPS. Falls back to E(CSOFT_CA_PATH).
    type: path
  timeout:
    description: Time-out in seconds of each request. Falls back to E(CSOFT_TIMEOUT).
    type: float
    default: 10
  min_credit:
    description: The account is C(low) on credit below this figure (finite, 0 or more).
    type: float
    default: 0
  min_messages:
    description: The account is C(low) on messages below this number.
    type: int
    default: 0
  interval:
    description: Seconds between polls; at least 10, so that no rulebook can hammer the service, and at most 86400.
    type: float
    default: 60
  backoff_max:
    description: Longest wait in seconds between polls while the service cannot be reached; at least O(interval), at most 604800.
    type: float
    default: 900
  hysteresis:
    description: A low figure is C(ok) again only at or above threshold x (1 + hysteresis).
    type: float
    default: 0.1
  reply_to:
    description: Also query the permitted ReplyTo values and add C(permitted_reply_to) to the events.
    type: bool
    default: false
  min_runway:
    description:
      - Hours. The runway, how long the credit lasts at the rate of the last O(runway_window), is C(low) below this figure,
        and C(ok) again at O(min_runway) x (1 + O(hysteresis)); fractions of an hour are allowed, 0 gives the figures without runway events.
      - The rate is the least-squares slope of the polls' credit over the window; a rise in credit (a top-up) starts a new window.
        It is unknown (null) until the window holds 3 polls spanning 1/12 of it; with nothing spent the runway is null (unbounded).
      - Not set, no estimate is made and the events are those of earlier versions.
    type: float
  runway_window:
    description: Hours of polls the rate is taken from (above 0, at most 8760, and at least 3 x O(interval)). Needs O(min_runway).
    type: float
    default: 24
  state_file:
    description:
      - A file (in an existing directory) that keeps the runway's samples across restarts, so that a restart has no new unknown period.
        Needs O(min_runway).
      - JSON of the samples (time and credit) and a hash of the username and endpoints, written atomically with mode 0600;
        no username, PIN or endpoint. A missing, corrupt or foreign file is ignored with one log line.
    type: path
  interval_floor_for_tests:
    description: For tests against the simulator only; lowers the floor of O(interval) below 10 seconds.
    type: float
"""

EXAMPLES = r"""
- csoft.sms.credit_watch:
    username: "{{ CSOFT_USERNAME }}"
    pin: "{{ CSOFT_PIN }}"
    min_credit: 10
    min_messages: 200
    interval: 300

# Warn while there are still two days to top up, at the rate of the last 24 hours
- csoft.sms.credit_watch:
    username: "{{ CSOFT_USERNAME }}"
    pin: "{{ CSOFT_PIN }}"
    min_runway: 48
    runway_window: 24
    state_file: /var/lib/eda/csoft-runway.json
    interval: 300
"""


def _load_shared(*names):
    """The collection's modules ``names``: its loader is read by path, as nothing of the collection may import yet."""
    path = os.path.normpath(os.path.join(os.path.abspath(__file__), "..", "..", "..", "..", "..", "plugins", "plugin_utils", "_source_loading.py"))
    spec = importlib.util.spec_from_file_location("csoft_sms_source_loading", path)
    loading = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loading)
    return loading.shared(__file__, *names)


_client, _errors, _source_loop, _watch_arguments, _watch_state = _load_shared(
    "plugins.module_utils._client",
    "plugins.module_utils._errors",
    "plugins.plugin_utils._source_loop",
    "plugins.plugin_utils._watch_arguments",
    "plugins.plugin_utils._watch_state",
)
CsoftError = _errors.CsoftError
CsoftInputError = _errors.CsoftInputError


async def _sleep(seconds):
    """The wait between polls (a seam for the tests)."""
    await asyncio.sleep(seconds)


def _now():
    """The wall clock of the runway's samples (a seam for the tests)."""
    return time.time()


async def main(queue, args):
    """Poll the account until cancelled; put the events on ``queue``.

    Raises CsoftInputError (one line) for a bad argument or a login rejected at start.
    Cancelled (rulebook shutdown, Ctrl-C) or failed, it closes the client of a poll still under way.
    """
    watch = _watch_state.Watch(_watch_arguments.Settings(dict(args or {})), clock=_now)
    await _source_loop.run(queue, watch, _sleep)


if __name__ == "__main__":  # pragma: no cover - a manual check: python credit_watch.py (credentials in CSOFT_*)

    class _PrintQueue:
        async def put(self, event):
            print(event)  # noqa: T201

    asyncio.run(main(_PrintQueue(), {}))
