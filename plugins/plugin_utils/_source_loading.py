# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How an event source of csoft.sms, run by path, reaches the collection's shared modules (controller only, private).

ansible-rulebook runs a source file by path (runpy), not as a package, from a
checkout or from a collection path that need not be on ``sys.path``. Each
source loads this file by path (it imports nothing of the collection) and
calls ``shared(__file__, names)``: the modules it names, from
``ansible_collections.csoft.sms`` when that imports (the installed
collection), else from the collection the source belongs to, registered as
that package (``register_collection``).

Standard library only; sys.path is left alone.
"""

import importlib
import importlib.machinery
import importlib.util
import os
import sys

PACKAGE = "ansible_collections.csoft.sms"
_PACKAGES = ("ansible_collections", "ansible_collections.csoft", PACKAGE)


def collection_root(source_file):
    """The collection's root of a source file: extensions/eda/plugins/event_source/ are the four directories above it."""
    here = os.path.dirname(os.path.abspath(source_file))
    for _unused in range(4):
        here = os.path.dirname(here)
    return here


def register_collection(root):
    """Make ``root`` importable as ``ansible_collections.csoft.sms`` (for a checkout or a collection path not on sys.path).

    The packages are made with importlib's own machinery; a package already
    imported (``ansible_collections`` as the namespace of other collections) is kept.
    """
    for name in _PACKAGES:
        if name in sys.modules:
            continue
        spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
        spec.submodule_search_locations = [root] if name == PACKAGE else []
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        parent, _unused, child = name.rpartition(".")
        if parent:
            setattr(sys.modules[parent], child, module)


def shared(source_file, *names):
    """The collection's modules ``names`` (dotted below it, e.g. ``plugins.module_utils._client``) for the source ``source_file``."""
    try:
        importlib.import_module(PACKAGE)
    except ImportError:
        register_collection(collection_root(source_file))
    return tuple(importlib.import_module(f"{PACKAGE}.{name}") for name in names)
