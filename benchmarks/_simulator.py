# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run the csoft simulator CLI for the benchmarks, with TCP_NODELAY on accepted sockets.

The simulator writes the response head and body in two ``send()`` calls. On a
socket without TCP_NODELAY, Nagle's algorithm holds the body back until the
client acknowledges the head, and the client delays that acknowledgement by up
to 40 ms: every kept-alive request then takes about 44 ms, whoever sends it.
Production web servers set TCP_NODELAY; so does this wrapper, so the
benchmarks measure clients rather than that stall. Arguments are the
simulator's own (see tests/simulator/README.md).
"""

import os
import socket
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "simulator"))

import csoft_simulator as sim  # noqa: E402

_process_request = sim._HTTPServer.process_request


def _process_request_nodelay(self, request, client_address):
    try:
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        pass
    _process_request(self, request, client_address)


sim._HTTPServer.process_request = _process_request_nodelay

if __name__ == "__main__":
    sys.exit(sim.main())
