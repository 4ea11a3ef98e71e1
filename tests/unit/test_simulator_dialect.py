# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The simulator's dialects (forgiving, totango, rfc7644) and read-only User.groups, over real HTTP."""

from __future__ import annotations

import pytest
import requests

from tests.simulator.defaults import SCHEMA_PATCH, SCHEMA_TOTANGO, SIM_APP_TOKEN

EXT = SCHEMA_TOTANGO + ":"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User:"


class Api:
    def __init__(self, sim):
        self.sim = sim
        self.session = requests.Session()
        self.session.headers["app-token"] = SIM_APP_TOKEN

    def patch(self, path, *operations):
        return self.session.patch(self.sim.scim_url + path, json={"schemas": [SCHEMA_PATCH], "Operations": list(operations)},
                                  timeout=10)

    def find(self, expr):
        return self.session.get(self.sim.scim_url + "/Users", params={"filter": expr}, timeout=10)


@pytest.fixture
def api(sim):
    client = Api(sim)
    yield client
    client.session.close()


@pytest.fixture
def eric(sim):
    sales = sim.add_team("Sales")
    return sim.seed_users([{"userName": "eric@company.com", "name": {"givenName": "Eric", "familyName": "Dunn"},
                            "externalId": "e-1", "groups": [{"value": sales}]}])[0]["id"], sales


def refused(resp, scim_type):
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["scimType"] == scim_type and body["status"] == "400", body
    return body["detail"]


def ext_of(sim, email):
    return sim.user(email)[SCHEMA_TOTANGO]


# -- user PATCH paths -------------------------------------------------------------------------

BARE = [{"op": "replace", "path": "managerEmail", "value": "boss@company.com"},
        {"op": "replace", "path": "license", "value": "zoe"}]
QUALIFIED = [{"op": "replace", "path": EXT + "managerEmail", "value": "boss@company.com"},
             {"op": "replace", "path": EXT + "license", "value": "zoe"}]


@pytest.mark.parametrize("dialect, bare_ok, qualified_ok", [
    ("forgiving", True, True), ("totango", True, False), ("rfc7644", False, True)])
def test_extension_paths_bare_or_urn_qualified(sim, api, eric, dialect, bare_ok, qualified_ok):
    uid, _sales = eric
    sim.configure(dialect=dialect)
    for operations, ok in ((BARE, bare_ok), (QUALIFIED, qualified_ok)):
        resp = api.patch("/Users/" + uid, *operations)
        if ok:
            assert resp.status_code == 204, resp.text
            assert ext_of(sim, uid)["license"] == ["zoe"] and ext_of(sim, uid)["managerEmail"] == "boss@company.com"
        else:
            assert "managerEmail" in refused(resp, "invalidPath")
            assert ext_of(sim, uid)["license"] == ["spark"]  # a refused PATCH applies nothing
        sim.configure(dialect="forgiving")  # back to Spark and no manager
        assert api.patch("/Users/" + uid, {"op": "remove", "path": "license"},
                         {"op": "remove", "path": "managerEmail"}).status_code == 204
        sim.configure(dialect=dialect)


def test_refused_patch_applies_nothing(sim, api, eric):
    uid, _sales = eric
    sim.configure(dialect="rfc7644")
    refused(api.patch("/Users/" + uid, {"op": "replace", "path": "title", "value": "CSM"},
                      {"op": "replace", "path": "managerEmail", "value": "boss@company.com"}), "invalidPath")
    assert "title" not in sim.user(uid) and "managerEmail" not in ext_of(sim, uid)


def test_core_paths_in_each_dialect(sim, api, eric):
    uid, _sales = eric
    for dialect in ("totango", "rfc7644"):
        sim.configure(dialect=dialect)
        assert api.patch("/Users/" + uid, {"op": "replace", "path": "title", "value": dialect}).status_code == 204
        assert sim.user(uid)["title"] == dialect
    # a URN-qualified core path is RFC 7644's, not Totango's
    assert api.patch("/Users/" + uid, {"op": "replace", "path": CORE + "title", "value": "x"}).status_code == 204
    sim.configure(dialect="totango")
    refused(api.patch("/Users/" + uid, {"op": "replace", "path": CORE + "title", "value": "y"}), "invalidPath")
    assert sim.user(uid)["title"] == "x"


def test_no_path_value_objects(sim, api, eric):
    uid, _sales = eric
    bare = {"op": "replace", "value": {"active": False, "license": "zoe"}}
    container = {"op": "replace", "value": {"active": False, SCHEMA_TOTANGO: {"license": "zoe"}}}
    sim.configure(dialect="totango")
    assert api.patch("/Users/" + uid, bare).status_code == 204  # the document's "Disable a user" form
    refused(api.patch("/Users/" + uid, container), "invalidPath")
    sim.configure(dialect="rfc7644")
    assert "license" in refused(api.patch("/Users/" + uid, bare), "invalidPath")
    assert api.patch("/Users/" + uid, container).status_code == 204
    assert api.patch("/Users/" + uid, {"op": "replace", "value": {"active": True}}).status_code == 204
    assert sim.user(uid)["active"] is True and ext_of(sim, uid)["license"] == ["zoe"]


