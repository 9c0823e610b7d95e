# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The scenarios: one module each, registered in ``ROWS`` (name for ``--only`` -> function).

A scenario is a function ``(bench) -> Row`` or a list of rows measured together
(the gate rows). A new one is a new module here and one line in ``ROWS``.
A scenario that measures part of another one (``PART_OF``) runs only when
``--only`` names it, never in a run of every row.
"""

from . import client, failover, gate, import_time, lookup, memory, module

ROWS = {
    "client": client.row_client,
    "module": module.row_module,
    "failover-refused": failover.row_failover_refused,
    "failover-blackhole": failover.row_failover_blackhole,
    "lookup": lookup.row_lookup,
    "gate": gate.row_gate,
    "gate-floor": gate.row_gate_floor,
    "memory": memory.row_memory,
    "import": import_time.row_import,
}
# scenario -> the scenario whose rows include its own
PART_OF = {"gate-floor": "gate"}
