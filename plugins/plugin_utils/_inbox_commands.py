# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The command words of csoft.sms.sms_inbox: which replies carry a command and its arguments (controller only, private).

A reply's text is data. It is never templated or run here: it is only split
at white space and compared with fixed patterns, so that a rulebook acts on
``command`` and ``args``, never on the text:

* ``check_commands`` is the rule of the ``commands`` argument: words of
  ``[A-Za-z0-9_-]{1,32}``, each once (compared case-insensitively);
* ``parse_command(text, commands)`` is ``(command, args)`` when the first word
  is one of ``commands`` (case-insensitively; the command as written in
  ``commands``) and every other word is an argument token of
  ``[A-Za-z0-9._:-]{1,64}``, at most ``MAX_ARGS`` of them; else ``(None, [])``.

A text that carries a command is made of those tokens only: no braces,
quotes or spaces inside a token, so nothing in it can be read as a template.
Standard library and module_utils only.
"""

import re

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.plugins.module_utils._values import as_text_list, shown

MAX_ARGS = 8
MAX_COMMANDS = 32
_WORD_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")
_ARG_RE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def check_commands(name, value):
    """The command words of argument ``name`` (a list or a comma-separated text), in order; CsoftInputError naming it."""
    if value is None:
        return ()
    words = as_text_list(name, value)
    if len(words) > MAX_COMMANDS:
        raise CsoftInputError(f"csoft {name} has {len(words)} words; give at most {MAX_COMMANDS}")
    seen = {}
    for word in words:
        if not _WORD_RE.fullmatch(word):
            raise CsoftInputError(
                f"csoft {name} holds {shown(word)}, which is not a command word; give words of 1 to 32 letters, digits, '_' or '-' such as ACK"
            )
        key = word.lower()
        if key in seen:
            raise CsoftInputError(f"csoft {name} holds {shown(seen[key])} and {shown(word)}; commands are compared case-insensitively, give each once")
        seen[key] = word
    return tuple(words)


def parse_command(text, commands):
    """``(command, args)`` of a reply's ``text`` for the command words ``commands``; ``(None, [])`` when it carries none."""
    words = text.split()
    if not words or len(words) > MAX_ARGS + 1 or not _WORD_RE.fullmatch(words[0]):
        return None, []
    command = next((word for word in commands if word.lower() == words[0].lower()), None)
    if command is None or not all(_ARG_RE.fullmatch(arg) for arg in words[1:]):
        return None, []
    return command, words[1:]
