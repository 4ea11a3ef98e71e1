# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""totango_group_members through ansible-playbook against the simulator, proven from its request log."""

from __future__ import annotations

from collections import namedtuple
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
import requests

from tests.integration.harness import run_playbook
from tests.simulator.defaults import TEST_SECRETS

PLAYBOOKS = Path(__file__).resolve().parent / "playbooks" / "totango_group_members"
MEMBERS = PLAYBOOKS / "members.yml"
TASK = "Set team members"

# What the three phases produced: check mode's result, the real run's result, and the real run's request log.
Phases = namedtuple("Phases", "predicted result log")


# -- helpers -----------------------------------------------------------------------------------


def seed(sim, emails, team_id=None):
    """Users (by e-mail) in team_id, or in the default team; returns {email: id}."""
    bodies = [{"userName": email, "name": {"givenName": "Given", "familyName": "Family"}} for email in emails]
    if team_id is not None:
        for body in bodies:
            body["groups"] = [{"value": team_id}]
    return {res["userName"]: res["id"] for res in sim.seed_users(bodies)}


def emails(prefix, count):
    return ["%s%03d@example.com" % (prefix, n) for n in range(count)]


def scim_get(sim, path):
    """An independent read over HTTP, not through the module."""
    response = requests.get(sim.scim_url + path, headers={"app-token": sim.app_token}, timeout=10)
    response.raise_for_status()
    return response.json()


def team_member_ids(sim, team_id):
    return sorted(m["value"] for m in scim_get(sim, "/Groups/%s" % team_id)["members"])


def run(sim, tmp_path, team, members, state="present", **kwargs):
    sim.clear_log()
    extra = {"team": team, "members": members, "members_state": state, "report_members": kwargs.pop("report", False)}
    return run_playbook(MEMBERS, sim, extra_vars=extra, tmp_path=tmp_path, **kwargs)


def pairs(entries):
    return [(entry["method"], entry["path"]) for entry in entries]


def check_apply_rerun(sim, tmp_path, team, members, state, report=False):
    """Check mode, apply, rerun: the phases every change goes through, each proven from the request log."""
    check = run(sim, tmp_path, team, members, state, check=True, diff=True, report=report)
    assert check.rc == 0, check.summary()
    predicted = check.task(TASK)
    assert predicted["changed"] is True
    assert sim.writes() == [], "check mode must not write"

    applied = run(sim, tmp_path, team, members, state, diff=True, report=report)
    assert applied.rc == 0, applied.summary()
    result = applied.task(TASK)
    applied_log = sim.log()
    assert result["changed"] is True
    for key in ("diff", "added", "removed", "member_count", "team", "action"):
        assert result[key] == predicted[key], key
    assert len(sim.writes()) == 1, pairs(applied_log)

    rerun = run(sim, tmp_path, team, members, state, diff=True, report=report)
    assert rerun.rc == 0, rerun.summary()
    again = rerun.task(TASK)
    assert again["changed"] is False
    assert again["added"] == [] and again["removed"] == []
    assert again["member_count"] == result["member_count"] and again.get("members") == result.get("members")
    assert sim.writes() == [], "an unchanged team must not be written"
    return Phases(predicted, result, applied_log)


# -- present -----------------------------------------------------------------------------------


def test_add_two_by_email_to_a_team_by_name(sim, tmp_path):
    team_id = sim.add_team("Sales")
    seed(sim, ["ann@example.com"], team_id)
    ids = seed(sim, ["bob@example.com", "cat@example.com"])

    predicted, result, log = check_apply_rerun(sim, tmp_path, "sales", ["Bob@Example.com", "cat@example.com"], "present")

    assert predicted["diff"] == {
        "before": {"team": "Sales", "members": ["ann@example.com"]},
        "after": {"team": "Sales", "members": ["ann@example.com", "bob@example.com", "cat@example.com"]},
    }
    assert result["added"] == ["bob@example.com", "cat@example.com"]
    assert result["removed"] == []
    assert result["team"] == {"id": team_id, "name": "Sales"}
    assert result["action"] == "patch_add"
    # One listing of /Groups finds the team and tells the new members' ids (they are in the default team);
    # then one PATCH. No user lookups, no re-read after the write.
    assert pairs(log) == [("GET", "/Groups"), ("PATCH", "/Groups/%s" % team_id)]
    assert team_member_ids(sim, team_id) == sorted([sim.user("ann@example.com")["id"], *ids.values()])


