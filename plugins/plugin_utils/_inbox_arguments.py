# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The arguments of the event source csoft.sms.sms_inbox, checked once (controller only, private to the collection).

``Settings(args)`` is a ``_source_arguments.SourceArguments``: the connection
options, ``interval`` and ``backoff_max`` are checked there, as for every
polling source; this file checks the inbox's own arguments:
``allowed_senders`` (numbers in international format without '+', the rule
of ``_collect.validate_senders``) and ``commands`` (``_inbox_commands``).
A bad argument is one ``CsoftInputError`` line that names it; nothing is
sent. Imports nothing from ansible-core.
"""

from ansible_collections.csoft.sms.plugins.module_utils import _collect
from ansible_collections.csoft.sms.plugins.plugin_utils import _inbox_commands
from ansible_collections.csoft.sms.plugins.plugin_utils._source_arguments import SourceArguments, source_arguments


class Settings(SourceArguments):
    """The inbox's arguments, checked; a bad one raises CsoftInputError (one line, nothing sent)."""

    SOURCE = "sms_inbox"
    ARGUMENTS = source_arguments(("allowed_senders", "commands"))

    def __init__(self, args):
        super().__init__(args)
        self.allowed_senders = self.checked("allowed_senders", _collect.validate_senders, self.given(args, "allowed_senders"))
        self.commands = self.checked("commands", _inbox_commands.check_commands, self.given(args, "commands"))
