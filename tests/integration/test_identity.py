# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Who a listed user is (match_by): e-mail changes are renames, external ids are never shared, over HTTP.

Each case runs check mode, the real run and the rerun against the simulator; the request log proves
that check mode writes nothing and predicts the real run, and that the rerun writes nothing.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from tests.integration.harness import task_playbook
from tests.integration.phases import check_apply_rerun, run_task, write_pairs

TASK = "Reconcile"
ROSTER = task_playbook("""
    - name: Reconcile
      scimops.totango.totango_users:
        users: "{{ roster }}"
        match_by: "{{ match_by | default(omit) }}"
        disable_unlisted: "{{ disable_unlisted | default(false) }}"
        max_disable: 50
""")
USER = task_playbook("""
    - name: Reconcile
      scimops.totango.totango_user: "{{ user }}"
""")


REFUSED = "Totango refused to change the e-mail barbara.old@example.com to barbara.new@example.com"


def filters(log):
    """The filter of each read in a request log."""
    return [parse_qs(entry["query"]).get("filter", [None])[0] for entry in log if entry["method"] == "GET"]


def body(email, external_id=None, **extra):
    resource = dict({"userName": email, "name": {"givenName": "G", "familyName": "F"}, "active": True}, **extra)
    if external_id:
        resource["externalId"] = external_id
    return resource


@pytest.fixture
def tenant(sim):
    """Barbara (HR id 1001, Team Admin of Sales), Carl (1002), and Dora, who has no external id."""
    sales = sim.add_team("Sales")
    seeded = sim.seed_users([
        body("barbara.old@example.com", "1001", groups=[{"value": sales, "teamrole": "Team Admin"}]),
        body("carl@example.com", "1002"),
        body("dora@example.com"),
    ])
    return dict((resource["userName"], resource["id"]) for resource in seeded)


ROSTER_AFTER_MARRIAGE = [
    {"user_name": "barbara.new@example.com", "external_id": "1001"},
    {"user_name": "carl@example.com", "external_id": "1002"},
    {"user_name": "dora@example.com", "external_id": "1003"},
]


def test_an_e_mail_change_is_one_rename_never_a_disable_and_a_create(sim, tenant, tmp_path):
    barbara = tenant["barbara.old@example.com"]
    extra = {"roster": ROSTER_AFTER_MARRIAGE, "match_by": "external_id", "disable_unlisted": True}
    phases = check_apply_rerun(sim, tmp_path, ROSTER, TASK, extra)

    for result in (phases.predicted, phases.result):
        assert result["renamed"] == 1 and result["counts"]["renamed"] == 1
        assert result["disabled"] == 0 and result["created"] == 0
        assert result["users"][0]["action"] == "rename"
        assert result["users"][0]["renamed_from"] == "barbara.old@example.com"
        assert result["users"][0]["id"] == barbara
    assert phases.predicted["diff"] == phases.result["diff"]
    rename = [d for d in phases.result["diff"] if d["before_header"] == "barbara.new@example.com"][0]
    assert rename["before"] == {"user_name": "barbara.old@example.com"}
    assert rename["after"] == {"user_name": "barbara.new@example.com"}
    # One PATCH renames Barbara; Dora (no external id yet, found by e-mail) gets hers: nobody is disabled or created.
    assert sorted(phases.writes) == sorted([("PATCH", "/Users/%s" % barbara),
                                            ("PATCH", "/Users/%s" % tenant["dora@example.com"])])
    renamed = sim.user("barbara.new@example.com")
    assert renamed["id"] == barbara and renamed["active"] is True
    assert [(g["value"], g.get("teamrole")) for g in renamed["groups"]] == [(sim.team("Sales")["id"], "Team Admin")]
    assert sim.user("barbara.old@example.com") is None
    assert len(sim.users()) == 3
    assert phases.rerun["renamed"] == 0 and phases.rerun["unchanged"] == 3


