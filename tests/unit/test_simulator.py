# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tests of the Totango SCIM simulator itself, over real HTTP (not of the collection)."""

from __future__ import annotations

import base64
import http.client
import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
import requests

from tests.simulator.clock import FakeClock
from tests.simulator.defaults import SIM_ADMIN_PASSWORD, SIM_ADMIN_USER, SIM_APP_TOKEN
from tests.simulator.totango_sim import SCHEMA_PATCH, SCHEMA_TOTANGO, TotangoSimulator

SIM_FILE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "simulator", "totango_sim.py")


class Api:
    """A tiny SCIM client bound to the simulator."""

    def __init__(self, sim, headers=None):
        self.sim = sim
        self.session = requests.Session()
        self.session.headers.update(headers if headers is not None else {"app-token": SIM_APP_TOKEN})

    def __call__(self, method, path, **kwargs):
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.sim.scim_url + path, **kwargs)

    def get(self, path, **kwargs):
        return self("GET", path, **kwargs)

    def post(self, path, body, **kwargs):
        return self("POST", path, json=body, **kwargs)

    def put(self, path, body, **kwargs):
        return self("PUT", path, json=body, **kwargs)

    def patch(self, path, operations, **kwargs):
        return self("PATCH", path, json={"schemas": [SCHEMA_PATCH], "Operations": operations}, **kwargs)

    def create(self, email, given="Eric", family="Dunn", **extra):
        body = {"userName": email, "name": {"givenName": given, "familyName": family}}
        body.update(extra)
        resp = self.post("/Users", body)
        assert resp.status_code == 201, resp.text
        return resp.json()


@pytest.fixture
def api(sim):
    client = Api(sim)
    yield client
    client.session.close()


def user_body(email, given="Eric", family="Dunn", **extra):
    body = {"userName": email, "name": {"givenName": given, "familyName": family}}
    body.update(extra)
    return body


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


def assert_scim_error(resp, status, scim_type=None, detail_has=None):
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith("application/scim+json")
    body = resp.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == str(status)
    if scim_type is not None:
        assert body.get("scimType") == scim_type, body
    if detail_has is not None:
        assert detail_has.lower() in body["detail"].lower(), body
    return body


# ---------------------------------------------------------------- auth and token


def test_auth_missing_wrong_and_non_admin(sim):
    url = sim.scim_url + "/Users"
    assert_scim_error(requests.get(url, timeout=5), 401, detail_has="missing credentials")
    assert_scim_error(requests.get(url, headers={"app-token": "nope"}, timeout=5), 401, detail_has="app-token")
    assert_scim_error(requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=5), 401, detail_has="bearer")
    assert_scim_error(requests.get(url, headers={"Authorization": basic(SIM_ADMIN_USER, SIM_ADMIN_PASSWORD)}, timeout=5), 401)
    sim.add_app_token("viewer-token", admin=False)
    assert_scim_error(requests.get(url, headers={"app-token": "viewer-token"}, timeout=5), 403, detail_has="global admin")
    sim.add_account("csm@scimops.example", "pw", admin=False)
    token = requests.post(sim.token_url, params={"grant_type": "client_credentials"},
                          headers={"Authorization": basic("csm@scimops.example", "pw")}, timeout=5).json()["access_token"]
    assert_scim_error(requests.get(url, headers={"Authorization": "Bearer " + token}, timeout=5), 403)
    expired = sim.issue_token(ttl=-1)
    assert_scim_error(requests.get(url, headers={"Authorization": "Bearer " + expired}, timeout=5), 401, detail_has="expired")
    assert requests.get(url, headers={"app-token": SIM_APP_TOKEN}, timeout=5).status_code == 200
    assert [e["auth"] for e in sim.log()][:3] == ["none", "app-token", "bearer"]


