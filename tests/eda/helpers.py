# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the event source's tests share: where the source is, and the queue ansible-rulebook would give it."""

import os

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = os.path.join(REPO, "extensions", "eda", "plugins", "event_source", "credit_watch.py")


class ListQueue:
    """The queue ansible-rulebook hands to a source, backed by a list."""

    def __init__(self):
        self.events = []

    async def put(self, event):
        self.events.append(event)
