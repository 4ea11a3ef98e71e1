# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The TOTANGO_* variables the modules read are the ones their documentation names, option for option.

Modules cannot declare `env:` in their option docs (validate-modules allows it for plugins only), so the
connection doc fragment names each variable in the option's description and the environment guide lists
them; both are compared here with the argument spec's fallbacks, which are what the modules really read.
"""

import re
from pathlib import Path

import yaml
from ansible_collections.scimops.totango.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.scimops.totango.plugins.module_utils._connection import connection_argument_spec

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "docsite" / "rst" / "guide_environment.rst"


def variables_read():
    """{option: variable} from the fallbacks of the connection argument spec."""
    found = {}
    for option, spec in connection_argument_spec().items():
        fallback = spec.get("fallback")
        if fallback:
            (variable,) = fallback[1]
            found[option] = variable
    return found


def test_every_connection_option_with_a_variable_names_it_in_its_description():
    options = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    read = variables_read()
    assert set(read) >= {"scim_url", "app_token", "access_token", "username", "password", "token_url"}
    for option, variable in read.items():
        named = re.findall(r"E\((TOTANGO_\w+)\)", " ".join(options[option]["description"]))
        assert named[:1] == [variable], (option, named)
    undocumented = [name for name, doc in options.items()
                    if name not in read and re.search(r"E\(TOTANGO_", " ".join(doc["description"]))]
    assert undocumented == [], "options naming a variable they do not read"


def test_the_environment_guide_lists_each_variable_with_its_option():
    rows = re.findall(r"\* - :ansenvvar:`(\w+)`\n\s+- (?::ansopt:`[\w.]+#module:(\w+)`|\(none\))", GUIDE.read_text())
    listed = dict((variable, option) for variable, option in rows if variable.startswith("TOTANGO_"))
    assert listed == dict((variable, option) for option, variable in variables_read().items())
    assert "XDG_CACHE_HOME" in [variable for variable, _option in rows]


def test_the_guide_is_on_the_docs_site():
    toctree = yaml.safe_load((ROOT / "docs" / "docsite" / "extra-docs.yml").read_text())["sections"][0]["toctree"]
    assert "guide_environment" in toctree
