# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""totango_team_info through ansible-playbook against the simulator, proven from its request log."""

from __future__ import annotations

from pathlib import Path

import requests

from tests.integration.harness import run_playbook

PLAYBOOKS = Path(__file__).resolve().parent / "playbooks" / "totango_team_info"
TEAMS = PLAYBOOKS / "teams.yml"


def seed_team(sim, name, size):
    team_id = sim.add_team(name)
    sim.seed_users([{"userName": "%s%03d@example.com" % (name.lower().replace(" ", ""), n),
                     "name": {"givenName": "G", "familyName": "F"}, "groups": [{"value": team_id}]}
                    for n in range(size)])
    return team_id


def group_over_http(sim, team_id):
    """An independent read, not through the module."""
    return requests.get(sim.scim_url + "/Groups/%s" % team_id, headers={"app-token": sim.app_token}, timeout=10).json()


def run(sim, tmp_path, check=False, **extra):
    sim.clear_log()
    result = run_playbook(TEAMS, sim, extra_vars=extra, check=check, tmp_path=tmp_path)
    assert result.rc == 0, result.summary()
    assert result.changed_tasks() == []
    assert sim.writes() == []
    return result


def test_a_team_of_more_than_100_members_by_id_and_by_name(sim, tmp_path):
    team_id = seed_team(sim, "Big Team", 130)
    expected = group_over_http(sim, team_id)
    assert len(expected["members"]) == 130

    for check in (True, False, False):
        result = run(sim, tmp_path, check=check, lookup_team_id=team_id, lookup_team_name="big TEAM")
        by_id = result.task("One team by id")
        by_name = result.task("Teams by name")
        assert by_id["count"] == by_name["count"] == 1
        for found in (by_id["teams"][0], by_name["teams"][0]):
            assert found["id"] == team_id and found["displayName"] == "Big Team"
            assert sorted(m["value"] for m in found["members"]) == sorted(m["value"] for m in expected["members"])
        # By id: one GET. By name: one listing of /Groups (two teams fit on one page).
        assert [(e["method"], e["path"]) for e in sim.log()] == [("GET", "/Groups/%s" % team_id), ("GET", "/Groups")]


def test_all_teams_follows_every_page(sim, tmp_path):
    for n in range(105):
        sim.add_team("Team %03d" % n)
    seed_team(sim, "Members", 3)
    result = run(sim, tmp_path, list_all=True)
    listed = result.task("All teams")
    assert listed["count"] == 107  # the default team, 105, and Members
    assert sorted(t["displayName"] for t in listed["teams"]) == sorted(t["displayName"] for t in sim.teams())
    members = next(t for t in listed["teams"] if t["displayName"] == "Members")["members"]
    assert sorted(m["display"] for m in members) == ["members000@example.com", "members001@example.com",
                                                     "members002@example.com"]
    assert [(e["method"], e["path"]) for e in sim.log()] == [("GET", "/Groups"), ("GET", "/Groups")]


def test_unknown_team_is_an_empty_list(sim, tmp_path):
    result = run(sim, tmp_path, lookup_team_id="424242", lookup_team_name="No such team")
    assert result.task("One team by id")["teams"] == []
    assert result.task("Teams by name")["count"] == 0


def test_id_and_name_together_fail_before_any_request(sim, tmp_path):
    playbook = TEAMS.read_text(encoding="utf-8").replace(
        "        id: \"{{ lookup_team_id }}\"\n", "        id: \"{{ lookup_team_id }}\"\n        name: Sales\n")
    result = run_playbook(playbook, sim, extra_vars={"lookup_team_id": "1000"}, tmp_path=tmp_path)
    assert result.rc != 0
    assert "mutually exclusive" in result.task("One team by id")["msg"]
    assert sim.log() == []
