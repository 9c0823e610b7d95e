# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""How a source run by path reaches the collection (plugins/plugin_utils/_source_loading.py).

The registration runs in a fresh Python (this process imports the checkout
already); tests/eda/test_loading.py runs the sources themselves that way.
"""

import os
import subprocess
import sys

from ansible_collections.csoft.sms.plugins.module_utils import _client, _values
from ansible_collections.csoft.sms.plugins.plugin_utils import _source_loading

LOADER = _source_loading.__file__


def test_collection_root_is_four_directories_above_the_source(tmp_path):
    source = tmp_path / "sms" / "extensions" / "eda" / "plugins" / "event_source" / "x.py"
    assert _source_loading.collection_root(str(source)) == str(tmp_path / "sms")


def test_shared_imports_the_named_modules_of_the_importable_collection():
    assert _source_loading.shared("/nowhere/x.py", "plugins.module_utils._client", "plugins.module_utils._values") == (_client, _values)


DRIVER = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("loader", sys.argv[1])
loader = importlib.util.module_from_spec(spec)
spec.loader.exec_module(loader)
(probe,) = loader.shared(sys.argv[2], "plugins.probe")
print(probe.__file__, probe.__name__)
"""


def test_a_collection_not_on_the_path_is_registered_as_ansible_collections_csoft_sms(tmp_path):
    root = tmp_path / "anywhere"
    (root / "plugins").mkdir(parents=True)
    (root / "plugins" / "probe.py").write_text("")
    source = root / "extensions" / "eda" / "plugins" / "event_source" / "x.py"
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-c", DRIVER, LOADER, str(source)], env=env, cwd="/", capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(root / "plugins" / "probe.py"), "ansible_collections.csoft.sms.plugins.probe"]
