# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The pieces of the sendsms5 simulator; ``tests/simulator/csoft_simulator.py`` is its entry point and public API.

* ``documents``: the vendor page's document shapes (success wrapper, Fault);
* ``operations/``: one file per SOAP operation, registered in ``operations/__init__.py``;
* ``soap_request``: validation of a request, as a strict service would;
* ``modes``: the hostile modes (tables, ``parse_mode``, the answers that replace the login);
* ``responses``: an operation's answer, corrupted as a content mode says;
* ``accounts``: the accounts table;
* ``inbox``: the inbound queue of replies that CollectMessages answers;
* ``request_log``: the request log and PIN redaction;
* ``control``: the ``/_sim/`` control API;
* ``handler`` and ``http_server``: HTTP plumbing;
* ``server``: ``SimulatorServer``, ``ServerPair``, ``start_pair``.

Standard library only (``trustme`` lazily, for HTTPS). Relative imports only: the
package is imported as ``sendsms5`` when the simulator runs as a script, and as
part of ``ansible_collections.csoft.sms.tests.simulator`` from the tests.
"""
