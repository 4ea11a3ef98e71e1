# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Licenses by Totango's current names, the results that name them, and the diffs of moves and disables.

One playbook (totango_user, totango_users, the onboarding role, and a refused move to Viewer) runs against the
simulator over HTTP: --check --diff (no write, predicts the apply), apply, then a rerun that spells every license
by its API value instead (spark, zoe): the same licenses, so no change and no write. The results carry
license and license_name, every key they return is documented in RETURN, a move to a team given without a role
shows no null role, and disabling a user whose active flag was never set shows it null before.
"""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

from tests.integration.harness import REPO_ROOT, run_playbook, task_playbook

PLAYBOOK = task_playbook("""
    - name: totango_user
      scimops.totango.totango_user:
        user_name: pia@example.com
        given_name: Pia
        family_name: Ek
        license: {practitioner}

    - name: totango_users
      scimops.totango.totango_users:
        users:
          - user_name: mia@example.com
            license: {contributor}
            teams: [{{name: Support}}]
          - user_name: zed@example.com
            state: disabled

    - name: onboarding
      ansible.builtin.include_role:
        name: scimops.totango.onboarding
      vars:
        onboarding_users:
          - user_name: ria@example.com
            given_name: Ria
            family_name: Oz
            license: {contributor}

    - name: to viewer
      scimops.totango.totango_user:
        user_name: zed@example.com
        license: Viewer
      ignore_errors: true
""", name="licenses by name")
NAMES = {"practitioner": "Practitioner", "contributor": "CONTRIBUTOR"}
API_VALUES = {"practitioner": "spark", "contributor": "zoe"}
WRITING_TASKS = {"totango_user", "totango_users", "scimops.totango.onboarding : Create or update the people to onboard"}
EXT = "urn:ietf:params:scim:schemas:totango:1.0:User"
# Keys every module result may hold that its RETURN does not list.
COMMON_KEYS = {"changed", "failed", "msg", "invocation", "diff", "warnings", "deprecations", "exception"}


def seed(sim):
    sales, support = sim.add_team("Sales"), sim.add_team("Support")
    sim.seed_users([
        {"userName": "mia@example.com", "name": {"givenName": "Mia", "familyName": "Lu"}, "active": True,
         "groups": [{"value": str(sales), "teamrole": "Member"}], EXT: {"license": ["spark"]}},
        # Never logged in: Totango has no active flag for them.
        {"userName": "zed@example.com", "name": {"givenName": "Zed", "familyName": "Ng"}, EXT: {"license": ["zoe"]}},
    ])
    sim.clear_log()
    return str(support)


def documented_returns(module):
    tree = ast.parse((Path(REPO_ROOT) / "plugins" / "modules" / (module + ".py")).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "RETURN" for t in node.targets):
            return yaml.safe_load(node.value.value)
    raise AssertionError(module)


def undocumented(result, returns):
    return sorted(key for key in result if key not in returns and key not in COMMON_KEYS and not key.startswith("_"))


def test_license_names_results_and_diffs(sim, tmp_path):
    support = seed(sim)

    checked = run_playbook(PLAYBOOK.format(**NAMES), sim, check=True, diff=True, tmp_path=tmp_path / "check")
    assert checked.rc == 0, checked.summary()
    assert sim.writes() == [], "check mode wrote"
    assert set(checked.changed_tasks()) == WRITING_TASKS, checked.changed_tasks()

    applied = run_playbook(PLAYBOOK.format(**NAMES), sim, diff=True, tmp_path=tmp_path / "apply")
    assert applied.rc == 0, applied.summary()
    assert set(applied.changed_tasks()) == WRITING_TASKS, applied.changed_tasks()
    roster = applied.task("totango_users")
    assert roster["diff"] == checked.task("totango_users")["diff"]
    assert roster["users"] == checked.task("totango_users")["users"], "check mode predicts the results"

    user = applied.task("totango_user")
    assert (user["license"], user["license_name"]) == ("spark", "Practitioner")
    entries = {entry["user_name"]: entry for entry in roster["users"]}
    assert (entries["mia@example.com"]["license"], entries["mia@example.com"]["license_name"]) == ("zoe", "Contributor")
    assert (entries["zed@example.com"]["license"], entries["zed@example.com"]["license_name"]) == ("zoe", "Contributor")
    onboarded = applied.task("scimops.totango.onboarding : Create or update the people to onboard")["users"]
    assert [(e["license"], e["license_name"]) for e in onboarded] == [("zoe", "Contributor")]
    assert [sim.user(u)[EXT]["license"] for u in ("pia@example.com", "mia@example.com", "ria@example.com")] == [
        ["spark"], ["zoe"], ["zoe"]]

    diffs = {d["before_header"]: d for d in roster["diff"]}
    mia, zed = diffs["mia@example.com"], diffs["zed@example.com"]
    assert mia["after"]["teams"] == [{"id": support, "name": "Support"}], "a team joined without a role: no null role"
    assert mia["before"]["teams"][0]["role"] == "Member"
    assert (mia["before"]["license"], mia["after"]["license"]) == ("spark", "zoe")
    assert (zed["before"], zed["after"]) == ({"active": None}, {"active": False}), "an unknown flag, not a create"

    refused = applied.task("to viewer")
    assert applied.record("to viewer")["failed"] and refused["option"] == "license"
    assert "Contributor to Viewer" in refused["msg"] and "another e-mail address" in refused["msg"]
    assert "create them again" not in refused["msg"]

    assert undocumented(user, documented_returns("totango_user")) == []
    assert undocumented(roster, documented_returns("totango_users")) == []
    entry_keys = documented_returns("totango_users")["users"]["contains"]
    assert sorted({key for entry in roster["users"] for key in entry} - set(entry_keys)) == []

    sim.clear_log()
    rerun = run_playbook(PLAYBOOK.format(**API_VALUES), sim, diff=True, tmp_path=tmp_path / "rerun")
    assert rerun.rc == 0, rerun.summary()
    assert rerun.changed_tasks() == [], "spark and Practitioner, zoe and Contributor are the same licenses"
    assert sim.writes() == []
    assert rerun.task("totango_user")["license_name"] == "Practitioner"