def test_user_groups_selector_is_not_totango(sim, api, eric):
    uid, sales = eric
    api.patch("/Users/" + uid, {"op": "add", "path": "groups", "value": [{"value": "1000"}]})
    sim.configure(dialect="totango")
    refused(api.patch("/Users/" + uid, {"op": "remove", "path": 'groups[value eq "%s"]' % sales}), "invalidPath")
    sim.configure(dialect="rfc7644")
    assert api.patch("/Users/" + uid, {"op": "remove", "path": 'groups[value eq "%s"]' % sales}).status_code == 204
    assert [g["value"] for g in sim.user(uid)["groups"]] == ["1000"]


# -- group member removal ---------------------------------------------------------------------

def test_member_removal_forms(sim, api, eric):
    uid, sales = eric
    vendor = {"op": "remove", "path": "members", "value": [{"value": uid}]}
    selector = {"op": "remove", "path": 'members[value eq "%s"]' % uid}
    add_back = {"op": "add", "path": "members", "value": [{"value": uid}]}
    sim.configure(dialect="totango")
    assert "members" in refused(api.patch("/Groups/" + sales, selector), "invalidPath")
    refused(api.patch("/Groups/" + sales, {"op": "remove", "path": "members"}), "invalidValue")
    assert api.patch("/Groups/" + sales, vendor).status_code == 200 and sim.team(sales)["members"] == []
    assert api.patch("/Groups/" + sales, add_back).status_code == 200
    sim.configure(dialect="rfc7644")
    refused(api.patch("/Groups/" + sales, vendor), "invalidValue")
    assert [m["value"] for m in sim.team(sales)["members"]] == [uid]
    assert api.patch("/Groups/" + sales, selector).status_code == 200 and sim.team(sales)["members"] == []
    api.patch("/Groups/" + sales, add_back)
    assert api.patch("/Groups/" + sales, {"op": "remove", "path": "members"}).status_code == 200  # RFC: all of them
    assert sim.team(sales)["members"] == []
    sim.configure(dialect="forgiving")
    api.patch("/Groups/" + sales, add_back)
    assert api.patch("/Groups/" + sales, vendor).status_code == 200
    api.patch("/Groups/" + sales, add_back)
    assert api.patch("/Groups/" + sales, selector).status_code == 200 and sim.team(sales)["members"] == []


# -- filters ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dialect, expr, found", [
    ("forgiving", 'userName eq "eric@company.com"', True),
    ("forgiving", "userName eq eric@company.com", True),
    ("forgiving", 'username EQ "eric@company.com"', True),
    ("totango", 'userName eq "eric@company.com"', True),
    ("totango", "userName eq eric@company.com", True),
    ("totango", "externalId eq e-1", True),
    ("totango", 'username eq "eric@company.com"', False),
    ("totango", 'userName EQ "eric@company.com"', False),
    ("rfc7644", 'userName eq "eric@company.com"', True),
    ("rfc7644", 'username EQ "eric@company.com"', True),
    ("rfc7644", 'externalId eq "e-1"', True),
    ("rfc7644", "userName eq eric@company.com", False),
])
def test_filter_forms(sim, api, eric, dialect, expr, found):
    sim.configure(dialect=dialect)
    resp = api.find(expr)
    if found:
        assert resp.status_code == 200 and resp.json()["totalResults"] == 1, resp.text
    else:
        refused(resp, "invalidFilter")


# -- read-only User.groups --------------------------------------------------------------------

def test_read_only_user_groups_are_ignored_on_create_put_and_patch(sim, api, eric):
    uid, sales = eric
    support = sim.add_team("Support")
    sim.configure(user_groups_writable=False)
    body = {"userName": "new@company.com", "name": {"givenName": "New", "familyName": "Hire"},
            "groups": [{"value": sales, "teamrole": "Team Admin"}]}
    created = api.session.post(sim.scim_url + "/Users", json=body, timeout=10)
    assert created.status_code == 201 and [g["value"] for g in created.json()["groups"]] == ["1000"]
    # not even checked: an unknown team is ignored like a known one
    body["userName"], body["groups"] = "other@company.com", [{"value": "99999"}]
    assert api.session.post(sim.scim_url + "/Users", json=body, timeout=10).status_code == 201
    put = {"userName": "eric@company.com", "name": {"givenName": "Eric", "familyName": "Dunn"}, "groups": [{"value": support}]}
    assert api.session.put(sim.scim_url + "/Users/" + uid, json=put, timeout=10).status_code == 204
    assert [g["value"] for g in sim.user(uid)["groups"]] == [sales]
    assert api.patch("/Users/" + uid, {"op": "replace", "path": "groups", "value": [{"value": support}]},
                     {"op": "replace", "path": "title", "value": "kept"}).status_code == 204
    assert [g["value"] for g in sim.user(uid)["groups"]] == [sales] and sim.user(uid)["title"] == "kept"
    # membership still changes through /Groups
    assert api.patch("/Groups/" + support, {"op": "add", "path": "members", "value": [{"value": uid}]}).status_code == 200
    assert sorted(g["value"] for g in sim.user(uid)["groups"]) == sorted([sales, support])


def test_dialect_config_is_checked(sim):
    with pytest.raises(ValueError, match="dialect"):
        sim.configure(dialect="scim")
    with pytest.raises(ValueError, match="user_groups_writable"):
        sim.configure(user_groups_writable="no")
    assert requests.post(sim.base_url + "/_sim/config", json={"dialect": "rfc7644"}, timeout=5).json()["dialect"] == "rfc7644"
    sim.reset()
    assert sim.config["dialect"] == "forgiving" and sim.config["user_groups_writable"] is True