def test_token_endpoint_both_key_styles(sim):
    auth = {"Authorization": basic(SIM_ADMIN_USER.upper(), SIM_ADMIN_PASSWORD)}
    resp = requests.post(sim.token_url + "?grant_type=client_credentials", headers=auth, timeout=5)
    assert resp.status_code == 200
    data = resp.json()
    assert set(data) == {"access_token", "token_type", "expires_in", "scope"}
    assert data["token_type"] == "Bearer" and data["expires_in"] == 86400 and data["scope"] == ""
    users = requests.get(sim.scim_url + "/Users", headers={"Authorization": "Bearer " + data["access_token"]}, timeout=5)
    assert users.status_code == 200

    sim.configure(token_key_style="title", token_ttl=3600)
    data = requests.post(sim.token_url + "?grant_type=client_credentials", headers=auth, timeout=5).json()
    assert set(data) == {"Access_token", "token_type", "Expires_in", "Scope"}
    assert data["Expires_in"] == 3600

    assert_scim_error(requests.post(sim.token_url + "?grant_type=client_credentials",
                                    headers={"Authorization": basic(SIM_ADMIN_USER, "wrong")}, timeout=5), 401)
    assert_scim_error(requests.post(sim.token_url + "?grant_type=client_credentials", timeout=5), 401)
    assert_scim_error(requests.post(sim.token_url, headers=auth, timeout=5), 400, detail_has="grant_type")
    assert_scim_error(requests.post(sim.token_url + "?grant_type=password", headers=auth, timeout=5), 400)
    assert requests.get(sim.token_url, headers=auth, timeout=5).status_code == 405
    assert sim.log()[0]["path"] == "token" and sim.log()[0]["auth"] == "basic"
    assert sim.stats()["token"] == len([e for e in sim.log() if e["path"] == "token"]) == 7


# ---------------------------------------------------------------- reads


def test_filters_and_invalid_filter(sim, api):
    sim.seed_users([user_body("Eric@Company.com", externalId="701984"), user_body("tracy@company.com", externalId="701984")])
    for expr in ('userName eq "eric@company.com"', 'username EQ "ERIC@company.COM"', "userName eq eric@company.com"):
        body = api.get("/Users", params={"filter": expr}).json()
        assert body["totalResults"] == 1, expr
        assert body["Resources"][0]["userName"] == "eric@company.com"
    body = api.get("/Users", params={"filter": 'externalId eq "701984"'}).json()
    assert body["totalResults"] == 2 and body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert api.get("/Users", params={"filter": 'userName eq "nobody@company.com"'}).json()["totalResults"] == 0
    for bad in ('displayName eq "Eric Dunn"', 'userName co "eric"', 'userName eq "a@b.co" and externalId eq "1"',
                'userName eq "a@b.co" or userName eq "c@d.co"', "userName eq two words", "", "userName"):
        assert_scim_error(api.get("/Users", params={"filter": bad}), 400, "invalidFilter")
    assert_scim_error(api.get("/Groups", params={"filter": 'displayName eq "x"'}), 400, "invalidFilter")


def test_get_user_by_id_and_email(sim, api):
    created = api.create("eric@company.com", externalId="7")
    assert created["id"] != created["userName"] and created["id"].isdigit()
    assert api.get("/Users/" + created["id"]).json()["userName"] == "eric@company.com"
    assert api.get("/Users/ERIC@company.com").json()["id"] == created["id"]
    assert_scim_error(api.get("/Users/999999"), 404)
    assert_scim_error(api.get("/Nope"), 404)
    assert_scim_error(api("DELETE", "/Users/" + created["id"]), 405)
    assert sim.user("Eric@Company.com")["id"] == created["id"]
    assert sim.user("missing@company.com") is None


def test_pagination_over_250_users(sim, api):
    sim.seed_users([user_body("user%03d@company.com" % i) for i in range(250)])
    seen = []
    start = 1
    while True:
        page = api.get("/Users", params={"startIndex": start, "count": 100}).json()
        assert page["totalResults"] == 250 and page["startIndex"] == start
        assert page["itemsPerPage"] == len(page["Resources"])
        seen.extend(u["userName"] for u in page["Resources"])
        start += page["itemsPerPage"]
        if start > page["totalResults"]:
            break
    assert seen == ["user%03d@company.com" % i for i in range(250)]
    assert api.get("/Users", params={"count": 500}).json()["itemsPerPage"] == 100
    assert api.get("/Users").json()["itemsPerPage"] == 100
    last = api.get("/Users", params={"startIndex": 241, "count": 50}).json()
    assert last["itemsPerPage"] == 10 and last["Resources"][-1]["userName"] == "user249@company.com"
    assert api.get("/Users", params={"startIndex": 400}).json()["Resources"] == []
    assert_scim_error(api.get("/Users", params={"count": "many"}), 400, "invalidValue")


