# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for plugins/module_utils/_roster.py: validation, planning, the disable threshold, parallel writes."""

from __future__ import annotations

import threading
import time

import pytest
from ansible_collections.scimops.totango.plugins.module_utils import _roster as roster
from ansible_collections.scimops.totango.plugins.module_utils import _roster_result as results
from ansible_collections.scimops.totango.plugins.module_utils._roster_read import read_tenant
from ansible_collections.scimops.totango.plugins.module_utils._client import ScimClient
from ansible_collections.scimops.totango.plugins.module_utils._dialect import PatchDialects
from ansible_collections.scimops.totango.plugins.module_utils._errors import ScimError
from ansible_collections.scimops.totango.plugins.module_utils._teams import (
    TeamDirectory,
)
from ansible_collections.scimops.totango.plugins.module_utils._user_model import (
    TOTANGO_SCHEMA,
    user_argument_spec,
)

USER_KEYS = tuple(user_argument_spec()) + ("state",)


def opts(user_name, **values):
    """One users[] entry as Ansible hands it over: every suboption present, None when not given."""
    entry = dict.fromkeys(USER_KEYS)
    values.setdefault("state", "present")
    entry.update(user_name=user_name, **values)
    return entry


def params(users, **values):
    base = {"users": users, "disable_unlisted": False, "protected_users": [], "max_disable": 10, "parallel": 4, "replace": False}
    base.update(values)
    return base


def resource(uid, email, active=None, title=None, license_="spark", teams=()):
    res = {"id": uid, "userName": email, "name": {"givenName": "G", "familyName": "F"},
           TOTANGO_SCHEMA: {"license": [license_]},
           "groups": [{"value": tid, "display": name, "teamrole": "Member"} for tid, name in teams]}
    if active is not None:
        res["active"] = active
    if title:
        res["title"] = title
    return res


class FakeClient:
    """Answers the listing, records writes, fails the writes of chosen users, and tracks concurrency."""

    def __init__(self, users=(), teams=(), fail=None, delay=0.0, conflict=()):
        self.users = list(users)
        self.teams = [{"id": tid, "displayName": name} for tid, name in teams]
        self.fail = fail or {}
        self.delay = delay
        self.conflict = set(conflict)
        self.writes = []
        self.reads = []
        self.active = 0
        self.peak = 0
        self._lock = threading.Lock()
        self.page_size = 100
        self.with_total = True
        self.grow_after_first_page = None
        self.dialects = PatchDialects()
        self.notes = []

    def note(self, sentence):
        self.notes.append(sentence)

    list_page = ScimClient.list_page

    def iter_resources(self, path, action, params=None, parallel=1, first_page=None):
        wanted = (params or {}).get("filter")
        if path == "/Users" and not wanted:
            # The listing is paged by get() below, through the client's own pagination.
            return ScimClient.iter_resources(self, path, action, params=params, parallel=parallel,
                                             first_page=first_page)
        self.reads.append((path, wanted))
        if path == "/Groups":
            return iter(self.teams)
        email = wanted.split('"')[1].lower()
        return iter([u for u in self.users if u["userName"] == email])

    def get(self, path, action, params=None):
        """A ListResponse page of /Users, at most page_size users whatever count asks (servers may cap it)."""
        assert path == "/Users" and "filter" not in params
        with self._lock:
            self.reads.append((path, params["startIndex"]))
        start = params["startIndex"]
        found = self.users[start - 1:start - 1 + min(params["count"], self.page_size)]
        page = {"Resources": found, "startIndex": start, "itemsPerPage": len(found)}
        if self.with_total:
            page["totalResults"] = len(self.users)
        if self.grow_after_first_page and start == 1:
            self.users.extend(self.grow_after_first_page)
            self.grow_after_first_page = None
        return page

    def _write(self, method, path, body):
        with self._lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            time.sleep(self.delay)
            self.writes.append((method, path, body))
            for marker, error in self.fail.items():
                if marker in path or (isinstance(body, dict) and marker == body.get("userName")):
                    raise error
            if method == "POST" and body["userName"] in self.conflict:
                self.conflict.discard(body["userName"])
                self.users.append(dict(body, id="9" + body["userName"]))
                raise ScimError("user already exists", status=409, scim_type="uniqueness", action="creating")
            return dict(body, id="new-" + body["userName"]) if method == "POST" else None
        finally:
            with self._lock:
                self.active -= 1

    def post(self, path, body, action):
        return self._write("POST", path, body)

    def patch(self, path, operations, action):
        return self._write("PATCH", path, operations)

    def put(self, path, body, action):
        return self._write("PUT", path, body)


