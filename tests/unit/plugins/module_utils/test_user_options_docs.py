# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The three documentations of the user options agree with the one table of user fields in _user_model.

totango_user's DOCUMENTATION, the users[] suboptions of totango_users' and the onboarding_users[] options of
roles/onboarding/meta/argument_specs.yml are written by hand (ansible-doc reads them as text), so each is
compared here with USER_FIELDS: names, types, elements, required, choices, aliases and the suboptions of
teams. The role's copy matters most: ansible-core refuses a key its argument spec does not list, so a new
attribute missing there would break the onboarding role. Descriptions may differ, but a length they state
must be the table's.
"""

import ast
import json
import re
from pathlib import Path

import pytest
import yaml
from ansible_collections.scimops.totango.plugins.module_utils._user_model import (
    LICENSES,
    USER_FIELDS,
    parse_license,
    state_argument_spec,
    user_argument_spec,
)

ROOT = Path(__file__).resolve().parents[4]
ROLE_SPEC = ROOT / "roles" / "onboarding" / "meta" / "argument_specs.yml"
# The role takes the keys under their option names only (its README says so); everything else is the table's.
ROLE_OMITTED_ALIASES = {"user_name": ["email"]}
SPEC_KEYS = ("type", "elements", "required", "choices", "aliases", "default")


def module_documentation(name):
    tree = ast.parse((ROOT / "plugins" / "modules" / (name + ".py")).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "DOCUMENTATION" for t in node.targets):
            return yaml.safe_load(node.value.value)
    raise AssertionError("%s has no DOCUMENTATION" % name)


def documented_user_options():
    """(where, the options documented there, the argument spec they must describe)."""
    with_state = dict(user_argument_spec(), state=state_argument_spec())
    role_spec = user_argument_spec()
    for option, aliases in ROLE_OMITTED_ALIASES.items():
        role_spec[option] = dict(role_spec[option])
        role_spec[option]["aliases"] = [a for a in role_spec[option].get("aliases", []) if a not in aliases]
        if not role_spec[option]["aliases"]:
            del role_spec[option]["aliases"]
    role = yaml.safe_load(ROLE_SPEC.read_text(encoding="utf-8"))
    return [
        ("totango_user DOCUMENTATION", module_documentation("totango_user")["options"], with_state),
        ("totango_users DOCUMENTATION users[]", module_documentation("totango_users")["options"]["users"]["suboptions"],
         with_state),
        ("roles/onboarding/meta/argument_specs.yml onboarding_users[]",
         role["argument_specs"]["main"]["options"]["onboarding_users"]["options"], role_spec),
    ]


def normalised(spec):
    """The keys an option's documentation and its argument spec share, with ansible-core's defaults filled in."""
    entry = {key: spec[key] for key in SPEC_KEYS if spec.get(key) not in (None, False, [])}
    entry.setdefault("type", "str")
    if "aliases" in entry:
        entry["aliases"] = sorted(entry["aliases"])
    return entry


def suboptions(doc):
    return doc.get("suboptions") or doc.get("options") or {}


DOCUMENTED = documented_user_options()


@pytest.mark.parametrize("where, documented, spec", DOCUMENTED, ids=[d[0] for d in DOCUMENTED])
def test_every_user_field_is_documented_as_the_table_says(where, documented, spec):
    wrong = []
    for name, option in spec.items():
        if name not in documented:
            wrong.append("%s is missing (add it, type %s)" % (name, option.get("type", "str")))
            continue
        if normalised(documented[name]) != normalised(option):
            wrong.append("%s is documented as %r, the table says %r"
                         % (name, normalised(documented[name]), normalised(option)))
        sub_spec = option.get("options") or {}
        sub_docs = suboptions(documented[name])
        if set(sub_docs) != set(sub_spec):
            wrong.append("%s has suboptions %s, the table %s" % (name, sorted(sub_docs), sorted(sub_spec)))
        for sub, sub_option in sub_spec.items():
            if sub in sub_docs and normalised(sub_docs[sub]) != normalised(sub_option):
                wrong.append("%s.%s is documented as %r, the table says %r" % (name, sub, normalised(sub_docs[sub]),
                                                                               normalised(sub_option)))
    assert not wrong, "%s disagrees with USER_FIELDS in _user_model.py:\n  %s" % (where, "\n  ".join(wrong))


@pytest.mark.parametrize("where, documented, spec", DOCUMENTED[1:], ids=[d[0] for d in DOCUMENTED[1:]])
def test_a_users_entry_documents_nothing_the_table_does_not_know(where, documented, spec):
    # totango_user's own options (state, replace...) are checked against its argument spec by validate-modules.
    assert sorted(set(documented) - set(spec)) == [], where


@pytest.mark.parametrize("where, documented, spec", DOCUMENTED, ids=[d[0] for d in DOCUMENTED])
def test_a_length_a_description_states_is_the_tables(where, documented, spec):
    limits = {field.name: field.max_length for field in USER_FIELDS}
    wrong = []
    for name in spec:
        text = " ".join(_lines(documented.get(name, {}).get("description")))
        for stated in re.findall(r"at most (\d+) characters", text):
            if int(stated) != limits.get(name):
                wrong.append("%s says at most %s characters, the table %s" % (name, stated, limits.get(name)))
    assert not wrong, "%s: %s" % (where, "; ".join(wrong))


def _lines(description):
    if description is None:
        return []
    return [description] if isinstance(description, str) else list(description)


def test_the_check_catches_a_field_missing_from_a_documentation():
    # The comparison above must be able to fail: a table with one more row disagrees with every documentation.
    where, documented, spec = DOCUMENTED[2]
    spec = dict(spec, cost_center={"type": "str"})
    with pytest.raises(AssertionError, match="cost_center is missing"):
        test_every_user_field_is_documented_as_the_table_says(where, documented, spec)


# -- the AWX survey asks for user fields too ---------------------------------------------------

SURVEY = ROOT / "awx" / "survey-onboarding.json"
SURVEY_PLAYBOOK = ROOT / "docs" / "examples" / "awx-onboarding.yml"


def survey_fields():
    """{survey variable: the user field its answer becomes}, read from the job template's playbook."""
    play = yaml.safe_load(SURVEY_PLAYBOOK.read_text(encoding="utf-8"))[0]
    fields = {}
    for field, template in play["vars"]["awx_person"].items():
        fields[re.search(r"\{\{\s*(\w+)", template).group(1)] = field
    return fields


def test_the_survey_asks_within_the_tables_limits_and_offers_licenses_the_model_takes():
    limits = {field.name: field.max_length for field in USER_FIELDS}
    fields = survey_fields()
    questions = json.loads(SURVEY.read_text(encoding="utf-8"))["spec"]
    for question in questions:
        field = fields.get(question["variable"])
        if field and limits.get(field):
            assert question["max"] == limits[field], question["variable"]
        if field == "license":
            assert [parse_license(choice) for choice in question["choices"]] == list(LICENSES)
    assert set(fields.values()) <= {field.name for field in USER_FIELDS}
