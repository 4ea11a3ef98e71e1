# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The simulator's identity settings: externalId uniqueness, renames (userName), case-twin team names."""

from __future__ import annotations

import pytest
import requests

from tests.simulator.defaults import SCHEMA_PATCH, SIM_APP_TOKEN

HEADERS = {"app-token": SIM_APP_TOKEN}


def body(email, external_id=None, **extra):
    out = {"userName": email, "name": {"givenName": "Eric", "familyName": "Dunn"}}
    if external_id:
        out["externalId"] = external_id
    out.update(extra)
    return out


def patch(sim, uid, *operations):
    return requests.patch(sim.scim_url + "/Users/" + uid, json={"schemas": [SCHEMA_PATCH], "Operations": list(operations)},
                          headers=HEADERS, timeout=10)


def by_external_id(sim, external_id):
    return requests.get(sim.scim_url + "/Users", params={"filter": 'externalId eq "%s"' % external_id},
                        headers=HEADERS, timeout=10).json()


def test_two_users_may_share_an_external_id_unless_uniqueness_is_enforced(sim):
    first, second = sim.seed_users([body("eric@company.com", "E-1"), body("eric.dunn@company.com", "E-1")])
    found = by_external_id(sim, "E-1")
    assert found["totalResults"] == 2 and [u["id"] for u in found["Resources"]] == [first["id"], second["id"]]
    sim.configure(validate_external_id_uniqueness=True)
    post = requests.post(sim.scim_url + "/Users", json=body("third@company.com", "E-1"), headers=HEADERS, timeout=10)
    assert post.status_code == 409 and post.json()["scimType"] == "uniqueness"
    other = sim.seed_users([body("other@company.com", "E-2")])[0]
    resp = patch(sim, other["id"], {"op": "replace", "path": "externalId", "value": "E-1"})
    assert resp.status_code == 409 and resp.json()["scimType"] == "uniqueness"
    assert sim.user(other["id"])["externalId"] == "E-2"
    # keeping one's own externalId is no conflict
    assert patch(sim, other["id"], {"op": "replace", "path": "title", "value": "CSM"}).status_code == 204


def test_rename_by_patch_of_user_name(sim):
    eric = sim.seed_users([body("eric@company.com", "E-1")])[0]
    sim.seed_users([body("taken@company.com")])
    assert patch(sim, eric["id"], {"op": "replace", "path": "userName", "value": "Eric.Dunn@Company.com"}).status_code == 204
    assert sim.user("eric@company.com") is None
    renamed = sim.user("eric.dunn@company.com")
    assert renamed["id"] == eric["id"] and renamed["externalId"] == "E-1"
    assert by_external_id(sim, "E-1")["Resources"][0]["userName"] == "eric.dunn@company.com"
    taken = patch(sim, eric["id"], {"op": "replace", "path": "userName", "value": "taken@company.com"})
    assert taken.status_code == 409 and taken.json()["scimType"] == "uniqueness"


@pytest.mark.parametrize("how", ["patch", "put"])
def test_rename_refused_when_user_name_is_immutable(sim, how):
    eric = sim.seed_users([body("eric@company.com", "E-1")])[0]
    sim.configure(user_name_mutable=False)
    if how == "patch":
        resp = patch(sim, eric["id"], {"op": "replace", "path": "userName", "value": "eric.dunn@company.com"},
                     {"op": "replace", "path": "title", "value": "not applied"})
    else:
        resp = requests.put(sim.scim_url + "/Users/" + eric["id"], json=body("eric.dunn@company.com", title="not applied"),
                            headers=HEADERS, timeout=10)
    assert resp.status_code == 400, resp.text
    error = resp.json()
    assert error["scimType"] == "mutability" and "Totango UUID" in error["detail"]
    assert sim.user(eric["id"])["userName"] == "eric@company.com" and "title" not in sim.user(eric["id"])
    # the same userName, other case: no rename, allowed
    assert patch(sim, eric["id"], {"op": "replace", "path": "userName", "value": "ERIC@company.com"}).status_code == 204


def test_team_names_that_differ_only_in_case_coexist(sim):
    sales = sim.add_team("Sales")
    shout = requests.post(sim.base_url + "/_sim/groups", json={"displayName": "SALES"}, timeout=5).json()["id"]
    assert sales != shout
    assert sim.team("Sales")["id"] == sales and sim.team("SALES")["id"] == shout
    eric = sim.seed_users([body("eric@company.com", groups=[{"value": shout}])])[0]
    assert [(g["value"], g["display"]) for g in eric["groups"]] == [(shout, "SALES")]
    listed = requests.get(sim.scim_url + "/Groups", headers=HEADERS, timeout=10).json()["Resources"]
    assert [g["displayName"] for g in listed] == ["Default Team", "Sales", "SALES"]
    assert [m["value"] for m in sim.team(shout)["members"]] == [eric["id"]] and sim.team(sales)["members"] == []
