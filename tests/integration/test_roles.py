# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The onboarding and offboarding roles through ansible-playbook against the simulator over HTTP.

Each phase is a separate run, proven from the simulator's request log: --check --diff (changed, the diff,
zero writes), apply (what check mode predicted, the expected writes), rerun (changed=0 in the recap, zero
writes), then an independent read over HTTP with plain requests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.integration.harness import run_playbook
from tests.simulator.defaults import TEST_SECRETS

PLAYBOOKS = Path(__file__).resolve().parent / "playbooks" / "roles"
ONBOARDING = PLAYBOOKS / "onboarding.yml"
OFFBOARDING = PLAYBOOKS / "offboarding.yml"

ONBOARD_TASK = "scimops.totango.onboarding : Create or update the people to onboard"
DISABLE_TASK = "scimops.totango.offboarding : Disable the leavers and take them out of their teams"
FAIL_TASK = "scimops.totango.offboarding : Fail for the leavers who could not be offboarded"
REPORT_TASK = "scimops.totango.offboarding : Report what offboarding did"
STOP_TASK = "scimops.totango.offboarding : Stop when the leavers were refused before any write"

PEOPLE = [
    {"user_name": "grace.hopper@example.com", "given_name": "Grace", "family_name": "Hopper",
     "title": "VP Customer Success", "license": "spark",
     "teams": [{"name": "Customer Success", "role": "Team Admin"}]},
    {"user_name": "Ada.Lovelace@Example.com", "given_name": "Ada", "family_name": "Lovelace",
     "license": "Zoe", "manager_email": "grace.hopper@example.com",
     "teams": [{"name": "customer success", "role": "Member"}, {"name": "Support", "role": "Member"}]},
    {"user_name": "alan.turing@example.com", "given_name": "Alan", "family_name": "Turing",
     "license": "viewer", "manager_email": "Grace.Hopper@example.com",
     "teams": [{"name": "Support", "role": "Team Admin"}]},
]
LEAVER = "alan.turing@example.com"
EXT = "urn:ietf:params:scim:schemas:totango:1.0:User"


# -- helpers --------------------------------------------------------------------

def seed_teams(sim):
    return {"Customer Success": sim.add_team("Customer Success"), "Support": sim.add_team("Support")}


def scim_get(sim, path, **params):
    """An independent read: plain requests against the SCIM API, not the collection's client."""
    response = requests.get(sim.scim_url + path, params=params, headers={"app-token": sim.app_token}, timeout=10)
    response.raise_for_status()
    return response.json()


def read_user(sim, user_name):
    found = scim_get(sim, "/Users", filter=f'userName eq "{user_name}"')["Resources"]
    assert len(found) == 1, found
    return found[0]


def read_team_member_ids(sim, team_id):
    return sorted(member["value"] for member in scim_get(sim, f"/Groups/{team_id}").get("members", []))


def writes(sim):
    return [(entry["method"], entry["path"]) for entry in sim.writes()]


def left_teams(task):
    """(team name, leavers removed) of each team an offboarding task took leavers out of."""
    return sorted((team["name"], team["removed"]) for team in task["teams"])


def recap_changed(result):
    return result.stats["localhost"]["changed"]


def assert_ok(result):
    assert result.rc == 0, result.summary()
    for secret in TEST_SECRETS:
        assert secret not in result.stdout and secret not in result.stderr


def module_defaults_vars(sim):
    return {"test_scim_url": sim.scim_url, "test_app_token": sim.app_token}


# The connection from module_defaults: no TOTANGO_* credential in the environment, and an empty SCIM URL.
NO_ENV_CONNECTION = {"TOTANGO_SCIM_URL": ""}


def onboard(sim, tmp_path, people=None, connection="env", **kwargs):
    extra_vars = {"people": PEOPLE if people is None else people}
    extra_vars.update(kwargs.pop("extra_vars", {}))
    if connection == "module_defaults":
        extra_vars.update(module_defaults_vars(sim))
        kwargs.update(auth=None, env=NO_ENV_CONNECTION)
    return run_playbook(ONBOARDING, sim, extra_vars=extra_vars, tmp_path=tmp_path, **kwargs)


