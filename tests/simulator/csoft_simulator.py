#!/usr/bin/env python
# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Simulator of the Connection Software (csoft.co.uk) ``sendsms5`` SOAP service.

Faithful to the vendor's "Account Query Web Services SOAP API" page: success
responses are the page's example documents byte for byte, with only the
values substituted.  Also answers ``SubmitMessage`` and ``CollectMessages``
(from an inbound queue the tests fill) and can be switched into hostile
modes (faults, HTTP errors, broken XML, XXE, slow or hung answers...).

This file is the simulator's command line and its public Python API; the
pieces are in the package ``sendsms5/`` beside it (one file per operation
under ``sendsms5/operations/``). Standard library only; ``trustme`` is
imported lazily when HTTPS is wanted. See ``tests/simulator/README.md`` for
the modes and the control API.
"""

import argparse
import json
import os
import signal
import sys
import tempfile
import threading

if __package__:
    from .sendsms5.accounts import DEFAULT_ACCOUNTS_FILE, AccountStore, load_accounts
    from .sendsms5.documents import SOAP_ENV_NS, TNS, fault_document
    from .sendsms5.handler import MAX_REQUEST_BODY
    from .sendsms5.modes import MODES, REDIRECT_LOCATION, REMOTE_DTD_URL, parse_mode
    from .sendsms5.operation import BadRequest
    from .sendsms5.operations import OPERATIONS, success_values
    from .sendsms5.operations.submit_message import FIRST_MESSAGE_ID
    from .sendsms5.request_log import LOG_LIMIT
    from .sendsms5.responses import response_document, response_parts
    from .sendsms5.server import COUNT_KEYS, ServerPair, SimulatorServer, start_pair
    from .sendsms5.soap_request import parse_soap_request
else:  # run as a script: python tests/simulator/csoft_simulator.py (its folder is on sys.path)
    from sendsms5.accounts import DEFAULT_ACCOUNTS_FILE, AccountStore, load_accounts
    from sendsms5.documents import SOAP_ENV_NS, TNS, fault_document
    from sendsms5.handler import MAX_REQUEST_BODY
    from sendsms5.modes import MODES, REDIRECT_LOCATION, REMOTE_DTD_URL, parse_mode
    from sendsms5.operation import BadRequest
    from sendsms5.operations import OPERATIONS, success_values
    from sendsms5.operations.submit_message import FIRST_MESSAGE_ID
    from sendsms5.request_log import LOG_LIMIT
    from sendsms5.responses import response_document, response_parts
    from sendsms5.server import COUNT_KEYS, ServerPair, SimulatorServer, start_pair
    from sendsms5.soap_request import parse_soap_request

__all__ = [
    "COUNT_KEYS",
    "DEFAULT_ACCOUNTS_FILE",
    "FIRST_MESSAGE_ID",
    "LOG_LIMIT",
    "MAX_REQUEST_BODY",
    "MODES",
    "OPERATIONS",
    "REDIRECT_LOCATION",
    "REMOTE_DTD_URL",
    "SOAP_ENV_NS",
    "TNS",
    "AccountStore",
    "BadRequest",
    "ServerPair",
    "SimulatorServer",
    "fault_document",
    "load_accounts",
    "main",
    "parse_mode",
    "parse_soap_request",
    "response_document",
    "response_parts",
    "start_pair",
    "success_values",
]

# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------


def _write_atomic(path, data):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".csoft-sim-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _parse_args(argv):
    parser = argparse.ArgumentParser(description="Simulator of the csoft.co.uk sendsms5 SOAP service.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="primary port (default 0 = any free port)")
    parser.add_argument("--secondary-port", type=int, default=None, help="also start a secondary (0 = any free port)")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a throw-away trustme CA")
    parser.add_argument("--accounts", default=None, help="accounts JSON file (default tests/simulator/accounts.json)")
    parser.add_argument("--mode", default="ok", help="initial mode for every operation (default ok)")
    parser.add_argument("--ready-file", default=None, help="write JSON {primary, secondary, ca, pid} here once listening")
    parser.add_argument("--ca-out", default=None, help="with --tls, write the CA certificate (PEM) here")
    parser.add_argument("--verbose", action="store_true", help="access log and errors on stderr (PINs redacted)")
    args = parser.parse_args(argv)
    try:
        parse_mode(args.mode)
    except ValueError as exc:
        parser.error(str(exc))
    if args.ca_out and not args.tls:
        parser.error("--ca-out needs --tls")
    return args


def main(argv=None):
    args = _parse_args(argv)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        accounts = AccountStore(args.accounts)
        if args.secondary_port is not None:
            group = ServerPair(args.tls, args.host, accounts, args.port, args.secondary_port, args.verbose)
            servers = list(group.servers)
        else:
            group = SimulatorServer(args.host, args.port, args.tls, "primary", accounts, verbose=args.verbose)
            servers = [group]
        for server in servers:
            server.set_mode(args.mode)
        group.start()
    except (OSError, ValueError, ImportError) as exc:
        sys.stderr.write(f"csoft simulator: cannot start: {exc}\n")
        return 1
    try:
        ca_path = None
        if args.tls:
            ca_path = servers[0].ca_pem_path
            if args.ca_out:
                _write_atomic(args.ca_out, servers[0].ca_pem)
                ca_path = os.path.abspath(args.ca_out)
        for server in servers:
            print(f"csoft simulator {server.name}: {server.url}", flush=True)
        if ca_path:
            print(f"csoft simulator ca: {ca_path}", flush=True)
        if args.ready_file:
            ready = {
                "primary": servers[0].url,
                "secondary": servers[1].url if len(servers) > 1 else None,
                "ca": ca_path,
                "pid": os.getpid(),
            }
            _write_atomic(args.ready_file, (json.dumps(ready) + "\n").encode("utf-8"))
        while not stop.wait(0.5):
            pass
    finally:
        group.stop()
        if args.ready_file and os.path.exists(args.ready_file):
            os.unlink(args.ready_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