# ---------------------------------------------------------------- create


def test_create_user_full_resource_and_defaults(sim, api):
    body = user_body("Eric.Dunn@Company.com", title="CSM", externalId="701984")
    body[SCHEMA_TOTANGO] = {"isActive": "yes", "license": ["ZOE"], "managerEmail": "Tracy@Work.com", "managerExternalId": "9"}
    resp = api.post("/Users", body)
    assert resp.status_code == 201
    user = resp.json()
    assert resp.headers["Location"].endswith("/Users/" + user["id"])
    assert user["userName"] == "eric.dunn@company.com"
    assert user["displayName"] == "Dunn Eric"
    assert user["active"] is True
    ext = user[SCHEMA_TOTANGO]
    assert ext == {"isActive": True, "license": ["zoe"], "isAdmin": False, "managerEmail": "tracy@work.com", "managerExternalId": "9"}
    assert user["groups"] == [{"value": "1000", "$ref": "../Groups/1000", "display": "Default Team", "teamrole": "Member"}]
    assert user["meta"]["resourceType"] == "User" and user["meta"]["location"].endswith("/Users/" + user["id"])

    plain = api.create("plain@company.com")
    assert "title" not in plain and "externalId" not in plain and "active" not in plain
    assert plain[SCHEMA_TOTANGO] == {"license": ["spark"], "isAdmin": False}

    team = sim.add_team("Global Team", "2694")
    teamed = api.create("teamed@company.com", groups=[{"value": team, "teamrole": "Team Admin"}, {"value": "1000"}])
    assert [(g["value"], g["teamrole"]) for g in teamed["groups"]] == [("2694", "Team Admin"), ("1000", "Member")]
    assert [m["display"] for m in sim.team("Global Team")["members"]] == ["teamed@company.com"]

    sim.configure(create_response="minimal")
    minimal = api.post("/Users", user_body("min@company.com")).json()
    assert set(minimal) == {"schemas", "meta", "userName"} and minimal["userName"] == "min@company.com"


@pytest.mark.parametrize("body, detail", [
    ({"name": {"givenName": "A", "familyName": "B"}}, "userName"),
    (user_body("not-an-email"), "userName must be an email"),
    (user_body("a" * 95 + "@x.com"), "userName"),
    ({"userName": "a@b.co", "name": {"familyName": "B"}}, "givenName"),
    ({"userName": "a@b.co", "name": {"givenName": "A"}}, "familyName"),
    (user_body("a@b.co", given="G" * 31), "givenName"),
    (user_body("a@b.co", family="F" * 31), "familyName"),
    (user_body("a@b.co", title="t" * 129), "title"),
    (user_body("a@b.co", displayName="d" * 129), "displayName"),
    (user_body("a@b.co", externalId="e" * 129), "externalId"),
    (user_body("a@b.co", **{SCHEMA_TOTANGO: {"license": "gold"}}), "license"),
    (user_body("a@b.co", **{SCHEMA_TOTANGO: {"license": ["spark", "zoe"]}}), "license"),
    (user_body("a@b.co", **{SCHEMA_TOTANGO: {"isActive": "maybe"}}), "isActive"),
    (user_body("a@b.co", **{SCHEMA_TOTANGO: {"managerEmail": "boss"}}), "managerEmail"),
    (user_body("a@b.co", **{SCHEMA_TOTANGO: {"managerExternalId": "m" * 129}}), "managerExternalId"),
    (user_body("a@b.co", groups=[{"value": "424242"}]), "group 424242"),
])
def test_create_user_validation(api, body, detail):
    assert_scim_error(api.post("/Users", body), 400, "invalidValue", detail)


def test_create_conflicts_and_bad_json(sim, api):
    api.create("eric@company.com", externalId="1")
    assert_scim_error(api.post("/Users", user_body("ERIC@Company.COM")), 409, "uniqueness", "user already exists")
    api.create("other@company.com", externalId="1")  # externalId uniqueness is off by default
    sim.configure(validate_external_id_uniqueness=True)
    assert_scim_error(api.post("/Users", user_body("third@company.com", externalId="1")), 409, "uniqueness", "externalId")
    bad = api("POST", "/Users", data=b"{not json", headers={"Content-Type": "application/scim+json"})
    assert_scim_error(bad, 400, "invalidSyntax")