class Outcome:
    def __init__(self, items=None, errors=(), refusal=None):
        self.items = items
        self.errors = list(errors)
        self.refusal = refusal


def run(client, p, check_mode=False):
    """What the module does, minus AnsibleModule."""
    errors = roster.check_roster_options(p)
    if errors:
        return Outcome(errors=errors)
    directory = TeamDirectory(client)
    items = roster.roster_items(p, roster.read_current_users(client, p))
    errors = roster.plan_items(items, directory, p["replace"], {e.lower() for e in p["protected_users"]})
    if errors:
        return Outcome(items, errors)
    refusal = roster.disable_refusal(items, p["max_disable"])
    roster.settle_items(items)
    if refusal or check_mode:
        return Outcome(items, refusal=refusal)
    roster.apply_items(client, directory, items, p["replace"], p["parallel"])
    return Outcome(items)


# -- input checks ----------------------------------------------------------------------------


def test_every_bad_entry_is_reported_not_just_the_first():
    users = [opts("ok@example.com"), opts("not-an-email"), opts("b@example.com", given_name="x" * 31),
             opts("OK@Example.com"), opts("c@example.com", license="gold")]
    errors = roster.check_roster_options(params(users, parallel=0, max_disable=-1))
    assert [e.option for e in errors] == ["parallel", "max_disable", "users[1].user_name", "users[2].given_name",
                                          "users[3].user_name", "users[4].license"]
    assert "already listed as users[0]" in errors[4].rule
    text = roster.input_error_result(errors)["msg"]
    assert text.startswith("6 input error(s), nothing was changed")


def test_every_bad_option_of_one_entry_is_reported():
    users = [opts("a@example.com", given_name="x" * 31, license="gold", teams=[{"name": "Sales", "id": "1"}])]
    errors = roster.check_roster_options(params(users))
    assert [e.option for e in errors] == ["users[0].given_name", "users[0].license", "users[0].teams[0]"]


def test_a_new_user_without_names_and_an_unknown_team_are_input_errors_found_while_planning():
    client = FakeClient(teams=[("2601", "Sales")])
    users = [opts("a@example.com", given_name="A", family_name="B"), opts("new@example.com"),
             opts("c@example.com", given_name="C", family_name="D", teams=[{"name": "Nope", "id": None, "role": None}])]
    errors = run(client, params(users)).errors
    assert [e.option for e in errors] == ["users[1].given_name", "users[2].teams[0]"]
    assert client.writes == []


def test_a_viewer_downgrade_is_an_input_error():
    client = FakeClient(users=[resource("1", "z@example.com", license_="zoe")])
    errors = run(client, params([opts("z@example.com", license="viewer")])).errors
    assert [e.option for e in errors] == ["users[0].license"]


# -- listing -----------------------------------------------------------------------------------


def many(count, prefix="u"):
    return [resource("%s%d" % (prefix, i), "%s%04d@example.com" % (prefix, i)) for i in range(count)]


def everyone(client):
    tenant = read_tenant(client, [], everyone=True, parallel=4)
    return tenant.others


@pytest.mark.parametrize("count, page_size, pages", [(0, 100, 1), (100, 100, 1), (250, 100, 3), (250, 40, 7)])
def test_each_page_is_read_once(count, page_size, pages):
    client = FakeClient(users=many(count))
    client.page_size = page_size
    listed = everyone(client)
    assert sorted(listed) == sorted(u["userName"] for u in client.users)
    assert sorted(start for _path, start in client.reads) == [1 + i * page_size for i in range(pages)]


def test_a_listing_without_totals_reads_until_an_empty_page():
    client = FakeClient(users=many(150))
    client.with_total = False
    assert len(everyone(client)) == 150
    assert [start for _path, start in client.reads] == [1, 101, 151]


