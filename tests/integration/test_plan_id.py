# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reviewed plans, run through ansible-runner as an AWX workflow runs them: a check job, then an apply job.

The check job's plan_id is what the approval approves; the apply job, given it as expected_plan_id,
writes only when its own plan is the same. The roster or the tenant changing in between makes the
apply refuse with nothing written (the simulator's log holds no POST, PUT or PATCH), and a fresh
check gives the id an apply then accepts.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

from tests.integration.harness import ansible_bin, collections_root, run_runner, task_playbook

EXT = "urn:ietf:params:scim:schemas:totango:1.0:User"
EMPTY_PLAN_ID = "c0-u0-r0-d0-l0-fd0d59a5c5a8965e3d40893e4e0bc655bd7e232a2414b20f6141832651029288"
TASK = "Reconcile the roster"
ROSTER_PLAYBOOK = task_playbook("""
    - name: %s
      scimops.totango.totango_users:
        users: "{{ roster }}"
        expected_plan_id: "{{ expected_plan_id | default(omit) }}"
""" % TASK)
ROLE_PLAYBOOK = """
    - name: Run the role
      ansible.builtin.import_role:
        name: scimops.totango.%s
"""
ONBOARDING_PLAYBOOK = task_playbook(ROLE_PLAYBOOK % "onboarding")
OFFBOARDING_PLAYBOOK = task_playbook(ROLE_PLAYBOOK % "offboarding")
INVENTORY = 'localhost ansible_connection=local ansible_python_interpreter="{{ ansible_playbook_python }}"\n'


def roster(dee_title="Engineer"):
    return [
        {"user_name": "ann@example.com", "title": "CSM Lead"},  # an update
        {"user_name": "bob@example.com", "title": "AE"},  # unchanged
        {"user_name": "dee@example.com", "given_name": "Dee", "family_name": "Lane", "title": dee_title},  # a create
    ]


def seed(sim):
    sim.seed_users([
        {"userName": "ann@example.com", "name": {"givenName": "Ann", "familyName": "Ames"}, "title": "CSM",
         "active": True, EXT: {"license": ["spark"]}},
        {"userName": "bob@example.com", "name": {"givenName": "Bob", "familyName": "Burr"}, "title": "AE",
         "active": True, EXT: {"license": ["spark"]}},
    ])


class Job:
    """One ansible-runner job: its status, the events' task results and the custom stats (set_stats)."""

    def __init__(self, runner):
        self.status = runner.status
        self.events = list(runner.events)
        self.stdout = runner.stdout.read()

    def result(self, task):
        found = [event["event_data"]["res"] for event in self.events
                 if event["event"] in ("runner_on_ok", "runner_on_failed") and event["event_data"].get("task") == task]
        assert found, "no result of task %r in: %s" % (task, self.stdout[-3000:])
        return found[-1]

    @property
    def artifacts(self):
        """What set_stats published (AWX hands it to the workflow's next job as extra vars)."""
        stats = [event for event in self.events if event["event"] == "playbook_on_stats"]
        return stats[-1]["event_data"].get("artifact_data") or {}


def run_job(sim, tmp_path, name, playbook, extravars, check=False):
    """A job as an AWX job template runs it (check=True: a job template of type check, with --diff)."""
    private_data_dir = tmp_path / name
    (private_data_dir / "inventory").mkdir(parents=True)
    (private_data_dir / "inventory" / "hosts").write_text(INVENTORY, encoding="utf-8")
    (private_data_dir / "project").mkdir()
    (private_data_dir / "project" / "site.yml").write_text(playbook, encoding="utf-8")
    if check:
        (private_data_dir / "env").mkdir()
        (private_data_dir / "env" / "cmdline").write_text("--check --diff", encoding="utf-8")
    envvars = {
        "TOTANGO_SCIM_URL": sim.scim_url, "TOTANGO_APP_TOKEN": sim.app_token,
        "ANSIBLE_COLLECTIONS_PATH": str(collections_root()), "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "False", "ANSIBLE_LOCALHOST_WARNING": "False",
        # ansible-playbook of this venv first, as the execution environment's own is
        "PATH": str(Path(ansible_bin()).parent) + os.pathsep + os.environ.get("PATH", ""),
    }
    runner = run_runner(sim, private_data_dir=private_data_dir, playbook="site.yml",
                        project_dir=private_data_dir / "project", envvars=envvars, extravars=extravars)
    return Job(runner)


def write_requests(sim):
    return [(entry["method"], entry["path"]) for entry in sim.writes()]


def change_behind_the_back(sim, email, **fields):
    """Someone edits a user in Totango between the check and the apply (a PUT of the resource; not the module)."""
    user = dict(sim.user(email))
    user.pop("meta", None)
    user.update(fields)
    response = requests.put("%s/Users/%s" % (sim.scim_url, user["id"]), json=user,
                            headers={"app-token": sim.app_token}, timeout=10)
    response.raise_for_status()
    assert sim.user(email)["title"] == fields["title"]


def check_then_apply(sim, tmp_path, name, users):
    """The check job's plan id, after asserting it wrote nothing."""
    sim.clear_log()
    check = run_job(sim, tmp_path, name + "-check", ROSTER_PLAYBOOK, {"roster": users}, check=True)
    assert check.status == "successful", check.stdout[-3000:]
    assert write_requests(sim) == [], "check mode wrote"
    return check.result(TASK)


# -- the module ----------------------------------------------------------------------------

def test_the_reviewed_plan_is_applied_and_is_the_plan_the_apply_computes(sim, tmp_path):
    seed(sim)
    checked = check_then_apply(sim, tmp_path, "first", roster())
    plan_id = checked["plan_id"]
    assert plan_id.startswith("c1-u1-r0-d0-l0-") and checked["plan"] == {
        "creates": 1, "updates": 1, "renames": 0, "disables": 0, "leaves": 0}

    sim.clear_log()
    apply = run_job(sim, tmp_path, "first-apply", ROSTER_PLAYBOOK, {"roster": roster(), "expected_plan_id": plan_id})
    assert apply.status == "successful", apply.stdout[-3000:]
    applied = apply.result(TASK)
    assert applied["changed"] and applied["plan_id"] == plan_id
    assert sorted(write_requests(sim)) == sorted([("POST", "/Users"), ("PATCH", "/Users/%s" % sim.user("ann@example.com")["id"])])
    assert sim.user("ann@example.com")["title"] == "CSM Lead" and sim.user("dee@example.com")["title"] == "Engineer"

    # the rerun has nothing to write: the one empty plan, which the same expected id no longer matches
    sim.clear_log()
    rerun = run_job(sim, tmp_path, "first-rerun", ROSTER_PLAYBOOK, {"roster": roster()})
    assert rerun.status == "successful" and not rerun.result(TASK)["changed"]
    assert rerun.result(TASK)["plan_id"] == EMPTY_PLAN_ID
    assert write_requests(sim) == []


@pytest.mark.parametrize("what_changed", ["roster", "tenant"])
def test_an_apply_whose_plan_changed_since_the_review_writes_nothing(sim, tmp_path, what_changed):
    seed(sim)
    reviewed = check_then_apply(sim, tmp_path, "review", roster())["plan_id"]
    users = roster()
    if what_changed == "roster":
        users = roster(dee_title="Staff Engineer")  # one field of the roster edited after the review
        changed_user = "dee@example.com"
    else:
        change_behind_the_back(sim, "bob@example.com", title="Account Executive")  # bob now needs a write
        changed_user = "bob@example.com"

    sim.clear_log()
    refused = run_job(sim, tmp_path, "stale-apply", ROSTER_PLAYBOOK, {"roster": users, "expected_plan_id": reviewed})
    assert refused.status == "failed"
    result = refused.result(TASK)
    assert write_requests(sim) == [], "an apply whose plan changed wrote"
    assert "expected_plan_id=%s" % reviewed in result["msg"] and result["plan_id"] in result["msg"]
    assert changed_user in result["msg"] and result["plan_id"] != reviewed
    assert result["expected_plan_id"] == reviewed and not result["changed"]
    assert any(line.startswith(changed_user) for line in result["plan_users"])
    if what_changed == "tenant":
        assert "Reviewed: 1 create, 1 update; now: 1 create, 2 update" in result["msg"]

    # the approval job rehearsed in check mode refuses too
    sim.clear_log()
    rehearsal = run_job(sim, tmp_path, "stale-rehearsal", ROSTER_PLAYBOOK,
                        {"roster": users, "expected_plan_id": reviewed}, check=True)
    assert rehearsal.status == "failed" and "expected_plan_id" in rehearsal.result(TASK)["msg"]
    assert write_requests(sim) == []

    # review again: the fresh plan is the one the apply makes
    fresh = check_then_apply(sim, tmp_path, "review-again", users)["plan_id"]
    assert fresh == result["plan_id"]
    sim.clear_log()
    apply = run_job(sim, tmp_path, "fresh-apply", ROSTER_PLAYBOOK, {"roster": users, "expected_plan_id": fresh})
    assert apply.status == "successful", apply.stdout[-3000:]
    assert apply.result(TASK)["plan_id"] == fresh and apply.result(TASK)["changed"]
    assert len(write_requests(sim)) == (3 if what_changed == "tenant" else 2)

    sim.clear_log()
    rerun = run_job(sim, tmp_path, "fresh-rerun", ROSTER_PLAYBOOK, {"roster": users})
    assert rerun.status == "successful" and not rerun.result(TASK)["changed"]
    assert write_requests(sim) == []


def test_an_expected_plan_id_that_is_no_plan_id_is_refused_before_any_request(sim, tmp_path):
    seed(sim)
    sim.clear_log()
    job = run_job(sim, tmp_path, "bad-id", ROSTER_PLAYBOOK, {"roster": roster(), "expected_plan_id": "approved"})
    assert job.status == "failed"
    result = job.result(TASK)
    assert result["errors"] == [{"option": "expected_plan_id", "rule": result["errors"][0]["rule"]}]
    assert "must be the plan_id a check run of totango_users returned" in result["msg"]
    assert sim.log() == []


# -- the roles -----------------------------------------------------------------------------

def test_onboarding_publishes_its_plan_id_for_the_apply_job(sim, tmp_path):
    seed(sim)
    people = {"onboarding_users": [{"user_name": "dee@example.com", "given_name": "Dee", "family_name": "Lane"}]}
    sim.clear_log()
    check = run_job(sim, tmp_path, "onboard-check", ONBOARDING_PLAYBOOK, people, check=True)
    assert check.status == "successful", check.stdout[-3000:]
    assert write_requests(sim) == []
    published = check.artifacts["scimops_totango_onboarding_plan_id"]
    assert published.startswith("c1-u0-r0-d0-l0-")

    # AWX hands the artifact to the next node as an extra var; the apply job template maps it to the role variable
    apply_vars = dict(people, scimops_totango_onboarding_plan_id=published,
                      onboarding_expected_plan_id="{{ scimops_totango_onboarding_plan_id }}")
    change_behind_the_back(sim, "ann@example.com", title="not what the check saw")  # a user the role does not write
    sim.clear_log()
    apply = run_job(sim, tmp_path, "onboard-apply", ONBOARDING_PLAYBOOK, apply_vars)
    assert apply.status == "successful", apply.stdout[-3000:]
    assert write_requests(sim) == [("POST", "/Users")]
    assert apply.artifacts["scimops_totango_onboarding_plan_id"] == published

    # the apply job launched on its own, without the check job's artifact: no request at all
    sim.clear_log()
    alone = run_job(sim, tmp_path, "onboard-alone", ONBOARDING_PLAYBOOK,
                    dict(people, onboarding_expected_plan_id="{{ scimops_totango_onboarding_plan_id }}"))
    assert alone.status == "failed" and "scimops_totango_onboarding_plan_id" in alone.stdout
    assert sim.log() == []

    # a stale id: the role refuses in its own terms, with nothing written
    sim.clear_log()
    stale = run_job(sim, tmp_path, "onboard-stale", ONBOARDING_PLAYBOOK,
                    dict(people, onboarding_users=[dict(people["onboarding_users"][0], title="CTO")],
                         onboarding_expected_plan_id=published))
    assert stale.status == "failed"
    assert write_requests(sim) == []
    msg = stale.result("Stop when the plan is not the reviewed one")["msg"]
    assert msg.startswith("onboarding_expected_plan_id: ") and "dee@example.com (update: title)" in msg


def test_offboarding_refuses_a_plan_that_is_not_the_reviewed_one(sim, tmp_path):
    seed(sim)
    leavers = {"offboarding_users": ["ann@example.com"]}
    [team_id] = [group["value"] for group in sim.user("ann@example.com")["groups"]]  # the default team
    sim.clear_log()
    check = run_job(sim, tmp_path, "offboard-check", OFFBOARDING_PLAYBOOK, leavers, check=True)
    assert check.status == "successful", check.stdout[-3000:]
    published = check.artifacts["scimops_totango_offboarding_plan_id"]
    assert published.startswith("c0-u0-r0-d1-l1-")  # ann leaves the default team she was seeded into
    assert write_requests(sim) == []

    sim.clear_log()
    stale = run_job(sim, tmp_path, "offboard-stale", OFFBOARDING_PLAYBOOK,
                    {"offboarding_users": ["ann@example.com", "bob@example.com"], "offboarding_expected_plan_id": published})
    assert stale.status == "failed"
    assert write_requests(sim) == []
    msg = stale.result("Stop when the leavers were refused before any write")["msg"]
    assert msg.startswith("offboarding_expected_plan_id: ") and "bob@example.com (disable" in msg

    sim.clear_log()
    apply = run_job(sim, tmp_path, "offboard-apply", OFFBOARDING_PLAYBOOK,
                    dict(leavers, offboarding_expected_plan_id=published))
    assert apply.status == "successful", apply.stdout[-3000:]
    assert write_requests(sim) == [("PATCH", "/Users/%s" % sim.user("ann@example.com")["id"]), ("PATCH", "/Groups/%s" % team_id)]
    assert sim.user("ann@example.com")["active"] is False