# ---------------------------------------------------------------- patch and put


def test_patch_forms_answer_204_without_body(sim, api):
    uid = api.create("eric@company.com")["id"]
    resp = api.patch("/Users/" + uid, [{"op": "add", "path": "title", "value": "Senior Success Manager"}])
    assert resp.status_code == 204 and resp.content == b""
    assert api.patch("/Users/" + uid, [{"op": "replace", "value": {"active": False}}]).status_code == 204
    assert api.patch("/Users/" + uid, [{"op": "Replace", "value": {"active": "true", "externalId": "42", SCHEMA_TOTANGO: {
        "license": "Zoe", "managerEmail": "BOSS@company.com"}}}]).status_code == 204
    assert api.patch("/Users/" + uid, [
        {"op": "replace", "path": "name.familyName", "value": "Dunne"},
        {"op": "replace", "path": SCHEMA_TOTANGO + ":managerExternalId", "value": "m-1"},
        {"op": "replace", "path": "name", "value": {"givenName": "Erica"}},
        {"op": "replace", "path": "userName", "value": "Erica@Company.com"},
    ]).status_code == 204
    user = sim.user(uid)
    assert user["title"] == "Senior Success Manager" and user["active"] is True and user["externalId"] == "42"
    assert user["name"] == {"givenName": "Erica", "familyName": "Dunne"} and user["userName"] == "erica@company.com"
    assert user[SCHEMA_TOTANGO]["license"] == ["zoe"] and user[SCHEMA_TOTANGO]["managerEmail"] == "boss@company.com"
    assert user[SCHEMA_TOTANGO]["managerExternalId"] == "m-1"
    assert api.get("/Users", params={"filter": 'userName eq "eric@company.com"'}).json()["totalResults"] == 0
    assert api.patch("/Users/" + uid, [{"op": "remove", "path": "title"}]).status_code == 204
    assert "title" not in sim.user(uid)
    assert [e["status"] for e in sim.writes()] == [201, 204, 204, 204, 204, 204]


def test_patch_errors_are_atomic(sim, api):
    uid = api.create("eric@company.com", title="CSM")["id"]
    before = sim.user(uid)
    assert_scim_error(api.patch("/Users/" + uid, [{"op": "remove", "path": "userName"}]), 400, "mutability")
    assert_scim_error(api.patch("/Users/" + uid, [{"op": "remove", "path": "name.givenName"}]), 400, "mutability")
    assert_scim_error(api.patch("/Users/" + uid, [{"op": "replace", "path": "userName", "value": ""}]), 400, "mutability")
    assert_scim_error(api.patch("/Users/" + uid, [{"op": "replace", "path": "groups", "value": []}]), 400, "mutability")
    assert_scim_error(api.patch("/Users/" + uid, [{"op": "remove", "path": "groups"}]), 400, "mutability")
    assert_scim_error(api.patch("/Users/" + uid, [{"op": "replace", "path": "displayName", "value": "X"}]), 400, "invalidPath")
    assert_scim_error(api.patch("/Users/" + uid, [{"op": "replace", "value": {"displayName": "X"}}]), 400, "invalidPath")
    assert_scim_error(api.patch("/Users/" + uid, [{"op": "replace", "value": {SCHEMA_TOTANGO: {"isAdmin": True}}}]), 400, "invalidPath")
    assert_scim_error(api.patch("/Users/" + uid, [{"op": "replace", "path": "name.givenName", "value": "G" * 31}]), 400, "invalidValue")
    assert_scim_error(api.patch("/Users/" + uid, [{"op": "move", "path": "title", "value": "x"}]), 400, "invalidSyntax")
    assert_scim_error(api("PATCH", "/Users/" + uid, json={"Operations": [{"op": "add", "path": "title", "value": "x"}]}),
                      400, "invalidSyntax")
    # a valid first operation is not applied when a later one fails
    ops = [{"op": "replace", "path": "title", "value": "Changed"}, {"op": "replace", "path": "isAdmin", "value": True}]
    assert_scim_error(api.patch("/Users/" + uid, ops), 400, "invalidPath")
    assert_scim_error(api.patch("/Users/404404", [{"op": "replace", "path": "title", "value": "x"}]), 404)
    assert sim.user(uid) == before