def test_totango_user_renames_with_the_other_changes_in_one_write(sim, tenant, tmp_path):
    barbara = tenant["barbara.old@example.com"]
    user = {"user_name": "Barbara.New@Example.com", "external_id": "1001", "title": "CSM Lead", "match_by": "external_id"}
    phases = check_apply_rerun(sim, tmp_path, USER, TASK, {"user": user})
    assert phases.predicted["action"] == phases.result["action"] == "rename"
    assert phases.predicted["diff"] == phases.result["diff"]
    assert phases.result["diff"]["before"]["user_name"] == "barbara.old@example.com"
    assert phases.result["diff"]["after"]["user_name"] == "barbara.new@example.com"
    assert phases.result["diff"]["after"]["title"] == "CSM Lead"
    assert phases.writes == [("PATCH", "/Users/%s" % barbara)]
    assert sim.user("barbara.new@example.com")["title"] == "CSM Lead"
    # Found by external id, then the new e-mail checked free: two reads. The rerun finds her by external id alone.
    assert filters(phases.log) == [
        'externalId eq "1001"', 'userName eq "barbara.new@example.com"']
    assert filters(sim.log()) == ['externalId eq "1001"']


@pytest.mark.parametrize("playbook, extra, option", [
    (ROSTER, {"roster": [{"user_name": "carl@example.com", "external_id": "1002"}, {"user_name": "eve@example.com"}],
              "match_by": "external_id"}, "users[1].external_id"),
    (ROSTER, {"roster": [{"user_name": "carl@example.com", "external_id": "1002"},
                         {"user_name": "eve@example.com", "external_id": "1002"}]}, "users[1].external_id"),
    (USER, {"user": {"user_name": "eve@example.com", "match_by": "external_id"}}, "external_id"),
], ids=["roster without external_id", "roster external_id twice", "user without external_id"])
def test_bad_identity_input_is_refused_before_any_request(sim, tenant, tmp_path, playbook, extra, option):
    for check in (True, False):
        run, result = run_task(sim, tmp_path, playbook, TASK, check=check, extra_vars=extra)
        assert run.rc != 0, run.summary()
        assert option in result["msg"] and ("match_by" in result["msg"] or "already" in result["msg"]), result["msg"]
        assert sim.log() == [], "the input is checked before any request"


def test_an_external_id_with_spaces_around_it_still_finds_the_account(sim, tenant, tmp_path):
    barbara = tenant["barbara.old@example.com"]
    roster = [dict(entry, external_id=" %s " % entry["external_id"]) for entry in ROSTER_AFTER_MARRIAGE]
    extra = {"roster": roster, "match_by": "external_id", "disable_unlisted": True}
    phases = check_apply_rerun(sim, tmp_path, ROSTER, TASK, extra)
    assert phases.result["renamed"] == 1 and phases.result["disabled"] == 0 and phases.result["created"] == 0
    assert sim.user("barbara.new@example.com")["id"] == barbara
    assert sim.user("dora@example.com")["externalId"] == "1003", "the id is written trimmed"


def test_an_external_id_totango_holds_in_another_case_is_refused_not_disabled_and_created(sim, tmp_path):
    ada = sim.seed_users([body("ada.old@example.com", "HR-1")])[0]["id"]
    roster = [{"user_name": "ada.new@example.com", "external_id": "hr-1", "given_name": "Ada",
               "family_name": "Lovelace"}]
    for match_by in ("external_id", "user_name"):
        extra = {"roster": roster, "match_by": match_by, "disable_unlisted": True}
        phases = check_apply_rerun(sim, tmp_path, ROSTER, TASK, extra, failing=True)
        for result in (phases.predicted, phases.result):
            assert result["users"][0]["failed"] is True, result["users"]
            assert "ada.old@example.com" in result["users"][0]["msg"] and "HR-1" in result["users"][0]["msg"]
            assert result["disabled"] == 0 and result["created"] == 0
        assert phases.writes == []
        assert sim.user("ada.old@example.com")["active"] is True and sim.user("ada.old@example.com")["id"] == ada
        assert sim.user("ada.new@example.com") is None


