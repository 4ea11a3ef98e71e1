# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The RETURN samples that can be checked without a server: a refused option is one the module has.

What the modules really return is compared with RETURN over HTTP in tests/integration/test_license_names.py.
"""

import ast
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("totango_*.py"))


def _strings(path, *names):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if getattr(target, "id", None) in names:
                    found[target.id] = yaml.safe_load(node.value.value)
    return found


def connection_options():
    fragment = _strings(ROOT / "plugins" / "doc_fragments" / "connection.py", "DOCUMENTATION")["DOCUMENTATION"]
    return set(fragment["options"])


@pytest.mark.parametrize("module", MODULES)
def test_the_refused_option_of_the_sample_is_an_option_of_the_module(module):
    docs = _strings(ROOT / "plugins" / "modules" / (module + ".py"), "DOCUMENTATION", "RETURN")
    sample = (docs["RETURN"].get("option") or {}).get("sample")
    if sample is None:
        pytest.skip("%s returns no option" % module)
    options = set(docs["DOCUMENTATION"].get("options") or {}) | connection_options()
    assert re.split(r"[\[.]", sample)[0] in options, "%s's RETURN option sample %r is not one of its options %s" % (
        module, sample, sorted(options))


def _return_keys(returns, prefix=""):
    for key, spec in (returns or {}).items():
        yield prefix + key
        if isinstance(spec, dict):
            yield from _return_keys(spec.get("contains"), prefix + key + ".")


@pytest.mark.parametrize("module", MODULES)
def test_every_return_key_can_be_read_with_dot_notation(module):
    # ansible-core 2.21's validate-modules refuses such keys; this holds every release of the matrix to it
    returns = _strings(ROOT / "plugins" / "modules" / (module + ".py"), "RETURN")["RETURN"]
    methods = set(dir(dict))  # a result is a dict: Jinja finds its attributes before its keys
    unreadable = [key for key in _return_keys(returns) if key.rsplit(".", 1)[-1] in methods]
    assert unreadable == [], "%s: result.%s in Jinja is a method, not the value" % (module, unreadable)
