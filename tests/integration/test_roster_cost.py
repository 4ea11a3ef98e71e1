# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Cost follows the work, not the tenant: totango_users and the roles against a seeded tenant, over HTTP.

Every count comes from the simulator's request log and from the work itself: a lookup per listed user
not on the first page (or the remaining pages, when fewer), one read of the teams when a new team is
named, one write per user that changes, one write per team that loses a leaver. Check mode predicts
the real run, and the rerun writes nothing. Also: the audit trail of a run in which some users fail,
unknown leavers, and the offboarding role under --start-at-task and --tags.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.harness import run_playbook
from tests.integration.phases import check_apply_rerun, run_task, write_pairs

PLAYBOOKS = Path(__file__).resolve().parent / "playbooks"
ONBOARDING = PLAYBOOKS / "roles" / "onboarding.yml"
OFFBOARDING = PLAYBOOKS / "roles" / "offboarding.yml"
ROSTER = PLAYBOOKS / "totango_users" / "roster.yml"
ROSTER_TASK = "Reconcile the roster"
ONBOARD_TASK = "scimops.totango.onboarding : Create or update the people to onboard"
OFFBOARD_TASK = "scimops.totango.offboarding : Disable the leavers and take them out of their teams"
EXT = "urn:ietf:params:scim:schemas:totango:1.0:User"
TEAMS = 20
TENANT = 3000  # 30 pages: enough for a listing to cost far more than the work


def email(i):
    return "person%05d@example.com" % i


def seed_tenant(sim, count=TENANT):
    """count active users, the i-th in 1 to 3 of the 20 teams; returns the team ids."""
    teams = [sim.add_team("Team %02d" % t) for t in range(TEAMS)]
    sim.seed_users([{"userName": email(i), "name": {"givenName": "P", "familyName": "N%d" % i}, "title": "Analyst",
                     "active": True, "groups": [{"value": teams[(i + k) % TEAMS]} for k in range(1 + i % 3)],
                     EXT: {"license": ["zoe"]}} for i in range(count)])
    return teams


def requests_of(log):
    return len(log)


def hire(i):
    return {"user_name": "hire%02d@example.com" % i, "given_name": "New", "family_name": "Hire%d" % i,
            "teams": [{"name": "Team 03", "role": "Member"}]}


# -- the reading strategy ---------------------------------------------------------------------


def test_onboarding_one_hire_into_a_large_tenant_costs_a_lookup_the_teams_and_the_post(sim, tmp_path):
    seed_tenant(sim)
    phases = check_apply_rerun(sim, tmp_path, ONBOARDING, ONBOARD_TASK, extra_vars={"people": [hire(1)]})
    assert phases.result["created"] == 1 and phases.result["diff"] == phases.predicted["diff"]
    assert phases.result["users"] == phases.predicted["users"]
    paths = [(entry["method"], entry["path"]) for entry in phases.log]
    assert sorted(paths) == [("GET", "/Groups"), ("GET", "/Users"), ("POST", "/Users")]
    assert requests_of(phases.log) == 3, "1 lookup + 1 team listing + 1 POST, whatever the tenant's size"


def test_five_hires_cost_the_first_page_five_lookups_the_teams_and_five_posts(sim, tmp_path):
    seed_tenant(sim)
    phases = check_apply_rerun(sim, tmp_path, ONBOARDING, ONBOARD_TASK,
                               extra_vars={"people": [hire(i) for i in range(5)]})
    assert phases.result["created"] == 5 and phases.result["diff"] == phases.predicted["diff"]
    assert requests_of(phases.log) == 1 + 5 + 1 + 5
    assert len(phases.writes) == 5


def test_five_updates_cost_the_first_page_five_lookups_and_five_patches(sim, tmp_path):
    seed_tenant(sim)
    roster = [{"user_name": email(1000 + 7 * i), "title": "Lead"} for i in range(5)]
    phases = check_apply_rerun(sim, tmp_path, ROSTER, ROSTER_TASK, extra_vars={"roster": roster})
    assert phases.result["counts"] == phases.predicted["counts"] == {
        "created": 0, "updated": 5, "renamed": 0, "disabled": 0, "unchanged": 0, "failed": 0}
    assert phases.result["diff"] == phases.predicted["diff"]
    assert requests_of(phases.log) == 1 + 5 + 5
    assert sorted(method for method, _path in phases.writes) == ["PATCH"] * 5
    assert all(sim.user(entry["user_name"])["title"] == "Lead" for entry in roster)