PROTECTED_ROSTER = task_playbook("""
- name: Reconcile
  scimops.totango.totango_users:
    users: "{{ roster }}"
    match_by: external_id
    protected_users: [barbara.old@example.com]
""")


def test_a_protected_account_found_by_external_id_under_another_e_mail_is_never_disabled(sim, tenant, tmp_path):
    roster = [{"user_name": "barbara.new@example.com", "external_id": "1001", "state": "disabled"}]
    for check in (True, False):
        run, result = run_task(sim, tmp_path, PROTECTED_ROSTER, TASK, check=check, extra_vars={"roster": roster})
        assert run.rc != 0, run.summary()
        assert "barbara.old@example.com is in protected_users" in result["msg"], result["msg"]
        assert "users[0].state" in result["msg"], result["msg"]
        assert write_pairs(sim) == []
    assert sim.user("barbara.old@example.com")["active"] is True


def test_two_accounts_sharing_the_external_id_fail_that_entry_only(sim, tenant, tmp_path):
    twin = sim.seed_users([body("barbara.twin@example.com", "1001")])[0]["id"]
    roster = [{"user_name": "barbara.new@example.com", "external_id": "1001", "title": "Lead"},
              {"user_name": "carl@example.com", "external_id": "1002", "title": "Analyst"}]
    extra = {"roster": roster, "match_by": "external_id", "disable_unlisted": True}
    phases = check_apply_rerun(sim, tmp_path, ROSTER, TASK, extra, failing=True)
    for result in (phases.predicted, phases.result):
        failed = result["users"][0]
        assert failed["failed"] is True and failed["changed"] is False
        assert "barbara.old@example.com" in failed["msg"] and "barbara.twin@example.com" in failed["msg"]
        assert result["users"][1]["action"] == "update" and result["counts"]["failed"] == 1
        # Dora is unlisted and disabled; neither account holding 1001 is.
        assert result["disabled"] == 1
    assert sorted(phases.writes) == sorted([("PATCH", "/Users/%s" % tenant["carl@example.com"]),
                                            ("PATCH", "/Users/%s" % tenant["dora@example.com"])])
    for email in ("barbara.old@example.com", "barbara.twin@example.com"):
        assert sim.user(email)["active"] is True and "title" not in sim.user(email)
    assert sim.user("barbara.twin@example.com")["id"] == twin
    assert sim.user("barbara.new@example.com") is None


def test_by_user_name_a_create_with_someone_elses_external_id_is_not_written(sim, tenant, tmp_path):
    roster = [{"user_name": "barbara.new@example.com", "external_id": "1001", "given_name": "Barbara",
               "family_name": "New"},
              {"user_name": "carl@example.com", "external_id": "1002", "title": "Analyst"},
              {"user_name": "dora@example.com"}]
    extra = {"roster": roster, "disable_unlisted": True}
    phases = check_apply_rerun(sim, tmp_path, ROSTER, TASK, extra, failing=True)
    for result in (phases.predicted, phases.result):
        failed = result["users"][0]
        assert failed["failed"] is True and failed["action"] == "none"
        for text in ("barbara.old@example.com", "barbara.new@example.com", "match_by=external_id"):
            assert text in failed["msg"], failed["msg"]
        assert result["created"] == 0 and result["disabled"] == 0
    # Barbara's old account, unlisted, is not disabled either: the entry that would replace it failed.
    assert phases.writes == [("PATCH", "/Users/%s" % tenant["carl@example.com"])]
    assert sim.user("barbara.old@example.com")["active"] is True
    assert sim.user("barbara.new@example.com") is None


def test_totango_user_by_user_name_refuses_the_create_after_one_extra_lookup(sim, tenant, tmp_path):
    user = {"user_name": "barbara.new@example.com", "external_id": "1001", "given_name": "B", "family_name": "N"}
    for check in (True, False):
        run, result = run_task(sim, tmp_path, USER, TASK, check=check, extra_vars={"user": user})
        assert run.rc != 0, run.summary()
        assert "barbara.old@example.com" in result["msg"] and "match_by=external_id" in result["msg"]
        assert filters(sim.log()) == [
            'userName eq "barbara.new@example.com"', 'externalId eq "1001"']
        assert write_pairs(sim) == []
    # An update that keeps the external id it has costs the one read, as before.
    run, result = run_task(sim, tmp_path, USER, TASK, extra_vars={"user": {"user_name": "carl@example.com",
                                                                           "external_id": "1002"}})
    assert run.rc == 0 and result["changed"] is False and len(sim.log()) == 1, run.summary()


