# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for plugins/module_utils/_plan.py: the plan id of a roster, planned by the roster's own code."""

from __future__ import annotations

import hashlib
import json

import pytest
from ansible_collections.scimops.totango.plugins.module_utils import _leave_teams as leave
from ansible_collections.scimops.totango.plugins.module_utils import _plan as planning
from ansible_collections.scimops.totango.plugins.module_utils import _roster as roster
from ansible_collections.scimops.totango.plugins.module_utils._teams import TeamDirectory
from ansible_collections.scimops.totango.plugins.module_utils._user_model import TOTANGO_SCHEMA, user_argument_spec

TENANT = "https://sim.example/scim/v2"
USER_KEYS = tuple(user_argument_spec()) + ("state",)
TEAMS = {"10": "Support", "20": "Sales"}


class TeamsOnly:
    """The one read a TeamDirectory may make: the team listing."""

    def iter_resources(self, path, action, params=None, parallel=1, first_page=None):
        assert path == "/Groups"
        return iter({"id": tid, "displayName": name} for tid, name in TEAMS.items())


def entry(user_name, **values):
    options = dict.fromkeys(USER_KEYS)
    values.setdefault("state", "present")
    options.update(user_name=user_name, **values)
    return options


def resource(uid, email, title=None, active=True, teams=(), **extra):
    res = {"id": uid, "userName": email, "active": active, "name": {"givenName": "G", "familyName": "F"},
           TOTANGO_SCHEMA: {"license": ["spark"]},
           "groups": [{"value": tid, "display": TEAMS[tid], "teamrole": "Member"} for tid in teams],
           "meta": {"lastModified": "2026-01-01T00:00:00Z", "version": 'W/"1"'}}
    if title:
        res["title"] = title
    res.update(extra)
    return res


def plan_of(entries, tenant_users, leave_teams=False, tenant=TENANT, replace=False):
    """The Plan the module computes: items planned by _roster, leaves by _leave_teams, then settled."""
    current = dict((user["userName"], user) for user in tenant_users)
    items = [roster.RosterItem(options["user_name"], options, options["state"], index, current.get(options["user_name"]))
             for index, options in enumerate(entries)]
    assert roster.plan_items(items, TeamDirectory(TeamsOnly()), replace, set()) == []
    if leave_teams:
        leave.plan_leaves(items, [])
    roster.settle_items(items)
    return planning.Plan(planning.planned_writes(items), tenant)


TENANT_USERS = [resource("1", "ann@example.com", title="CSM"), resource("2", "bob@example.com", title="AE"),
                resource("3", "cy@example.com", teams=("10", "20"))]
ROSTER = [entry("ann@example.com", title="CSM Lead"), entry("bob@example.com", title="AE"),
          entry("dee@example.com", given_name="Dee", family_name="Lane"),
          entry("cy@example.com", state="disabled")]


def test_the_id_starts_with_the_counts_and_ends_with_a_sha256():
    plan = plan_of(ROSTER, TENANT_USERS, leave_teams=True)
    assert plan.counts == {"create": 1, "update": 1, "rename": 0, "disable": 1, "leave": 2}
    assert plan.plan_id.startswith("c1-u1-r0-d1-l2-")
    assert planning.PLAN_ID.match(plan.plan_id)
    assert plan.result() == {"plan_id": plan.plan_id,
                             "plan": {"creates": 1, "updates": 1, "renames": 0, "disables": 1, "leaves": 2}}
    # bob is unchanged: the plan writes ann, cy and dee only
    assert [write["user"] for write in plan.writes] == ["ann@example.com", "cy@example.com", "dee@example.com"]


def test_same_plan_same_id_whatever_the_order_of_roster_and_tenant():
    first = plan_of(ROSTER, TENANT_USERS, leave_teams=True)
    again = plan_of(list(reversed(ROSTER)), list(reversed(TENANT_USERS)), leave_teams=True)
    assert again.plan_id == first.plan_id


def test_what_the_server_changes_by_itself_is_not_part_of_the_plan():
    touched = [dict(user, meta={"lastModified": "2026-06-06T06:06:06Z", "version": 'W/"9"'}) for user in TENANT_USERS]
    assert plan_of(ROSTER, touched).plan_id == plan_of(ROSTER, TENANT_USERS).plan_id


def test_unchanged_users_do_not_count():
    with_more = TENANT_USERS + [resource("4", "eve@example.com", title="VP")]
    roster_more = ROSTER + [entry("eve@example.com", title="VP")]
    assert plan_of(roster_more, with_more).plan_id == plan_of(ROSTER, TENANT_USERS).plan_id
    # ...and a change to a user the roster does not write (bob's given name) does not either
    renamed = [dict(user, name={"givenName": "Robert", "familyName": "F"}) if user["id"] == "2" else user
               for user in TENANT_USERS]
    assert plan_of(ROSTER, renamed).plan_id == plan_of(ROSTER, TENANT_USERS).plan_id


