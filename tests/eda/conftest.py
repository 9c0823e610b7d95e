# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures of the event source's tests (run with .venv-eda: ``bash scripts/lib/eda.sh``).

``tests/conftest.py`` (loaded first by pytest) makes ``ansible_collections.csoft.sms``
importable from the checkout; the simulator runs in this process.
"""

import pytest

from ansible_collections.csoft.sms.tests.eda.helpers import INBOX_SOURCE, SOURCE, load_source
from ansible_collections.csoft.sms.tests.support.fixtures import pair  # noqa: F401 - a fixture of these tests  # pylint: disable=unused-import


@pytest.fixture
def source():
    """The event source csoft.sms.credit_watch as a module of its own (a fresh one per test, so patches stay in the test)."""
    return load_source(SOURCE, "csoft_credit_watch_under_test")


@pytest.fixture
def inbox_source():
    """The event source csoft.sms.sms_inbox, the same way."""
    return load_source(INBOX_SOURCE, "csoft_sms_inbox_under_test")
