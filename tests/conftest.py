# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make ``ansible_collections.csoft.sms`` importable when pytest runs straight from a checkout.

``ansible-test units`` already runs from an ``ansible_collections/csoft/sms``
tree; plain ``python -m pytest tests/...`` does not, so a symlink tree under
the temp directory points back at this checkout.
"""

import hashlib
import os
import sys
import tempfile

try:
    import ansible_collections.csoft.sms  # noqa: F401  # pylint: disable=unused-import
except ImportError:
    _ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    _TAG = hashlib.sha256(_ROOT.encode()).hexdigest()[:10]
    _BASE = os.path.join(tempfile.gettempdir(), f"csoft-sms-{os.getuid()}-{_TAG}")
    _LINK = os.path.join(_BASE, "ansible_collections", "csoft", "sms")
    if not os.path.islink(_LINK):
        os.makedirs(os.path.dirname(_LINK), exist_ok=True)
        try:
            os.symlink(_ROOT, _LINK)
        except FileExistsError:
            pass
    sys.path.insert(0, _BASE)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "scale: many hosts against the simulator; scripts/test.sh runs these on the newest ansible-core only",
    )