def offboard(sim, tmp_path, leavers, connection="env", **kwargs):
    extra_vars = {"leavers": leavers}
    extra_vars.update(kwargs.pop("extra_vars", {}))
    if connection == "module_defaults":
        extra_vars.update(module_defaults_vars(sim))
        kwargs.update(auth=None, env=NO_ENV_CONNECTION)
    return run_playbook(OFFBOARDING, sim, extra_vars=extra_vars, tmp_path=tmp_path, **kwargs)


def onboard_everyone(sim, tmp_path):
    """Onboarding done (not under test here), the log cleared."""
    result = onboard(sim, tmp_path)
    assert_ok(result)
    sim.clear_log()


# -- onboarding -----------------------------------------------------------------

def run_onboarding_phases(sim, tmp_path, connection):
    teams = seed_teams(sim)

    # 1. check mode with diff: three creates predicted, nothing written
    checked = onboard(sim, tmp_path, connection=connection, check=True, diff=True)
    assert_ok(checked)
    task = checked.task(ONBOARD_TASK)
    assert task["changed"] is True
    assert (task["created"], task["updated"], task["unchanged"]) == (3, 0, 0)
    assert writes(sim) == []
    diff_by_user = {entry["before_header"]: entry for entry in task["diff"]}
    assert sorted(diff_by_user) == sorted(p["user_name"].lower() for p in PEOPLE)
    ada = diff_by_user["ada.lovelace@example.com"]
    assert ada["before"] == {}
    assert ada["after"]["active"] is True  # onboarding_activate: true by default
    assert ada["after"]["license"] == "zoe"
    assert ada["after"]["manager_email"] == "grace.hopper@example.com"
    assert [(t["name"], t["role"]) for t in sorted(ada["after"]["teams"], key=lambda t: t["name"])] == [
        ("Customer Success", "Member"), ("Support", "Member")]
    assert "ada.lovelace@example.com" in checked.stdout  # the diff is shown
    assert "Would create 3" in checked.stdout

    # 2. apply: the same changes, one POST per person, and nothing else written
    sim.clear_log()
    applied = onboard(sim, tmp_path, connection=connection, diff=True)
    assert_ok(applied)
    task = applied.task(ONBOARD_TASK)
    assert task["changed"] is True and task["created"] == 3
    assert task["diff"] == checked.task(ONBOARD_TASK)["diff"]
    assert writes(sim) == [("POST", "/Users")] * 3
    assert recap_changed(applied) == 1

    # 3. rerun: changed=0 in the recap, no write
    sim.clear_log()
    rerun = onboard(sim, tmp_path, connection=connection, diff=True)
    assert_ok(rerun)
    assert recap_changed(rerun) == 0
    assert rerun.task(ONBOARD_TASK)["unchanged"] == 3
    assert writes(sim) == []

    # 4. independent read
    grace, ada, alan = (read_user(sim, p["user_name"].lower()) for p in PEOPLE)
    for user in (grace, ada, alan):
        assert user["active"] is True
    assert grace[EXT]["license"] == ["spark"] and grace["title"] == "VP Customer Success"
    assert ada[EXT]["license"] == ["zoe"] and ada[EXT]["managerEmail"] == "grace.hopper@example.com"
    assert alan[EXT]["license"] == ["viewer"] and alan[EXT]["managerEmail"] == "grace.hopper@example.com"
    assert sorted((g["value"], g["teamrole"]) for g in ada["groups"]) == sorted(
        [(teams["Customer Success"], "Member"), (teams["Support"], "Member")])
    assert [(g["value"], g["teamrole"]) for g in alan["groups"]] == [(teams["Support"], "Team Admin")]
    return teams