def test_when_the_remaining_pages_cost_less_than_the_lookups_they_are_read(sim, tmp_path):
    seed_tenant(sim, count=300)  # the first page, then 2 pages left
    roster = [{"user_name": email(150 + i), "title": "Lead" if i < 2 else "Analyst"} for i in range(3)]
    phases = check_apply_rerun(sim, tmp_path, ROSTER, ROSTER_TASK, extra_vars={"roster": roster})
    reads = [entry["query"] for entry in phases.log if entry["method"] == "GET"]
    assert len(reads) == 3 and not any("filter" in query for query in reads), "3 pages, not 1 page + 3 lookups"
    assert phases.result["counts"]["updated"] == 2 and phases.result["counts"]["unchanged"] == 1
    assert [entry["user_name"] for entry in phases.result["users"]] == [email(150), email(151)]


# -- the offboarding role ----------------------------------------------------------------------


def user_teams(sim, user_name):
    return sorted(group["value"] for group in sim.user(user_name).get("groups") or [])


def test_offboarding_one_leaver_costs_a_lookup_the_disable_and_one_write_per_team(sim, tmp_path):
    seed_tenant(sim)
    leaver = email(1502)  # in three teams
    teams = user_teams(sim, leaver)
    assert len(teams) == 3
    phases = check_apply_rerun(sim, tmp_path, OFFBOARDING, OFFBOARD_TASK, extra_vars={"leavers": [leaver]})
    assert phases.result["diff"] == phases.predicted["diff"] and phases.result["teams"] == phases.predicted["teams"]
    user_id = sim.user(leaver)["id"]
    assert phases.writes[0] == ("PATCH", "/Users/%s" % user_id), "disabled before leaving any team"
    assert sorted(phases.writes[1:]) == sorted(("PATCH", "/Groups/%s" % team) for team in teams)
    assert requests_of(phases.log) == 1 + 1 + 3
    assert sim.user(leaver)["active"] is False and not sim.user(leaver).get("groups")
    assert all(user_id not in [m["value"] for m in sim.team(team)["members"]] for team in teams)


def test_offboarding_ten_leavers_write_once_per_affected_team(sim, tmp_path):
    seed_tenant(sim)
    leavers = [email(2000 + 3 * i) for i in range(10)]  # each in three teams, many shared
    affected = set(team for leaver in leavers for team in user_teams(sim, leaver))
    phases = check_apply_rerun(sim, tmp_path, OFFBOARDING, OFFBOARD_TASK,
                               extra_vars={"leavers": leavers, "max_disable": 10})
    assert phases.result["disabled"] == 10 and phases.result["teams"] == phases.predicted["teams"]
    group_writes = sorted(path for method, path in phases.writes if path.startswith("/Groups/"))
    assert group_writes == sorted("/Groups/%s" % team for team in affected), "one PATCH per team, with every leaver"
    assert requests_of(phases.log) == 1 + 10 + 10 + len(affected)
    assert all(not sim.user(leaver).get("groups") and sim.user(leaver)["active"] is False for leaver in leavers)


def test_an_unknown_leaver_is_named_with_a_warning_or_stops_the_run_before_any_write(sim, tmp_path):
    seed_tenant(sim, count=50)
    leavers = [email(7), "barbara.liskvo@example.com"]
    warned = run_playbook(OFFBOARDING, sim, tmp_path=tmp_path, check=True, extra_vars={"leavers": leavers})
    assert warned.rc == 0, warned.summary()
    task = warned.task(OFFBOARD_TASK)
    assert task["not_found"] == ["barbara.liskvo@example.com"] and task["not_found_total"] == 1
    # named in not_found (capped, with its total), not also one entry each: thousands of typos stay AWX-sized
    assert "barbara.liskvo@example.com" not in [entry["user_name"] for entry in task["users"]]
    assert any("barbara.liskvo@example.com" in warning for warning in task["warnings"])
    assert "not in Totango (check the e-mails): barbara.liskvo@example.com." in warned.stdout

    sim.clear_log()
    refused = run_playbook(OFFBOARDING, sim, tmp_path=tmp_path, extra_vars={"leavers": leavers, "unknown": "fail"})
    assert refused.rc != 0
    stop = refused.task("scimops.totango.offboarding : Stop when the leavers were refused before any write")["msg"]
    assert "barbara.liskvo@example.com" in stop and "offboarding_unknown=fail" in stop, stop
    assert sim.writes() == [] and sim.user(email(7))["active"] is True

    sim.clear_log()
    ignored = run_playbook(OFFBOARDING, sim, tmp_path=tmp_path, extra_vars={"leavers": leavers, "unknown": "ignore"})
    assert ignored.rc == 0, ignored.summary()
    assert not ignored.task(OFFBOARD_TASK).get("warnings")
    assert "not in Totango (check the e-mails): barbara.liskvo@example.com." in ignored.stdout
    assert sim.user(email(7))["active"] is False