def test_users_added_during_the_listing_are_picked_up():
    client = FakeClient(users=many(150))
    client.grow_after_first_page = many(60, prefix="late")
    listed = everyone(client)
    assert len(listed) == 210
    assert [start for _path, start in client.reads] == [1, 101, 201]


def test_unlisted_users_are_kept_as_small_records_listed_ones_without_meta():
    users = many(3)
    users[0]["meta"] = {"location": "x"}
    users[0]["groups"] = [{"value": "7", "$ref": "../Groups/7", "display": "T"}]
    users[1]["externalId"] = "HR-1"
    users[2]["active"] = False
    tenant = read_tenant(FakeClient(users=users), ["U0000@example.com"], everyone=True, parallel=1)
    assert "meta" not in tenant.user("u0000@example.com")
    assert tenant.user("u0000@example.com")["groups"] == [{"value": "7", "display": "T"}]
    assert tenant.unlisted() == [{"id": "u1", "userName": "u0001@example.com", "externalId": "HR-1"},
                                 {"id": "u2", "userName": "u0002@example.com", "active": False}]


# -- the cheaper way: lookups or the remaining pages ---------------------------------------------


def reads_of(client):
    """('page', startIndex) or ('lookup', e-mail) for every read."""
    return sorted(("lookup", wanted.split('"')[1]) if isinstance(wanted, str) else ("page", wanted)
                  for _path, wanted in client.reads)


def test_one_listed_user_is_looked_up_without_reading_a_page():
    client = FakeClient(users=many(3000))
    tenant = read_tenant(client, ["u2500@example.com"], everyone=False, parallel=4)
    assert reads_of(client) == [("lookup", "u2500@example.com")]
    assert tenant.user("U2500@example.com")["id"] == "u2500" and tenant.strategy == "lookups"


def test_users_on_the_first_page_cost_no_lookup_and_the_rest_are_looked_up():
    client = FakeClient(users=many(3000))
    keys = ["u0005@example.com", "u0099@example.com", "u1234@example.com", "new@example.com"]
    tenant = read_tenant(client, keys, everyone=False, parallel=4)
    assert reads_of(client) == [("lookup", "new@example.com"), ("lookup", "u1234@example.com"), ("page", 1)]
    assert sorted(tenant.listed) == sorted(keys[:3]) and tenant.user("new@example.com") is None


def test_more_missing_users_than_pages_left_reads_the_pages():
    client = FakeClient(users=many(300))
    keys = ["u%04d@example.com" % i for i in range(100, 103)] + ["new%d@example.com" % i for i in range(3)]
    tenant = read_tenant(client, keys, everyone=False, parallel=4)
    assert reads_of(client) == [("page", 1), ("page", 101), ("page", 201)], "6 lookups cost more than 2 pages"
    assert sorted(tenant.listed) == sorted(keys[:3]) and tenant.strategy == "pages"


def test_pages_are_counted_in_the_servers_own_page_size():
    # 300 users in pages of 50: 5 pages left, so 4 missing users are looked up, 6 are paged.
    client = FakeClient(users=many(300))
    client.page_size = 50
    read_tenant(client, ["new%d@example.com" % i for i in range(4)], everyone=False, parallel=4)
    assert [kind for kind, _value in reads_of(client)] == ["lookup"] * 4 + ["page"]
    client = FakeClient(users=many(300))
    client.page_size = 50
    read_tenant(client, ["new%d@example.com" % i for i in range(6)], everyone=False, parallel=4)
    assert reads_of(client) == [("page", 1 + 50 * i) for i in range(6)]


def test_a_tenant_that_fits_the_first_page_needs_no_other_read():
    client = FakeClient(users=many(80))
    tenant = read_tenant(client, ["u0001@example.com", "new@example.com"], everyone=False, parallel=4)
    assert reads_of(client) == [("page", 1)]
    assert tenant.user("new@example.com") is None and tenant.user("u0001@example.com")


def test_without_a_total_the_missing_users_are_looked_up():
    client = FakeClient(users=many(300))
    client.with_total = False
    read_tenant(client, ["u0250@example.com", "new@example.com"], everyone=False, parallel=4)
    assert reads_of(client) == [("lookup", "new@example.com"), ("lookup", "u0250@example.com"), ("page", 1)]