def test_add_two_by_email_to_a_team_by_id(sim, tmp_path):
    team_id = sim.add_team("Sales")
    seed(sim, ["ann@example.com"], team_id)
    seed(sim, ["bob@example.com", "cat@example.com"])

    phases = check_apply_rerun(sim, tmp_path, team_id, ["bob@example.com", "cat@example.com"], "present")
    result, log = phases.result, phases.log

    assert result["added"] == ["bob@example.com", "cat@example.com"]
    # GET the team, one filter GET per e-mail not in it, one PATCH.
    assert pairs(log) == [("GET", "/Groups/%s" % team_id), ("GET", "/Users"), ("GET", "/Users"),
                          ("PATCH", "/Groups/%s" % team_id)]
    queries = [unquote_plus(entry["query"]) for entry in log if entry["path"] == "/Users"]
    assert ['filter=userName eq "bob@example.com"' in q for q in queries] == [True, False]
    assert 'filter=userName eq "cat@example.com"' in queries[1]
    assert len(team_member_ids(sim, team_id)) == 3


def test_add_users_in_no_team_given_by_id_and_email(sim, tmp_path):
    team_id = sim.add_team("Sales")
    other = sim.add_team("Other")
    ids = seed(sim, ["dan@example.com", "eve@example.com"], other)
    # Take them out of every team, so no team listing can tell who they are.
    requests.patch(sim.scim_url + "/Groups/%s" % other, headers={"app-token": sim.app_token}, timeout=10,
                   json={"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                         "Operations": [{"op": "remove", "path": "members",
                                         "value": [{"value": i} for i in ids.values()]}]}).raise_for_status()

    phases = check_apply_rerun(sim, tmp_path, "Sales", [ids["dan@example.com"], "eve@example.com"], "present")
    result, log = phases.result, phases.log

    assert result["added"] == ["dan@example.com", "eve@example.com"]
    expected = [("GET", "/Groups"), ("GET", "/Users/%s" % ids["dan@example.com"]), ("GET", "/Users"),
                ("PATCH", "/Groups/%s" % team_id)]
    assert sorted(pairs(log)) == sorted(expected)
    assert team_member_ids(sim, team_id) == sorted(ids.values())


def test_many_unknown_members_are_found_by_listing_users_page_by_page(sim, tmp_path):
    team_id = sim.add_team("Big launch")
    seed(sim, emails("user", 150))
    wanted = emails("user", 25)  # more than the lookup threshold, all on the first page of /Users

    phases = check_apply_rerun(sim, tmp_path, team_id, wanted, "present")
    result, log = phases.result, phases.log

    assert len(result["added"]) == 25
    # GET the team, the first page of /Users (it holds all 25: the listing stops there), one PATCH.
    assert pairs(log) == [("GET", "/Groups/%s" % team_id), ("GET", "/Users"), ("PATCH", "/Groups/%s" % team_id)]
    assert len(team_member_ids(sim, team_id)) == 25


# -- absent and exact ----------------------------------------------------------------------------


