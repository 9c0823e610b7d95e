# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
name: sms_notify
type: notification
short_description: Text on-call by SMS when a playbook run fails
version_added: 1.1.0
description:
  - At the end of an C(ansible-playbook) run, sends one SMS through a Connection Software (csoft.co.uk) account
    when any host failed or was unreachable, and on success too when O(notify_on) asks for it.
  - One SMS per run, whatever the number of hosts, tasks or plays; never one per task or per host.
    A run that an error or an interrupt stops before Ansible's summary counts as failed.
  - The text names the playbook, the outcome, the numbers of failed and unreachable hosts, the first failed host
    and task, and that task's message (why it failed); it fits one SMS part where it can. It never holds the PIN
    or any piece of it, a task's arguments or the rest of its result, or the name or message of a C(no_log) task.
    O(msg_template) replaces it.
  - Uses the collection's one client and the send path of the M(csoft.sms.csoft_sms) module; each request
    waits at most O(timeout) seconds, fails over to the next endpoint only when no connection could be made,
    and is never repeated. The whole sending waits at most O(timeout) seconds for each request it may make
    (the O(reply_to) check and the SMS, at each endpoint) plus 5 seconds; an interrupt while it sends only stops
    the waiting.
  - The callback never changes the outcome of the run. A missing or invalid option, an unreachable service, a fault,
    a refused message, a time-out or an interrupt prints one warning line (without the PIN), and C(ansible-playbook)
    exits with the code it would have had without the callback. A console that is gone (a closed pipe) changes
    nothing either.
  - Ansible passes no variables to callback plugins, so the options are read from C(ansible.cfg)
    (section C([callback_csoft_sms_notify])) and from environment variables only.
author:
  - csoft.sms contributors (@csoft-sms)
requirements:
  - Enable the callback in C(ansible.cfg) (C(callbacks_enabled = csoft.sms.sms_notify) in C([defaults]))
    or with E(ANSIBLE_CALLBACKS_ENABLED=csoft.sms.sms_notify).
