# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A matrix of bad inputs for totango_user, totango_users and totango_group_members.

Every case must fail before any write, with a message naming the option (and, where it is ours, the
rule). The cases run as one play of block/rescue pairs per group, so a group costs one ansible-playbook
run; the rescue only lets the next case run, and each case's own result is checked here one by one.

- OFFLINE cases are wrong whatever the tenant holds: they must fail before any request at all.
- ONLINE cases are wrong only given what the tenant holds (the user is new, the team does not exist,
  the user has a Zoe license): they may read, never write.
- NO_ENVIRONMENT cases run without TOTANGO_SCIM_URL or credentials in the environment.
"""

from __future__ import annotations

import json

import yaml

from tests.integration.harness import run_playbook

USER = "scimops.totango.totango_user"
ROSTER = "scimops.totango.totango_users"
MEMBERS = "scimops.totango.totango_group_members"
USER_INFO = "scimops.totango.totango_user_info"
EXT = "urn:ietf:params:scim:schemas:totango:1.0:User"

BASE = {"user_name": "ann@example.com", "given_name": "Ann", "family_name": "Lee"}
LONG_EMAIL = "a" * 89 + "@example.com"  # 101 characters, one over the limit


def user(**changes):
    args = dict(BASE, **changes)
    return {key: value for key, value in args.items() if value is not None}


def roster(*users, **options):
    return dict(options, users=list(users) or [dict(BASE)])


def members(**options):
    return dict({"team": "Sales", "members": ["ann@example.com"]}, **options)


# (case, module, module arguments, strings the failure message must hold: the option first)
OFFLINE = [
    ("malformed e-mail", USER, user(user_name="not-an-email"), ["user_name", "e-mail"]),
    ("e-mail without a dot in the domain", USER, user(user_name="ann@localhost"), ["user_name", "e-mail"]),
    ("e-mail over 100 characters", USER, user(user_name=LONG_EMAIL), ["user_name", "at most 100"]),
    ("given_name over 30 characters", USER, user(given_name="G" * 31), ["given_name", "at most 30"]),
    ("family_name over 30 characters", USER, user(family_name="F" * 31), ["family_name", "at most 30"]),
    ("empty given_name", USER, user(given_name=""), ["given_name", "empty"]),
    ("display_name over 128 characters", USER, user(display_name="D" * 129), ["display_name", "at most 128"]),
    ("title over 128 characters", USER, user(title="T" * 129), ["title", "at most 128"]),
    ("external_id over 128 characters", USER, user(external_id="7" * 129), ["external_id", "at most 128"]),
    ("manager_email over 100 characters", USER, user(manager_email=LONG_EMAIL), ["manager_email", "at most 100"]),
    ("malformed manager_email", USER, user(manager_email="the boss"), ["manager_email", "e-mail"]),
    ("manager_external_id over 128 characters", USER, user(manager_external_id="m" * 129),
     ["manager_external_id", "at most 128"]),
    ("unknown license", USER, user(license="platinum"), ["license", "spark, zoe, viewer"]),
    ("is_admin: maybe", USER, user(is_admin="maybe"), ["is_admin", "bool"]),
    ("active: sometimes", USER, user(active="sometimes"), ["active", "bool"]),
    ("empty team list", USER, user(teams=[]), ["teams", "non-empty"]),
    ("team with neither id nor name", USER, user(teams=[{"role": "Member"}]), ["teams[0]", "exactly one of id or name"]),
    ("team with both id and name", USER, user(teams=[{"id": "1000", "name": "Default Team"}]),
     ["teams[0]", "exactly one of id or name"]),
    ("team listed twice", USER, user(teams=[{"name": "Sales"}, {"name": "Sales"}]), ["teams[1]", "twice"]),
    ("team with an unknown key", USER, user(teams=[{"name": "Sales", "colour": "red"}]), ["colour"]),
    ("team with an empty role", USER, user(teams=[{"name": "Sales", "role": ""}]), ["teams[0].role", "empty"]),
    ("unknown state", USER, user(state="deleted"), ["state", "present"]),
    ("two auth methods", USER, user(app_token="one-token", access_token="another-token"),
     ["app_token", "access_token", "exactly one"]),
    # The task's username beats the environment's app token, so what is missing is its password.
    ("username on the task, no password", USER, user(username="admin@example.com"), ["password", "given together"]),
    ("URL without scheme", USER, user(scim_url="app.totango.com/t01/on/api/v2/scim/services/235"),
     ["scim_url", "http"]),
    ("token_url without scheme", USER, user(token_url="app.totango.com/token"), ["token_url", "http"]),
    ("negative timeout", USER, user(timeout=-1), ["timeout", "at least"]),
    ("timeout: soon", USER, user(timeout="soon"), ["timeout", "float"]),
    ("negative max_retries", USER, user(max_retries=-1), ["max_retries", "at least"]),
    ("negative requests_per_minute", USER, user(requests_per_minute=-5), ["requests_per_minute", "at least"]),
    ("validate_certs: perhaps", USER, user(validate_certs="perhaps"), ["validate_certs", "bool"]),

    ("roster: malformed e-mail", ROSTER, roster(dict(BASE), user(user_name="bob.example.com")),
     ["users[1].user_name", "e-mail"]),
    ("roster: a user listed twice", ROSTER, roster(dict(BASE), user(user_name="ANN@Example.com")),
     ["users[1].user_name", "already listed"]),
    ("roster: unknown license", ROSTER, roster(user(license="gold")), ["users[0].license", "spark, zoe, viewer"]),
    ("roster: empty team list", ROSTER, roster(user(teams=[])), ["users[0].teams", "non-empty"]),
    ("roster: team with neither id nor name", ROSTER, roster(user(teams=[{"role": "Member"}])),
     ["users[0].teams[0]", "exactly one of id or name"]),
    ("roster: is_admin: maybe", ROSTER, roster(user(is_admin="maybe")), ["is_admin", "bool"]),
    ("roster: unknown state", ROSTER, roster(user(state="gone")), ["state", "present"]),
    ("roster: parallel 0", ROSTER, roster(parallel=0), ["parallel", "between 1 and 32"]),
    ("roster: parallel 33", ROSTER, roster(parallel=33), ["parallel", "between 1 and 32"]),
    ("roster: negative max_disable", ROSTER, roster(max_disable=-1), ["max_disable", "0 or more"]),
    ("roster: empty with disable_unlisted", ROSTER, {"users": [], "disable_unlisted": True},
     ["users", "empty", "disable every user"]),
    ("roster: a leaver given teams with leave_teams", ROSTER,
     roster(user(state="disabled", teams=[{"name": "Sales"}]), leave_teams=True), ["users[0].teams", "leave_teams"]),
    ("roster: state disabled and active true", ROSTER, roster(user(state="disabled", active=True)),
     ["users[0].active", "state=disabled"]),
    ("state disabled and active true", USER, user(state="disabled", active=True), ["active", "state=disabled"]),
    ("roster: every error named at once", ROSTER,
     roster(user(given_name="G" * 31), dict(BASE, user_name="cy@example.com"), user(user_name="dee@")),
     ["2 input error", "users[0].given_name", "users[2].user_name"]),
    ("roster: two auth methods", ROSTER, roster(app_token="one-token", access_token="another-token"),
     ["app_token", "access_token"]),

    ("members: malformed e-mail", MEMBERS, members(members=["ann@"]), ["members[0]", "e-mail"]),
    ("members: empty member", MEMBERS, members(members=["ann@example.com", ""]), ["members[1]", "empty"]),
    ("members: empty team", MEMBERS, members(team=""), ["team", "empty"]),
    ("members: unknown state", MEMBERS, members(state="everyone"), ["state", "exact"]),
    ("members: members as a dict", MEMBERS, members(members={"ann": "yes"}), ["members"]),
    ("members: members missing", MEMBERS, {"team": "Sales"}, ["members"]),
    ("members: URL without scheme", MEMBERS, members(scim_url="app.totango.com/t01"), ["scim_url", "http"]),

    ("user_info: user_name not an e-mail", USER_INFO, {"user_name": "ann"}, ["user_name", "e-mail"]),
]

# A string where a list of dicts is expected. ansible-core's first error comes from the no_log scan of the
# sub-options and does not name the option; TotangoModule reports the one that does ("Elements value for
# option 'teams' ...") instead.
STRING_FOR_LIST_OF_DICTS = [
    ("teams as a string", USER, user(teams="sales"), ["teams"]),
    ("roster: users as a string", ROSTER, {"users": "everyone"}, ["users"]),
]

ONLINE = [
    ("new user without family_name", USER, user(user_name="new@example.com", family_name=None),
     ["family_name", "required to create"]),
    ("unknown team name", USER, user(teams=[{"name": "No Such Team"}]), ["teams[0]", "no team with name"]),
    ("unknown team id", USER, user(teams=[{"id": "999999"}]), ["teams[0]", "no team with id"]),
    # Only "Sales" exists, so "SALES" names it again (with a team "SALES" both could be listed).
    ("one team under two names", USER, user(teams=[{"name": "Sales"}, {"name": "SALES"}]), ["teams[1]", "twice"]),
    ("Zoe user to Viewer", USER, {"user_name": "zoe@example.com", "license": "viewer"}, ["license", "Viewer"]),
    ("roster: new user without given_name", ROSTER, roster(user(user_name="new@example.com", given_name=None)),
     ["users[0].given_name", "required to create"]),
    ("roster: unknown team", ROSTER, roster(dict(BASE), user(user_name="bo@example.com", teams=[{"name": "Nope"}])),
     ["users[1].teams[0]", "no team with name"]),
    ("roster: disabling a protected user", ROSTER,
     roster({"user_name": "zoe@example.com", "state": "disabled"}, protected_users=["ZOE@example.com"]),
     ["users[0].state", "protected_users"]),
    ("roster: more to disable than max_disable", ROSTER,
     roster(dict(BASE), disable_unlisted=True, max_disable=1), ["max_disable", "would disable 3 users"]),
    ("roster: Zoe user to Viewer", ROSTER, roster({"user_name": "zoe@example.com", "license": "Viewer"}),
     ["users[0].license", "Viewer"]),
    ("members: unknown team", MEMBERS, members(team="No Such Team"), ["team", "no team"]),
    ("members: unknown member", MEMBERS, members(members=["ghost@example.com"]), ["members", "ghost@example.com"]),
]

NO_ENVIRONMENT = [
    ("missing scim_url", USER, user(), ["scim_url", "required", "TOTANGO_SCIM_URL"]),
    ("roster: missing scim_url", ROSTER, roster(), ["scim_url", "required"]),
    ("members: missing scim_url", MEMBERS, members(), ["scim_url", "required"]),
    ("no credentials", USER, user(scim_url="{{ scim_url }}"), ["app_token", "no credentials"]),
    ("username without password", USER, user(scim_url="{{ scim_url }}", username="admin@example.com"),
     ["password", "together"]),
]


def cases_playbook(cases, title):
    """One play: per case, a block holding the bad task and a rescue that lets the next case run."""
    tasks = []
    for name, module, args, _expected in cases:
        tasks.append({
            "name": "Case %s" % name,
            "block": [{"name": name, module: args}],
            "rescue": [{"name": "Next case after %s" % name, "ansible.builtin.debug": {"msg": "failed, as it must"}}],
        })
    play = {"name": title, "hosts": "localhost", "gather_facts": False,
            "module_defaults": {"group/scimops.totango.totango": {"requests_per_minute": 0}}, "tasks": tasks}
    return yaml.safe_dump([play], sort_keys=False, width=1000)


def check_cases(result, cases):
    """Each case on its own: failed, not changed, no traceback, the message names the option and the rule."""
    problems = []
    for name, _module, _args, expected in cases:
        try:
            record = result.record(name)
        except KeyError:
            problems.append("%s: did not run" % name)
            continue
        outcome = record["result"]
        message = str(outcome.get("msg", ""))
        if not record["failed"]:
            problems.append("%s: did not fail (%s)" % (name, json.dumps(outcome)[:300]))
            continue
        if outcome.get("changed"):
            problems.append("%s: failed but reported changed" % name)
        missing = [text for text in expected if text not in message]
        if missing:
            problems.append("%s: message lacks %r: %s" % (name, missing, message))
        if "Traceback" in json.dumps(outcome) or "MODULE FAILURE" in message:
            problems.append("%s: crashed: %s" % (name, message))
    assert not problems, "%d of %d cases wrong:\n%s" % (len(problems), len(cases), "\n".join(problems))
    assert "Traceback" not in result.stdout + result.stderr, result.summary()


def test_matrix_is_large_enough():
    names = [case[0] for case in OFFLINE + STRING_FOR_LIST_OF_DICTS + ONLINE + NO_ENVIRONMENT]
    assert len(names) == len(set(names)), "case names must be unique: they are the task names"
    assert len(names) >= 30
    assert {case[1] for case in OFFLINE} == {USER, ROSTER, MEMBERS, USER_INFO}


def test_bad_inputs_fail_before_any_request(sim, tmp_path):
    result = run_playbook(cases_playbook(OFFLINE, "Bad inputs that need no lookup"), sim, tmp_path=tmp_path)
    assert result.rc == 0, result.summary()  # every case failed and was rescued
    check_cases(result, OFFLINE)
    assert sim.log() == [], "no request at all: the input is checked first"


def test_a_string_for_a_list_of_dicts_fails_before_any_request(sim, tmp_path):
    cases = STRING_FOR_LIST_OF_DICTS
    result = run_playbook(cases_playbook(cases, "Strings for lists of dicts"), sim, tmp_path=tmp_path)
    assert result.rc == 0, result.summary()
    assert all(result.record(name)["failed"] for name, _module, _args, _expected in cases)
    assert sim.log() == [], "no request at all"
    check_cases(result, cases)


def test_bad_inputs_known_only_from_the_tenant_fail_before_any_write(sim, tmp_path):
    sim.add_team("Sales")
    sim.seed_users([
        {"userName": "ann@example.com", "name": {"givenName": "Ann", "familyName": "Lee"}},
        {"userName": "zoe@example.com", "name": {"givenName": "Zoe", "familyName": "Kay"}, EXT: {"license": ["zoe"]}},
        {"userName": "old1@example.com", "name": {"givenName": "Old", "familyName": "One"}, "active": True},
        {"userName": "old2@example.com", "name": {"givenName": "Old", "familyName": "Two"}, "active": True},
    ])
    sim.clear_log()
    result = run_playbook(cases_playbook(ONLINE, "Bad inputs found by reading the tenant"), sim, tmp_path=tmp_path)
    assert result.rc == 0, result.summary()
    check_cases(result, ONLINE)
    assert sim.writes() == [], "reads only: nothing is written"
    assert sim.log(), "these cases do need to read the tenant"


def test_missing_connection_settings_fail_before_any_request(sim, tmp_path):
    result = run_playbook(cases_playbook(NO_ENVIRONMENT, "Bad connection settings"), sim, tmp_path=tmp_path,
                          auth=None, env={"TOTANGO_SCIM_URL": None}, extra_vars={"scim_url": sim.scim_url})
    assert result.rc == 0, result.summary()
    check_cases(result, NO_ENVIRONMENT)
    assert sim.log() == []
