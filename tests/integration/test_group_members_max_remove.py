# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""totango_group_members' removal threshold (max_remove) for state: exact, against the simulator over HTTP."""

from __future__ import annotations

import pytest

from tests.integration.harness import task_playbook
from tests.integration.phases import check_apply_rerun, run_task, write_pairs

TASK = "Set team members"
PLAYBOOK = task_playbook("""
    - name: Set team members
      scimops.totango.totango_group_members:
        team: "{{ team }}"
        members: "{{ members }}"
        state: "{{ members_state | default('exact') }}"
        max_remove: "{{ max_remove | default(omit) }}"
""")


@pytest.fixture
def big_team(sim):
    """A team of 250 members (cs000@... to cs249@...); returns (team id, the members' e-mails)."""
    team_id = sim.add_team("Customer Success")
    emails = ["cs%03d@example.com" % n for n in range(250)]
    sim.seed_users([{"userName": email, "name": {"givenName": "C", "familyName": "S"},
                     "groups": [{"value": team_id}]} for email in emails])
    return team_id, emails


def member_count(sim, team_id):
    return len(sim.team(team_id)["members"])


@pytest.mark.parametrize("check", [True, False], ids=["check mode", "real run"])
def test_emptying_a_250_member_team_is_refused_before_any_write(sim, tmp_path, big_team, check):
    team_id, _emails = big_team
    run, result = run_task(sim, tmp_path, PLAYBOOK, TASK, check=check,
                           extra_vars={"team": "Customer Success", "members": []})
    assert run.rc != 0, run.summary()
    assert result["changed"] is False
    assert "would remove 250 of the 250 members" in result["msg"], result["msg"]
    assert "max_remove=10" in result["msg"] and "at least 250" in result["msg"]
    # the names are capped for AWX's event size; the total is not
    assert result["would_remove_total"] == 250
    assert result["would_remove"] == ["cs%03d@example.com" % n for n in range(50)]
    assert write_pairs(sim) == []
    assert member_count(sim, team_id) == 250


def test_a_threshold_raised_on_purpose_lets_the_change_through(sim, tmp_path, big_team):
    team_id, emails = big_team
    keep = emails[:200]
    refused, result = run_task(sim, tmp_path, PLAYBOOK, TASK, extra_vars={"team": team_id, "members": keep,
                                                                          "max_remove": 49})
    assert refused.rc != 0 and "would remove 50 of the 250" in result["msg"], refused.summary()
    assert write_pairs(sim) == []

    phases = check_apply_rerun(sim, tmp_path, PLAYBOOK, TASK, {"team": team_id, "members": keep, "max_remove": 50})
    assert phases.predicted["removed"] == phases.result["removed"] == sorted(emails[200:])
    assert phases.predicted["diff"] == phases.result["diff"]
    assert phases.writes == [("PATCH", "/Groups/%s" % team_id)]
    assert member_count(sim, team_id) == 200


def test_the_default_allows_ten_removals(sim, tmp_path, big_team):
    team_id, emails = big_team
    phases = check_apply_rerun(sim, tmp_path, PLAYBOOK, TASK, {"team": team_id, "members": emails[10:]})
    assert len(phases.result["removed"]) == 10
    assert phases.writes == [("PATCH", "/Groups/%s" % team_id)]
    assert member_count(sim, team_id) == 240


def test_state_absent_is_not_held_to_the_threshold(sim, tmp_path, big_team):
    # absent removes only the users it names; offboarding a large group relies on that.
    team_id, emails = big_team
    phases = check_apply_rerun(sim, tmp_path, PLAYBOOK, TASK,
                               {"team": team_id, "members": emails[:30], "members_state": "absent"})
    assert len(phases.predicted["removed"]) == len(phases.result["removed"]) == 30
    assert member_count(sim, team_id) == 220


def test_a_negative_threshold_is_refused_before_any_request(sim, tmp_path, big_team):
    team_id, _emails = big_team
    run, result = run_task(sim, tmp_path, PLAYBOOK, TASK, extra_vars={"team": team_id, "members": [],
                                                                      "max_remove": -1})
    assert run.rc != 0 and result["option"] == "max_remove" and "0 or more" in result["msg"], run.summary()
    assert sim.log() == []
