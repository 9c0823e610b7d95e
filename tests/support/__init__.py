# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test support of csoft.sms, in one place, for the tests, the benchmarks, the scripts and the integration targets.

| module | what |
|---|---|
| ``accounts`` | the simulator's default accounts: ``USERNAME``, ``PIN``, ``LOW_USERNAME``, ``LOW_PIN`` |
| ``network`` | ``closed_port``, ``RawServer`` (answers byte for byte), ``Listener``, ``StreamingServer`` (50 MB without a length), ``BlackHole`` |
| ``simulator`` | the simulator as a process of its own: ``SimulatorProcess``, ``wait_ready``, ``stop_pid`` |
| ``playbook_env`` | ``collections_base`` and ``ansible_env``: the environment of an ``ansible-playbook`` run |
| ``clients`` | ``make_client`` and the checks that no error holds the PIN (imports the collection) |
| ``fixtures`` | pytest fixtures ``pair``, ``tls_pair``, ``black_hole`` (import them in a ``conftest.py``) |
| ``notify_runs`` | what the callback's real ``ansible-playbook`` runs share: playbooks, inventory, environment, ``run_both`` |
| ``bad_options`` | ``bad_options_playbook`` and ``assert_bad_options_fail``: bad module options in one real run, each failing in one line before any request |
| ``vendor`` | ``vendor(name)``: the vendor page's example documents (``tests/unit/fixtures/vendor/``) |
| ``cli`` | the same for bash: ``python tests/support/cli.py start|stop|env`` |

``accounts``, ``network``, ``simulator`` and ``playbook_env`` use the standard
library only and import each other relatively, so a script outside pytest
can put ``tests/`` on ``sys.path`` and ``import support`` (``cli.py`` and the
integration targets' ``simctl.py`` do).
"""
