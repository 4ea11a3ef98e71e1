# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""totango_user through ansible-playbook against the simulator over HTTP: check, apply, rerun, independent read."""

from __future__ import annotations

import textwrap

import pytest
import requests

from tests.integration.harness import run_playbook, task_playbook
from tests.simulator.defaults import TEST_SECRETS

ERIC = """
        user_name: Eric.Dunn@Company.com
        given_name: Eric
        family_name: Dunn
        title: CSM Team Leader
        external_id: "701984"
        license: Zoe
        manager_email: Tracy@Work.com
        teams:
          - name: Global Team
            role: Team Admin
"""


def play(args):
    """A playbook of one task, "manage user", running totango_user with these options (YAML, any indentation)."""
    options = textwrap.indent(textwrap.dedent(args).strip("\n"), " " * 4)
    return task_playbook("- name: manage user\n  scimops.totango.totango_user:\n" + options, name="totango_user")


def scim_get(sim, path, **params):
    """An independent read: plain requests against the SCIM API, not the collection's client."""
    response = requests.get(sim.scim_url + path, params=params, headers={"app-token": sim.app_token}, timeout=10)
    response.raise_for_status()
    return response.json()


def read_user(sim, user_name):
    found = scim_get(sim, "/Users", filter='userName eq "%s"' % user_name)["Resources"]
    assert len(found) == 1, found
    return found[0]


def requests_seen(sim):
    return [(entry["method"], entry["path"]) for entry in sim.log()]


def seed_eric(sim, **extra):
    team = sim.team("Global Team") or {"id": sim.add_team("Global Team")}
    body = {
        "userName": "eric.dunn@company.com", "name": {"givenName": "Eric", "familyName": "Dunn"},
        "title": "CSM Team Leader", "externalId": "701984",
        "groups": [{"value": str(team["id"]), "teamrole": "Team Admin"}],
        "urn:ietf:params:scim:schemas:totango:1.0:User": {"license": ["zoe"], "managerEmail": "tracy@work.com"},
    }
    body.update(extra)
    sim.seed_users([body])
    sim.clear_log()
    return str(team["id"])


def test_create_check_apply_rerun_read(sim, tmp_path):
    team_id = sim.add_team("Global Team")
    checked = run_playbook(play(ERIC), sim, check=True, diff=True, tmp_path=tmp_path)
    assert checked.rc == 0, checked.summary()
    predicted = checked.task("manage user")
    assert predicted["changed"] and predicted["action"] == "create"
    assert predicted["diff"]["before"] == {}
    assert predicted["diff"]["after"]["teams"] == [{"id": team_id, "name": "Global Team", "role": "Team Admin"}]
    assert predicted["diff"]["after"]["user_name"] == "eric.dunn@company.com"
    assert sim.writes() == [], "check mode must not write"

    sim.clear_log()
    applied = run_playbook(play(ERIC), sim, diff=True, tmp_path=tmp_path)
    assert applied.rc == 0, applied.summary()
    result = applied.task("manage user")
    assert result["changed"] and result["diff"] == predicted["diff"], "check mode must predict the real diff"
    assert [(w["method"], w["path"]) for w in sim.writes()] == [("POST", "/Users")]
    assert result["user"]["id"], "a created user carries an id"

    sim.clear_log()
    rerun = run_playbook(play(ERIC), sim, diff=True, tmp_path=tmp_path)
    assert rerun.rc == 0, rerun.summary()
    assert not rerun.task("manage user")["changed"]
    assert requests_seen(sim) == [("GET", "/Users")], "an unchanged user costs one read and no write"

    user = read_user(sim, "eric.dunn@company.com")
    ext = user["urn:ietf:params:scim:schemas:totango:1.0:User"]
    assert user["name"] == {"givenName": "Eric", "familyName": "Dunn"}
    assert ext["license"] == ["zoe"] and ext["managerEmail"] == "tracy@work.com"
    assert [(g["value"], g["teamrole"]) for g in user["groups"]] == [(team_id, "Team Admin")]


