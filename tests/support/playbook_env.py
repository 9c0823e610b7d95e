# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The environment of an ``ansible-playbook`` run against this checkout (standard library only)."""

import os
import sys


def collections_base():
    """The directory that holds ``ansible_collections/csoft/sms`` for this checkout (on the Python path)."""
    import ansible_collections  # only where the collection is importable (tests/conftest.py, ansible-test)

    for path in ansible_collections.__path__:
        if os.path.isdir(os.path.join(path, "csoft", "sms")):
            return os.path.dirname(path)
    raise RuntimeError("csoft.sms is not on the Python path")  # pragma: no cover


def ansible_env(collections_path, workdir, python=None, color=False, extra=None, base=None):
    """The environment for ``ansible-playbook`` with this collection on ``collections_path``.

    The caller's environment (``base``, default ``os.environ``) without any
    ``ANSIBLE_*`` or ``CSOFT_*`` variable, so nothing of the machine leaks into
    a run; a private ``ANSIBLE_HOME`` and local temp directory under
    ``workdir``; ``python`` (default: this interpreter) for localhost, its
    directory first on ``PATH``; no proxy for loopback; no colours unless
    ``color``. ``extra`` is added last.
    """
    python = python or sys.executable
    env = {key: value for key, value in (os.environ if base is None else base).items() if not key.startswith(("ANSIBLE_", "CSOFT_"))}
    env.update(
        {
            "ANSIBLE_COLLECTIONS_PATH": str(collections_path),
            "ANSIBLE_HOME": os.path.join(workdir, "ansible-home"),
            "ANSIBLE_LOCAL_TEMP": os.path.join(workdir, "ansible-tmp"),
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_HOST_KEY_CHECKING": "0",
            "ANSIBLE_PYTHON_INTERPRETER": python,
            "PATH": os.path.dirname(python) + os.pathsep + env.get("PATH", ""),
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }
    )
    if not color:
        env.update({"ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0"})
    env.update(extra or {})
    return env
