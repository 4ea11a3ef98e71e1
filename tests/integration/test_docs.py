# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The documentation tells the truth.

- `ansible-doc scimops.totango.<module>` and `ansible-doc -t role scimops.totango.<role>` work for every
  module and role in the tree.
- Each module's RETURN documentation lists exactly the keys the module really returns: every module runs
  through ansible-playbook against the simulator, in check and real mode with --diff, succeeding and
  failing (bad input, a refused credential, the roster's safety threshold), and the top-level keys of
  every result, less Ansible's own (changed, failed, msg, invocation...), must be documented; every
  documented key must turn up in some result; keys documented as returned ``always`` must be in every
  successful result; and where RETURN says what a dict (or a list of dicts) ``contains``, the same holds
  one level down.
- The guides agree with the files they describe (the AWX credential type) and docs/docsite/extra-docs.yml
  lists every guide.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from tests.integration.harness import REPO_ROOT, ansible_bin, ansible_env, run_playbook

COLLECTION = "scimops.totango"
MODULES = sorted(path.stem for path in (REPO_ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__")
ROLES = sorted(path.parent.parent.name for path in (REPO_ROOT / "roles").glob("*/meta/argument_specs.yml"))
DOCSITE = REPO_ROOT / "docs" / "docsite"

# Keys Ansible itself puts in a task result (or a module returns by Ansible's conventions).
ANSIBLE_OWN_KEYS = {
    "changed", "failed", "msg", "invocation", "warnings", "deprecations", "skipped", "skip_reason", "exception",
    "ansible_facts", "item", "ansible_loop_var", "ansible_index_var", "attempts", "censored", "false_condition",
    "changed_when_result", "failed_when_result",
}
# "diff" is Ansible's too, unless the module documents it.
DIFF_KEY = "diff"


def ansible_doc(*args):
    proc = subprocess.run([ansible_bin("ansible-doc"), *args], env=ansible_env(None), capture_output=True, text=True,
                          timeout=300, check=False)
    return proc


# --- ansible-doc for every module and role -------------------------------------------------------------------


def test_the_tree_has_modules_and_roles():
    assert len(MODULES) >= 6, MODULES
    assert {"onboarding", "offboarding"} <= set(ROLES), ROLES


@pytest.mark.parametrize("module", MODULES)
def test_ansible_doc_renders_each_module(module):
    proc = ansible_doc(COLLECTION + "." + module)
    assert proc.returncode == 0, proc.stderr
    assert "[ERROR]" not in proc.stderr and "[WARNING]" not in proc.stderr, proc.stderr
    text = proc.stdout
    assert "%s.%s" % (COLLECTION, module) in text
    for section in ("OPTIONS", "EXAMPLES:", "RETURN VALUES:"):
        assert section in text, "%s lacks %s" % (module, section)


@pytest.mark.parametrize("role", ROLES)
def test_ansible_doc_renders_each_role(role):
    proc = ansible_doc("-t", "role", COLLECTION + "." + role)
    assert proc.returncode == 0, proc.stderr
    assert "[ERROR]" not in proc.stderr, proc.stderr
    assert re.search(r"ENTRY POINT: \W*main\b", proc.stdout), proc.stdout[:500]
    assert "%s_" % role in proc.stdout, "the role's variables (%s_*) are documented" % role


def test_ansible_doc_lists_every_module_and_role():
    modules = json.loads(ansible_doc("-t", "module", "-l", COLLECTION, "--json").stdout)
    assert sorted(modules) == ["%s.%s" % (COLLECTION, m) for m in MODULES]
    roles = json.loads(ansible_doc("-t", "role", "-l", COLLECTION, "--json").stdout)
    assert sorted(roles) == ["%s.%s" % (COLLECTION, r) for r in ROLES]


# --- RETURN lists the keys each module really returns ---------------------------------------------------------

SCENARIOS = """
- name: Every module, succeeding and failing
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/scimops.totango.totango:
      requests_per_minute: 0
      max_retries: 0
  tasks:
    - name: user create
      scimops.totango.totango_user:
        user_name: new.person@example.com
        given_name: New
        family_name: Person
        license: zoe
        teams: [{name: Support, role: Member}]
    - name: user update
      scimops.totango.totango_user:
        user_name: ada@example.com
        title: Support Lead
    - name: user unchanged
      scimops.totango.totango_user:
        user_name: ada@example.com
    - name: user disable a missing one
      scimops.totango.totango_user:
        user_name: nobody@example.com
        state: disabled
    - name: user bad input
      scimops.totango.totango_user:
        user_name: not-an-email
      ignore_errors: true
    - name: user without credentials
      scimops.totango.totango_user:
        user_name: ada@example.com
      environment:
        TOTANGO_APP_TOKEN: ""
      ignore_errors: true
    - name: user refused credential
      scimops.totango.totango_user:
        user_name: ada@example.com
        app_token: wrong-app-token
      ignore_errors: true

    - name: user_info one
      scimops.totango.totango_user_info:
        user_name: ada@example.com
    - name: user_info by external id
      scimops.totango.totango_user_info:
        external_id: ext-1
    - name: user_info all
      scimops.totango.totango_user_info:
    - name: user_info without credentials
      scimops.totango.totango_user_info:
      environment:
        TOTANGO_APP_TOKEN: ""
      ignore_errors: true
    - name: user_info refused credential
      scimops.totango.totango_user_info:
        app_token: wrong-app-token
      ignore_errors: true

    - name: team_info by name
      scimops.totango.totango_team_info:
        name: Support
    - name: team_info by unknown id
      scimops.totango.totango_team_info:
        id: "999999"
    - name: team_info all
      scimops.totango.totango_team_info:
    - name: team_info without credentials
      scimops.totango.totango_team_info:
      environment:
        TOTANGO_APP_TOKEN: ""
      ignore_errors: true
    - name: team_info refused credential
      scimops.totango.totango_team_info:
        app_token: wrong-app-token
      ignore_errors: true

    - name: group_members add
      scimops.totango.totango_group_members:
        team: Sales
        members: [ada@example.com]
    - name: group_members remove
      scimops.totango.totango_group_members:
        team: Support
        members: [old.timer@example.com]
        state: absent
    - name: group_members exact
      scimops.totango.totango_group_members:
        team: Sales
        members: [ada@example.com, old.timer@example.com]
        state: exact
    - name: group_members every member
      scimops.totango.totango_group_members:
        team: Sales
        members: [ada@example.com]
        report_members: true
    - name: group_members exact over max_remove
      scimops.totango.totango_group_members:
        team: Sales
        members: []
        state: exact
        max_remove: 1
      ignore_errors: true
    - name: group_members unknown team
      scimops.totango.totango_group_members:
        team: No Such Team
        members: [ada@example.com]
      ignore_errors: true
    - name: group_members without credentials
      scimops.totango.totango_group_members:
        team: Sales
        members: [ada@example.com]
      environment:
        TOTANGO_APP_TOKEN: ""
      ignore_errors: true
    - name: group_members refused credential
      scimops.totango.totango_group_members:
        team: Sales
        members: [ada@example.com]
        app_token: wrong-app-token
      ignore_errors: true

    - name: users roster
      scimops.totango.totango_users:
        users:
          - user_name: ada@example.com
            title: Head of Support
          - user_name: roster.new@example.com
            given_name: Roster
            family_name: New
          - user_name: new.person@example.com
            given_name: New
            family_name: Person
        disable_unlisted: true
        protected_users: [keep.me@example.com]
    - name: users leavers out of their teams
      scimops.totango.totango_users:
        users:
          - user_name: old.timer@example.com
            state: disabled
          - user_name: no.such.leaver@example.com
            state: disabled
        leave_teams: true
        not_found: warn
    - name: users bad input
      scimops.totango.totango_users:
        users:
          - user_name: ada@example.com
            given_name: A given name much longer than thirty characters
      ignore_errors: true
    - name: users over the safety threshold
      scimops.totango.totango_users:
        users:
          - user_name: ada@example.com
        disable_unlisted: true
        max_disable: 0
      ignore_errors: true
    - name: users one failure
      scimops.totango.totango_users:
        users:
          - user_name: ada@example.com
            title: Still here
          - user_name: keep.me@example.com
            external_id: ext-1
      ignore_errors: true
    - name: users plan not the reviewed one
      scimops.totango.totango_users:
        users: [{user_name: ada@example.com, title: Not what was reviewed}]
        expected_plan_id: c0-u0-r0-d0-l0-fd0d59a5c5a8965e3d40893e4e0bc655bd7e232a2414b20f6141832651029288
      ignore_errors: true
    - name: users without credentials
      scimops.totango.totango_users:
        users: [{user_name: ada@example.com}]
      environment:
        TOTANGO_APP_TOKEN: ""
      ignore_errors: true
    - name: users refused credential
      scimops.totango.totango_users:
        users: [{user_name: ada@example.com}]
        app_token: wrong-app-token
      ignore_errors: true
"""

TOKEN_SCENARIOS = """
- name: totango_token, succeeding and failing
  hosts: localhost
  gather_facts: false
  tasks:
    - name: token
      scimops.totango.totango_token:
    - name: token refused password
      scimops.totango.totango_token:
        password: not-the-password
      ignore_errors: true
    - name: token without credentials
      scimops.totango.totango_token:
      environment:
        TOTANGO_USERNAME: ""
        TOTANGO_PASSWORD: ""
      ignore_errors: true
"""


def seed(sim):
    # so that a write can fail (409) after the roster module's checks: "users one failure"
    sim.configure(validate_external_id_uniqueness=True)
    sim.add_team("Support")
    sim.add_team("Sales")
    support = sim.team("Support")["id"]
    sim.seed_users([
        user_body("ada@example.com", "Ada", "Lovelace", teams=[support], external_id="ext-1"),
        user_body("old.timer@example.com", "Old", "Timer", teams=[support]),
        user_body("keep.me@example.com", "Keep", "Me"),
    ])


def user_body(email, given, family, teams=(), external_id=None):
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:totango:1.0:User"],
        "userName": email,
        "name": {"givenName": given, "familyName": family},
        "active": True,
        "groups": [{"value": team, "teamrole": "Member"} for team in teams],
        "urn:ietf:params:scim:schemas:totango:1.0:User": {"license": ["zoe"]},
    }
    if external_id:
        body["externalId"] = external_id
    return body


@pytest.fixture(scope="module")
def return_docs():
    """{module: RETURN as ansible-doc resolves it}, for every module."""
    proc = ansible_doc("--json", *["%s.%s" % (COLLECTION, m) for m in MODULES])
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    return {name.rsplit(".", 1)[1]: (doc.get("return") or {}) for name, doc in data.items()}


def run_scenarios(sim, tmp_path):
    """{module: [(task name, failed, result)]} over a check run and a real run of every scenario."""
    seed(sim)
    records = []
    for check in (True, False):
        result = run_playbook(SCENARIOS, sim, check=check, diff=True, tmp_path=tmp_path / ("check" if check else "run"))
        assert result.rc == 0, result.summary()
        records.extend(result.tasks)
    token = run_playbook(TOKEN_SCENARIOS, sim, auth="password", diff=True, tmp_path=tmp_path / "token")
    assert token.rc == 0, token.summary()
    records.extend(token.tasks)

    by_module = defaultdict(list)
    for record in records:
        if record["skipped"]:
            continue
        module = record["action"].rsplit(".", 1)[-1]
        by_module[module].append((record["task"] + (" (check)" if record["check_mode"] else ""), record["failed"],
                                  record["result"]))
    return by_module


@pytest.fixture(scope="module")
def module_results(sim_server, tmp_path_factory):
    sim_server.reset()
    try:
        return run_scenarios(sim_server, tmp_path_factory.mktemp("return-docs"))
    finally:
        sim_server.reset()


def test_the_scenarios_succeed_and_fail_as_planned(module_results):
    """Guards the test itself: each module ran, with successes and failures, and no module crashed."""
    assert sorted(module_results) == MODULES
    for module, runs in module_results.items():
        outcomes = [failed for _task, failed, _result in runs]
        assert not all(outcomes), "%s never succeeded" % module
        assert any(outcomes), "%s never failed" % module
        for task, failed, result in runs:
            assert "module_stderr" not in result, (module, task, result)
            assert "Traceback" not in str(result.get("exception", "")), (module, task, result["exception"])
            if task.startswith(("user create", "user update", "group_members add", "users roster")):
                assert not failed and result["changed"], (task, result)


@pytest.mark.parametrize("module", MODULES)
def test_return_documents_every_key_the_module_returns(module, module_results, return_docs):
    documented = return_docs[module]
    problems = []
    for task, _failed, result in module_results[module]:
        for key in sorted(own_keys(result, documented)):
            if key not in documented:
                problems.append("%r returns %s, which RETURN does not document" % (task, key))
        problems.extend(nested_undocumented(task, result, documented))
    assert not problems, "\n".join(sorted(set(problems)))


@pytest.mark.parametrize("module", MODULES)
def test_every_documented_key_is_really_returned(module, module_results, return_docs):
    documented = return_docs[module]
    seen = set()
    problems = []
    for task, failed, result in module_results[module]:
        keys = own_keys(result, documented)
        seen |= keys
        if failed:
            continue
        for key, spec in documented.items():
            if str(spec.get("returned", "")).strip() == "always" and key not in keys:
                problems.append("%r did not return %s, documented as returned always" % (task, key))
        problems.extend(nested_missing(task, result, documented))
    never = sorted(set(documented) - seen)
    if never:
        problems.append("documented but never returned by any scenario: %s" % ", ".join(never))
    assert not problems, "\n".join(sorted(set(problems)))


def own_keys(result, documented):
    """The result's top-level keys that are the module's own (Ansible's and internal ones removed)."""
    keys = {key for key in result if not key.startswith("_ansible") and key not in ANSIBLE_OWN_KEYS}
    if DIFF_KEY not in documented:
        keys.discard(DIFF_KEY)
    return keys


def nested_values(value):
    """The dicts a documented dict, or list of dicts, holds."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def nested_undocumented(task, result, documented):
    for key, spec in documented.items():
        contains = spec.get("contains")
        if not contains or key not in result:
            continue
        for item in nested_values(result[key]):
            for sub in sorted(set(item) - set(contains)):
                yield "%r returns %s.%s, which RETURN does not document" % (task, key, sub)


def nested_missing(task, result, documented):
    for key, spec in documented.items():
        contains = spec.get("contains")
        if not contains or key not in result:
            continue
        always = {sub for sub, sub_spec in contains.items() if str(sub_spec.get("returned", "")).strip() == "always"}
        for item in nested_values(result[key]):
            for sub in sorted(always - set(item)):
                yield "%r did not return %s.%s, documented as returned always" % (task, key, sub)


# --- the guides -----------------------------------------------------------------------------------------------


def test_extra_docs_lists_every_guide():
    index = yaml.safe_load((DOCSITE / "extra-docs.yml").read_text(encoding="utf-8"))
    listed = [entry for section in index["sections"] for entry in section["toctree"]]
    guides = sorted(path.stem for path in (DOCSITE / "rst").glob("*.rst"))
    assert sorted(listed) == guides
    for guide in guides:
        text = (DOCSITE / "rst" / (guide + ".rst")).read_text(encoding="utf-8")
        assert ".. _ansible_collections.%s.docsite.%s:" % (COLLECTION, guide) in text, guide


def test_awx_guide_shows_the_credential_type_as_shipped():
    """The guide's Input and Injector configuration boxes are awx/credential_type.yml's inputs and injectors."""
    shipped = yaml.safe_load((REPO_ROOT / "awx" / "credential_type.yml").read_text(encoding="utf-8"))
    blocks = [yaml.safe_load(block) for block in yaml_code_blocks(DOCSITE / "rst" / "guide_awx.rst")]
    assert shipped["inputs"] in blocks, "the guide's input configuration differs from awx/credential_type.yml"
    assert shipped["injectors"] in blocks, "the guide's injector configuration differs from awx/credential_type.yml"
    injected = shipped["injectors"]["env"]
    assert sorted(injected) == sorted("TOTANGO_" + field["id"].upper() for field in shipped["inputs"]["fields"])
    assert not any(name.startswith("ANSIBLE_") for name in injected)


def yaml_code_blocks(path):
    """The bodies of the ``.. code-block:: yaml`` directives of an RST file."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    blocks, i = [], 0
    while i < len(lines):
        if lines[i].strip() == ".. code-block:: yaml":
            indent = len(lines[i]) - len(lines[i].lstrip())
            body, i = [], i + 1
            while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
                body.append(lines[i])
                i += 1
            text = "\n".join(body)
            blocks.append(re.sub(r"^" + " " * (indent + 4), "", text, flags=re.M))
            continue
        i += 1
    return blocks
