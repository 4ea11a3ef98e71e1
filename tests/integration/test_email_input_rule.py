# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One input rule for e-mails at every entry point: surrounding whitespace trimmed, stored and compared lower-case.

One playbook gives each module and role an e-mail as a survey or a spreadsheet would ("Ann.Lee@Example.com "):
totango_user (user_name and manager_email), totango_users, totango_group_members (members by e-mail),
totango_user_info (the user_name filter), and the onboarding and offboarding roles. It runs three times
against the simulator over HTTP: --check --diff (no write, predicts the apply), apply, and the rerun
(nothing changed, no write). The simulator then holds every address lower-case and trimmed.
"""

from __future__ import annotations

from tests.integration.harness import run_playbook, task_playbook

PLAYBOOK = task_playbook("""
    - name: totango_user
      scimops.totango.totango_user:
        user_name: "Ann.Lee@Example.com "
        given_name: Ann
        family_name: Lee
        manager_email: " Boss@Example.com"

    - name: totango_users
      scimops.totango.totango_users:
        users:
          - user_name: "\\tBob.Ray@Example.COM\\n"
            given_name: Bob
            family_name: Ray
            manager_email: "BOSS@example.com "
        protected_users: [" Boss@Example.com "]

    - name: totango_group_members
      scimops.totango.totango_group_members:
        team: Sales
        members: ["EVE.VO@example.com ", " eve.vo@EXAMPLE.COM"]

    - name: totango_user_info
      scimops.totango.totango_user_info:
        user_name: " Eve.Vo@Example.com "
      register: info

    - name: the filter found the user
      ansible.builtin.assert:
        that:
          - info.count == 1
          - info.users[0].userName == 'eve.vo@example.com'

    - name: onboarding
      ansible.builtin.include_role:
        name: scimops.totango.onboarding
      vars:
        onboarding_users:
          - user_name: "Cat.Kim@Example.com "
            given_name: Cat
            family_name: Kim
            manager_email: " Ann.Lee@EXAMPLE.com"

    - name: offboarding
      ansible.builtin.include_role:
        name: scimops.totango.offboarding
      vars:
        offboarding_users: [" Dan.Wu@Example.COM "]
""", name="e-mails as people type them")

WRITING_TASKS = {
    "totango_user", "totango_users", "totango_group_members",
    "scimops.totango.onboarding : Create or update the people to onboard",
    "scimops.totango.offboarding : Disable the leavers and take them out of their teams",
}
EXT = "urn:ietf:params:scim:schemas:totango:1.0:User"


def seed(sim):
    sales = sim.add_team("Sales")
    sim.seed_users([
        {"userName": "boss@example.com", "name": {"givenName": "Big", "familyName": "Boss"}},
        {"userName": "eve.vo@example.com", "name": {"givenName": "Eve", "familyName": "Vo"}},
        {"userName": "dan.wu@example.com", "name": {"givenName": "Dan", "familyName": "Wu"}, "active": True,
         "groups": [{"value": str(sales)}]},
    ])
    sim.clear_log()
    return str(sales)


def writes(sim):
    return [(entry["method"], entry["path"]) for entry in sim.writes()]


def test_every_entry_point_trims_and_lower_cases_e_mails(sim, tmp_path):
    sales = seed(sim)

    checked = run_playbook(PLAYBOOK, sim, check=True, diff=True, tmp_path=tmp_path / "check")
    assert checked.rc == 0, checked.summary()
    assert writes(sim) == [], "check mode wrote"
    assert set(checked.changed_tasks()) == WRITING_TASKS, checked.changed_tasks()
    predicted = checked.task("totango_user")["diff"]["after"]
    assert predicted["user_name"] == "ann.lee@example.com" and predicted["manager_email"] == "boss@example.com"

    applied = run_playbook(PLAYBOOK, sim, diff=True, tmp_path=tmp_path / "apply")
    assert applied.rc == 0, applied.summary()
    assert set(applied.changed_tasks()) == WRITING_TASKS, applied.changed_tasks()
    assert applied.task("totango_user")["diff"] == checked.task("totango_user")["diff"]
    assert applied.task("totango_users")["diff"] == checked.task("totango_users")["diff"]
    assert applied.task("totango_user")["user"]["userName"] == "ann.lee@example.com"
    assert applied.task("totango_group_members")["added"] == ["eve.vo@example.com"]
    assert len([w for w in writes(sim) if w[0] == "POST"]) == 3  # Ann, Bob, Cat: one create each

    for user_name, manager in (("ann.lee@example.com", "boss@example.com"), ("bob.ray@example.com", "boss@example.com"),
                               ("cat.kim@example.com", "ann.lee@example.com")):
        stored = sim.user(user_name)
        assert stored["userName"] == user_name, stored
        assert stored[EXT]["managerEmail"] == manager, stored
    assert sim.user("dan.wu@example.com")["active"] is False
    assert [m["value"] for m in sim.team(sales)["members"]] == [sim.user("eve.vo@example.com")["id"]]
    assert len(sim.users()) == 6, "a spelling of an e-mail became a second user"

    sim.clear_log()
    rerun = run_playbook(PLAYBOOK, sim, diff=True, tmp_path=tmp_path / "rerun")
    assert rerun.rc == 0, rerun.summary()
    assert rerun.changed_tasks() == [] and rerun.stats["localhost"]["changed"] == 0
    assert writes(sim) == [], "the rerun wrote"
