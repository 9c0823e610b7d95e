# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the callback csoft.sms.sms_notify texts at the end of a run (private to the collection).

``RunRecord`` collects what the callback sees of one run (the playbooks, the
first failed host and task); ``summarize`` turns it and the run's per-host
statistics into a ``RunSummary``; ``compose`` writes the SMS text, which fits
one SMS part where it can. Texts are built from names only: never from a
task's arguments, its result or a ``no_log`` task's name.

Standard library and module_utils only, so it is unit-tested without a run.
"""

import os
import re

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.plugins.module_utils._sms_text import BAD_TEXT_RE, message_parts, to_gsm7

OUTCOMES = ("failure", "success")
FIELDS = ("playbook", "outcome", "hosts", "ok", "failed", "unreachable", "first_host", "first_task")
HIDDEN_TASK = "(a no_log task)"
_PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_OUTCOME_WORDS = {"failure": "FAILED", "success": "OK"}


def clean(text, limit=200):
    """One line of printable text of at most ``limit`` characters (control characters become spaces)."""
    return " ".join(BAD_TEXT_RE.sub(" ", str(text)).split())[:limit]


def validate_notify_on(values):
    """Return ``values`` as a tuple of outcomes, or raise CsoftInputError."""
    if isinstance(values, str):
        values = values.split(",")
    wanted = tuple(dict.fromkeys(str(v).strip().lower() for v in values or () if str(v).strip()))
    unknown = [v for v in wanted if v not in OUTCOMES]
    if unknown or not wanted:
        shown = ", ".join(repr(v[:20]) for v in unknown) or "nothing"
        raise CsoftInputError(f"notify_on is {shown}; use failure, success or both (CSOFT_NOTIFY_ON=failure,success)")
    return wanted


def validate_template(template):
    """Return ``template`` (or None) after checking its placeholders; raise CsoftInputError for an unknown one."""
    if template is None or template == "":
        return None
    if not isinstance(template, str) or not template.strip():
        raise CsoftInputError("msg_template is empty; give a text such as '{{ playbook }} {{ outcome }}', or leave it unset")
    unknown = sorted({name for name in _PLACEHOLDER_RE.findall(template) if name not in FIELDS})
    if unknown:
        raise CsoftInputError(f"msg_template uses the unknown placeholder(s) {', '.join(unknown[:5])}; the placeholders are {', '.join(FIELDS)}")
    return template


class RunRecord:
    """What the callback saw of one run."""

    def __init__(self):
        self.playbooks = []
        self.first_host = None
        self.first_task = None

    def playbook(self, path):
        self.playbooks.append(os.path.basename(str(path)))

    def failed(self, host, task_name, hidden):
        """Remember the first failure: its host and its task's name (not the name of a ``no_log`` task)."""
        if self.first_host is None:
            self.first_host = clean(host, 60)
            self.first_task = HIDDEN_TASK if hidden else (clean(task_name, 100) or "(unnamed task)")


class RunSummary:
    """The outcome of a run, in numbers and names."""

    __slots__ = FIELDS

    def __init__(self, **values):
        for name in FIELDS:
            setattr(self, name, values[name])

    def as_dict(self):
        return {name: getattr(self, name) for name in FIELDS}


def summarize(record, host_stats, stopped=False):
    """The RunSummary of ``record`` and ``host_stats`` (host name -> ``AggregateStats.summarize()`` dict).

    ``stopped`` is a run that ended without Ansible's statistics (an error or an
    interrupt stopped it): a failure.
    """
    failed = sorted(host for host, stat in host_stats.items() if stat.get("failures"))
    unreachable = sorted(host for host, stat in host_stats.items() if stat.get("unreachable"))
    first_host, first_task = record.first_host, record.first_task
    if first_host is None and (failed or unreachable):
        first_host = clean((failed or unreachable)[0], 60)
        first_task = "unreachable" if not failed else "(unknown task)"
    return RunSummary(
        playbook=clean(" ".join(record.playbooks) or "ansible-playbook", 100),
        outcome="failure" if failed or unreachable or stopped else "success",
        hosts=len(host_stats),
        ok=len(host_stats) - len(set(failed) | set(unreachable)),
        failed=len(failed),
        unreachable=len(unreachable),
        first_host=first_host or "",
        first_task=first_task or "",
    )


def _default_text(summary, playbook, task, host):
    if summary.outcome == "success":
        return f"Ansible {playbook}: OK on {summary.hosts} host(s)"
    if summary.failed == 0 and summary.unreachable == 0:
        return f"Ansible {playbook}: FAILED, the run stopped before its end (an error or an interrupt)"
    text = f"Ansible {playbook}: FAILED, {summary.failed} failed, {summary.unreachable} unreachable of {summary.hosts} host(s)"
    if host:
        text += f"; first {host}: {task}"
    return text


def _shorten(text, keep):
    return text if len(text) <= keep else text[: max(keep - 3, 1)] + "..."


def compose(summary, template=None):
    """The SMS text for ``summary``: ``template`` with its placeholders filled in, or the default text.

    The default text keeps to the GSM-7 alphabet (other characters become
    ``?``) and is shortened (the names of the task, playbook and host) until it
    fits one SMS part. A template's text is the user's: only cleaned of
    control characters other than line breaks.
    """
    playbook, task, host = (to_gsm7(value) for value in (summary.playbook, summary.first_task, summary.first_host))
    if template is not None:
        values = dict(summary.as_dict(), outcome=_OUTCOME_WORDS[summary.outcome])
        text = _PLACEHOLDER_RE.sub(lambda match: str(values[match.group(1)]), template)
        text = BAD_TEXT_RE.sub(" ", text).strip()
        if text:
            return text
    text = _default_text(summary, playbook, task, host)
    for keep in (60, 40, 24, 12):
        if message_parts(text)[2] == 1:
            break
        text = _default_text(summary, _shorten(playbook, keep), _shorten(task, keep), _shorten(host, keep + 12))
    return text
