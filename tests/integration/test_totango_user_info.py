# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""totango_user_info through ansible-playbook against the simulator, proven from its request log."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote_plus

import requests

from tests.integration.harness import run_playbook
from tests.simulator.defaults import TEST_SECRETS

PLAYBOOKS = Path(__file__).resolve().parent / "playbooks" / "totango_user_info"
USERS = PLAYBOOKS / "users.yml"


def seed(sim, count, external_id=None):
    bodies = [{"userName": "person%03d@example.com" % n, "name": {"givenName": "P", "familyName": "N%d" % n}}
              for n in range(count)]
    if external_id is not None:
        for body in bodies:
            body["externalId"] = external_id
    return sim.seed_users(bodies)


def all_users_over_http(sim):
    """An independent read of every user, page by page, not through the module."""
    found, start = [], 1
    while True:
        page = requests.get(sim.scim_url + "/Users", params={"startIndex": start, "count": 100},
                            headers={"app-token": sim.app_token}, timeout=10).json()
        found.extend(page["Resources"])
        start += len(page["Resources"])
        if not page["Resources"] or start > page["totalResults"]:
            return found


def run(sim, tmp_path, check=False, **extra):
    sim.clear_log()
    result = run_playbook(USERS, sim, extra_vars=extra, check=check, tmp_path=tmp_path)
    assert result.rc == 0, result.summary()
    assert result.changed_tasks() == []
    assert sim.writes() == []
    return result


def test_all_users_follows_every_page(sim, tmp_path):
    seed(sim, 150)
    expected = sorted(u["userName"] for u in all_users_over_http(sim))
    assert len(expected) == 150

    for check in (True, False, False):  # check mode runs normally; a rerun reads the same
        result = run(sim, tmp_path, check=check, list_all=True)
        listed = result.task("All users")
        assert listed["changed"] is False
        assert listed["count"] == 150
        assert sorted(u["userName"] for u in listed["users"]) == expected
        assert len({u["id"] for u in listed["users"]}) == 150
        pages = [entry for entry in sim.log() if entry["method"] == "GET" and entry["path"] == "/Users"]
        assert len(pages) == 2 and len(sim.log()) == 2


def test_by_user_name_is_one_filtered_request_case_insensitive(sim, tmp_path):
    seed(sim, 3)
    result = run(sim, tmp_path, check=True, lookup_user_name="Person001@Example.COM")
    found = result.task("One user by e-mail")
    assert found["count"] == 1
    assert found["users"] == [sim.user("person001@example.com")]
    # Asked in lower case, as Totango stores e-mails: the lookup holds whether its filter is case-sensitive or not.
    assert [unquote_plus(entry["query"]) for entry in sim.log()] == [
        'filter=userName eq "person001@example.com"&startIndex=1&count=100']


def test_by_external_id_returns_every_match(sim, tmp_path):
    seed(sim, 2, external_id="shared-7")
    sim.seed_users([{"userName": "other@example.com", "name": {"givenName": "O", "familyName": "T"}, "externalId": "8"}])
    result = run(sim, tmp_path, lookup_external_id="shared-7")
    found = result.task("Users by external id")
    assert found["count"] == 2
    assert sorted(u["userName"] for u in found["users"]) == ["person000@example.com", "person001@example.com"]
    assert len(sim.log()) == 1


def test_nothing_found_is_an_empty_list(sim, tmp_path):
    seed(sim, 1)
    result = run(sim, tmp_path, lookup_user_name="nobody@example.com", lookup_external_id="nothing")
    assert result.task("One user by e-mail")["users"] == []
    assert result.task("Users by external id")["count"] == 0


def test_two_filters_at_once_fail_before_any_request(sim, tmp_path):
    result = run_playbook(PLAYBOOKS / "both_filters.yml", sim, tmp_path=tmp_path, verbosity=3)
    assert result.rc != 0
    assert "mutually exclusive" in result.task("Both filters")["msg"]
    assert "user_name" in result.task("Both filters")["msg"]
    assert sim.log() == []
    for secret in TEST_SECRETS:
        assert secret not in result.stdout + result.stderr