def test_update_costs_one_patch_and_no_reread(sim, tmp_path):
    seed_eric(sim)
    args = "user_name: eric.dunn@company.com\ntitle: VP Success\nmanager_email: ''"
    checked = run_playbook(play(args), sim, check=True, diff=True, tmp_path=tmp_path)
    assert checked.rc == 0, checked.summary()
    assert sim.writes() == []
    predicted = checked.task("manage user")["diff"]
    assert (predicted["before"]["title"], predicted["after"]["title"]) == ("CSM Team Leader", "VP Success")
    assert "manager_email" not in predicted["after"]

    sim.clear_log()
    applied = run_playbook(play(args), sim, diff=True, tmp_path=tmp_path)
    result = applied.task("manage user")
    assert result["changed"] and result["action"] == "patch" and result["diff"] == predicted
    assert requests_seen(sim)[0] == ("GET", "/Users") and len(requests_seen(sim)) == 2
    assert requests_seen(sim)[1][0] == "PATCH", "one PATCH, and no read after it"
    assert result["user"]["title"] == "VP Success"

    sim.clear_log()
    rerun = run_playbook(play(args), sim, tmp_path=tmp_path)
    assert not rerun.task("manage user")["changed"] and sim.writes() == []
    user = read_user(sim, "eric.dunn@company.com")
    assert user["title"] == "VP Success"
    assert "managerEmail" not in user.get("urn:ietf:params:scim:schemas:totango:1.0:User", {})


def test_disable_then_idempotent(sim, tmp_path):
    seed_eric(sim)
    args = "email: ERIC.DUNN@company.com\nstate: disabled"
    checked = run_playbook(play(args), sim, check=True, diff=True, tmp_path=tmp_path)
    assert checked.task("manage user")["changed"] and sim.writes() == []
    applied = run_playbook(play(args), sim, diff=True, tmp_path=tmp_path)
    assert applied.task("manage user")["diff"]["after"]["active"] is False
    assert [w["method"] for w in sim.writes()] == ["PATCH"]
    sim.clear_log()
    rerun = run_playbook(play(args), sim, tmp_path=tmp_path)
    assert not rerun.task("manage user")["changed"] and sim.writes() == []
    assert read_user(sim, "eric.dunn@company.com")["active"] is False


def test_disabled_user_that_does_not_exist(sim, tmp_path):
    result = run_playbook(play("user_name: nobody@company.com\nstate: disabled"), sim, diff=True, tmp_path=tmp_path)
    assert result.rc == 0, result.summary()
    assert not result.task("manage user")["changed"]
    assert sim.writes() == []


def test_replace_uses_put_and_clears_unset_attributes(sim, tmp_path):
    seed_eric(sim)
    args = "user_name: eric.dunn@company.com\ngiven_name: Eric\nfamily_name: Dunn\nreplace: true"
    applied = run_playbook(play(args), sim, diff=True, tmp_path=tmp_path)
    result = applied.task("manage user")
    assert result["changed"] and result["action"] == "put", applied.summary()
    assert [w["method"] for w in sim.writes()] == ["PUT"]
    user = read_user(sim, "eric.dunn@company.com")
    assert "title" not in user and "externalId" not in user
    sim.clear_log()
    rerun = run_playbook(play(args), sim, tmp_path=tmp_path)
    assert not rerun.task("manage user")["changed"] and sim.writes() == []


def test_display_name_change_is_a_put_because_patch_refuses_it(sim, tmp_path):
    seed_eric(sim)
    applied = run_playbook(play("user_name: eric.dunn@company.com\ndisplay_name: Eric D."), sim, tmp_path=tmp_path)
    assert applied.rc == 0, applied.summary()
    assert [w["method"] for w in sim.writes()] == ["PUT"]
    user = read_user(sim, "eric.dunn@company.com")
    assert user["displayName"] == "Eric D." and user["title"] == "CSM Team Leader", "PUT keeps what was not changed"
    assert [g["teamrole"] for g in user["groups"]] == ["Team Admin"]