def test_a_rename_onto_an_e_mail_another_account_has_fails_naming_both(sim, tenant, tmp_path):
    roster = [{"user_name": "carl@example.com", "external_id": "1001"}]
    extra = {"roster": roster, "match_by": "external_id", "disable_unlisted": True}
    phases = check_apply_rerun(sim, tmp_path, ROSTER, TASK, extra, failing=True)
    msg = phases.result["users"][0]["msg"]
    assert "barbara.old@example.com" in msg and "carl@example.com" in msg
    # Dora is the one unlisted account the roster is not about.
    assert phases.writes == [("PATCH", "/Users/%s" % tenant["dora@example.com"])]
    assert sim.user("barbara.old@example.com")["active"] is True and sim.user("carl@example.com")["active"] is True


def test_a_refused_rename_says_what_totango_needs_and_writes_nothing_else_for_that_person(sim, tenant, tmp_path):
    sim.configure(user_name_mutable=False)
    barbara = tenant["barbara.old@example.com"]
    roster = [{"user_name": "barbara.new@example.com", "external_id": "1001", "title": "Lead"},
              {"user_name": "carl@example.com", "external_id": "1002", "title": "Analyst"}]
    extra = {"roster": roster, "match_by": "external_id"}
    check, predicted = run_task(sim, tmp_path, ROSTER, TASK, check=True, extra_vars=extra)
    # Check mode cannot know Totango's setting: it predicts the rename, and writes nothing.
    assert check.rc == 0 and predicted["renamed"] == 1 and write_pairs(sim) == [], check.summary()

    real, result = run_task(sim, tmp_path, ROSTER, TASK, extra_vars=extra)
    assert real.rc != 0, real.summary()
    failed = result["users"][0]
    # The simulator's own detail names Totango UUID too; the module's words around it are what is proven here.
    assert failed["failed"] is True and REFUSED in failed["msg"] and "ask Totango Support" in failed["msg"]
    assert "Nothing was written for this user" in failed["msg"]
    assert result["users"][1]["action"] == "update" and result["updated"] == 1 and result["renamed"] == 0
    # One PATCH for Barbara (the rename with her title, refused whole) and one for Carl.
    assert sorted(write_pairs(sim)) == sorted([("PATCH", "/Users/%s" % barbara),
                                               ("PATCH", "/Users/%s" % tenant["carl@example.com"])])
    assert "title" not in sim.user("barbara.old@example.com") and sim.user("barbara.new@example.com") is None
    assert sim.user("carl@example.com")["title"] == "Analyst"

    # The rerun asks again (Totango may have enabled UUID meanwhile), is refused again, and changes nothing.
    again, rerun = run_task(sim, tmp_path, ROSTER, TASK, extra_vars=extra)
    assert again.rc != 0 and rerun["changed"] is False, again.summary()
    assert write_pairs(sim) == [("PATCH", "/Users/%s" % barbara)]
    assert "title" not in sim.user("barbara.old@example.com")


def test_totango_user_reports_a_refused_rename_with_the_advice(sim, tenant, tmp_path):
    sim.configure(user_name_mutable=False)
    user = {"user_name": "barbara.new@example.com", "external_id": "1001", "title": "Lead", "match_by": "external_id"}
    run, result = run_task(sim, tmp_path, USER, TASK, extra_vars={"user": user})
    assert run.rc != 0 and result["changed"] is False, run.summary()
    assert REFUSED in result["msg"] and "ask Totango Support" in result["msg"] and result["error"]["status"] == 400
    assert "title" not in sim.user("barbara.old@example.com")
