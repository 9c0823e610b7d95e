# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make ``ansible_collections.csoft.sms`` importable when pytest runs straight from a checkout.

``ansible-test units`` already runs from an ``ansible_collections/csoft/sms``
tree; plain ``python -m pytest tests/...`` does not, so a symlink tree under
the temp directory points back at this checkout (``scripts/lib/collection_link.py``).
"""

import importlib.util
import os

try:
    import ansible_collections.csoft.sms  # noqa: F401  # pylint: disable=unused-import
except ImportError:
    _ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    # the one way, shared with scripts/lib/live_probe.py (loaded by path: nothing of the collection imports yet)
    _SPEC = importlib.util.spec_from_file_location("csoft_collection_link", os.path.join(_ROOT, "scripts", "lib", "collection_link.py"))
    _LINK = importlib.util.module_from_spec(_SPEC)
    _SPEC.loader.exec_module(_LINK)
    _LINK.make_importable(_ROOT)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "scale: many hosts against the simulator; scripts/test.sh runs these on the newest ansible-core only",
    )
