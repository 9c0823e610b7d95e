# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""csoft.sms.sms_inbox: an ansible-rulebook event source that turns replies to a Connection Software account into events.

Every ``interval`` seconds it collects the replies sent to the account's
numbers (one ``CollectMessages`` request per poll, never retried) with the
collection's one client (``plugins/module_utils/_client.py``), and puts one
``received`` event on the queue per reply not seen before.

Arguments:
    username, pin, endpoints, validate_certs, ca_path, timeout
        the connection options of every csoft.sms module (same names and
        defaults; each falls back to its ``CSOFT_*`` environment variable).
        Pass the PIN as a template variable, never literally.
    allowed_senders the numbers whose replies may carry a command
                    (international format without '+'; default none)
    commands        the command words a reply may start with, e.g. [ACK, ROLLBACK]
                    (compared case-insensitively; default none)
    interval        seconds between polls (default 60, at least 10)
    backoff_max     longest wait between polls while the service cannot be
                    reached (default 900; the wait doubles from 2 x interval)
    interval_floor_for_tests
                    FOR TESTS AGAINST THE SIMULATOR ONLY: lowers the 10 s floor
                    of ``interval`` (0 < value <= 10).

Events: ``{"csoft_sms": {"type": ..., ...}}``, ``type`` one of ``received``
(``from``, ``to``, ``text``, ``received`` in ISO 8601 UTC, ``sender_allowed``,
``command``, ``args``), ``unreachable`` (with ``error``) and ``reachable``.
``command`` and ``args`` are set only for an allowed sender whose text is a
command word and at most 8 argument tokens; otherwise ``command`` is null and
``args`` is []. The text is data: never templated, never run. Never the
username or the PIN.
"""

import asyncio
import importlib.util
import os

DOCUMENTATION = r"""
---
short_description: Turn the replies to a Connection Software (csoft.co.uk) SMS account into events (two-way SMS).
description:
  - Collects the replies sent to the account's numbers every O(interval) seconds, one C(CollectMessages) request per poll,
    never retried, and emits one C(received) event per reply not seen before (the same sender, time and text count once).
  - An event carries C(command) and C(args) only when the sender is in O(allowed_senders), the first word of the text is one of
    O(commands) and every other word is a token of C([A-Za-z0-9._:-]{1,64}), at most 8 of them; otherwise C(command) is null
    and C(args) is empty. Rulebooks act on C(command) and C(args), never on the text, which is data, never templated or run.
  - Sender numbers can be spoofed. A command from an allowed sender is a statement of intent, not authentication;
    keep what a command can do small, check its arguments in the playbook, and log who asked.
  - Collecting may remove the messages from the service. Run one consumer per account (one source, no other reader of
    the inbox), or some replies reach one reader and not the other.
  - A message of an answer that cannot be read (a value in it does not parse, such as a C(Timestamp1) that is not a time)
    is left out with one warning in the log, once; the other messages of that answer still become events.
  - A bad argument or a login the service rejects at start ends the source with one line.
    Later faults, time-outs, a C(Report) other than 0 or an unreachable service emit one C(unreachable) event per outage
    and back off; the first poll answered afterwards emits C(reachable).
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
  allowed_senders:
    description:
      - The numbers (international format without V(+), for example V(447700900123)) whose replies may carry a command;
        a list or a comma-separated string. Replies from other numbers are events too, with C(sender_allowed) false and no command.
      - Not set, no reply carries a command.
    type: list
    elements: str
    default: []
  commands:
    description:
      - The command words a reply may start with, for example V([ACK, ROLLBACK]); each 1 to 32 letters, digits, V(_) or V(-),
        compared case-insensitively. The event's C(command) is the word as written here, so rulebooks compare with V(== "ACK").
      - Not set, no reply carries a command.
    type: list
    elements: str
    default: []
  interval:
    description: Seconds between polls; at least 10, so that no rulebook can hammer the service, and at most 86400.
    type: float
    default: 60
  backoff_max:
    description: Longest wait in seconds between polls while the service cannot be reached; at least O(interval), at most 604800.
    type: float
    default: 900
  interval_floor_for_tests:
    description: For tests against the simulator only; lowers the floor of O(interval) below 10 seconds.
    type: float
"""

EXAMPLES = r"""
# ACK and ROLLBACK <app> from two on-call numbers; anything else is an event without a command
- csoft.sms.sms_inbox:
    username: "{{ CSOFT_USERNAME }}"
    pin: "{{ CSOFT_PIN }}"
    allowed_senders:
      - "447700900123"
      - "447700900456"
    commands: [ACK, ROLLBACK]
    interval: 30

# A rule acts on command and args, never on the text
# - name: Roll back
#   condition: event.csoft_sms.command == "ROLLBACK"
#   action:
#     run_playbook:
#       name: csoft.sms.sms_inbox_rollback
"""


def _load_shared(*names):
    """The collection's modules ``names``: its loader is read by path, as nothing of the collection may import yet."""
    path = os.path.normpath(os.path.join(os.path.abspath(__file__), "..", "..", "..", "..", "..", "plugins", "plugin_utils", "_source_loading.py"))
    spec = importlib.util.spec_from_file_location("csoft_sms_source_loading", path)
    loading = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loading)
    return loading.shared(__file__, *names)


_client, _errors, _source_loop, _inbox_arguments, _inbox_state = _load_shared(
    "plugins.module_utils._client",
    "plugins.module_utils._errors",
    "plugins.plugin_utils._source_loop",
    "plugins.plugin_utils._inbox_arguments",
    "plugins.plugin_utils._inbox_state",
)
CsoftError = _errors.CsoftError
CsoftInputError = _errors.CsoftInputError


async def _sleep(seconds):
    """The wait between polls (a seam for the tests)."""
    await asyncio.sleep(seconds)


async def main(queue, args):
    """Collect the replies until cancelled; put the events on ``queue``.

    Raises CsoftInputError (one line) for a bad argument or a login rejected at start.
    Cancelled (rulebook shutdown, Ctrl-C) or failed, it closes the client of a poll still under way.
    """
    inbox = _inbox_state.Inbox(_inbox_arguments.Settings(dict(args or {})))
    await _source_loop.run(queue, inbox, _sleep)


if __name__ == "__main__":  # pragma: no cover - a manual check: python sms_inbox.py (credentials in CSOFT_*)

    class _PrintQueue:
        async def put(self, event):
            print(event)  # noqa: T201

    asyncio.run(main(_PrintQueue(), {}))