@pytest.mark.parametrize("how", [
    ["--start-at-task", "scimops.totango.offboarding : Report what offboarding did"],
    ["--start-at-task", "scimops.totango.offboarding : Fail for the leavers who could not be offboarded"],
    ["--start-at-task", "scimops.totango.offboarding : Publish the plan id"],
    ["--tags", "never-tagged"],
])
def test_offboarding_under_start_at_task_or_tags_never_takes_an_active_leaver_out_of_a_team(sim, tmp_path, how):
    seed_tenant(sim, count=50)
    leaver = email(5)
    sim.clear_log()
    result = run_playbook(OFFBOARDING, sim, tmp_path=tmp_path, extra_vars={"leavers": [leaver]}, extra_args=how)
    assert result.rc == 0, result.summary()
    assert sim.writes() == [], "no step ran without the disabling"
    assert sim.user(leaver)["active"] is True and user_teams(sim, leaver)


@pytest.mark.parametrize("task", ["Publish the plan id", "Report what onboarding did"])
def test_onboarding_under_start_at_task_after_its_write_does_nothing_and_does_not_fail(sim, tmp_path, task):
    seed_tenant(sim, count=5)
    sim.clear_log()
    people = [{"user_name": "new.hire@example.com", "given_name": "New", "family_name": "Hire"}]
    result = run_playbook(ONBOARDING, sim, tmp_path=tmp_path, extra_vars={"people": people},
                          extra_args=["--start-at-task", "scimops.totango.onboarding : " + task])
    assert result.rc == 0, result.summary()
    assert sim.log() == [] and sim.user("new.hire@example.com") is None


# -- the audit trail of a partly failed run ------------------------------------------------------


def test_a_failed_roster_task_keeps_what_it_wrote_for_the_others_in_its_result(sim, tmp_path):
    seed_tenant(sim, count=50)
    sim.seed_users([{"userName": "boss@example.com", "name": {"givenName": "B", "familyName": "Oss"},
                     "title": "CEO", EXT: {"isAdmin": True}}])
    sim.configure(allow_global_admin=False)  # Totango refuses changes to global admins: the boss's write is a 403
    roster = [{"user_name": email(3), "title": "Lead"}, {"user_name": "boss@example.com", "title": "Chair"},
              {"user_name": email(4), "title": "Manager"}, {"user_name": email(5)}]
    run, task = run_task(sim, tmp_path, ROSTER, ROSTER_TASK, verbosity=1, extra_vars={"roster": roster})
    assert run.rc != 0 and run.record(ROSTER_TASK)["failed"] is True
    assert task["counts"] == {"created": 0, "updated": 2, "renamed": 0, "disabled": 0, "unchanged": 1, "failed": 1}
    by_name = {entry["user_name"]: entry for entry in task["users"]}
    assert sorted(by_name) == sorted([email(3), "boss@example.com", email(4)]), "the unchanged are only counted"
    assert by_name[email(3)]["before"] == {"title": "Analyst"} and by_name[email(3)]["after"] == {"title": "Lead"}
    assert by_name[email(4)]["after"] == {"title": "Manager"} and by_name[email(4)]["changed"] is True
    boss = by_name["boss@example.com"]
    assert boss["failed"] is True and "HTTP 403" in boss["msg"] and "before" not in boss, "nothing written for him"
    assert len(write_pairs(sim)) == 3
    # What -v shows of the failed task (and AWX stores in its job event) holds the trail, though no diff is shown.
    assert '"after": {"title": "Lead"}' in run.stdout and '"after": {"title": "Manager"}' in run.stdout


def test_a_team_that_refuses_its_write_keeps_its_leavers_who_fail_with_the_disable_on_record(sim, tmp_path):
    teams = seed_tenant(sim, count=50)
    leavers = [email(2), email(21)]  # 2: teams 2, 3 and 4; 21: team 1 only
    refusing = teams[4]
    sim.configure(faults={"script": [{"fault": "500", "method": "PATCH", "path": "^/Groups/%s$" % refusing,
                                      "times": 20}]})
    sim.clear_log()
    run = run_playbook(OFFBOARDING, sim, tmp_path=tmp_path, extra_vars={"leavers": leavers, "max_retries": 0})
    assert run.rc != 0
    task = run.task(OFFBOARD_TASK)
    by_name = {entry["user_name"]: entry for entry in task["users"]}
    assert by_name[email(2)]["failed"] is True and "still in team Team 04" in by_name[email(2)]["msg"]
    kept = [{"id": refusing, "name": "Team 04", "role": "Member"}]
    assert by_name[email(2)]["after"] == {"active": False, "teams": kept}
    assert by_name[email(21)]["failed"] is False and by_name[email(21)]["after"] == {"active": False, "teams": []}
    assert user_teams(sim, email(2)) == [refusing] and sim.user(email(2))["active"] is False
    assert [team for team in task["teams"] if team.get("failed")] == [
        {"id": refusing, "name": "Team 04", "removed": [], "removed_total": 0, "failed": True,
         "msg": task["teams"][[t["id"] for t in task["teams"]].index(refusing)]["msg"]}]
    fail = run.task("scimops.totango.offboarding : Fail for the leavers who could not be offboarded")["msg"]
    assert email(2) in fail and email(21) not in fail
