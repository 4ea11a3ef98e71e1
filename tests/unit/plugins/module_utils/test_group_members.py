# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests for plugins/module_utils/_group_members.py: parsing, matching, planning, choosing the write."""

from __future__ import annotations

import pytest

from ansible_collections.scimops.totango.plugins.module_utils._dialect import PatchDialects
from ansible_collections.scimops.totango.plugins.module_utils._errors import OptionError, ScimError
from ansible_collections.scimops.totango.plugins.module_utils._teams import match_team as match_team_by
from ansible_collections.scimops.totango.plugins.module_utils._group_members import (
    LOOKUP_THRESHOLD,
    MemberRef,
    MembershipPlan,
    UserIndex,
    apply_membership,
    choose_write,
    displays_are_emails,
    find_team,
    parse_member_refs,
    plan_changes,
    refs_to_resolve,
    resolve_users,
    resulting_ids,
)


def group(team_id, name, members):
    return {"id": team_id, "displayName": name,
            "members": [{"value": uid, "display": display} for uid, display in members]}


class FakeClient:
    """Answers the few reads the helper makes from a dict of users; records each call."""

    def __init__(self, users=(), teams=()):
        self.users = list(users)
        self.teams = {t["id"]: t for t in teams}
        self.calls = []

    def get(self, path, action, params=None):
        self.calls.append(("GET", path))
        kind, ident = path.strip("/").split("/", 1)
        found = self.teams.get(ident) if kind == "Groups" else next((u for u in self.users if u["id"] == ident), None)
        if found is None:
            raise ScimError("not found", status=404, action=action)
        return found

    def get_if_exists(self, path, action):
        try:
            return self.get(path, action)
        except ScimError:
            return None

    def iter_resources(self, path, action, params=None, parallel=1):
        self.calls.append(("LIST", path, (params or {}).get("filter")))
        if path == "/Groups":
            return iter(list(self.teams.values()))
        wanted = (params or {}).get("filter")
        if wanted:
            email = wanted.split('"')[1]
            return iter([u for u in self.users if u["userName"] == email.lower()])
        return self._pages()

    def _pages(self):
        for start in range(0, len(self.users), 100):
            self.calls.append(("PAGE", start // 100 + 1))
            yield from self.users[start:start + 100]


def user(uid, email):
    return {"id": uid, "userName": email}


# -- parse_member_refs -----------------------------------------------------------------------


def test_parse_member_refs_tells_emails_from_ids_and_drops_repeats():
    refs = parse_member_refs(["Eric@Example.com", "100001", "eric@example.com", " 100001 "])
    assert refs == [MemberRef(0, "Eric@Example.com", "eric@example.com"), MemberRef(1, "100001", None)]


@pytest.mark.parametrize("bad, option", [("", "members[1]"), ("not-an-email@", "members[1]"), (None, "members[1]")])
def test_parse_member_refs_names_the_bad_entry(bad, option):
    with pytest.raises(OptionError) as caught:
        parse_member_refs(["a@example.com", bad])
    assert caught.value.option == option


def test_parse_member_refs_accepts_an_empty_list():
    assert parse_member_refs([]) == []


# -- UserIndex ---------------------------------------------------------------------------------


def test_user_index_learns_emails_from_displays_but_not_other_names():
    index = UserIndex()
    index.learn_members(group("1", "T", [("11", "Ann@Example.com"), ("12", "Bob Smith")]))
    assert index.id_for(MemberRef(0, "ann@example.com", "ann@example.com")) == "11"
    assert index.id_for(MemberRef(0, "12", None)) == "12"
    assert index.id_for(MemberRef(0, "13", None)) is None
    assert index.label("11") == "ann@example.com"
    assert index.label("12") == "12"


def test_user_index_keeps_a_known_email_when_a_later_display_is_a_name():
    index = UserIndex()
    index.learn("11", "ann@example.com")
    index.learn("11", "Ann")
    assert index.label("11") == "ann@example.com"


def test_displays_are_emails():
    assert displays_are_emails(group("1", "T", [("11", "a@example.com")]))
    assert displays_are_emails(group("1", "T", []))
    assert not displays_are_emails(group("1", "T", [("11", "a@example.com"), ("12", "Bob")]))


# -- teams ---------------------------------------------------------------------------------------


TEAMS = [group("2601", "Sales", []), group("2602", "sales ops", []), group("2603", "2024", []),
         group("2604", "Support", []), group("2605", "SUPPORT", [])]


def match_team(teams, ref):
    """The team option of totango_group_members: one text, an id or a name."""
    return match_team_by(teams, "team", team_id=ref, name=ref)


def test_match_team_by_id_then_exact_name_then_case_insensitive_name():
    assert match_team(TEAMS, "2602")["id"] == "2602"
    assert match_team(TEAMS, "2024")["id"] == "2603"
    assert match_team(TEAMS, "SALES")["id"] == "2601"
    assert match_team(TEAMS, "Support")["id"] == "2604"


def test_match_team_refuses_an_ambiguous_name():
    with pytest.raises(OptionError, match="several teams"):
        match_team(TEAMS, "support")


def test_match_team_unknown_names_the_option_and_the_known_teams():
    with pytest.raises(OptionError) as caught:
        match_team(TEAMS, "Nope")
    assert caught.value.option == "team"
    assert "'Nope'" in caught.value.rule and "Sales" in caught.value.rule


def test_find_team_by_id_is_one_get_and_by_name_one_listing():
    client = FakeClient(teams=TEAMS)
    team, others = find_team(client, "2601")
    assert team["id"] == "2601" and others is None and client.calls == [("GET", "/Groups/2601")]
    client.calls = []
    team, others = find_team(client, "Sales")
    assert team["id"] == "2601" and len(others) == len(TEAMS) and client.calls == [("LIST", "/Groups", None)]


def test_find_team_digits_that_are_no_id_fall_back_to_names():
    client = FakeClient(teams=TEAMS)
    team = find_team(client, "2024")[0]
    assert team["id"] == "2603"
    assert client.calls == [("GET", "/Groups/2024"), ("LIST", "/Groups", None)]


# -- resolving members -------------------------------------------------------------------------


def test_refs_to_resolve_skips_known_users_and_for_absent_trusts_email_displays():
    team = group("1", "T", [("11", "ann@example.com")])
    index = UserIndex()
    index.learn_members(team)
    refs = parse_member_refs(["ann@example.com", "bob@example.com", "99"])
    assert [r.value for r in refs_to_resolve(refs, "present", team, index)] == ["bob@example.com", "99"]
    assert refs_to_resolve(refs, "absent", team, index) == []
    named = group("1", "T", [("11", "Ann")])
    index = UserIndex()
    index.learn_members(named)
    assert [r.value for r in refs_to_resolve(refs, "absent", named, index)] == ["ann@example.com", "bob@example.com"]


def test_resolve_users_looks_up_a_few_one_request_each():
    client = FakeClient(users=[user("11", "a@example.com"), user("12", "b@example.com")])
    index = UserIndex()
    resolve_users(client, parse_member_refs(["a@example.com", "12", "nobody@example.com"]), index)
    assert index.label("11") == "a@example.com" and index.label("12") == "b@example.com"
    assert len(client.calls) == 3


def test_resolve_users_lists_pages_for_many_and_stops_when_all_are_found():
    users = [user(str(1000 + n), "u%03d@example.com" % n) for n in range(350)]
    wanted = ["u%03d@example.com" % n for n in range(LOOKUP_THRESHOLD + 1)] + ["u150@example.com"]
    client = FakeClient(users=users)
    index = UserIndex()
    resolve_users(client, parse_member_refs(wanted), index)
    assert all(index.ids_by_email.get(email) for email in wanted)
    assert [c for c in client.calls if c[0] == "PAGE"] == [("PAGE", 1), ("PAGE", 2)]


# -- planning ------------------------------------------------------------------------------------


@pytest.mark.parametrize("state, add, remove", [
    ("present", ["4"], []),
    ("absent", [], ["2"]),
    ("exact", ["4"], ["1", "3"]),
])
def test_plan_changes(state, add, remove):
    assert plan_changes(["1", "2", "3"], ["2", "4", "2"], state) == (add, remove)


def test_plan_changes_exact_with_nothing_wanted_removes_everyone():
    assert plan_changes(["1", "2"], [], "exact") == ([], ["1", "2"])


@pytest.mark.parametrize("add, remove, write", [
    ([], [], "none"), (["1"], [], "patch_add"), ([], ["1"], "patch_remove"), (["1"], ["2"], "put"),
])
def test_choose_write_sends_one_write_at_most(add, remove, write):
    assert choose_write(add, remove) == write


def test_resulting_ids_keeps_order_and_appends_new():
    assert resulting_ids(["1", "2", "3"], ["4", "2"], ["1"]) == ["2", "3", "4"]


def make_plan(current, add, remove):
    index = UserIndex()
    for uid in set(current) | set(add) | set(remove):
        index.learn(uid, "user%s@example.com" % uid if uid != "9" else None)
    team = group("2601", "Sales", [(uid, index.label(uid)) for uid in current])
    return MembershipPlan(team, current, add, remove, index)


def test_plan_request_patch_add_is_the_same_in_both_dialects():
    plan = make_plan(["1"], ["2", "3"], [])
    method, forms = plan.request()
    added = [{"op": "add", "path": "members", "value": [{"value": "2"}, {"value": "3"}]}]
    assert method == "PATCH" and forms.totango == forms.rfc7644 == added


def test_plan_request_patch_remove_is_the_vendor_form_with_rfc_selectors_as_the_other():
    plan = make_plan(["1", "2", 'odd"id'], [], ["2", 'odd"id'])
    method, forms = plan.request()
    assert method == "PATCH" and forms.kind == "member removal"
    assert forms.totango == [{"op": "remove", "path": "members", "value": [{"value": "2"}, {"value": 'odd"id'}]}]
    assert forms.rfc7644 == [{"op": "remove", "path": 'members[value eq "2"]'},
                             {"op": "remove", "path": 'members[value eq "odd\\"id"]'}]


def test_plan_request_put_carries_the_name_and_every_kept_member():
    plan = make_plan(["1", "2"], ["3"], ["1"])
    method, body = plan.request()
    assert method == "PUT"
    assert body["displayName"] == "Sales" and body["id"] == "2601"
    assert body["members"] == [{"value": "2"}, {"value": "3"}]
    assert body["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:Group"]


def test_plan_result_and_diff_are_sorted_and_readable():
    plan = make_plan(["3", "1"], ["9", "2"], ["3"])
    assert "members" not in plan.result() and plan.result()["member_count"] == 3
    result = plan.result(report_members=True)
    assert result["added"] == ["9", "user2@example.com"]
    assert result["removed"] == ["user3@example.com"]
    assert result["members"] == [{"id": "9", "user_name": None}, {"id": "1", "user_name": "user1@example.com"},
                                 {"id": "2", "user_name": "user2@example.com"}]
    assert result["team"] == {"id": "2601", "name": "Sales"}
    assert plan.diff() == {
        "before": {"team": "Sales", "members": ["user1@example.com", "user3@example.com"]},
        "after": {"team": "Sales", "members": ["9", "user1@example.com", "user2@example.com"]},
    }
    assert plan.changed


def test_plan_without_changes():
    plan = make_plan(["1"], [], [])
    assert not plan.changed and plan.write == "none"


class AnsweringClient:
    """Answers every PATCH with a group of the given member ids; keeps the notes the run would warn with."""

    def __init__(self, member_ids):
        self.member_ids = member_ids
        self.dialects = PatchDialects()
        self.notes = []
        self.sent = []

    def note(self, sentence):
        self.notes.append(sentence)

    def patch(self, path, operations, action):
        self.sent.append((path, operations))
        return group("2601", "Sales", [(uid, "user%s@example.com" % uid) for uid in self.member_ids])


def test_a_removal_answered_with_the_group_reports_the_members_the_server_kept():
    # A server that took Totango's remove for RFC 7644's "remove every member" empties the team: say so.
    plan = make_plan(["1", "2", "3"], [], ["2"])
    client = AnsweringClient([])
    apply_membership(client, plan)
    assert plan.after_ids == [] and plan.result(report_members=True)["members"] == [] and plan.result()["member_count"] == 0
    assert client.notes == ["members: the server kept team Sales without user1@example.com, user3@example.com, "
                            "unlike what was asked"]


def test_a_removal_answered_as_planned_says_nothing():
    plan = make_plan(["1", "2", "3"], [], ["2"])
    client = AnsweringClient(["3", "1"])
    apply_membership(client, plan)
    assert sorted(plan.after_ids) == ["1", "3"] and client.notes == []
    assert client.sent == [("/Groups/2601", [{"op": "remove", "path": "members", "value": [{"value": "2"}]}])]