def test_license_downgrade_to_viewer_refused(sim, api):
    uid = api.create("eric@company.com", **{SCHEMA_TOTANGO: {"license": "zoe"}})["id"]
    assert_scim_error(api.patch("/Users/" + uid, [{"op": "replace", "path": "license", "value": ["viewer"]}]), 400,
                      "invalidValue", "cannot change license from Spark or Zoe to Viewer")
    assert_scim_error(api.put("/Users/" + uid, user_body("eric@company.com", **{SCHEMA_TOTANGO: {"license": "Viewer"}})),
                      400, "invalidValue", "Viewer")
    viewer = api.create("viewer@company.com", **{SCHEMA_TOTANGO: {"license": "viewer"}})["id"]
    assert api.patch("/Users/" + viewer, [{"op": "replace", "path": "license", "value": "spark"}]).status_code == 204
    assert sim.user(viewer)[SCHEMA_TOTANGO]["license"] == ["spark"]


def test_patch_user_groups(sim, api):
    sales = sim.add_team("Sales")
    cs_team = sim.add_team("CS")
    uid = api.create("eric@company.com")["id"]
    assert api.patch("/Users/" + uid, [{"op": "replace", "path": "groups",
                                        "value": [{"value": sales, "teamrole": "Team Admin"}, {"value": cs_team}]}]).status_code == 204
    assert [(g["value"], g["teamrole"]) for g in sim.user(uid)["groups"]] == [(sales, "Team Admin"), (cs_team, "Member")]
    assert sim.team("1000")["members"] == []
    assert api.patch("/Users/" + uid, [{"op": "add", "path": "groups", "value": [{"value": cs_team, "teamrole": "Lead"}]}]).status_code == 204
    assert api.patch("/Users/" + uid, [{"op": "remove", "path": "groups", "value": [{"value": sales}]}]).status_code == 204
    assert [(g["value"], g["teamrole"]) for g in sim.user(uid)["groups"]] == [(cs_team, "Lead")]
    assert [m["value"] for m in sim.team(cs_team)["members"]] == [uid] and sim.team(sales)["members"] == []
    assert_scim_error(api.patch("/Users/" + uid, [{"op": "remove", "path": "groups", "value": [{"value": cs_team}]}]), 400, "mutability")
    assert_scim_error(api.patch("/Users/" + uid, [{"op": "add", "path": "groups", "value": [{"value": "31337"}]}]), 400, "invalidValue")


def test_put_replaces_and_clears(sim, api):
    sales = sim.add_team("Sales")
    body = user_body("eric@company.com", title="CSM", externalId="7", groups=[{"value": sales, "teamrole": "Team Admin"}])
    body[SCHEMA_TOTANGO] = {"isActive": True, "isAdmin": True, "managerEmail": "boss@company.com", "license": "zoe"}
    uid = api.create("x@company.com")["id"]
    assert api.put("/Users/" + uid, body).status_code == 204
    user = sim.user(uid)
    assert user["userName"] == "eric@company.com" and user["title"] == "CSM" and user[SCHEMA_TOTANGO]["isAdmin"] is True
    resp = api.put("/Users/" + uid, user_body("eric@company.com", given="Eric", family="Dunn"))
    assert resp.status_code == 204 and resp.content == b""
    user = sim.user(uid)
    assert "title" not in user and "externalId" not in user and "active" not in user
    assert user[SCHEMA_TOTANGO] == {"license": ["spark"], "isAdmin": False}
    assert [g["value"] for g in user["groups"]] == ["1000"]
    assert_scim_error(api.put("/Users/" + uid, {"userName": "eric@company.com", "name": {"givenName": "E"}}), 400, "invalidValue", "familyName")

    sim.configure(keep_teams_on_replace=True)
    api.put("/Users/" + uid, body)
    assert api.put("/Users/" + uid, user_body("eric@company.com")).status_code == 204
    user = sim.user(uid)
    assert [g["value"] for g in user["groups"]] == [sales] and user[SCHEMA_TOTANGO]["isAdmin"] is True