def test_absent_removes_listed_members_and_skips_non_members(sim, tmp_path):
    team_id = sim.add_team("Sales")
    ids = seed(sim, ["ann@example.com", "bob@example.com", "cat@example.com"], team_id)
    seed(sim, ["outsider@example.com"])
    members = ["ann@example.com", ids["bob@example.com"], "outsider@example.com", "nobody@example.com"]

    predicted, result, log = check_apply_rerun(sim, tmp_path, team_id, members, "absent")

    assert result["removed"] == ["ann@example.com", "bob@example.com"]
    assert result["added"] == []
    assert result["action"] == "patch_remove"
    assert predicted["diff"]["after"]["members"] == ["cat@example.com"]
    # The team's member displays are e-mails, so no user needs looking up: one GET, one PATCH.
    assert pairs(log) == [("GET", "/Groups/%s" % team_id), ("PATCH", "/Groups/%s" % team_id)]
    assert team_member_ids(sim, team_id) == [ids["cat@example.com"]]


def test_exact_with_adds_and_removes_is_one_put(sim, tmp_path):
    team_id = sim.add_team("Sales")
    ids = seed(sim, ["ann@example.com", "bob@example.com"], team_id)
    new = seed(sim, ["cat@example.com"])

    predicted, result, log = check_apply_rerun(sim, tmp_path, "Sales", ["bob@example.com", "cat@example.com"], "exact")

    assert result["action"] == "put"
    assert result["added"] == ["cat@example.com"] and result["removed"] == ["ann@example.com"]
    assert predicted["diff"] == {"before": {"team": "Sales", "members": ["ann@example.com", "bob@example.com"]},
                                 "after": {"team": "Sales", "members": ["bob@example.com", "cat@example.com"]}}
    assert pairs(log) == [("GET", "/Groups"), ("PUT", "/Groups/%s" % team_id)]
    assert team_member_ids(sim, team_id) == sorted([ids["bob@example.com"], new["cat@example.com"]])
    assert scim_get(sim, "/Groups/%s" % team_id)["displayName"] == "Sales"


def test_exact_on_a_team_of_more_than_100_members(sim, tmp_path):
    team_id = sim.add_team("Everyone")
    old = emails("old", 130)
    seed(sim, old, team_id)
    new = emails("new", 3)
    seed(sim, new)
    wanted = old[5:] + new  # 125 kept, 5 removed, 3 added

    predicted, result, log = check_apply_rerun(sim, tmp_path, team_id, wanted, "exact")

    assert result["removed"] == old[:5]
    assert result["added"] == new
    assert result["member_count"] == 128 and "members" not in result, "the count, not 128 members"
    assert len(predicted["diff"]["before"]["members"]) == 130
    assert [entry["method"] for entry in log] == ["GET"] * 4 + ["PUT"]  # the team, three new e-mails, one PUT
    read = scim_get(sim, "/Groups/%s" % team_id)["members"]
    assert sorted(m["display"] for m in read) == sorted(wanted)


def test_a_large_team_is_sized_for_awx_in_diff_result_and_invocation(sim, tmp_path):
    # 260 members and 60 to add: the diff shows who joins (not all 320), the result the first 50 of them
    # with the total, and the invocation counts the 60 e-mails given instead of echoing them.
    team_id = sim.add_team("Everyone")
    seed(sim, emails("old", 260), team_id)
    new = emails("new", 60)
    seed(sim, new)

    predicted, result, _log = check_apply_rerun(sim, tmp_path, team_id, new, "present")

    unchanged = "260 members who stay are not shown"
    assert predicted["diff"] == {
        "before": {"team": "Everyone", "member_count": 260, "members": [], "unchanged": unchanged},
        "after": {"team": "Everyone", "member_count": 320, "members": new, "unchanged": unchanged}}
    assert result["added"] == new[:50] and result["added_total"] == 60
    assert result["removed"] == [] and result["removed_total"] == 0 and result["member_count"] == 320
    # ansible-core 2.21 returns no invocation unless INJECT_INVOCATION is set: then nothing is echoed at all
    invocation = result.get("invocation")
    assert invocation is None or invocation["module_args"]["members"] == "60 entries, not echoed back", invocation
    assert len(team_member_ids(sim, team_id)) == 320


