# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""totango_users through ansible-playbook against the simulator over HTTP: check, apply, rerun, independent read.

Every claim is proved from the simulator's request log: how many reads (one per page of 100 users),
which writes, and none at all in check mode, on a rerun, or when the input or the safety threshold
refuses the run.
"""

from __future__ import annotations

import math
from pathlib import Path

import requests

from tests.integration.harness import run_playbook
from tests.simulator.defaults import TEST_SECRETS

PLAYBOOK = Path(__file__).resolve().parent / "playbooks" / "totango_users" / "roster.yml"
TASK = "Reconcile the roster"
EXT = "urn:ietf:params:scim:schemas:totango:1.0:User"


def reconcile(sim, tmp_path, roster, check=False, diff=False, verbosity=0, **extra):
    return run_playbook(PLAYBOOK, sim, check=check, diff=diff, verbosity=verbosity, tmp_path=tmp_path,
                        extra_vars=dict(extra, roster=roster))


def scim_users(sim):
    """An independent read of every user: plain requests, page by page, not the collection's client."""
    users, start = {}, 1
    while True:
        response = requests.get(sim.scim_url + "/Users", params={"startIndex": start, "count": 100},
                                headers={"app-token": sim.app_token}, timeout=10)
        response.raise_for_status()
        page = response.json()
        for user in page["Resources"]:
            users[user["userName"]] = user
        start += len(page["Resources"])
        if not page["Resources"] or start > page["totalResults"]:
            return users


def seed(sim, count, prefix="old", **extra):
    sim.seed_users([dict({"userName": "%s%03d@example.com" % (prefix, i), "title": "Analyst",
                          "name": {"givenName": "Old", "familyName": "User%d" % i}}, **extra) for i in range(count)])


def writes(sim):
    return [(entry["method"], entry["path"]) for entry in sim.writes()]


def counts(result):
    return result["counts"]