# ---------------------------------------------------------------- groups


def test_groups_get_put_patch(sim, api):
    team = sim.add_team("scimTestTeam1")
    users = [api.create("u%d@company.com" % i)["id"] for i in range(3)]
    listing = api.get("/Groups").json()
    assert listing["totalResults"] == 2 and [g["displayName"] for g in listing["Resources"]] == ["Default Team", "scimTestTeam1"]
    assert_scim_error(api.get("/Groups/999"), 404)

    resp = api.put("/Groups/" + team, {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": team,
                                       "displayName": "scimTestTeam1", "members": [{"value": users[0]}, {"value": users[1]}]})
    assert resp.status_code == 200
    assert [m["value"] for m in resp.json()["members"]] == users[:2]
    assert [g["value"] for g in sim.user(users[0])["groups"]] == ["1000", team]

    resp = api.patch("/Groups/" + team, [{"op": "add", "path": "members", "value": [{"value": users[2]}]}])
    assert resp.status_code == 200 and resp.content == b""
    resp = api.patch("/Groups/" + team, [{"op": "remove", "path": "members", "value": [{"value": users[0]}]}])
    assert resp.status_code == 200
    resp = api.patch("/Groups/" + team, [{"op": "remove", "path": 'members[value eq "%s"]' % users[1]}])
    assert resp.status_code == 200
    assert [m["value"] for m in sim.team(team)["members"]] == [users[2]]
    assert [g["value"] for g in sim.user(users[1])["groups"]] == ["1000"]

    sim.configure(group_patch_response="full")
    resp = api.patch("/Groups/" + team, [{"op": "add", "path": "members", "value": [{"value": users[0]}]}])
    assert resp.status_code == 200 and [m["value"] for m in resp.json()["members"]] == [users[2], users[0]]

    # the role survives a group PUT that keeps the member
    api.patch("/Users/" + users[2], [{"op": "add", "path": "groups", "value": [{"value": team, "teamrole": "Team Admin"}]}])
    api.put("/Groups/" + team, {"members": [{"value": users[2]}]})
    assert [(g["value"], g["teamrole"]) for g in sim.user(users[2])["groups"]] == [("1000", "Member"), (team, "Team Admin")]

    assert_scim_error(api.patch("/Groups/" + team, [{"op": "add", "path": "members", "value": [{"value": "777"}]}]), 400)
    assert_scim_error(api.put("/Groups/" + team, {"members": [{"value": "777"}]}), 400)
    assert_scim_error(api.patch("/Groups/" + team, [{"op": "add", "path": "owners", "value": []}]), 400, "invalidPath")
    assert_scim_error(api.post("/Groups", {"displayName": "new"}), 405)


# ---------------------------------------------------------------- rate limit, faults, log


@pytest.fixture
def clocked():
    """A simulator of its own whose rate limiter runs on a FakeClock: (simulator, clock, api)."""
    clock = FakeClock()
    with TotangoSimulator(app_token=SIM_APP_TOKEN, clock=clock) as server:
        client = Api(server)
        yield server, clock, client
        client.session.close()


def test_rate_limit_headers_and_429(clocked):
    sim, clock, api = clocked
    sim.configure(rate_limit=3)
    for advance, expected_remaining, reset in ((0, 2, "60"), (29.5, 1, "31"), (29.5, 0, "1")):
        clock.now += advance
        resp = api.get("/Users")
        assert resp.status_code == 200
        assert resp.headers["RateLimit-Limit"] == "3"
        assert resp.headers["RateLimit-Remaining"] == str(expected_remaining)
        assert resp.headers["RateLimit-Reset"] == reset
    resp = api.get("/Users")
    assert_scim_error(resp, 429)
    assert resp.headers["RateLimit-Remaining"] == "0" and "Retry-After" not in resp.headers
    sim.configure(retry_after_on_429=True)
    resp = api.get("/Users")
    assert resp.status_code == 429 and resp.headers["Retry-After"] == resp.headers["RateLimit-Reset"] == "1"
    assert sim.stats()["status_429"] == 2
    clock.now += 1.0  # 60 s after the first request: a new window
    assert api.get("/Users").headers["RateLimit-Remaining"] == "2"
    sim.configure(rate_limit=2, rate_limit_window=0.3)
    assert api.get("/Users").status_code == 200
    assert api.get("/Users").status_code == 200
    assert api.get("/Users").status_code == 429
    clock.now += 0.3
    assert api.get("/Users").status_code == 200