@pytest.mark.parametrize("mode", ["empty", "full"])
def test_group_patch_response_modes(sim, tmp_path, mode):
    sim.configure(group_patch_response=mode)
    team_id = sim.add_team("Sales")
    seed(sim, ["ann@example.com"], team_id)
    seed(sim, ["bob@example.com"])

    added = check_apply_rerun(sim, tmp_path, team_id, ["bob@example.com"], "present", report=True).result
    assert [m["user_name"] for m in added["members"]] == ["ann@example.com", "bob@example.com"]

    removed = check_apply_rerun(sim, tmp_path, team_id, ["ann@example.com"], "absent", report=True).result
    assert [m["user_name"] for m in removed["members"]] == ["bob@example.com"]
    assert [m["display"] for m in scim_get(sim, "/Groups/%s" % team_id)["members"]] == ["bob@example.com"]


def test_a_user_created_with_a_minimal_create_response_can_be_added(sim, tmp_path):
    sim.configure(create_response="minimal")
    team_id = sim.add_team("Sales")
    extra = {"team": "Sales", "new_user": "fresh@example.com"}
    first = run_playbook(PLAYBOOKS / "onboard_then_add.yml", sim, extra_vars=extra, tmp_path=tmp_path)
    assert first.rc == 0, first.summary()
    assert first.task("Add the user to the team")["added"] == ["fresh@example.com"]
    assert team_member_ids(sim, team_id) == [sim.user("fresh@example.com")["id"]]
    sim.clear_log()
    second = run_playbook(PLAYBOOKS / "onboard_then_add.yml", sim, extra_vars=extra, tmp_path=tmp_path)
    assert second.rc == 0, second.summary()
    assert second.changed_tasks() == [] and sim.writes() == []


# -- failures --------------------------------------------------------------------------------------


@pytest.mark.parametrize("team", ["No such team", "99999"])
def test_unknown_team_fails_clearly_with_zero_writes(sim, tmp_path, team):
    sim.add_team("Sales")
    seed(sim, ["ann@example.com"])
    result = run(sim, tmp_path, team, ["ann@example.com"])
    assert result.rc != 0
    failed = result.task(TASK)
    assert result.record(TASK)["failed"] is True
    assert failed["msg"].startswith("team: no team with id or name %r exists" % team), failed["msg"]
    assert "Sales" in failed["msg"]
    assert sim.writes() == []


@pytest.mark.parametrize("team_ref", ["name", "id"])
def test_unknown_member_email_fails_clearly_with_zero_writes(sim, tmp_path, team_ref):
    team_id = sim.add_team("Sales")
    seed(sim, ["ann@example.com"])
    team = "Sales" if team_ref == "name" else team_id
    result = run(sim, tmp_path, team, ["ann@example.com", "ghost@example.com"], "exact")
    assert result.rc != 0
    failed = result.task(TASK)
    assert failed["msg"] == "members: no Totango user exists with e-mail or id ghost@example.com (members[1])"
    assert sim.writes() == []
    assert team_member_ids(sim, team_id) == []


def test_bad_member_entry_fails_before_any_request(sim, tmp_path):
    sim.add_team("Sales")
    result = run(sim, tmp_path, "Sales", ["ann@example.com", "ann@"])
    assert result.rc != 0
    assert result.task(TASK)["msg"].startswith("members[1]: 'ann@' is not a valid e-mail address")
    assert sim.log() == []


def test_no_secret_in_verbose_output(sim, tmp_path):
    team_id = sim.add_team("Sales")
    seed(sim, ["ann@example.com"])
    result = run(sim, tmp_path, team_id, ["ann@example.com"], verbosity=3, diff=True)
    assert result.rc == 0, result.summary()
    output = result.stdout + result.stderr
    for secret in TEST_SECRETS:
        assert secret not in output