@pytest.mark.parametrize("change", [
    "roster: another after-value", "roster: a user more to write", "tenant: a user now differs",
    "tenant: a written field changed meanwhile", "tenant: the account written to", "leave: one team fewer",
    "another tenant", "replace",
])
def test_any_change_in_a_planned_write_changes_the_id(change):
    base_roster, base_tenant = list(ROSTER), list(TENANT_USERS)
    kwargs = {"leave_teams": True}
    if change == "roster: another after-value":
        base_roster[0] = entry("ann@example.com", title="CSM Team Lead")
    elif change == "roster: a user more to write":
        base_roster[1] = entry("bob@example.com", title="AE II")
    elif change == "tenant: a user now differs":
        base_tenant[1] = resource("2", "bob@example.com", title="Account Executive")
    elif change == "tenant: a written field changed meanwhile":
        base_tenant[0] = resource("1", "ann@example.com", title="Senior CSM")
    elif change == "tenant: the account written to":
        base_tenant[0] = resource("7", "ann@example.com", title="CSM")
    elif change == "leave: one team fewer":
        base_tenant[2] = resource("3", "cy@example.com", teams=("10",))
    elif change == "another tenant":
        kwargs["tenant"] = "https://other.example/scim/v2"
    elif change == "replace":
        kwargs["replace"] = True
    assert plan_of(base_roster, base_tenant, **kwargs).plan_id != plan_of(ROSTER, TENANT_USERS, leave_teams=True).plan_id


def test_no_write_is_the_one_documented_empty_plan_on_every_tenant():
    unchanged = [entry("bob@example.com", title="AE")]
    assert plan_of(unchanged, TENANT_USERS).plan_id == planning.EMPTY_PLAN_ID
    assert plan_of(unchanged, TENANT_USERS, tenant="https://other.example/").plan_id == planning.EMPTY_PLAN_ID
    canonical = json.dumps({"version": 1, "writes": []}, sort_keys=True, separators=(",", ":"))
    assert planning.EMPTY_PLAN_ID == "c0-u0-r0-d0-l0-" + hashlib.sha256(canonical.encode()).hexdigest()
    # the value the module's RETURN documents
    assert planning.EMPTY_PLAN_ID == "c0-u0-r0-d0-l0-fd0d59a5c5a8965e3d40893e4e0bc655bd7e232a2414b20f6141832651029288"


def test_the_tenant_url_is_compared_without_a_trailing_slash():
    assert plan_of(ROSTER, TENANT_USERS, tenant=TENANT + "/").plan_id == plan_of(ROSTER, TENANT_USERS).plan_id


def test_no_secret_goes_into_the_digest_input(monkeypatch):
    seen = []
    real = planning.digest
    monkeypatch.setattr(planning, "digest", lambda writes, tenant: seen.append((writes, tenant)) or real(writes, tenant))
    secret = "tok-very-secret-123"
    tenant = [dict(user, password=secret, **{"x-app-token": secret}) for user in TENANT_USERS]
    plan_of(ROSTER, tenant, leave_teams=True)
    assert seen and secret not in json.dumps(seen)


def test_a_refusal_names_the_option_both_ids_the_counts_and_the_users():
    reviewed = plan_of(ROSTER, TENANT_USERS)
    now = plan_of(ROSTER, [TENANT_USERS[0], resource("2", "bob@example.com", title="Account Executive"),
                           TENANT_USERS[2]])
    refusal = planning.plan_refusal(now, reviewed.plan_id)
    assert refusal is not None
    assert "expected_plan_id=%s" % reviewed.plan_id in refusal["msg"] and now.plan_id in refusal["msg"]
    assert "Reviewed: 1 create, 1 update, 1 disable; now: 1 create, 2 update, 1 disable" in refusal["msg"]
    assert "bob@example.com (update: title)" in refusal["msg"]
    assert refusal["expected_plan_id"] == reviewed.plan_id and refusal["plan_id"] == now.plan_id
    assert refusal["plan_users_total"] == 4 and "bob@example.com (update: title)" in refusal["plan_users"]
    assert planning.plan_refusal(reviewed, reviewed.plan_id) is None
    assert planning.plan_refusal(reviewed, None) is None
    assert planning.plan_refusal(reviewed, " %s\n" % reviewed.plan_id) is None  # pasted with blanks around


def test_a_refusal_with_the_same_counts_says_a_written_value_differs():
    reviewed = plan_of(ROSTER, TENANT_USERS)
    now = plan_of([entry("ann@example.com", title="CSM Team Lead")] + ROSTER[1:], TENANT_USERS)
    msg = planning.plan_refusal(now, reviewed.plan_id)["msg"]
    assert "Reviewed: 1 create, 1 update, 1 disable; now: 1 create, 1 update, 1 disable (the same counts" in msg


def test_a_refusal_caps_the_users_it_names():
    many = [entry("u%03d@example.com" % i, given_name="U", family_name="N") for i in range(60)]
    refusal = planning.plan_refusal(plan_of(many, []), planning.EMPTY_PLAN_ID)
    assert refusal["plan_users_total"] == 60 and len(refusal["plan_users"]) == 50
    assert "and 10 more" in refusal["msg"] and "Reviewed: no write; now: 60 create" in refusal["msg"]


@pytest.mark.parametrize("value", ["", "abc", "c1-u0-r0-d0-l0-" + "0" * 63, planning.EMPTY_PLAN_ID.upper()])
def test_an_expected_plan_id_that_is_no_plan_id_is_an_input_error(value):
    errors = planning.expected_plan_errors(value)
    assert [error.option for error in errors] == ["expected_plan_id"]
    assert "must be the plan_id a check run of totango_users returned" in errors[0].rule


def test_a_plan_id_is_a_valid_expected_plan_id():
    assert planning.expected_plan_errors(None) == []
    assert planning.expected_plan_errors(plan_of(ROSTER, TENANT_USERS).plan_id) == []
