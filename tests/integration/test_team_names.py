# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Team names that differ only in case ("Sales" and "SALES" are two teams in Totango), through every module.

One matcher decides everywhere: an id, else the exact name, else a case-insensitive name only when one
team has it. Each case runs check mode, the real run and the rerun against the simulator over HTTP.
"""

from __future__ import annotations

import pytest

from tests.integration.harness import run_playbook, task_playbook
from tests.integration.phases import check_apply_rerun, run_task, write_pairs

ANN = "ann@example.com"

USER_PLAYBOOK = task_playbook("""
    - name: Set the teams
      scimops.totango.totango_user:
        user_name: ann@example.com
        teams: "{{ teams }}"
""")

ROSTER_PLAYBOOK = task_playbook("""
    - name: Set the teams
      scimops.totango.totango_users:
        users:
          - user_name: ann@example.com
            teams: "{{ teams }}"
""")

MEMBERS_PLAYBOOK = task_playbook("""
    - name: Set the teams
      scimops.totango.totango_group_members:
        team: "{{ team }}"
        members: [ann@example.com]
""")


@pytest.fixture
def twins(sim):
    """Teams "Sales" and "SALES"; Ann is in SALES only. Returns (id of Sales, id of SALES)."""
    sales = sim.add_team("Sales")
    shouting = sim.add_team("SALES")
    sim.seed_users([{"userName": ANN, "name": {"givenName": "Ann", "familyName": "Lee"},
                     "groups": [{"value": shouting}]}])
    return sales, shouting


def team_ids(sim, email=ANN):
    return sorted(group["value"] for group in sim.user(email)["groups"])


def test_a_user_in_sales_asking_for_sales_moves_to_the_team_of_that_exact_name(sim, tmp_path, twins):
    sales, shouting = twins
    extra = {"teams": [{"name": "Sales"}]}
    phases = check_apply_rerun(sim, tmp_path, USER_PLAYBOOK, "Set the teams", extra)

    assert phases.predicted["changed"] is True
    assert phases.predicted["diff"] == phases.result["diff"]
    assert [t["id"] for t in phases.result["diff"]["before"]["teams"]] == [shouting]
    assert [t["id"] for t in phases.result["diff"]["after"]["teams"]] == [sales]
    user_id = sim.user(ANN)["id"]
    assert phases.writes == [("PATCH", "/Users/%s" % user_id)]
    assert team_ids(sim) == [sales]
    # The rerun matches Ann's own team by its exact name: one read, no listing of /Groups.
    assert [entry["path"] for entry in sim.log()] == ["/Users"]


def test_both_case_twins_can_be_listed_for_one_user(sim, tmp_path, twins):
    sales, shouting = twins
    extra = {"teams": [{"name": "Sales"}, {"name": "SALES", "role": "Team Admin"}]}
    for playbook in (USER_PLAYBOOK, ROSTER_PLAYBOOK):
        phases = check_apply_rerun(sim, tmp_path, playbook, "Set the teams", extra)
        assert phases.predicted["diff"] == phases.result["diff"]
        assert team_ids(sim) == sorted([sales, shouting])
        roles = {group["value"]: group.get("teamrole") for group in sim.user(ANN)["groups"]}
        assert roles[shouting] == "Team Admin"
        # Back to SALES only, for the roster's turn.
        run, _result = run_task(sim, tmp_path, USER_PLAYBOOK, "Set the teams", extra_vars={"teams": [{"id": shouting}]})
        assert run.rc == 0, run.summary()


def test_the_roster_moves_a_user_from_sales_to_sales_too(sim, tmp_path, twins):
    sales, _shouting = twins
    phases = check_apply_rerun(sim, tmp_path, ROSTER_PLAYBOOK, "Set the teams", {"teams": [{"name": "Sales"}]})
    assert phases.predicted["updated"] == phases.result["updated"] == 1
    assert phases.predicted["diff"] == phases.result["diff"]
    assert phases.writes == [("PATCH", "/Users/%s" % sim.user(ANN)["id"])]
    assert team_ids(sim) == [sales]


@pytest.mark.parametrize("playbook, extra", [
    (USER_PLAYBOOK, {"teams": [{"name": "sales"}]}),
    (ROSTER_PLAYBOOK, {"teams": [{"name": "sales"}]}),
    (MEMBERS_PLAYBOOK, {"team": "sales"}),
], ids=["totango_user", "totango_users", "totango_group_members"])
def test_a_name_both_twins_match_only_case_insensitively_is_refused_everywhere(sim, tmp_path, twins, playbook, extra):
    sales, shouting = twins
    for check in (True, False):
        sim.clear_log()
        run = run_playbook(playbook, sim, tmp_path=tmp_path, check=check, extra_vars=extra)
        assert run.rc != 0, run.summary()
        msg = run.task("Set the teams")["msg"]
        assert "several teams" in msg and sales in msg and shouting in msg, msg
        assert write_pairs(sim) == []
    assert team_ids(sim) == [shouting]


def test_group_members_takes_the_team_of_the_exact_name(sim, tmp_path, twins):
    sales, shouting = twins
    phases = check_apply_rerun(sim, tmp_path, MEMBERS_PLAYBOOK, "Set the teams", {"team": "Sales"})
    assert phases.predicted["team"] == phases.result["team"] == {"id": sales, "name": "Sales"}
    assert phases.predicted["added"] == phases.result["added"] == [ANN]
    assert phases.writes == [("PATCH", "/Groups/%s" % sales)]
    assert team_ids(sim) == sorted([sales, shouting])


def test_a_unique_name_in_another_case_still_matches(sim, tmp_path, twins):
    # "support" differs in case from one team only: used, as before.
    support = sim.add_team("Support")
    phases = check_apply_rerun(sim, tmp_path, USER_PLAYBOOK, "Set the teams", {"teams": [{"name": "support"}]})
    assert phases.predicted["diff"] == phases.result["diff"]
    assert team_ids(sim) == [support]
    # A name in another case than the team's is looked up on every run (its uniqueness needs the list). The last
    # read is the run's one check that a 204 server kept the teams given on the user (test_groups_fallback.py).
    assert [entry["path"] for entry in phases.log] == ["/Users", "/Groups", "/Users/%s" % sim.user(ANN)["id"], "/Users"]


LEAVE_PLAYBOOK = task_playbook("""
    - name: Offboard Ann
      scimops.totango.totango_users:
        users:
          - user_name: ann@example.com
            state: disabled
        leave_teams: true
        keep_teams: "{{ keep }}"