def test_rate_limit_reset_never_exceeds_the_window():
    """RateLimit-Reset is whole seconds in 0..window whatever the float error of start + window - now."""
    from tests.simulator.ratelimit import FixedWindow

    for start in (0.1, 1e9 + 0.7, 123456.789, 0.30000000000000004):
        limiter = FixedWindow(1000, 60)
        first = limiter.admit(start)
        assert first.headers["RateLimit-Reset"] == "60" and not first.refused
        for elapsed in (1e-9, 0.5, 59.0, 59.999999, 60 - 1e-12):
            assert 0 <= int(limiter.admit(start + elapsed).headers["RateLimit-Reset"]) <= 60
    assert FixedWindow(1, 0.3).admit(0.1).headers["RateLimit-Reset"] == "1"


def test_scripted_drop_after_applies_the_write(sim, api):
    sim.configure(faults={"script": [{"method": "POST", "path": "^/Users$", "fault": "drop_after"}]})
    with pytest.raises(requests.ConnectionError):
        api.post("/Users", user_body("eric@company.com"))
    assert sim.user("eric@company.com") is not None
    entry = sim.writes()[-1]
    assert entry["fault"] == "drop_after" and entry["status"] == 201
    # the script is consumed: the retry sees the conflict
    assert_scim_error(api.post("/Users", user_body("eric@company.com")), 409, "uniqueness")


def test_scripted_faults_drop_before_5xx_429_malformed(sim, api):
    sim.configure(faults={"script": [
        {"method": "POST", "fault": "drop_before"},
        {"path": "/Users", "fault": "502"},
        {"fault": "429"},
        {"method": "GET", "fault": "malformed"},
        {"fault": "latency", "ms": 50},
    ]})
    with pytest.raises(requests.ConnectionError):
        api.post("/Users", user_body("eric@company.com"))
    assert sim.user("eric@company.com") is None
    assert_scim_error(api.get("/Users"), 502)
    resp = api.get("/Users")
    assert resp.status_code == 429 and "RateLimit-Reset" in resp.headers and "Retry-After" not in resp.headers
    resp = api.get("/Users")
    assert resp.status_code == 200
    with pytest.raises(ValueError):
        resp.json()
    started = time.monotonic()
    assert api.get("/Users").status_code == 200
    assert time.monotonic() - started >= 0.05
    assert [e["fault"] for e in sim.log()] == ["drop_before", "502", "429", "malformed", "latency"]
    assert api.get("/Users").status_code == 200 and sim.log()[-1]["fault"] is None


def test_random_faults_are_reproducible(sim, api):
    faults = {"seed": 7, "p_503": 0.3, "p_5xx_codes": [502, 503, 504], "p_429": 0.1}

    def run():
        sim.reset()
        sim.configure(faults=faults)
        return [api.get("/Users").status_code for _request in range(30)]

    first = run()
    assert first == run()
    assert set(first) - {200} and 200 in first
    assert {e["fault"] for e in sim.log()} <= {None, "502", "503", "504", "429"}


def test_each_fault_draws_from_its_own_stream():
    """Adding a fault (or changing its rate) leaves the other faults' seeded draws unchanged."""
    from tests.simulator.faults import FaultPlan, validate_faults

    def names(faults, requests=400):
        plan = FaultPlan(validate_faults(faults))
        return [(plan.choose("PUT", "/Users/1", True) or {}).get("name") for _request in range(requests)]

    alone = names({"seed": 11, "p_503": 0.2})
    with_others = names({"seed": 11, "p_503": 0.2, "p_429": 0.3, "p_drop_after": 0.1, "p_slow": 0.5})
    # 503 comes before those in FAULTS, so it wins wherever it hits: its hits are the same requests
    assert [i for i, n in enumerate(alone) if n == "503"] == [i for i, n in enumerate(with_others) if n == "503"]
    assert {"429", "drop_after", "slow"} <= set(with_others)
    late_429 = names({"seed": 11, "p_429": 0.3})
    with_503 = names({"seed": 11, "p_429": 0.3, "p_503": 0.2})
    # where 503 does not hit, 429 falls on the same requests as without it
    assert all((a == "429") == (b == "429") for a, b in zip(late_429, with_503) if b != "503")
    assert names({"seed": 12, "p_503": 0.2}) != alone