def run_offboarding_phases(sim, tmp_path, connection, teams):
    alan_id = read_user(sim, LEAVER)["id"]
    sim.clear_log()

    # 1. check mode with diff: disable and leave Support predicted, nothing written
    checked = offboard(sim, tmp_path, [LEAVER], connection=connection, check=True, diff=True)
    assert_ok(checked)
    disable = checked.task(DISABLE_TASK)
    assert disable["changed"] is True and disable["disabled"] == 1
    support = teams["Support"]
    assert disable["diff"] == [{"before_header": LEAVER, "after_header": LEAVER + " (disable)",
                                "before": {"active": True,
                                           "teams": [{"id": support, "name": "Support", "role": "Team Admin"}]},
                                "after": {"active": False, "teams": []}}]
    assert left_teams(disable) == [("Support", [LEAVER])]
    assert writes(sim) == []
    assert [e["path"] for e in sim.reads()] == ["/Users"], "one lookup: no team listing"
    assert "Would disable 1 (0 already disabled), would take them out of 1 team(s)." in checked.stdout

    # 2. apply: one PATCH of the user, one PATCH of the one team that held them
    sim.clear_log()
    applied = offboard(sim, tmp_path, [LEAVER], connection=connection, diff=True)
    assert_ok(applied)
    assert applied.task(DISABLE_TASK)["diff"] == disable["diff"]
    assert applied.task(DISABLE_TASK)["users"] == disable["users"], "check mode predicts the run"
    assert left_teams(applied.task(DISABLE_TASK)) == [("Support", [LEAVER])]
    assert writes(sim) == [("PATCH", f"/Users/{alan_id}"), ("PATCH", f"/Groups/{support}")], "disabled first"
    assert len(sim.log()) == 3, "a lookup and two writes: no team listing, no re-read"

    # 3. rerun: changed=0, no write
    sim.clear_log()
    rerun = offboard(sim, tmp_path, [LEAVER], connection=connection, diff=True)
    assert_ok(rerun)
    assert recap_changed(rerun) == 0
    assert writes(sim) == []

    # 4. independent read: inactive and in no team; the others keep their teams
    alan = read_user(sim, LEAVER)
    assert alan["active"] is False
    assert not alan.get("groups")
    for team_id in teams.values():
        assert alan_id not in read_team_member_ids(sim, team_id)
    ada = read_user(sim, "ada.lovelace@example.com")
    assert ada["active"] is True and len(ada["groups"]) == 2


def test_roles_with_connection_from_module_defaults(sim, tmp_path):
    teams = run_onboarding_phases(sim, tmp_path, "module_defaults")
    run_offboarding_phases(sim, tmp_path, "module_defaults", teams)


def test_roles_with_connection_from_environment(sim, tmp_path):
    teams = run_onboarding_phases(sim, tmp_path, "env")
    run_offboarding_phases(sim, tmp_path, "env", teams)


def test_no_connection_fails_before_any_request(sim, tmp_path):
    seed_teams(sim)
    result = onboard(sim, tmp_path, auth=None)
    assert result.rc != 0
    assert "no credentials" in result.task(ONBOARD_TASK)["msg"]
    assert sim.log() == []


# -- onboarding: updates, re-activation, bad input ------------------------------------