def test_create_when_the_201_carries_no_id(sim, tmp_path):
    sim.configure(create_response="minimal")
    sim.add_team("Global Team")
    applied = run_playbook(play(ERIC), sim, tmp_path=tmp_path)
    assert applied.rc == 0, applied.summary()
    assert applied.task("manage user")["user"]["id"]
    assert requests_seen(sim)[-2:] == [("POST", "/Users"), ("GET", "/Users")], "read back once by filter"


@pytest.mark.parametrize("args, option", [
    ("user_name: not-an-email\ngiven_name: A\nfamily_name: B", "user_name"),
    ("user_name: a@company.com\ngiven_name: %s\nfamily_name: B" % ("x" * 31), "given_name"),
    ("user_name: a@company.com\ngiven_name: A\nfamily_name: B\nlicense: platinum", "license"),
    ("user_name: a@company.com\ngiven_name: A\nfamily_name: B\nteams: []", "teams"),
    ("user_name: a@company.com\ngiven_name: A\nfamily_name: B\nteams: [{name: No Such Team}]", "teams[0]"),
    ("user_name: a@company.com\ngiven_name: A", "family_name"),
    ("user_name: a@company.com\ngiven_name: A\nfamily_name: B\napp_token: one-token\naccess_token: another-token",
     "app_token"),
    ("user_name: a@company.com\ngiven_name: A\nfamily_name: B\nscim_url: app.totango.com/t01", "scim_url"),
])
def test_invalid_input_fails_before_any_write(sim, tmp_path, args, option):
    result = run_playbook(play(args), sim, tmp_path=tmp_path)
    assert result.rc != 0
    assert result.record("manage user")["failed"]
    message = result.task("manage user")["msg"]
    assert message.startswith(option), message
    assert sim.writes() == []


def test_license_downgrade_to_viewer_is_refused_before_writing(sim, tmp_path):
    seed_eric(sim)
    result = run_playbook(play("user_name: eric.dunn@company.com\nlicense: viewer"), sim, tmp_path=tmp_path)
    assert "cannot change a Zoe user to Viewer" in result.task("manage user")["msg"]
    assert sim.writes() == []


@pytest.mark.parametrize("auth, kind", [("app_token", "app-token"), ("access_token", "bearer"), ("password", "bearer")])
def test_each_way_of_authenticating(sim, tmp_path, auth, kind):
    sim.add_team("Global Team")
    result = run_playbook(play(ERIC), sim, auth=auth, tmp_path=tmp_path)
    assert result.rc == 0, result.summary()
    scim_requests = [e for e in sim.log() if e["path"] != "token"]
    assert {e["auth"] for e in scim_requests} == {kind}
    tokens = [e for e in sim.log() if e["path"] == "token"]
    assert len(tokens) == (1 if auth == "password" else 0), "one token per run, reused for every request"


def test_refused_credentials_say_which_and_why(sim, tmp_path):
    result = run_playbook(play("user_name: a@company.com"), sim, auth="app_token",
                          env={"TOTANGO_APP_TOKEN": "wrong-token"}, tmp_path=tmp_path)
    message = result.task("manage user")["msg"]
    assert "HTTP 401" in message and "app_token was refused" in message and "global admin" in message


def test_secrets_stay_out_of_verbose_output(sim, tmp_path):
    sim.add_team("Global Team")
    passing = run_playbook(play(ERIC), sim, auth="password", diff=True, verbosity=3, tmp_path=tmp_path)
    assert passing.rc == 0, passing.summary()
    failing = run_playbook(play("user_name: a@company.com\nlicense: gold"), sim, auth="app_token", verbosity=3,
                           tmp_path=tmp_path)
    assert failing.rc != 0
    explicit = run_playbook(play("user_name: eric.dunn@company.com\npassword: %s\nusername: %s" % (
        TEST_SECRETS[1], "admin@scimops.example")), sim, auth=None, diff=True, verbosity=3, tmp_path=tmp_path)
    assert explicit.rc == 0, explicit.summary()
    for run in (passing, failing, explicit):
        output = run.stdout + run.stderr + repr(run.tasks)
        for secret in TEST_SECRETS:
            assert secret not in output
