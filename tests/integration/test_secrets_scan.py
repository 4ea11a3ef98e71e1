# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Secrets stay out of output: -vvv runs of every module, and proof that the suite-wide scan works.

The scan itself lives in tests/integration/conftest.py and runs on every ansible-playbook run of the
integration suite. These tests add what the other suites do not exercise: every module at -vvv with
--diff in each way of authenticating, credentials given as module options (right and wrong), failures
(refused credentials, a server error, exhausted retries), and a deliberate leak that the scan must catch,
so that a silent scanner cannot pass for a clean suite.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.harness import SIM_ADMIN_PASSWORD, SIM_ADMIN_USER, SIM_APP_TOKEN, TEST_SECRETS, run_playbook

PLAYBOOKS = Path(__file__).resolve().parent / "playbooks" / "reliability"
WRONG_PASSWORD = "wrong-pass-Hj27bN"
WRONG_APP_TOKEN = "wrong-app-token-Pd64sM"

LEAKY = """
- name: A playbook that leaks on purpose
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Print the bearer token from the environment
      ansible.builtin.debug:
        msg: "token={{ lookup('ansible.builtin.env', 'TOTANGO_ACCESS_TOKEN') }}"

    - name: Print the admin password given as an extra var
      ansible.builtin.debug:
        msg: "password={{ leaked }}"
"""


def everything(result):
    return result.stdout + result.stderr + repr(result.tasks)


def test_the_scan_catches_a_leak(sim, tmp_path, secrets_scanner, request):
    runs_before = secrets_scanner.runs
    result = run_playbook(LEAKY, sim, auth="access_token", verbosity=3, tmp_path=tmp_path,
                          extra_vars={"leaked": SIM_ADMIN_PASSWORD})
    assert result.rc == 0, result.summary()
    assert secrets_scanner.runs == runs_before + 1, "run_playbook hands every run to the scanner"
    found = secrets_scanner.take(request.node.nodeid)  # taken: this test's leaks are the expected ones
    places = {(f["what"], f["where"]) for f in found}
    assert ("a bearer token issued by the simulator", "stdout") in places
    assert ("a bearer token issued by the simulator", "result of task 'Print the bearer token from the environment'") in places
    assert ("the test admin password", "stdout") in places
    assert ("the test admin password", "result of task 'Print the admin password given as an extra var'") in places
    assert all("<SECRET>" in f["context"] and SIM_ADMIN_PASSWORD not in f["context"] for f in found), \
        "a finding shows where the secret was, never the secret"


def test_every_module_logged_in_with_username_and_password(sim, tmp_path):
    sim.add_team("Sales")
    result = run_playbook(PLAYBOOKS / "secrets_login.yml", sim, auth="password", diff=True, verbosity=3,
                          tmp_path=tmp_path, extra_vars={"sim_control": sim.base_url + "/_sim"})
    assert result.rc == 0, result.summary()
    assert result.task("Create a user")["changed"]
    assert result.task("Replace the user's display name (a PUT)")["action"] == "put"
    assert result.task("Reconcile a roster")["counts"]["created"] == 2
    assert result.task("Put the roster in the team")["changed"]
    assert result.task("Get a token")["access_token"]
    assert result.record("Create a user while the service fails")["failed"]
    assert "HTTP 500" in result.task("Create a user while the service fails")["msg"]
    assert result.record("Read a user while the service is unavailable")["failed"]
    assert "HTTP 503" in result.task("Read a user while the service is unavailable")["msg"]
    assert "<<< " in result.stdout or "ESTABLISH LOCAL CONNECTION" in result.stdout, "really -vvv"
    assert len(sim.issued_tokens()) >= 2, "modules logged in, and the scan looked for those tokens too"
    output = everything(result)
    for secret in TEST_SECRETS:
        assert secret not in output


def test_credentials_given_as_options_right_and_wrong(sim, tmp_path):
    result = run_playbook(PLAYBOOKS / "secrets_explicit.yml", sim, auth=None, verbosity=3, tmp_path=tmp_path,
                          extra_vars={"scim_url": sim.scim_url, "app_token": SIM_APP_TOKEN,
                                      "admin_user": SIM_ADMIN_USER, "admin_password": SIM_ADMIN_PASSWORD,
                                      "wrong_password": WRONG_PASSWORD, "wrong_app_token": WRONG_APP_TOKEN})
    assert result.rc == 0, result.summary()
    assert result.task("Create a user with an app token option")["changed"]
    assert result.task("Update the user with username and password options")["changed"]
    wrong_password = result.task("Log in with a wrong password")["msg"]
    assert "HTTP 401" in wrong_password and "username and password were refused" in wrong_password
    wrong_token = result.task("Read with a wrong app token")["msg"]
    assert "HTTP 401" in wrong_token and "app_token was refused" in wrong_token
    output = everything(result)
    for secret in TEST_SECRETS + [WRONG_PASSWORD, WRONG_APP_TOKEN]:
        assert secret not in output, "a credential, even a wrong one, must not show"


def test_every_write_module_with_a_bearer_token(sim, tmp_path):
    sim.add_team("Sales")
    sim.seed_users([{"userName": "leaver@example.com", "name": {"givenName": "Lea", "familyName": "Ver"},
                     "active": True}])
    result = run_playbook(PLAYBOOKS / "secrets_bearer.yml", sim, auth="access_token", diff=True, verbosity=3,
                          tmp_path=tmp_path)
    assert result.rc == 0, result.summary()
    assert result.task("Reconcile a roster, disabling the unlisted")["counts"]["disabled"] == 1
    assert result.task("Make the team hold exactly one member")["changed"]
    assert result.task("Disable a user")["changed"]
    token = sim.issued_tokens()[0]
    assert {e["auth"] for e in sim.log()} == {"bearer"}
    assert token not in everything(result)