""")


def test_keep_teams_keeps_the_team_of_the_exact_name_not_its_case_twin(sim, tmp_path, twins):
    sales, shouting = twins
    run, _result = run_task(sim, tmp_path, USER_PLAYBOOK, "Set the teams",
                            extra_vars={"teams": [{"id": sales}, {"id": shouting}]})
    assert run.rc == 0, run.summary()
    sim.clear_log()
    phases = check_apply_rerun(sim, tmp_path, LEAVE_PLAYBOOK, "Offboard Ann", {"keep": ["Sales"]})
    assert phases.predicted["teams"] == phases.result["teams"]
    assert [team["id"] for team in phases.result["teams"]] == [shouting], "Ann leaves SALES, keeps Sales"
    user_id = sim.user(ANN)["id"]
    assert phases.writes == [("PATCH", "/Users/%s" % user_id), ("PATCH", "/Groups/%s" % shouting)]
    assert team_ids(sim) == [sales]
    assert "/Groups" not in [entry["path"] for entry in phases.log], "'Sales' is exactly one of Ann's teams: no listing"


def test_keep_teams_naming_both_twins_only_in_another_case_is_refused_before_any_write(sim, tmp_path, twins):
    sales, shouting = twins
    for check in (True, False):
        sim.clear_log()
        run = run_playbook(LEAVE_PLAYBOOK, sim, tmp_path=tmp_path, check=check, extra_vars={"keep": ["sales"]})
        assert run.rc != 0, run.summary()
        msg = run.task("Offboard Ann")["msg"]
        assert "keep_teams[0]" in msg and "several teams" in msg and sales in msg and shouting in msg, msg
        assert write_pairs(sim) == []
    assert sim.user(ANN).get("active") is not False and team_ids(sim) == [shouting]


def test_a_keep_teams_entry_that_names_no_team_is_refused_before_any_write(sim, tmp_path, twins):
    _sales, shouting = twins
    for check in (True, False):
        sim.clear_log()
        run = run_playbook(LEAVE_PLAYBOOK, sim, tmp_path=tmp_path, check=check, extra_vars={"keep": ["SALES", "Suport"]})
        assert run.rc != 0, run.summary()
        msg = run.task("Offboard Ann")["msg"]
        assert "keep_teams[1]" in msg and "'Suport'" in msg and "no team" in msg, msg
        assert write_pairs(sim) == []
    assert sim.user(ANN).get("active") is not False and team_ids(sim) == [shouting]