def test_lookups_and_pages_give_the_same_plan():
    users = many(300)
    users[150]["title"] = "old"
    listed = [opts("u0150@example.com", title="new"), opts("u0007@example.com", title="x"),
              opts("n@example.com", given_name="N", family_name="M")]
    by_lookups = run(FakeClient(users=[dict(u) for u in users]), params(listed), check_mode=True).items
    everyone_params = params(listed, disable_unlisted=True, max_disable=1000)
    by_pages = run(FakeClient(users=[dict(u) for u in users]), everyone_params, check_mode=True).items
    assert [(i.user_name, i.action, i.changes) for i in by_lookups] == [
        (i.user_name, i.action, i.changes) for i in by_pages if i.index is not None]


# -- planning ----------------------------------------------------------------------------------


def test_unlisted_active_users_are_disabled_but_not_inactive_or_protected_ones():
    current = [resource("1", "keep@example.com", active=True), resource("2", "gone@example.com", active=True),
               resource("3", "never@example.com"), resource("4", "off@example.com", active=False),
               resource("5", "boss@example.com", active=True)]
    current[3]["active"] = "no"  # Totango may answer with strings
    client = FakeClient(users=current)
    outcome = run(client, params([opts("Keep@Example.com")], disable_unlisted=True, protected_users=["BOSS@example.com"]))
    assert outcome.errors == [] and outcome.refusal is None
    actions = {item.user_name: item.action for item in outcome.items}
    assert actions == {"keep@example.com": "none", "boss@example.com": "none",
                       "gone@example.com": "disable", "never@example.com": "disable"}
    patched = sorted(write[1] for write in client.writes)
    assert patched == ["/Users/2", "/Users/3"]
    assert all(ops == [{"op": "replace", "path": "active", "value": False}] for _method, _path, ops in client.writes)


def test_replace_clears_fields_of_listed_users_only_unlisted_ones_are_just_disabled():
    current = [resource("1", "stay@example.com", active=True, title="Eng"),
               resource("2", "leaver@example.com", active=True, title="Director")]
    current[1]["externalId"] = "HR-2"
    client = FakeClient(users=current)
    outcome = run(client, params([opts("stay@example.com", given_name="S")], disable_unlisted=True, replace=True))
    assert outcome.errors == []
    writes = {path: (method, body) for method, path, body in client.writes}
    # The listed user is replaced (title cleared); the leaver keeps title and external id, only active changes.
    assert writes["/Users/1"][0] == "PUT" and "title" not in writes["/Users/1"][1]
    assert writes["/Users/2"] == ("PATCH", [{"op": "replace", "path": "active", "value": False}])


@pytest.mark.parametrize("entry, option", [
    ({"state": "disabled"}, "users[0].state"),
    ({"active": False}, "users[0].active"),
])
def test_disabling_a_protected_listed_user_is_an_input_error_naming_the_option(entry, option):
    client = FakeClient(users=[resource("1", "boss@example.com", active=True)])
    errors = run(client, params([opts("boss@example.com", **entry)], protected_users=["boss@example.com"])).errors
    assert [e.option for e in errors] == [option]
    assert client.writes == []


def test_protected_users_must_be_e_mails():
    errors = run(FakeClient(), params([opts("a@example.com")], protected_users=["boss@example.com", "the boss"])).errors
    assert [(e.option, "e-mail" in e.rule) for e in errors] == [("protected_users[1]", True)]


@pytest.mark.parametrize("planned, expected", [
    ({"action": "create", "changes": {}}, "create"),
    ({"action": "adopted", "changes": {}}, "create"),
    ({"action": "none", "changes": {}}, "none"),
    ({"action": "patch", "changes": {"title": ("a", "b")}}, "update"),
    ({"action": "patch", "changes": {"active": (True, False), "title": ("a", "b")}}, "disable"),
    ({"action": "patch", "changes": {"active": (False, True)}}, "update"),
    ({"action": "put", "changes": {"is_admin": (False, True)}}, "update"),
])
def test_roster_action(planned, expected):
    plan = type("Plan", (), planned)()
    assert roster.roster_action(plan) == expected


# -- the safety threshold --------------------------------------------------------------------


