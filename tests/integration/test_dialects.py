# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Every PATCH path of the client against each strict dialect of the simulator, counted from its request log.

In ``totango`` mode only Totango's documented forms pass, in ``rfc7644`` only RFC 7644's. Totango's
form goes first: against ``totango`` no request is refused; against ``rfc7644`` exactly one PATCH of
each kind is refused per task, the same change follows in the RFC form, and no later change of that
kind in the same task is refused again, parallel workers included.
"""

from __future__ import annotations

import pytest

from tests.integration.harness import run_playbook, task_playbook

EXT = "urn:ietf:params:scim:schemas:totango:1.0:User"
PEOPLE = ["ada@example.com", "grace@example.com", "linus@example.com", "ken@example.com"]

PLAYBOOK = task_playbook("""
    - name: Roster of extension attribute changes
      scimops.totango.totango_users:
        parallel: 3
        users:
          - {user_name: ada@example.com, manager_email: boss@example.com, license: zoe}
          - {user_name: grace@example.com, manager_email: boss@example.com, license: zoe}
          - {user_name: linus@example.com, manager_external_id: boss-1, license: zoe}
    - name: One user's manager
      scimops.totango.totango_user:
        user_name: ken@example.com
        manager_email: boss@example.com
        title: Engineer
    - name: Members leave the team
      scimops.totango.totango_group_members:
        team: Sales
        members: [ada@example.com, grace@example.com]
        state: absent
""", name="Every PATCH path")

TASKS = ("Roster of extension attribute changes", "One user's manager", "Members leave the team")


def seed(sim):
    team = sim.add_team("Sales")
    sim.seed_users([{"userName": email, "name": {"givenName": "G", "familyName": "F"}, "title": "Intern",
                     "groups": [{"value": team, "teamrole": "Member"}],
                     EXT: {"license": ["spark"], "managerEmail": "old@example.com"}} for email in PEOPLE])
    return team


def patches(sim):
    """(path kind, "ok" or the refusal's status) of each PATCH, in the order the simulator answered them."""
    return [("Groups" if entry["path"].startswith("/Groups") else "Users", "ok" if entry["status"] < 300 else entry["status"])
            for entry in sim.log() if entry["method"] == "PATCH"]


def warnings_of(result, task):
    return result.task(task).get("warnings") or []


@pytest.mark.parametrize("dialect", ["totango", "rfc7644"])
def test_every_patch_path_in_each_strict_dialect(sim, tmp_path, dialect):
    team = seed(sim)
    sim.configure(dialect=dialect)

    sim.clear_log()
    preview = run_playbook(PLAYBOOK, sim, check=True, diff=True, tmp_path=tmp_path)
    assert preview.rc == 0, preview.summary()
    assert preview.changed_tasks() == list(TASKS)
    assert sim.writes() == [], "check mode sends no PATCH, in either form"

    sim.clear_log()
    applied = run_playbook(PLAYBOOK, sim, diff=True, tmp_path=tmp_path)
    assert applied.rc == 0, applied.summary()
    assert applied.changed_tasks() == list(TASKS)
    for task in TASKS:
        assert applied.task(task)["diff"] == preview.task(task)["diff"], "check mode predicted the real run"
    if dialect == "totango":
        assert patches(sim) == [("Users", "ok")] * 4 + [("Groups", "ok")]
        assert all(warnings_of(applied, task) == [] for task in TASKS)
    else:
        # Per task and kind of change: one refusal, then the RFC form, and no refusal after it.
        assert patches(sim) == [("Users", 400)] + [("Users", "ok")] * 3 + [("Users", 400), ("Users", "ok")] + \
            [("Groups", 400), ("Groups", "ok")]
        for task, kind in zip(TASKS, ("extension attribute paths", "extension attribute paths", "member removal")):
            warned = warnings_of(applied, task)
            assert len(warned) == 1 and "refused Totango's documented form of %s" % kind in warned[0], warned
    assert [e["method"] for e in sim.writes()] == ["PATCH"] * len(patches(sim)), "no POST or PUT instead"

    kept = {email: sim.user(email) for email in PEOPLE}
    assert [kept[email][EXT].get("managerEmail") for email in PEOPLE] == \
        ["boss@example.com", "boss@example.com", "old@example.com", "boss@example.com"]
    assert kept["linus@example.com"][EXT].get("managerExternalId") == "boss-1"
    assert [kept[email][EXT]["license"] for email in PEOPLE[:3]] == [["zoe"]] * 3
    assert kept["ken@example.com"]["title"] == "Engineer"
    assert sorted(m["value"] for m in sim.team(team)["members"]) == \
        sorted(kept[email]["id"] for email in ("linus@example.com", "ken@example.com"))

    sim.clear_log()
    rerun = run_playbook(PLAYBOOK, sim, tmp_path=tmp_path)
    assert rerun.rc == 0, rerun.summary()
    assert rerun.changed_tasks() == [] and sim.writes() == []
