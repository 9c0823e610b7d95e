# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The test support for bash (standard library only).

python tests/support/cli.py start WORKDIR [--tls] [--prefix PREFIX] [--accounts FILE]
    start the simulator in the background (primary and secondary on free ports of
    127.0.0.1; PID in WORKDIR/pid, output in WORKDIR/simulator.log; its accounts from
    FILE, default tests/simulator/accounts.json), wait until it
    is ready and print its ready file as JSON plus "closed" (a URL where nothing
    listens), each key prefixed with PREFIX (e.g. csoft_demo_ for extra vars)
python tests/support/cli.py stop WORKDIR [GRACE]
    SIGTERM the simulator of WORKDIR, SIGKILL after GRACE seconds (default 10)
python tests/support/cli.py messages WORKDIR
    print the SMS the simulator of WORKDIR accepted (both servers, oldest first), one line each:
    "to NUMBER[,NUMBER...] (MessageIdentifier ID): TEXT"
python tests/support/cli.py reply WORKDIR FROM TEXT [--delay S] [--after QUESTION] [--timeout S] [--username NAME]
    queue a reply with TEXT from the number FROM on the simulator of WORKDIR, for CollectMessages
    (POST /_sim/inbox; to the default account unless --username), collectable S seconds after it is
    queued (default 0); with --after, first wait (at most --timeout seconds, default 60) until the
    simulator accepted an SMS whose text holds QUESTION, as a person answers once asked
python tests/support/cli.py env COLLECTIONS WORKDIR [--color] [--credentials] [--set NAME=VALUE]...
    print the environment of an ansible-playbook run as shell commands (for eval):
    COLLECTIONS on ANSIBLE_COLLECTIONS_PATH, a private ANSIBLE_HOME under WORKDIR, this
    Python for localhost; --credentials adds CSOFT_USERNAME and CSOFT_PIN of the
    simulator's default account, --set one more variable
"""

import argparse
import json
import os
import shlex
import ssl
import sys
import time
import urllib.request

if __package__ in (None, ""):  # run as a script: import the package next to this file
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from support import accounts, playbook_env, simulator
else:  # pragma: no cover - imported as a module
    from . import accounts, playbook_env, simulator


def start(args):
    process = simulator.SimulatorProcess(args.workdir, tls=args.tls, detach=True, accounts=args.accounts)
    print(json.dumps({args.prefix + key: value for key, value in process.ready.items()}))
    return 0


def stop(args):
    pid = simulator.read_pid(args.workdir)
    if pid is not None:
        simulator.stop_pid(pid, args.grace)
    return 0


def _ready(workdir):
    with open(simulator.ready_path(workdir)) as handle:
        return json.load(handle)


def _accepted(ready):
    """The SMS the simulator accepted (both servers), oldest first."""
    context = ssl.create_default_context(cafile=ready["ca"]) if ready.get("ca") else None
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
    accepted = []
    for url in filter(None, (ready["primary"], ready.get("secondary"))):
        with opener.open(url.rsplit("/", 1)[0] + "/_sim/messages", timeout=10) as answer:
            accepted.extend(json.load(answer))
    return sorted(accepted, key=lambda message: message["time"])


def messages(args):
    for message in _accepted(_ready(args.workdir)):
        print(f"to {','.join(message['recipients'])} (MessageIdentifier {message['message_identifier']}): {message['text']}")
    return 0


def reply(args):
    ready = _ready(args.workdir)
    if args.after is not None:
        deadline = time.monotonic() + args.timeout
        while not any(args.after in message["text"] for message in _accepted(ready)):
            if time.monotonic() >= deadline:
                return f"cli.py reply: the simulator accepted no SMS holding {args.after!r} within {args.timeout:g} s"
            time.sleep(0.1)
    try:
        simulator.inject_reply(ready["primary"], args.username, args.sender, args.text, delay=args.delay, ca=ready.get("ca"))
    except simulator.ControlError as exc:
        return f"cli.py reply: {exc}"
    return 0


def env(args):
    extra = dict(item.split("=", 1) for item in args.assignments)
    if args.credentials:
        extra.update(CSOFT_USERNAME=accounts.USERNAME, CSOFT_PIN=accounts.PIN)
    wanted = playbook_env.ansible_env(os.path.abspath(args.collections), os.path.abspath(args.workdir), color=args.color, extra=extra)
    lines = [f"unset {name}" for name in sorted(os.environ) if name not in wanted]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in sorted(wanted.items()) if os.environ.get(name) != value]
    print("\n".join(lines))
    return 0


def main(argv=None):
    summary, usage = __doc__.split("\n\n", 1)
    parser = argparse.ArgumentParser(description=summary, epilog=usage, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("start", help="start the simulator in the background")
    command.add_argument("workdir")
    command.add_argument("--tls", action="store_true")
    command.add_argument("--prefix", default="")
    command.add_argument("--accounts", default=None)
    command.set_defaults(run=start)
    command = commands.add_parser("stop", help="stop the simulator of WORKDIR")
    command.add_argument("workdir")
    command.add_argument("grace", nargs="?", type=float, default=10.0)
    command.set_defaults(run=stop)
    command = commands.add_parser("messages", help="print the SMS the simulator of WORKDIR accepted")
    command.add_argument("workdir")
    command.set_defaults(run=messages)
    command = commands.add_parser("reply", help="queue a reply on the simulator of WORKDIR, for CollectMessages")
    command.add_argument("workdir")
    command.add_argument("sender", metavar="from")
    command.add_argument("text")
    command.add_argument("--delay", type=float, default=None, metavar="S", help="seconds before the reply is collectable")
    command.add_argument("--after", default=None, metavar="QUESTION", help="first wait for an SMS whose text holds QUESTION")
    command.add_argument("--timeout", type=float, default=60.0, metavar="S", help="how long --after waits (default 60)")
    command.add_argument("--username", default=accounts.USERNAME, metavar="NAME", help="the account (default: the simulator's default account)")
    command.set_defaults(run=reply)
    command = commands.add_parser("env", help="print the environment of an ansible-playbook run")
    command.add_argument("collections")
    command.add_argument("workdir")
    command.add_argument("--color", action="store_true")
    command.add_argument("--credentials", action="store_true")
    command.add_argument("--set", action="append", default=[], dest="assignments", metavar="NAME=VALUE", help="one more variable (repeatable)")
    command.set_defaults(run=env)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except simulator.SimulatorError as exc:
        return f"cli.py {args.command}: {exc}"


if __name__ == "__main__":
    sys.exit(main())