def test_request_log_stats_and_control_api(sim, api):
    api.create("eric@company.com")
    api.get("/Users")
    api.get("/Groups")
    log = sim.log()
    assert [(e["method"], e["path"], e["write"], e["status"]) for e in log] == [
        ("POST", "/Users", True, 201), ("GET", "/Users", False, 200), ("GET", "/Groups", False, 200)]
    assert [e["seq"] for e in log] == [1, 2, 3] and all(e["auth"] == "app-token" for e in log)
    assert sim.stats() == {"reads": 2, "writes": 1, "token": 0, "total": 3, "status_429": 0}
    assert len(sim.reads()) == 2 and len(sim.writes()) == 1

    ctl = sim.base_url + "/_sim"
    assert requests.get(ctl + "/log", timeout=5).json() == log
    assert requests.get(ctl + "/stats", timeout=5).json()["total"] == 3
    seeded = requests.post(ctl + "/users", json=[user_body("seed@company.com")], timeout=5)
    assert seeded.status_code == 201 and seeded.json()[0]["userName"] == "seed@company.com"
    group = requests.post(ctl + "/groups", json={"displayName": "Ops", "id": "3000"}, timeout=5).json()
    assert group["id"] == "3000" and sim.team("ops")["id"] == "3000"
    assert requests.post(ctl + "/config", json={"rate_limit": 50}, timeout=5).json()["rate_limit"] == 50
    assert requests.post(ctl + "/config", json={"no_such_key": 1}, timeout=5).status_code == 400
    state = requests.get(ctl + "/state", timeout=5).json()
    assert {u["userName"] for u in state["users"]} == {"eric@company.com", "seed@company.com"}
    assert requests.delete(ctl + "/log", timeout=5).status_code == 204
    assert sim.log() == [] and sim.stats()["total"] == 0
    assert requests.post(ctl + "/reset", timeout=5).status_code == 200
    assert sim.users() == [] and [t["id"] for t in sim.teams()] == ["1000"] and sim.config["rate_limit"] == 0
    assert sim.log() == []


def test_keep_alive_connection_is_reused(sim):
    parts = urlsplit(sim.scim_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        for _request in range(3):
            conn.request("GET", parts.path + "/Users", headers={"app-token": SIM_APP_TOKEN})
            resp = conn.getresponse()
            assert resp.status == 200 and int(resp.getheader("Content-Length")) == len(resp.read())
        sock = conn.sock
        conn.request("GET", parts.path + "/Groups", headers={"app-token": SIM_APP_TOKEN})
        conn.getresponse().read()
        assert conn.sock is sock
    finally:
        conn.close()


# ---------------------------------------------------------------- TLS and CLI


def test_tls_with_self_signed_certificate():
    with TotangoSimulator(app_token="tls-token", tls=True) as tls_sim:
        assert tls_sim.scim_url.startswith("https://127.0.0.1:")
        resp = requests.get(tls_sim.scim_url + "/Users", headers={"app-token": "tls-token"}, verify=tls_sim.cert_path, timeout=10)
        assert resp.status_code == 200
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(tls_sim.scim_url + "/Users", headers={"app-token": "tls-token"}, timeout=10)
        cert = tls_sim.cert_path
    assert not os.path.exists(cert)


def test_cli_serves_until_sigterm():
    proc = subprocess.Popen([sys.executable, SIM_FILE, "--port", "0", "--app-token", "cli-token", "--admin-user",
                             "cli@scimops.example", "--admin-password", "cli-pw", "--rate-limit", "100"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().split()
        urls = dict(item.split("=", 1) for item in line)
        resp = requests.get(urls["scim_url"] + "/Users", headers={"app-token": "cli-token"}, timeout=5)
        assert resp.status_code == 200 and resp.headers["RateLimit-Limit"] == "100"
        token = requests.post(urls["token_url"] + "?grant_type=client_credentials",
                              headers={"Authorization": basic("cli@scimops.example", "cli-pw")}, timeout=5)
        assert token.status_code == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
