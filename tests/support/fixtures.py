# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""pytest fixtures shared by the test folders; a ``conftest.py`` imports the ones its tests use."""

import pytest

from ansible_collections.csoft.sms.tests.simulator import csoft_simulator as sim

from .network import BlackHole


@pytest.fixture
def pair():
    """A primary and a secondary simulator over HTTP, in this process, with fresh counters."""
    with sim.start_pair(tls=False) as servers:
        yield servers


@pytest.fixture
def tls_pair():
    """The same over HTTPS, with a throw-away CA (``ca_pem_path``)."""
    with sim.start_pair(tls=True) as servers:
        yield servers


@pytest.fixture
def black_hole():
    """The URL of a loopback port whose TCP handshake never completes (see network.BlackHole)."""
    try:
        hole = BlackHole()
    except RuntimeError as exc:  # pragma: no cover - depends on the kernel
        pytest.skip(str(exc))
    with hole:
        yield hole.url
