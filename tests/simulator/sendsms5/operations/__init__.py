# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The operations the simulator answers: one module each, registered in ``TABLE``.

A new operation is a new module here defining ``OPERATION`` (an ``Operation``, see
``../operation.py``) and one line in ``TABLE``.
"""

from . import available_credit, available_messages, collect_messages, permitted_reply_to, submit_message

# The order of OPERATIONS and of the counters: the vendor page's account queries, then the
# WSDL's further operations in the WSDL's order (a new operation goes last).
TABLE = {
    module.OPERATION.name: module.OPERATION
    for module in (
        available_credit,
        available_messages,
        permitted_reply_to,
        submit_message,
        collect_messages,
    )
}
OPERATIONS = tuple(TABLE)


def get(name):
    """The ``Operation`` called ``name``; KeyError when there is none."""
    return TABLE[name]


def success_values(operation, account, submit=None):
    """The (element, value) pairs of a successful answer to ``operation`` (``submit``: what its ``perform`` returned)."""
    return TABLE[operation].values(account, submit)
