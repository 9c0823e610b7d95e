# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The fixtures of the action tests come from the test support (tests/support/fixtures.py)."""

from ansible_collections.csoft.sms.tests.support.fixtures import pair  # noqa: F401 - a fixture of these tests  # pylint: disable=unused-import