def test_max_disable_counts_listed_and_unlisted_disables_and_refuses_before_any_write():
    current = [resource(str(i), "u%d@example.com" % i, active=True) for i in range(5)]
    client = FakeClient(users=current)
    users = [opts("u0@example.com", state="disabled"), opts("u1@example.com")]
    outcome = run(client, params(users, disable_unlisted=True, max_disable=3))
    items, refusal = outcome.items, outcome.refusal
    assert outcome.errors == [] and client.writes == []
    assert refusal["would_disable"] == ["u0@example.com", "u2@example.com", "u3@example.com", "u4@example.com"]
    assert "would disable 4 users (3 of them unlisted), more than max_disable=3" in refusal["msg"]
    assert "at least 4" in refusal["msg"]
    assert roster.disable_refusal(items, 4) is None


# -- execution -----------------------------------------------------------------------------------


def test_one_failure_does_not_stop_the_others_and_is_named():
    current = [resource(str(i), "u%d@example.com" % i, title="old") for i in range(6)]
    error = ScimError("group 9 does not exist", status=400, scim_type="invalidValue", action="updating user u3@example.com")
    client = FakeClient(users=current, fail={"/Users/3": error})
    users = [opts("u%d@example.com" % i, title="new") for i in range(6)]
    items = run(client, params(users)).items
    assert len(client.writes) == 6
    result = results.roster_result(items, with_diff=True)
    assert result["counts"] == {"created": 0, "updated": 5, "renamed": 0, "disabled": 0, "unchanged": 0, "failed": 1}
    assert result["updated"] == 5 and "failed" not in result
    failed = [u for u in result["users"] if u["failed"]]
    assert failed == [{"user_name": "u3@example.com", "id": "3", "action": "update", "changed": False, "failed": True,
                       "msg": str(error), "license": "spark", "license_name": "Practitioner"}]
    assert [d["before_header"] for d in result["diff"]] == ["u0@example.com", "u1@example.com", "u2@example.com",
                                                            "u4@example.com", "u5@example.com"]
    message = results.failure_message(items)
    assert message.startswith("1 of 6 users failed, the others were applied: users[3] u3@example.com: Updating")
    assert "HTTP 400 invalidValue: group 9 does not exist" in message


def test_writes_run_on_parallel_workers():
    client = FakeClient(delay=0.05)
    users = [opts("n%d@example.com" % i, given_name="N", family_name="M") for i in range(12)]
    started = time.monotonic()
    items = run(client, params(users, parallel=4)).items
    elapsed = time.monotonic() - started
    assert len(client.writes) == 12 and client.peak == 4
    assert elapsed < 12 * 0.05 / 2, "4 workers must beat one by far"
    assert all(item.action == "create" and item.changed for item in items)


def test_a_create_that_meets_a_409_adopts_the_user():
    client = FakeClient(conflict={"late@example.com"})
    items = run(client, params([opts("late@example.com", given_name="G", family_name="F")])).items
    assert [write[0] for write in client.writes] == ["POST"]
    assert items[0].action == "create" and items[0].changed and "adopted" in items[0].msg


def test_the_diff_holds_only_the_changed_fields():
    client = FakeClient(users=[resource("1", "a@example.com", title="old", active=True)])
    items = run(client, params([opts("a@example.com", title="new", given_name="G")]), check_mode=True).items
    assert client.writes == []
    diff = results.roster_result(items, with_diff=True)["diff"]
    assert diff == [{"before_header": "a@example.com", "after_header": "a@example.com (update)",
                     "before": {"title": "old"}, "after": {"title": "new"}}]


def test_check_mode_counts_equal_the_real_run():
    current = [resource("1", "a@example.com", title="old", active=True), resource("2", "b@example.com", active=True)]
    users = [opts("a@example.com", title="new"), opts("c@example.com", given_name="C", family_name="D")]
    p = params(users, disable_unlisted=True)
    checked = run(FakeClient(users=[dict(r) for r in current]), p, check_mode=True).items
    applied = run(FakeClient(users=[dict(r) for r in current]), p).items
    predicted = results.roster_result(checked, with_diff=True)
    real = results.roster_result(applied, with_diff=True)
    assert predicted == real
    assert real["counts"] == {"created": 1, "updated": 1, "renamed": 0, "disabled": 1, "unchanged": 0, "failed": 0}
