# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the callback csoft.sms.sms_notify texts at the end of a run (private to the collection).

``RunRecord`` collects what the callback sees of one run (the playbooks, the
failures of each host in order); ``summarize`` turns it and the run's
per-host statistics into a ``RunSummary``; ``compose`` writes the SMS text,
which fits one SMS part where it can. Texts are built from names and the
failed task's one-line message only: never from a task's arguments, the rest
of its result, or a ``no_log`` task's name or message, and never with the PIN
or a piece of it (``mask_pieces``).

Standard library and module_utils only, so it is unit-tested without a run.
"""

import os
import re
from urllib.parse import quote

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.plugins.module_utils._sms_text import BAD_TEXT_RE, GSM7_SINGLE, message_parts, to_gsm7

OUTCOMES = ("failure", "success")
FIELDS = ("playbook", "outcome", "hosts", "ok", "failed", "unreachable", "first_host", "first_task", "first_msg")
HIDDEN_TASK = "(a no_log task)"
_PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_PLUGIN_PREFIX_RE = re.compile(r"^[a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_]+: ")
_OUTCOME_WORDS = {"failure": "FAILED", "success": "OK"}
# Names are kept whole up to MAX_NAME characters, so that the PIN is masked before any name is shortened;
# PER_HOST failures of a host are kept (the rescued ones come first).
MAX_NAME = 1000
PER_HOST = 100
# The shortest piece of the PIN that never reaches an SMS, and the characters a piece may be masked with.
PIECE = 4
_MASKS = "*#?.-_+"


def clean(text, limit=200):
    """One line of printable text of at most ``limit`` characters (control characters become spaces)."""
    return " ".join(BAD_TEXT_RE.sub(" ", str(text)).split())[:limit]


def _message_text(message):
    """The one-line text of a failed task's ``msg`` (any type; not templated, never parsed), at most MAX_NAME characters.

    A leading plugin name (``csoft.sms.csoft_account_check: ``) is dropped: the task is named already.
    """
    if message is None or message == "":
        return ""
    text = clean(message if isinstance(message, str) else repr(message)[:MAX_NAME], MAX_NAME)
    return _PLUGIN_PREFIX_RE.sub("", text, count=1) or text


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
        self._failures = {}  # host -> [(order, task name, message)], in order, at most PER_HOST
        self._order = 0

    def playbook(self, path):
        self.playbooks.append(os.path.basename(str(path)))

    def failed(self, host, task_name, hidden, message=None):
        """Remember a failure (also one a ``rescue:`` will handle): its host, its task's name and its message.

        A ``no_log`` task's name and message are not kept.
        """
        self._order += 1
        failures = self._failures.setdefault(str(host), [])
        if len(failures) < PER_HOST:
            if hidden:
                failures.append((self._order, HIDDEN_TASK, ""))
            else:
                failures.append((self._order, clean(task_name, MAX_NAME) or "(unnamed task)", _message_text(message)))

    def first_failure(self, host_stats):
        """``(host, task, message)`` of the run's first failure that Ansible counts, or ``(None, None, None)``.

        ``host_stats`` is host name -> ``AggregateStats.summarize()``. Only a host
        with ``failures`` or ``unreachable`` counts. Ansible counts a failure that
        a ``rescue:`` handled in ``rescued`` instead, and a host goes on after it
        only: so a host's first ``rescued`` failures are skipped.
        """
        first = None
        for host, stat in host_stats.items():
            failures = self._failures.get(str(host))
            if failures and (stat.get("failures") or stat.get("unreachable")):
                order, task, message = failures[min(int(stat.get("rescued") or 0), len(failures) - 1)]
                if first is None or order < first[0]:
                    first = (order, str(host), task, message)
        return first[1:] if first else (None, None, None)


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
    first_host, first_task, first_msg = record.first_failure(host_stats)
    if first_host is None and (failed or unreachable):
        first_host = (failed or unreachable)[0]
        first_task = "unreachable" if not failed else "(unknown task)"
    return RunSummary(
        playbook=clean(" ".join(record.playbooks) or "ansible-playbook", MAX_NAME),
        outcome="failure" if failed or unreachable or stopped else "success",
        hosts=len(host_stats),
        ok=len(host_stats) - len(set(failed) | set(unreachable)),
        failed=len(failed),
        unreachable=len(unreachable),
        first_host=clean(first_host or "", MAX_NAME),
        first_task=first_task or "",
        first_msg=first_msg or "",
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
    return text if keep is None or len(text) <= keep else text[: max(keep - 3, 1)] + "..."


# The lengths the names are cut to, in turn, until the text fits one SMS part: (playbook and host, task). The
# host keeps 12 more. With a message, the task gives way first (a role's task loses its "role : " prefix), then
# the message, which says why, takes the room that is left; it keeps at least MIN_WHY characters while the
# names can still give way.
_NAME_KEEPS = ((None, None), (60, 40), (60, 12), (40, 12), (24, 12), (12, 12))
MIN_WHY = 48


def _fits(text):
    return message_parts(text)[2] == 1


def _with_why(base, why, least):
    """``base: why``, the message cut to the room one SMS part leaves; None when less than ``least`` characters fit."""
    room = GSM7_SINGLE - message_parts(base)[1] - 2  # the default text is GSM-7 (to_gsm7)
    while room >= max(least, 4):
        text = f"{base}: {_shorten(why, room)}"
        if _fits(text):
            return text
        room -= message_parts(text)[1] - GSM7_SINGLE  # extension characters count twice
    return None


def compose(summary, template=None, hide=None, secret=None):
    """The SMS text for ``summary``: ``template`` with its placeholders filled in, or the default text.

    ``hide`` (str -> str, the client's ``redact``) masks the PIN in every form
    in each name and in the message before any of them is shortened, and no
    piece of ``secret`` (the PIN) of PIECE characters or more is left in the
    text (``mask_pieces``). Placeholders are filled in once: a value that looks
    like a placeholder or Jinja stays text. The default text keeps to the GSM-7
    alphabet (other characters become ``?``) and is shortened (the names of the
    task, playbook and host, then the message) until it fits one SMS part. A
    template's text is the user's: only cleaned of control characters other
    than line breaks.
    """
    hide = hide or str
    limits = (("playbook", 100), ("first_task", 100), ("first_host", 60), ("first_msg", 160))
    names = {name: clean(hide(getattr(summary, name)), limit) for name, limit in limits}
    if template is not None:
        values = dict(summary.as_dict(), outcome=_OUTCOME_WORDS[summary.outcome], **names)
        text = _PLACEHOLDER_RE.sub(lambda match: str(values[match.group(1)]), template)
        text = BAD_TEXT_RE.sub(" ", hide(text)).strip()
        if text:
            return mask_pieces(text, secret)
    playbook, task, host, why = (to_gsm7(names[name]) for name, _limit in limits)
    for keep, keep_task in _NAME_KEEPS:
        short_task = _shorten(task.split(" : ", 1)[-1] if keep_task is not None else task, keep_task)
        base = _default_text(summary, _shorten(playbook, keep), short_task, _shorten(host, keep and keep + 12))
        if why and host and summary.outcome == "failure":
            text = _with_why(base, why, min(len(why), MIN_WHY) if keep != _NAME_KEEPS[-1][0] else 4)
            if text is not None:
                return mask_pieces(text, secret)
        elif _fits(base):
            break
    return mask_pieces(base, secret)


def _forms(secret):
    """The secret as a text could hold it: as is, XML-escaped, percent-encoded, in the GSM-7 alphabet."""
    escaped = secret.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return {secret, escaped, escaped.replace('"', "&quot;").replace("'", "&#x27;"), quote(secret, safe=""), to_gsm7(secret)}


def mask_pieces(text, secret, size=PIECE):
    """``text`` without any piece of ``secret`` (in any of its forms) of ``size`` or more characters.

    Every character of every piece found is masked with a character the
    secret does not hold, so that masking cannot make a new piece; without
    such a character the pieces are cut out until none is left. A secret
    shorter than ``size`` is not looked for (the client's redact masks it whole).
    """
    if not secret or len(secret) < size:
        return text
    forms = _forms(str(secret))
    pieces = sorted({form[index : index + size] for form in forms for index in range(len(form) - size + 1)})
    mask = next((char for char in _MASKS if not any(char in form for form in forms)), "")
    while True:
        covered = set()
        for piece in pieces:
            start = text.find(piece)
            while start >= 0:
                covered.update(range(start, start + size))
                start = text.find(piece, start + 1)
        if not covered:
            return text
        text = "".join(mask if index in covered else char for index, char in enumerate(text))
