# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""totango_token through ansible-playbook: a bearer token from username and password, read-only."""

from __future__ import annotations

import pytest
import requests

from tests.integration.harness import run_playbook
from tests.simulator.defaults import TEST_SECRETS

TOKEN_THEN_USE = """
- name: totango_token
  hosts: localhost
  gather_facts: false
  tasks:
    - name: get token
      scimops.totango.totango_token:
      register: login
      no_log: true

    - name: disable with the token
      scimops.totango.totango_user:
        access_token: "{{ login.access_token }}"
        user_name: nobody@company.com
        state: disabled
        requests_per_minute: 0
"""

TOKEN_ONLY = """
- name: totango_token
  hosts: localhost
  gather_facts: false
  tasks:
    - name: get token
      scimops.totango.totango_token:
"""


@pytest.mark.parametrize("key_style", ["lower", "title"])
def test_token_in_check_mode_is_unchanged_and_usable(sim, tmp_path, key_style):
    sim.configure(token_key_style=key_style)
    result = run_playbook(TOKEN_ONLY, sim, auth="password", check=True, tmp_path=tmp_path)
    assert result.rc == 0, result.summary()
    token = result.task("get token")
    assert token["changed"] is False
    assert token["token_type"] == "Bearer" and token["expires_in"] == 86400 and token["expires_at"].endswith("Z")
    assert [e["path"] for e in sim.log()] == ["token"] and sim.writes() == []
    response = sim_get_users(sim, token["access_token"])
    assert response.status_code == 200, "the token works on the SCIM API"


def sim_get_users(sim, token):
    return requests.get(sim.scim_url + "/Users", headers={"Authorization": "Bearer " + token}, timeout=10)


def test_token_feeds_other_modules_and_stays_hidden(sim, tmp_path):
    # TOTANGO_USERNAME and TOTANGO_PASSWORD stay in the environment (as AWX injects them): the access_token set
    # on the task wins, and the second task makes no token request of its own.
    result = run_playbook(TOKEN_THEN_USE, sim, auth="password", verbosity=3, tmp_path=tmp_path)
    assert result.rc == 0, result.summary()
    assert [e["path"] for e in sim.log()][0] == "token" and [e["path"] for e in sim.log()].count("token") == 1
    assert [e["auth"] for e in sim.log() if e["path"] != "token"] == ["bearer"]
    output = result.stdout + result.stderr
    for secret in TEST_SECRETS:
        assert secret not in output
    for token in sim.issued_tokens():
        assert token not in output, "no_log on the task keeps the issued token out of -vvv"


def test_wrong_password_is_a_clear_error(sim, tmp_path):
    result = run_playbook(TOKEN_ONLY, sim, auth="password", env={"TOTANGO_PASSWORD": "not-the-password"},
                          verbosity=3, tmp_path=tmp_path)
    assert result.rc != 0
    message = result.task("get token")["msg"]
    assert "HTTP 401" in message and "username and password were refused" in message
    assert "not-the-password" not in result.stdout + result.stderr


def test_token_needs_username_and_password(sim, tmp_path):
    result = run_playbook(TOKEN_ONLY, sim, auth="app_token", tmp_path=tmp_path)
    assert result.rc != 0
    assert result.task("get token")["msg"].startswith("username:")
    assert sim.log() == []


def test_a_token_url_is_enough_without_a_scim_url(sim, tmp_path):
    playbook = TOKEN_ONLY.replace("scimops.totango.totango_token:", "scimops.totango.totango_token:\n        token_url: %s"
                                  % sim.token_url)
    result = run_playbook(playbook, sim, auth="password", env={"TOTANGO_SCIM_URL": None}, tmp_path=tmp_path)
    assert result.rc == 0, result.summary()
    assert sim_get_users(sim, result.task("get token")["access_token"]).status_code == 200


def test_an_app_token_in_module_defaults_is_left_to_the_other_modules(sim, tmp_path):
    playbook = """
- name: totango_token
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/scimops.totango.totango:
      app_token: %s
  tasks:
    - name: get token
      scimops.totango.totango_token:
        username: %s
        password: %s
""" % (sim.app_token, sim.admin_user, sim.admin_password)
    result = run_playbook(playbook, sim, auth=None, tmp_path=tmp_path)
    assert result.rc == 0, result.summary()
    assert sim_get_users(sim, result.task("get token")["access_token"]).status_code == 200
