# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Teams on a server that ignores User.groups go through /Groups, and cost nothing more where they need not.

The simulator's ``user_groups_writable: false`` is RFC 7643's readOnly User.groups: a user write's groups
are ignored without a word (POST answers 201 with the user in the default team, PATCH and PUT 204). The
collection then joins and leaves the teams through PATCH /Groups/{id}, once per team, and a rerun is
quiet. On the default (Totango-like) server the same tasks cost what they cost before, but for one read
per run after a team change answered 204 without a body (the run's one check of which server it is).
Every count comes from the simulator's request log.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.phases import check_apply_rerun, run_task

ROSTER = Path(__file__).resolve().parent / "playbooks" / "totango_users" / "roster.yml"
ROSTER_TASK = "Reconcile the roster"
DEFAULT_TEAM = "1000"  # the simulator's default team (tests/simulator/defaults.py)
IGNORED = "teams: teams are written through /Groups: this server ignores groups on users"

USER_PLAY = """
- name: One user
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/scimops.totango.totango:
      requests_per_minute: 0
  tasks:
    - name: Manage the user
      scimops.totango.totango_user:
        user_name: {user_name}
        given_name: New
        family_name: Hire
        title: {title}
        teams: [{{name: Sales}}]
"""
USER_TASK = "Manage the user"


def user_play(user_name="new@example.com", title="Engineer"):
    return USER_PLAY.format(user_name=user_name, title=title)


def requests_seen(log):
    return [(entry["method"], entry["path"]) for entry in log]


def team_ids(sim, email):
    return sorted(group["value"] for group in sim.user(email).get("groups") or [])


def seed_in_default_team(sim, *emails):
    sim.seed_users([{"userName": email, "name": {"givenName": "Old", "familyName": "Hand"}, "title": "Intern"}
                    for email in emails])
    return [sim.user(email)["id"] for email in emails]


def group_patches(log):
    """(team id, status) of each PATCH of /Groups (the log keeps no bodies: what they did is read from the teams)."""
    return [(entry["path"].rsplit("/", 1)[1], entry["status"]) for entry in log
            if entry["method"] == "PATCH" and entry["path"].startswith("/Groups/")]


def warnings_of(result):
    return [text for text in result.get("warnings") or [] if text.startswith("teams")]


# The strict modes: "totango" takes only the documented forms, so the default (forgiving) one takes them too.
@pytest.mark.parametrize("dialect", ["totango", "rfc7644"])
def test_totango_user_created_on_a_server_that_ignores_groups_joins_its_team_through_groups(sim, tmp_path, dialect):
    sales = sim.add_team("Sales")
    sim.configure(user_groups_writable=False, dialect=dialect)
    phases = check_apply_rerun(sim, tmp_path, user_play(), USER_TASK)

    user_id = sim.user("new@example.com")["id"]
    assert team_ids(sim, "new@example.com") == [sales], "in Sales only, out of the default team the server chose"
    assert phases.writes[0] == ("POST", "/Users")
    if dialect == "rfc7644":  # Totango's removal form refused once, then RFC 7644's members[value eq "id"]
        assert group_patches(phases.log) == [(sales, 200), (DEFAULT_TEAM, 400), (DEFAULT_TEAM, 200)]
    else:
        assert group_patches(phases.log) == [(sales, 200), (DEFAULT_TEAM, 200)]
    assert [method for method, _path in phases.writes] == ["POST"] + ["PATCH"] * len(group_patches(phases.log))
    assert [member["value"] for member in sim.team(sales)["members"]] == [user_id]
    assert [e["method"] for e in phases.log if not e["write"]] == ["GET", "GET"], "the user and the teams, once each"

    result = phases.result
    assert result["diff"] == phases.predicted["diff"], "check mode predicted the real run"
    assert result["diff"]["after"]["teams"] == [{"id": sales, "name": "Sales"}]
    assert [g["value"] for g in result["user"]["groups"]] == [sales]
    assert len(warnings_of(result)) == 1 and warnings_of(result)[0].startswith(IGNORED)
    assert requests_seen(sim.log()) == [("GET", "/Users")], "the rerun: one read, no write"


def test_totango_user_patch_answered_204_is_checked_once_and_joins_through_groups(sim, tmp_path):
    sales = sim.add_team("Sales")
    [user_id] = seed_in_default_team(sim, "old@example.com")
    sim.configure(user_groups_writable=False)
    phases = check_apply_rerun(sim, tmp_path, user_play("old@example.com"), USER_TASK)

    assert requests_seen(phases.log) == [("GET", "/Users"), ("GET", "/Groups"), ("PATCH", "/Users/" + user_id),
                                         ("GET", "/Users"), ("PATCH", "/Groups/" + sales),
                                         ("PATCH", "/Groups/" + DEFAULT_TEAM)]
    assert group_patches(phases.log) == [(sales, 200), (DEFAULT_TEAM, 200)]
    assert team_ids(sim, "old@example.com") == [sales] and sim.user("old@example.com")["title"] == "Engineer"
    assert phases.result["diff"] == phases.predicted["diff"]
    assert phases.result["diff"]["after"]["teams"] == [{"id": sales, "name": "Sales"}]
    assert [g["value"] for g in phases.result["user"]["groups"]] == [sales]
    assert warnings_of(phases.result)[0].startswith(IGNORED)
    assert requests_seen(sim.log()) == [("GET", "/Users")]


@pytest.mark.parametrize("create_response", ["full", "minimal"])
def test_totango_users_learn_it_once_per_run_and_send_no_groups_on_users_after(sim, tmp_path, create_response):
    sales, support = sim.add_team("Sales"), sim.add_team("Support")
    ids = dict(zip(("ann@example.com", "bob@example.com", "cy@example.com"),
                   seed_in_default_team(sim, "ann@example.com", "bob@example.com", "cy@example.com")))
    sim.configure(user_groups_writable=False, create_response=create_response)
    roster = [
        {"user_name": "ann@example.com", "title": "Lead", "teams": [{"name": "Sales"}]},            # the check
        {"user_name": "bob@example.com", "title": "Lead", "teams": [{"name": "Sales"}, {"name": "Support"}]},
        {"user_name": "cy@example.com", "teams": [{"name": "Support"}]},                             # teams only
        {"user_name": "dee@example.com", "given_name": "Dee", "family_name": "Hire", "teams": [{"name": "Support"}]},
    ]
    extra = {"roster": roster, "parallel": 1}  # one worker: the order, and so the one check, is the roster's
    phases = check_apply_rerun(sim, tmp_path, ROSTER, ROSTER_TASK, extra_vars=extra)

    assert [team_ids(sim, email) for email in ("ann@example.com", "bob@example.com", "cy@example.com",
                                               "dee@example.com")] == [[sales], sorted([sales, support]), [support],
                                                                       [support]]
    users = [(e["method"], e["path"]) for e in phases.log if e["path"].startswith("/Users")]
    assert users == [("GET", "/Users"), ("PATCH", "/Users/" + ids["ann@example.com"]), ("GET", "/Users"),
                     ("PATCH", "/Users/" + ids["bob@example.com"]), ("POST", "/Users")] + \
        [("GET", "/Users")] * (create_response == "minimal"), \
        "the listing, ann's write and the one check, bob's write, no write for cy, dee's create (and a read of her " \
        "id when the 201 has none)"
    # ann's check taught the run: bob's PATCH carries his title only and cy, whose teams only change, gets no
    # user write (the unit tests of _user_sync assert the bodies; this log keeps none).
    assert sorted(group_patches(phases.log)) == sorted(
        [(sales, 200)] * 2 + [(support, 200)] * 3 + [(DEFAULT_TEAM, 200)] * 4), "one PATCH per team joined or left"
    assert len(phases.writes) == 3 + 9
    assert phases.result["diff"] == phases.predicted["diff"]
    assert phases.result["counts"] == phases.predicted["counts"] == {
        "created": 1, "updated": 3, "renamed": 0, "disabled": 0, "unchanged": 0, "failed": 0}
    assert [text for text in phases.result["warnings"] if text.startswith("teams")] == [
        next(text for text in phases.result["warnings"] if text.startswith(IGNORED))], "told once"


# -- the default server: what these tasks cost on a server that keeps groups ----------------------------


def test_on_the_default_server_a_create_with_teams_costs_what_it_did(sim, tmp_path):
    sales = sim.add_team("Sales")
    phases = check_apply_rerun(sim, tmp_path, user_play(), USER_TASK)
    assert requests_seen(phases.log) == [("GET", "/Users"), ("GET", "/Groups"), ("POST", "/Users")], \
        "the 201 showed the team kept: no check, no /Groups write"
    assert team_ids(sim, "new@example.com") == [sales] and warnings_of(phases.result) == []


def test_on_the_default_server_a_204_team_change_costs_one_check_per_run(sim, tmp_path):
    sales = sim.add_team("Sales")
    [user_id] = seed_in_default_team(sim, "old@example.com")
    phases = check_apply_rerun(sim, tmp_path, user_play("old@example.com"), USER_TASK)
    assert requests_seen(phases.log) == [("GET", "/Users"), ("GET", "/Groups"), ("PATCH", "/Users/" + user_id),
                                         ("GET", "/Users")], "one PATCH and the run's one check, no /Groups write"
    assert team_ids(sim, "old@example.com") == [sales] and warnings_of(phases.result) == []
    assert phases.result["diff"] == phases.predicted["diff"]


def test_on_the_default_server_a_roster_pays_at_most_one_check(sim, tmp_path):
    sim.add_team("Sales")
    seed_in_default_team(sim, *("u%d@example.com" % i for i in range(4)))
    roster = [{"user_name": "u%d@example.com" % i, "teams": [{"name": "Sales"}]} for i in range(4)]
    phases = check_apply_rerun(sim, tmp_path, ROSTER, ROSTER_TASK, extra_vars={"roster": roster, "parallel": 3})
    assert sorted(requests_seen(phases.log)) == sorted(
        [("GET", "/Users"), ("GET", "/Groups"), ("GET", "/Users")] +
        [("PATCH", "/Users/" + sim.user("u%d@example.com" % i)["id"]) for i in range(4)]), \
        "the listing, the teams, four PATCHes, and one check however the workers interleave"


def test_on_the_default_server_a_write_without_teams_is_never_checked(sim, tmp_path):
    [user_id] = seed_in_default_team(sim, "old@example.com")
    play = user_play("old@example.com").replace("        teams: [{name: Sales}]\n", "")
    _run, result = run_task(sim, tmp_path, play, USER_TASK)
    assert result["changed"]
    assert requests_seen(sim.log()) == [("GET", "/Users"), ("PATCH", "/Users/" + user_id)]
