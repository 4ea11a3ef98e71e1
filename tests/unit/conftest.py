# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Makes ansible_collections.scimops.totango importable for a plain `python -m pytest tests/unit`.

`make unit` already puts .build/collections on PYTHONPATH; run directly, pytest would not find
the collection. The symlinked layout is built by tools/collection-tree.py, the one place that knows it.
"""

import importlib
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS = ROOT / ".build" / "collections"
PROBE = "ansible_collections.scimops.totango.plugins.module_utils._errors"


def _importable():
    try:
        importlib.import_module(PROBE)
    except ImportError:
        return False
    return True


def _build_link():
    spec = importlib.util.spec_from_file_location("collection_tree", ROOT / "tools" / "collection-tree.py")
    tree = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tree)
    namespace, name = tree.read_galaxy(ROOT)
    try:
        tree.build_link(ROOT, namespace, name)
    except FileExistsError:  # a parallel worker made the same link meanwhile
        pass


if not _importable():
    _build_link()
    sys.path.insert(0, str(COLLECTIONS))
    importlib.invalidate_caches()
    # A failed probe may have cached a namespace package without our path.
    for module_name in [m for m in sys.modules if m == "ansible_collections" or m.startswith("ansible_collections.")]:
        del sys.modules[module_name]
