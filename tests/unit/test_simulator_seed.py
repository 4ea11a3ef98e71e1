# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The simulator's fast seeding: generated users over generated teams, in-process and over /_sim/seed."""

from __future__ import annotations

import requests

from tests.simulator.defaults import SIM_APP_TOKEN


def test_seed_spreads_users_over_teams_and_reads_like_any_user(sim):
    summary = sim.seed_generated(250, teams=4)
    assert summary["users"] == 250 and summary["first_id"] == "100001" and summary["last_id"] == "100250"
    assert [(t["displayName"], t["members"]) for t in summary["teams"]] == [
        ("Team 1", 63), ("Team 2", 63), ("Team 3", 62), ("Team 4", 62)]
    assert sim.log() == []  # seeding is not a request
    headers = {"app-token": SIM_APP_TOKEN}
    found = requests.get(sim.scim_url + "/Users", params={"filter": 'externalId eq "user-7"'}, headers=headers,
                         timeout=10).json()
    user = found["Resources"][0]
    assert found["totalResults"] == 1 and user["userName"] == "user00007@example.com"
    assert user["name"] == {"givenName": "Given7", "familyName": "Family7"} and user["active"] is True
    assert user["title"] == "Employee 7" and user["displayName"] == "Family7 Given7"
    assert [g["display"] for g in user["groups"]] == ["Team 3"]  # user i is in team (i - 1) mod 4 + 1
    page = requests.get(sim.scim_url + "/Users", params={"startIndex": 201}, headers=headers, timeout=10).json()
    assert page["totalResults"] == 250 and page["itemsPerPage"] == 50
    assert len(sim.team("Team 1")["members"]) == 63 and sim.team("Default Team")["members"] == []


def test_seed_over_the_control_api_into_existing_teams(sim):
    sales = sim.add_team("Sales")
    ctl = sim.base_url + "/_sim/seed"
    answer = requests.post(ctl, json={"users": 3, "team_ids": [sales], "prefix": "hire", "domain": "Corp.Example",
                                      "external_ids": False, "active": None}, timeout=10)
    assert answer.status_code == 201, answer.text
    assert [u["userName"] for u in sim.users()] == ["hire00001@corp.example", "hire00002@corp.example",
                                                    "hire00003@corp.example"]
    assert all("externalId" not in u and "active" not in u for u in sim.users())
    # a second batch must not collide: refused as a whole, nothing created
    again = requests.post(ctl, json={"users": 5, "prefix": "hire", "domain": "corp.example", "teams": 2}, timeout=10)
    assert again.status_code == 400 and "exist already" in again.json()["detail"]
    assert len(sim.users()) == 3 and len(sim.teams()) == 2
    more = requests.post(ctl, json={"users": 2, "start": 4, "prefix": "hire", "domain": "corp.example"}, timeout=10)
    assert more.status_code == 201 and more.json()["teams"] == [{"id": "1000", "displayName": "Default Team", "members": 2}]
    for bad in ({"users": -1}, {"users": "many"}, {"teams": 2, "colour": "red"}, {"users": 1, "team_ids": ["9"]}):
        assert requests.post(ctl, json=bad, timeout=10).status_code == 400, bad
    assert len(sim.users()) == 5


def test_seed_thirty_thousand_users(sim):
    """The size the bench and the large-tenant tests use (its speed is measured by the bench, not here)."""
    summary = sim.seed_generated(30000, teams=20)
    assert summary["users"] == 30000 and {t["members"] for t in summary["teams"]} == {1500}
    assert sim.user("user30000@example.com")["groups"][0]["display"] == "Team 20"