def test_onboarding_updates_only_what_differs_and_reactivates(sim, tmp_path):
    seed_teams(sim)
    onboard_everyone(sim, tmp_path)
    alan_id = read_user(sim, LEAVER)["id"]
    # Alan was disabled meanwhile (over SCIM, as another tool would): onboarding him again switches him on.
    requests.patch(sim.scim_url + f"/Users/{alan_id}", headers={"app-token": sim.app_token},
                   json={"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                         "Operations": [{"op": "replace", "path": "active", "value": False}]},
                   timeout=10).raise_for_status()
    people = [dict(PEOPLE[0], title="Chief Customer Officer"), PEOPLE[1], PEOPLE[2]]
    sim.clear_log()

    checked = onboard(sim, tmp_path, people=people, check=True, diff=True)
    assert_ok(checked)
    task = checked.task(ONBOARD_TASK)
    assert (task["created"], task["updated"], task["unchanged"]) == (0, 2, 1)
    diffs = {entry["before_header"]: (entry["before"], entry["after"]) for entry in task["diff"]}
    assert diffs == {
        "grace.hopper@example.com": ({"title": "VP Customer Success"}, {"title": "Chief Customer Officer"}),
        LEAVER: ({"active": False}, {"active": True}),
    }
    assert writes(sim) == []

    sim.clear_log()
    applied = onboard(sim, tmp_path, people=people, diff=True)
    assert_ok(applied)
    assert len(writes(sim)) == 2
    assert read_user(sim, LEAVER)["active"] is True
    assert read_user(sim, "grace.hopper@example.com")["title"] == "Chief Customer Officer"


def test_onboarding_activate_false_leaves_the_active_flag_alone(sim, tmp_path):
    seed_teams(sim)
    sim.seed_users([{"userName": LEAVER, "name": {"givenName": "Alan", "familyName": "Turing"}, "active": False}])
    sim.clear_log()
    result = onboard(sim, tmp_path, people=[{"user_name": LEAVER, "title": "Back again"}],
                     extra_vars={"activate": False}, diff=True)
    assert_ok(result)
    user = read_user(sim, LEAVER)
    assert user["title"] == "Back again" and user["active"] is False


def test_onboarding_unknown_team_fails_before_any_write(sim, tmp_path):
    seed_teams(sim)
    people = [PEOPLE[0], dict(PEOPLE[1], teams=[{"name": "No Such Team", "role": "Member"}])]
    result = onboard(sim, tmp_path, people=people)
    assert result.rc != 0
    message = str(result.task(ONBOARD_TASK).get("msg", "")) + str(result.task(ONBOARD_TASK).get("errors", ""))
    assert "users[1].teams[0]" in message and "No Such Team" in message
    assert writes(sim) == []


def test_onboarding_entry_without_user_name_fails_in_argument_validation(sim, tmp_path):
    result = onboard(sim, tmp_path, people=[{"given_name": "Nobody"}])
    assert result.rc != 0
    assert "user_name" in result.stdout + result.stderr
    assert sim.log() == []  # the role's argument spec stops it before any request


def test_onboarding_secrets_stay_out_of_verbose_output(sim, tmp_path):
    seed_teams(sim)
    # ansible-core 2.21 returns `invocation` only with INJECT_INVOCATION (earlier releases always do)
    result = onboard(sim, tmp_path, connection="module_defaults", diff=True, verbosity=3,
                     extra_vars={"ansible_inject_invocation": True})
    assert_ok(result)  # the test secrets appear neither in stdout nor in stderr
    # -vvv prints the module's arguments: the app token from module_defaults is there, masked
    assert "module_args" in result.stdout and "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in result.stdout


# -- offboarding: survey-style input, unknown people, keeping teams, the threshold ---------

def test_offboarding_takes_a_survey_string_and_skips_unknown_people(sim, tmp_path):
    teams = seed_teams(sim)
    onboard_everyone(sim, tmp_path)
    ada_id = read_user(sim, "ada.lovelace@example.com")["id"]
    # an AWX textarea answer: new lines, commas, odd case, an unknown person
    leavers = "Ada.Lovelace@EXAMPLE.com,\n  nobody@example.com\n"

    checked = offboard(sim, tmp_path, leavers, check=True, diff=True)
    assert_ok(checked)
    disable = checked.task(DISABLE_TASK)
    assert (disable["disabled"], disable["unchanged"]) == (1, 1)
    assert disable["not_found"] == ["nobody@example.com"]
    assert [name for name, _removed in left_teams(disable)] == ["Customer Success", "Support"]
    assert "not in Totango (check the e-mails): nobody@example.com." in checked.stdout
    assert "nobody@example.com" in " ".join(disable.get("warnings", [])), "offboarding_unknown: warn by default"
    assert writes(sim) == []

    applied = offboard(sim, tmp_path, leavers, diff=True)
    assert_ok(applied)
    assert len(writes(sim)) == 3  # the user, and each of their two teams
    assert read_user(sim, "ada.lovelace@example.com")["active"] is False
    for team_id in teams.values():
        assert ada_id not in read_team_member_ids(sim, team_id)
    assert scim_get(sim, "/Users", filter='userName eq "nobody@example.com"')["Resources"] == []

    sim.clear_log()
    rerun = offboard(sim, tmp_path, leavers, diff=True)
    assert_ok(rerun)
    assert recap_changed(rerun) == 0 and writes(sim) == []


def test_offboarding_can_keep_the_teams(sim, tmp_path):
    seed_teams(sim)
    onboard_everyone(sim, tmp_path)
    result = offboard(sim, tmp_path, [LEAVER], extra_vars={"leave_teams": False}, diff=True)
    assert_ok(result)
    leaver_id = read_user(sim, LEAVER)["id"]
    assert writes(sim) == [("PATCH", f"/Users/{leaver_id}")]
    assert not any(entry["path"] == "/Groups" for entry in sim.log())  # no need to read the teams
    user = read_user(sim, LEAVER)
    assert user["active"] is False and len(user["groups"]) == 1


def test_offboarding_refuses_more_leavers_than_the_threshold(sim, tmp_path):
    seed_teams(sim)
    onboard_everyone(sim, tmp_path)
    result = offboard(sim, tmp_path, [p["user_name"] for p in PEOPLE], extra_vars={"max_disable": 2})
    assert result.rc != 0
    assert "3" in result.task(DISABLE_TASK)["msg"]
    stop = result.task(STOP_TASK)["msg"]
    assert "would disable 3 people" in stop and "offboarding_max_disable=2" in stop, stop
    assert writes(sim) == []
    assert all(read_user(sim, p["user_name"].lower())["active"] is True for p in PEOPLE)


def test_offboarding_a_refused_leaver_does_not_keep_the_others_in_their_teams(sim, tmp_path):
    teams = seed_teams(sim)
    onboard_everyone(sim, tmp_path)
    admin = "boss@example.com"
    sim.seed_users([{"userName": admin, "name": {"givenName": "Big", "familyName": "Boss"}, EXT: {"isAdmin": True},
                     "groups": [{"value": teams["Customer Success"]}]}])
    # Totango's SCIM settings may forbid touching global admins: their PATCH answers 403.
    sim.configure(allow_global_admin=False)
    admin_id, leaver_id = read_user(sim, admin)["id"], read_user(sim, LEAVER)["id"]
    sim.clear_log()

    result = offboard(sim, tmp_path, [admin, LEAVER])
    assert result.rc != 0
    failure = result.task(FAIL_TASK)
    assert admin in failure["msg"] and "HTTP 403" in failure["msg"], failure["msg"]
    # Alan was disabled and left his team; Grace, refused, keeps hers.
    assert read_user(sim, LEAVER)["active"] is False
    assert leaver_id not in read_team_member_ids(sim, teams["Support"])
    assert admin_id in read_team_member_ids(sim, teams["Customer Success"])
    assert ("PATCH", f"/Groups/{teams['Support']}") in writes(sim)
    assert ("PATCH", f"/Groups/{teams['Customer Success']}") not in writes(sim)

    sim.clear_log()
    rerun = offboard(sim, tmp_path, [admin, LEAVER])
    assert rerun.rc != 0 and admin in rerun.task(FAIL_TASK)["msg"]
    assert [method for method, _path in writes(sim)] == ["PATCH"], "only the refused leaver is tried again"


def test_offboarding_a_leaver_that_is_not_an_e_mail_stops_before_any_request_that_writes(sim, tmp_path):
    seed_teams(sim)
    onboard_everyone(sim, tmp_path)
    result = offboard(sim, tmp_path, "alan.turing@example.com, John Smith")
    assert result.rc != 0
    stop = result.task(STOP_TASK)["msg"]
    assert stop.startswith("offboarding_users: ") and "'john'" in stop and "'smith'" in stop, stop
    assert writes(sim) == []


def test_offboarding_keep_teams_keeps_reruns_quiet_where_totango_refills_the_default_team(sim, tmp_path):
    teams = seed_teams(sim)
    onboard_everyone(sim, tmp_path)
    sim.configure(teamless_to_default_team=True)  # one reading of Totango's doc: no user is left without a team
    leaver_id = read_user(sim, LEAVER)["id"]
    keep = {"keep_teams": ["default team"]}

    applied = offboard(sim, tmp_path, [LEAVER], extra_vars=keep)
    assert_ok(applied)
    assert writes(sim) == [("PATCH", f"/Users/{leaver_id}"), ("PATCH", f"/Groups/{teams['Support']}")]
    assert [g["display"] for g in read_user(sim, LEAVER)["groups"]] == ["Default Team"]

    sim.clear_log()
    rerun = offboard(sim, tmp_path, [LEAVER], extra_vars=keep)
    assert_ok(rerun)
    assert recap_changed(rerun) == 0 and writes(sim) == []


def test_offboarding_nobody_does_nothing(sim, tmp_path):
    result = offboard(sim, tmp_path, [])
    assert_ok(result)
    assert recap_changed(result) == 0
    assert sim.log() == []


def test_onboarding_follows_an_e_mail_change_by_external_id(sim, tmp_path):
    old_id = sim.seed_users([{"userName": "ada.old@example.com", "externalId": "hr-7", "active": True,
                              "name": {"givenName": "Ada", "familyName": "Lovelace"}}])[0]["id"]
    playbook = """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/scimops.totango.totango:
      requests_per_minute: 0
  roles:
    - role: scimops.totango.onboarding
      onboarding_match_by: external_id
      onboarding_users:
        - {user_name: ada.new@example.com, external_id: hr-7}
"""
    for check in (True, False):
        sim.clear_log()
        run = run_playbook(playbook, sim, check=check, diff=True, tmp_path=tmp_path)
        assert run.rc == 0, run.summary()
        assert ("Would create 0" if check else "Created 0") in run.stdout
        assert ("rename 1" if check else "renamed 1") in run.stdout
        assert [(w["method"], w["path"]) for w in sim.writes()] == ([] if check else [("PATCH", "/Users/%s" % old_id)])
    assert sim.user("ada.new@example.com")["id"] == old_id and sim.user("ada.old@example.com") is None
    sim.clear_log()
    rerun = run_playbook(playbook, sim, tmp_path=tmp_path)
    assert rerun.rc == 0 and "renamed 0" in rerun.stdout and sim.writes() == [], rerun.summary()


@pytest.mark.parametrize("person, named, module_term", [
    # ada's HR id is already on her old e-mail: matching by e-mail would give two accounts one id
    ({"user_name": "ada.new@example.com", "external_id": "hr-7", "given_name": "Ada", "family_name": "Lovelace"},
     "use onboarding_match_by=external_id to rename", " match_by="),
    ({"user_name": "cy@example.com", "given_name": "Cy", "family_name": "Ng", "teams": [{"name": "No Such Team"}]},
     "onboarding_users[1].teams[0]", " users["),
], ids=["external_id_conflict", "unknown_team"])
def test_onboarding_failures_name_the_role_variables(sim, tmp_path, person, named, module_term):
    old = sim.seed_users([{"userName": "ada.old@example.com", "externalId": "hr-7", "active": True,
                          "name": {"givenName": "Ada", "familyName": "Lovelace"}}])[0]
    for check in (True, False):
        sim.clear_log()
        result = onboard(sim, tmp_path, people=[{"user_name": "bo@example.com", "given_name": "Bo", "family_name": "Ek"}, person], check=check)
        assert result.rc != 0
        stop = result.task("scimops.totango.onboarding : Stop when people could not be onboarded")["msg"]
        assert named in stop and module_term not in stop, stop
        assert [w for w in writes(sim) if w[1] != "/Users"] == []  # bo may be created; nobody else is touched
    assert sim.user("ada.old@example.com")["id"] == old["id"] and sim.user("ada.new@example.com") is None


@pytest.mark.parametrize("extra, named", [
    ({"max_disable": -1}, "offboarding_max_disable: must be 0 or more"),
    ({"keep_teams": ["Suport"]}, "offboarding_keep_teams[0]: no team with id or name 'Suport'"),
], ids=["max_disable", "keep_teams"])
def test_offboarding_refusals_name_the_role_variable(sim, tmp_path, extra, named):
    seed_teams(sim)
    onboard_everyone(sim, tmp_path)
    result = offboard(sim, tmp_path, [LEAVER], extra_vars=extra)
    assert result.rc != 0
    stop = result.task("scimops.totango.offboarding : Stop when the leavers were refused before any write")["msg"]
    assert stop.startswith(named) and stop.endswith("nothing was changed."), stop
    assert writes(sim) == [] and read_user(sim, LEAVER)["active"] is True