options:
  to:
    description:
      - The mobile numbers to text, in international format without C(+) (for example V(447700900123)).
      - Required; without it the callback prints a warning and sends nothing.
      - In the environment variable, separate the numbers with commas.
    type: list
    elements: str
    env:
      - name: CSOFT_NOTIFY_TO
    ini:
      - section: callback_csoft_sms_notify
        key: to
  notify_on:
    description:
      - Which outcomes of a run send the SMS. V(failure) is a run where any host failed or was unreachable
        (failures of tasks with C(ignore_errors) and rescued tasks do not count), or that stopped before its end.
      - In the environment variable, separate the values with commas (V(failure,success)).
    type: list
    elements: str
    choices: [failure, success]
    default: [failure]
    env:
      - name: CSOFT_NOTIFY_ON
    ini:
      - section: callback_csoft_sms_notify
        key: notify_on
  reply_to:
    description:
      - The sender shown on the phone, one of the account's permitted ReplyTo values (see the
        M(csoft.sms.csoft_account_info) module). It is checked against the account's permitted values first,
        as M(csoft.sms.csoft_sms) does, with one C(PermittedReplyTo) request.
      - When not set, the account's default is used.
    type: str
    env:
      - name: CSOFT_NOTIFY_REPLY_TO
    ini:
      - section: callback_csoft_sms_notify
        key: reply_to
  delivery_option:
    description:
      - The delivery route, as in M(csoft.sms.csoft_sms). When not set, the account's default is used.
    type: str
    choices: [Default, Premier, LeastCost, Economy]
    env:
      - name: CSOFT_NOTIFY_DELIVERY_OPTION
    ini:
      - section: callback_csoft_sms_notify
        key: delivery_option
  msg_template:
    description:
      - The text to send instead of the default one. Placeholders C({{ name }}) are replaced by the run's values;
        the names are V(playbook), V(outcome) (V(FAILED) or V(OK)), V(hosts), V(ok), V(failed), V(unreachable),
        V(first_host), V(first_task) and V(first_msg) (the failed task's message, one line). Nothing else is
        templated (no filters, no variables), and a value that looks like a placeholder or Jinja stays text.
      - An unknown placeholder is an invalid option.
    type: str
    env:
      - name: CSOFT_NOTIFY_MSG_TEMPLATE
    ini:
      - section: callback_csoft_sms_notify
        key: msg_template
  pin_file:
    description:
      - A file whose first line is the PIN, read when O(pin) is not set.
      - It must be a regular file (not a device or a FIFO), and at most 4 KiB of it is read.
      - For C(ansible-runner), which stores its whole environment in its artifacts (C(artifacts/<ident>/command));
        a file name there does no harm, a PIN does. Keep the file outside the private data directory, mode C(0600).
    type: path
    env:
      - name: CSOFT_PIN_FILE
    ini:
      - section: callback_csoft_sms_notify
        key: pin_file
extends_documentation_fragment:
  - csoft.sms.connection
  - csoft.sms.connection.callback
notes:
  - The PIN can be set in the environment (E(CSOFT_PIN)) or in a file (O(pin_file)), not in C(ansible.cfg),
    which is often committed.
  - In AWX and Automation Controller, enable the callback with the job template's environment variable
    E(ANSIBLE_CALLBACKS_ENABLED) (or an C(ansible.cfg) in the project) and inject E(CSOFT_USERNAME) and E(CSOFT_PIN)
    with a credential; see the AWX guide of the collection.
  - With C(ansible-runner), set the same variables in C(env/envvars) or the process environment.
seealso:
  - module: csoft.sms.csoft_sms
  - name: Run notifications guide
    description: Enabling the callback in ansible.cfg, ansible-runner and AWX, and what it sends.
    link: https://github.com/csoft-sms/csoft.sms/blob/main/docs/docsite/rst/guide_notify.rst
"""

EXAMPLES = r"""
# ansible.cfg
# [defaults]
# callbacks_enabled = csoft.sms.sms_notify
#
# [callback_csoft_sms_notify]
# to = 447700900123, 447700900456
# notify_on = failure
# reply_to = csoft.co.uk
# msg_template = {{ playbook }} {{ outcome }}: {{ failed }} failed, first {{ first_host }}
#
# and in the environment of ansible-playbook (or an AWX credential):
# CSOFT_USERNAME=ANOther.61234 CSOFT_PIN=... ansible-playbook deploy.yml
#
# Or with environment variables only:
# ANSIBLE_CALLBACKS_ENABLED=csoft.sms.sms_notify CSOFT_NOTIFY_TO=447700900123 \
#   CSOFT_USERNAME=ANOther.61234 CSOFT_PIN=... ansible-playbook deploy.yml
"""

import atexit
import os
from collections.abc import Mapping

from ansible import constants as C
from ansible.plugins.callback import CallbackBase

from ansible_collections.csoft.sms.plugins.module_utils._client import CsoftClient
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftError
from ansible_collections.csoft.sms.plugins.module_utils._options import settings_from_options
from ansible_collections.csoft.sms.plugins.module_utils._send import send, send_error
from ansible_collections.csoft.sms.plugins.module_utils._submit import prepare_submit, validate_delivery_option, validate_recipients, validate_reply_to
from ansible_collections.csoft.sms.plugins.plugin_utils._bounded import DONE, FAILED, INTERRUPTED, TIMED_OUT, Guard, read_pin_file
from ansible_collections.csoft.sms.plugins.plugin_utils._run_notice import (
    RunRecord,
    clean,
    compose,
    summarize,
    validate_notify_on,
    validate_template,
)

NAME = "csoft.sms.sms_notify"
# How long the SMS may take beyond its requests' own time-outs (name resolution, TLS set-up).
SEND_GRACE = 5.0
CHECK_SENT = "it may have been sent: check the account's sent messages"


def _failure_of(result):
    """The host name, task name, no_log flag and ``msg`` of a task result (ansible-core 2.16 to 2.19 and later)."""
    host = getattr(result, "host", None) or result._host
    task = getattr(result, "task", None) or result._task
    hidden = bool(getattr(task, "no_log", False))
    values = getattr(result, "result", None)  # 2.19 and later; _result before
    if not isinstance(values, Mapping):
        values = getattr(result, "_result", None)
    message = None
    if isinstance(values, Mapping) and not hidden and not values.get("censored"):
        message = values.get("msg")
    return host.get_name(), task.get_name(), hidden, message


def _ignores_unreachable(result):
    task = getattr(result, "task", None) or result._task
    return bool(getattr(task, "ignore_unreachable", False))


def _read_pin_file(path):
    """The first line of ``path`` (the PIN), or None without a path; CsoftError when it is not a small regular file."""
    return read_pin_file(path) if path else None


def _send_bound(client, request):
    """The seconds the whole send may take: each request (the ReplyTo check, the SMS) at each endpoint, and SEND_GRACE."""
    requests = (2 if request.reply_to is not None else 1) * len(client.endpoints)
    return client.timeout * requests + SEND_GRACE


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = NAME
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self._settings = None  # the checked options, or None when the callback is off for this run
        self._record = RunRecord()
        self._started = False
        self._done = False
        self._pid = os.getpid()

    # Options ----------------------------------------------------------------

    def set_options(self, task_keys=None, var_options=None, direct=None):
        try:
            super().set_options(task_keys=task_keys, var_options=var_options, direct=direct)
            self._settings = self._checked_settings()
        except Exception as exc:  # pylint: disable=broad-except  # an option problem must never stop the run
            self._settings = None
            self._warn(f"off for this run: {self._hide_pin(exc)}; fix the [callback_csoft_sms_notify] settings or the CSOFT_* variables")

    def _checked_settings(self):
        option = self.get_option
        to = option("to")
        if not to:
            raise CsoftError("to is not set: give the numbers to text in CSOFT_NOTIFY_TO or in to of [callback_csoft_sms_notify]")
        recipients, _repeated = validate_recipients(to)
        # The connection options, checked once, now, so
        # that a bad one is reported when the run starts, as the lookup checks them before its first query.
        pin = option("pin") or _read_pin_file(option("pin_file"))
        connection = settings_from_options(lambda name: pin if name == "pin" else option(name))
        return {
            "to": recipients,
            "notify_on": validate_notify_on(option("notify_on")),
            "reply_to": validate_reply_to(option("reply_to")),
            "delivery_option": validate_delivery_option(option("delivery_option")),
            "template": validate_template(option("msg_template")),
            "connection": connection,
        }

    # Output -----------------------------------------------------------------

    def _hide_pin(self, exc):
        """The one-line text of ``exc`` without the PIN (also when the options could not be read)."""
        text = str(exc)
        pin = (self._settings["connection"].pin if self._settings else None) or os.environ.get("CSOFT_PIN")
        return clean(text.replace(pin, "********") if pin else text, 400)

    def _warn(self, text):
        # One line, on both ansible-core 2.16 (whose warning() wraps long lines) and 2.19.
        self._print(f"[WARNING]: {NAME}: {text}", color=C.COLOR_WARN, stderr=True)

    def _print(self, text, show=None, **kwargs):
        """Print one line with ``show`` (Display.display); a console that is gone (a closed pipe) changes nothing."""
        try:
            (show or self._display.display)(text, **kwargs)
        except (OSError, ValueError):
            pass

    # Events -----------------------------------------------------------------

    def v2_playbook_on_start(self, playbook):
        self._record.playbook(getattr(playbook, "_file_name", None) or "playbook")
        if not self._started:
            self._started = True
            atexit.register(self._at_exit)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if not ignore_errors:
            self._record.failed(*_failure_of(result))

    def v2_runner_on_unreachable(self, result):
        if not _ignores_unreachable(result):
            self._record.failed(*_failure_of(result))

    def v2_playbook_on_stats(self, stats):
        host_stats = {host: stats.summarize(host) for host in stats.processed}
        self._finish(host_stats, stopped=False)

    def _at_exit(self):
        """A run that ended without Ansible's summary (an error or an interrupt stopped it): a failure."""
        if os.getpid() == self._pid and not self._done:
            self._finish({}, stopped=True)

    # Sending ----------------------------------------------------------------

    def _finish(self, host_stats, stopped):
        if self._done:
            return
        self._done = True
        # An interrupt while the SMS is sent stops the waiting only: the run keeps its exit code.
        with Guard() as guard:
            try:
                self._notify(summarize(self._record, host_stats, stopped=stopped), guard)
            except Exception as exc:  # pylint: disable=broad-except  # the callback never harms the run
                self._warn(f"the run's SMS was not sent: {self._hide_pin(exc)}")

    def _notify(self, summary, guard):
        settings = self._settings
        if settings is None:
            return
        if summary.outcome not in settings["notify_on"]:
            self._print(f"{NAME}: the run's outcome is {summary.outcome}; no SMS (notify_on is {', '.join(settings['notify_on'])})", self._display.vvv)
            return
        try:
            with CsoftClient(settings["connection"]) as client:
                text = compose(summary, settings["template"], hide=client.redact, secret=settings["connection"].pin)
                request = prepare_submit(settings["to"], text, settings["reply_to"], settings["delivery_option"])
                seconds = _send_bound(client, request)
                outcome, value = guard.run(lambda: send(client, request), seconds)
        except CsoftError as exc:
            self._warn(self._hide_pin(send_error(exc)))
            return
        # Sent or not, that is settled: what follows only reports it.
        if outcome == DONE:
            self._print(
                f"{NAME}: the run's SMS ({summary.outcome}) was sent to {len(request.recipients)} number(s) "
                f"through {client.endpoint} (MessageIdentifier {value.message_identifier})"
            )
        elif outcome == FAILED:
            if isinstance(value, CsoftError):
                self._warn(self._hide_pin(send_error(value)))
            else:  # not an error of the client: where it came from is unknown
                self._warn(self._hide_pin(f"sending the run's SMS failed ({value.__class__.__name__}: {value}); {CHECK_SENT}"))
        elif outcome == TIMED_OUT:
            self._warn(f"the run's SMS was not confirmed within {seconds:g} s, so the callback stopped waiting; {CHECK_SENT}")
        elif outcome == INTERRUPTED and value:
            self._warn(f"interrupted while the run's SMS was being sent, so the callback stopped waiting; {CHECK_SENT}")
        else:
            self._warn("interrupted before the run's SMS was sent; it was not sent")
