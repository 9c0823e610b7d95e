# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The benchmarks' pieces; ``benchmarks/run.py`` is the runner.

* ``bench``: the set-up every scenario shares (``Bench``: scratch directory, the
  collection on a collections path, the simulator process, ``ansible-playbook``);
* ``results``: ``Row`` (one line of the table: figure, baseline, target, checks) and the table;
* ``playbooks``: timing playbooks interleaved, task time = wall - empty wall;
* ``scenarios/``: one file per scenario, registered in ``scenarios/__init__.py``.

Importing the package puts ``tests/`` on ``sys.path``: the scenarios use the test
support (``tests/support``, standard library only) as ``support``.
"""

import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if os.path.join(REPO, "tests") not in sys.path:
    sys.path.insert(0, os.path.join(REPO, "tests"))