def test_check_apply_rerun_read_over_several_pages(sim, tmp_path):
    """250 users: 150 exist (50 need a new title), 100 are new (10 of them in a team given by name)."""
    team_id = sim.add_team("Global Team")
    seed(sim, 150)
    roster = [{"user_name": "OLD%03d@Example.com" % i, "title": "Senior Analyst" if i < 50 else "Analyst"}
              for i in range(150)]
    roster += [{"email": "new%03d@example.com" % i, "given_name": "New", "family_name": "User%d" % i,
                "license": "Zoe", "teams": [{"name": "Global Team", "role": "Team Admin"}] if i < 10 else None}
               for i in range(100)]
    sim.clear_log()

    checked = reconcile(sim, tmp_path, roster, check=True, diff=True)
    assert checked.rc == 0, checked.summary()
    predicted = checked.task(TASK)
    assert predicted["changed"]
    assert counts(predicted) == {"created": 100, "updated": 50, "renamed": 0, "disabled": 0, "unchanged": 100, "failed": 0}
    assert (predicted["created"], predicted["updated"], predicted["unchanged"]) == (100, 50, 100)
    assert sim.writes() == [], "check mode must not write"
    assert [e["path"] for e in sim.reads()] == ["/Users", "/Users", "/Groups"], "two pages of users, teams once"
    diff = {d["before_header"]: d for d in predicted["diff"]}
    assert len(diff) == 150, "one diff entry per changed user, none for unchanged ones"
    assert diff["old007@example.com"]["before"] == {"title": "Analyst"}
    assert diff["old007@example.com"]["after"] == {"title": "Senior Analyst"}
    assert diff["new003@example.com"]["after"]["teams"] == [{"id": team_id, "name": "Global Team", "role": "Team Admin"}]
    assert diff["new003@example.com"]["after_header"] == "new003@example.com (create)"
    assert "+++ after: old007@example.com (update)" in checked.stdout

    sim.clear_log()
    applied = reconcile(sim, tmp_path, roster, diff=True)
    assert applied.rc == 0, applied.summary()
    result = applied.task(TASK)
    assert counts(result) == counts(predicted) and result["diff"] == predicted["diff"], "check mode predicts the run"
    assert result["users"] == predicted["users"]
    patched = sorted("/Users/%s" % sim.user("old%03d@example.com" % i)["id"] for i in range(50))
    assert sorted(path for method, path in writes(sim) if method == "PATCH") == patched
    assert [method for method, _path in writes(sim)].count("POST") == 100 and len(writes(sim)) == 150
    assert len(sim.reads()) == 3, "no read after any write"

    sim.clear_log()
    # ansible-core 2.21 returns `invocation` only with INJECT_INVOCATION (earlier releases always do)
    rerun = reconcile(sim, tmp_path, roster, diff=True, verbosity=3, ansible_inject_invocation=True)
    assert rerun.rc == 0, rerun.summary()
    again = rerun.task(TASK)
    assert not again["changed"] and again["diff"] == []
    assert counts(again) == {"created": 0, "updated": 0, "renamed": 0, "disabled": 0, "unchanged": 250, "failed": 0}
    assert sim.writes() == []
    assert [e["path"] for e in sim.reads()] == ["/Users"] * math.ceil(250 / 100), "one read per page, nothing else"
    for secret in TEST_SECRETS:
        assert secret not in rerun.stdout and secret not in rerun.stderr
    # -vvv echoes the options, the roster only by its length, and the connection as Ansible masks it.
    echoed = again["invocation"]["module_args"]
    assert echoed["users"] == "250 entries, not echoed back"
    assert echoed["app_token"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert echoed["password"] is None and echoed["parallel"] == 4
    assert again["users"] == [], "the unchanged are counted, not listed"

    users = scim_users(sim)
    assert len(users) == 250
    assert users["old007@example.com"]["title"] == "Senior Analyst"
    assert users["old107@example.com"]["title"] == "Analyst"
    new = users["new003@example.com"]
    assert new["name"] == {"givenName": "New", "familyName": "User3"} and new[EXT]["license"] == ["zoe"]
    assert [(g["value"], g["teamrole"]) for g in new["groups"]] == [(team_id, "Team Admin")]
    assert [g["display"] for g in users["new050@example.com"]["groups"]] == ["Default Team"]


def test_disable_unlisted_spares_listed_protected_and_inactive_users(sim, tmp_path):
    seed(sim, 4, active=True)
    seed(sim, 1, prefix="inactive", active=False)
    roster = [{"user_name": "old000@example.com"}]
    options = {"disable_unlisted": True, "protected_users": ["OLD001@example.com"]}
    sim.clear_log()

    checked = reconcile(sim, tmp_path, roster, check=True, diff=True, **options)
    assert checked.rc == 0, checked.summary()
    predicted = checked.task(TASK)
    assert counts(predicted) == {"created": 0, "updated": 0, "renamed": 0, "disabled": 2, "unchanged": 2, "failed": 0}
    assert [(d["before_header"], d["before"], d["after"]) for d in predicted["diff"]] == [
        ("old002@example.com", {"active": True}, {"active": False}),
        ("old003@example.com", {"active": True}, {"active": False})]
    assert sim.writes() == []

    sim.clear_log()
    applied = reconcile(sim, tmp_path, roster, diff=True, **options)
    assert applied.rc == 0, applied.summary()
    assert applied.task(TASK)["diff"] == predicted["diff"]
    ids = {email: sim.user(email)["id"] for email in ("old002@example.com", "old003@example.com")}
    assert sorted(writes(sim)) == sorted(("PATCH", "/Users/%s" % uid) for uid in ids.values())
    assert [e["path"] for e in sim.reads()] == ["/Users"]

    sim.clear_log()
    rerun = reconcile(sim, tmp_path, roster, **options)
    assert rerun.rc == 0 and not rerun.task(TASK)["changed"], rerun.summary()
    assert sim.writes() == []

    users = scim_users(sim)
    assert [users["old%03d@example.com" % i].get("active") for i in range(4)] == [True, True, False, False]
    assert users["inactive000@example.com"]["active"] is False


def test_max_disable_refuses_before_any_write(sim, tmp_path):
    seed(sim, 6, active=True)
    sim.clear_log()
    roster = [{"user_name": "old000@example.com"}]  # an empty roster is refused outright (test_bad_inputs)
    for check in (True, False):
        refused = reconcile(sim, tmp_path, roster, check=check, disable_unlisted=True, max_disable=3)
        assert refused.rc != 0
        result = refused.task(TASK)
        assert refused.record(TASK)["failed"] and not result["changed"]
        assert "would disable 5 users" in result["msg"] and "max_disable=3" in result["msg"]
        assert "set max_disable to at least 5" in result["msg"]
        assert len(result["would_disable"]) == 5
    assert sim.writes() == []
    assert all(user.get("active") for user in scim_users(sim).values())

    allowed = reconcile(sim, tmp_path, roster, disable_unlisted=True, max_disable=5)
    assert allowed.rc == 0, allowed.summary()
    assert counts(allowed.task(TASK))["disabled"] == 5 and len(sim.writes()) == 5
    assert scim_users(sim)["old000@example.com"]["active"] is True


def test_bad_users_among_good_ones_fail_before_any_write(sim, tmp_path):
    seed(sim, 2, active=True)
    roster = [{"user_name": "good@example.com", "given_name": "Good", "family_name": "One"},
              {"user_name": "long@example.com", "given_name": "x" * 31, "family_name": "One"},
              {"user_name": "old000@example.com", "title": "Lead"},
              {"user_name": "GOOD@example.com", "given_name": "Good", "family_name": "Twice"},
              {"user_name": "noname@example.com"},
              {"user_name": "team@example.com", "given_name": "T", "family_name": "U", "teams": [{"name": "Nope"}]}]
    sim.clear_log()
    failed = reconcile(sim, tmp_path, roster)
    assert failed.rc != 0
    result = failed.task(TASK)
    assert sim.log() == [], "options are checked before any request"
    assert [e["option"] for e in result["errors"]] == ["users[1].given_name", "users[3].user_name"]
    assert "nothing was changed" in result["msg"]
    assert "must be at most 30 characters" in result["msg"] and "already listed as users[0]" in result["msg"]

    roster = [roster[0], roster[2], roster[4], roster[5]]
    failed = reconcile(sim, tmp_path, roster)
    assert failed.rc != 0
    result = failed.task(TASK)
    assert sim.writes() == []
    assert [e["option"] for e in result["errors"]] == ["users[2].given_name", "users[3].teams[0]"], \
        "errors found while planning against the listing are all reported too"


def test_one_user_refused_by_the_api_does_not_stop_the_others(sim, tmp_path):
    """Totango without UUID refuses to change e-mails (400): two renames fail, the other users are applied."""
    sim.configure(user_name_mutable=False, latency_ms=100)
    sim.seed_users([{"userName": "old%03d@example.com" % i, "externalId": "X-%d" % i, "title": "Analyst",
                     "name": {"givenName": "Old", "familyName": "User%d" % i}, "active": True} for i in range(9)])
    roster = [{"user_name": "old%03d@example.com" % i, "external_id": "X-%d" % i, "title": "Lead"} for i in range(9)]
    roster[5]["user_name"] = "new005@example.com"
    roster[8]["user_name"] = "new008@example.com"
    sim.clear_log()

    result = reconcile(sim, tmp_path, roster, parallel=4, match_by="external_id")
    assert result.rc != 0
    task = result.task(TASK)
    assert counts(task) == {"created": 0, "updated": 7, "renamed": 0, "disabled": 0, "unchanged": 0, "failed": 2}
    assert task["changed"], "the users that were applied are reported changed"
    failures = {u["user_name"]: u["msg"] for u in task["users"] if u["failed"]}
    assert set(failures) == {"new005@example.com", "new008@example.com"}
    assert "HTTP 400 mutability" in failures["new005@example.com"]
    assert "Totango UUID" in failures["new008@example.com"]
    assert task["msg"].startswith("2 of 9 users failed, the others were applied: users[5] new005@example.com: ")
    assert "users[8] new008@example.com" in task["msg"]

    users = scim_users(sim)
    assert [users["old%03d@example.com" % i]["title"] for i in range(9)] == (
        ["Lead"] * 5 + ["Analyst"] + ["Lead"] * 2 + ["Analyst"])
    assert "new005@example.com" not in users
    # The writes overlapped: with 100 ms of latency, four workers start four writes within one latency.
    starts = sorted(entry["ts"] for entry in sim.writes())
    assert any(later - first < 0.1 for first, later in zip(starts, starts[3:])), starts
