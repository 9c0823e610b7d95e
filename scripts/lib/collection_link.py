# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make this collection importable as ``ansible_collections.csoft.sms`` (standard library only).

One way for tests/conftest.py (plain pytest from a checkout) and scripts/lib/live_probe.py: an installed
copy (``.../ansible_collections/csoft/sms``) puts the folder above ``ansible_collections`` on ``sys.path``;
a checkout gets a symlink tree under the temp directory, named after a hash of its path, that points back
at it.
"""

import hashlib
import os
import sys
import tempfile


def make_importable(root):
    """Put the base of ``root`` (the collection's folder) first on ``sys.path``; return that base."""
    parts = root.split(os.sep)
    if parts[-3:] == ["ansible_collections", "csoft", "sms"]:
        base = os.sep.join(parts[:-3]) or os.sep  # an installed collection
    else:
        tag = hashlib.sha256(root.encode()).hexdigest()[:10]
        base = os.path.join(tempfile.gettempdir(), f"csoft-sms-{os.getuid()}-{tag}")
        link = os.path.join(base, "ansible_collections", "csoft", "sms")
        if not os.path.islink(link):
            os.makedirs(os.path.dirname(link), exist_ok=True)
            try:
                os.symlink(root, link)
            except FileExistsError:
                pass
    sys.path.insert(0, base)
    return base
