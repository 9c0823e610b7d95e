# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The vendor page's six example documents, kept byte for byte under tests/unit/fixtures/vendor/.

tests/unit/test_vendor_fixtures.py checks them against the page itself; every other test reads them from here.
"""

import os

VENDOR_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "unit", "fixtures", "vendor")


def vendor(name):
    """The bytes of ``fixtures/vendor/<name>.xml``, for example ``vendor("credit_response")``."""
    with open(os.path.join(VENDOR_DIR, name + ".xml"), "rb") as handle:
        return handle.read()
