# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which account a listed user is (match_by), from a listing or from lookups."""

import pytest
from ansible_collections.scimops.totango.plugins.module_utils import _identity as identity_module
from ansible_collections.scimops.totango.plugins.module_utils._identity import (
    ListedAccounts,
    LookedUpAccounts,
    identity_option_errors,
    match_roster,
    match_user,
)


def account(user_id, email, external_id=None):
    resource = {"id": user_id, "userName": email}
    if external_id is not None:
        resource["externalId"] = external_id
    return resource


BARBARA = account("1", "barbara.old@example.com", "1001")
CARL = account("2", "carl@example.com", "1002")
DORA = account("3", "dora@example.com")


def listed(*resources):
    return ListedAccounts(list(resources))


def test_external_id_is_required_and_unique_in_the_input():
    users = [{"user_name": "a@example.com", "external_id": "7"}, {"user_name": "b@example.com"},
             {"user_name": "c@example.com", "external_id": "7"}]
    errors = identity_option_errors(users, "external_id")
    assert [e.option for e in errors] == ["users[1].external_id", "users[2].external_id"]
    assert "match_by=external_id" in errors[0].rule and "users[0]" in errors[1].rule
    # By e-mail a missing id is fine; the same id twice is still one person too many.
    assert [e.option for e in identity_option_errors(users, "user_name")] == ["users[2].external_id"]
    assert [e.option for e in identity_option_errors([{"user_name": "a@example.com"}], "external_id", "")] == [
        "external_id"]


def test_by_external_id_an_account_under_another_e_mail_is_the_one():
    identity = match_user({"user_name": "Barbara.New@example.com", "external_id": "1001"}, "external_id",
                          listed(BARBARA, CARL))
    assert identity.current is BARBARA and identity.conflict is None and identity.claimed == {"1"}


def test_by_external_id_two_holders_fail_naming_both():
    twin = account("9", "twin@example.com", "1001")
    identity = match_user({"user_name": "barbara.new@example.com", "external_id": "1001"}, "external_id",
                          listed(BARBARA, twin))
    assert identity.current is None and identity.claimed == {"1", "9"}
    assert "barbara.old@example.com" in identity.conflict and "twin@example.com" in identity.conflict


def test_by_external_id_a_rename_onto_a_taken_e_mail_fails():
    identity = match_user({"user_name": "carl@example.com", "external_id": "1001"}, "external_id",
                          listed(BARBARA, CARL))
    assert identity.current is None and identity.claimed == {"1", "2"}
    assert "carl@example.com" in identity.conflict and "barbara.old@example.com" in identity.conflict


def test_by_external_id_a_leaver_is_disabled_where_found_without_the_e_mail_check():
    identity = match_user({"user_name": "carl@example.com", "external_id": "1001", "state": "disabled"},
                          "external_id", listed(BARBARA, CARL), state="disabled")
    assert identity.current is BARBARA and identity.conflict is None


def test_by_external_id_an_e_mail_match_is_taken_only_without_another_external_id():
    assert match_user({"user_name": "dora@example.com", "external_id": "1003"}, "external_id",
                      listed(DORA)).current is DORA
    identity = match_user({"user_name": "carl@example.com", "external_id": "1003"}, "external_id", listed(CARL))
    assert identity.current is None and identity.claimed == {"2"} and "match_by=user_name" in identity.conflict
    assert match_user({"user_name": "new@example.com", "external_id": "1004"}, "external_id",
                      listed(CARL)).current is None


def test_by_user_name_someone_elses_external_id_is_never_written():
    create = match_user({"user_name": "barbara.new@example.com", "external_id": "1001"}, "user_name", listed(BARBARA))
    assert create.current is None and create.claimed == {"1"} and "match_by=external_id" in create.conflict
    update = match_user({"user_name": "carl@example.com", "external_id": "1001"}, "user_name", listed(BARBARA, CARL))
    assert update.current is CARL and update.claimed == {"1", "2"} and update.conflict
    kept = match_user({"user_name": "carl@example.com", "external_id": "1002"}, "user_name", listed(BARBARA, CARL))
    assert kept.current is CARL and kept.conflict is None
    # Disabling someone who does not exist writes nothing, so there is nothing to refuse.
    gone = match_user({"user_name": "x@example.com", "external_id": "1001"}, "user_name", listed(BARBARA),
                      state="disabled")
    assert gone.current is None and gone.conflict is None


def test_the_roster_claims_every_account_an_entry_is_about():
    users = [{"user_name": "barbara.new@example.com", "external_id": "1001"},
             {"user_name": "eve@example.com", "external_id": "1002"}]
    identities, claimed = match_roster(users, "external_id", listed(BARBARA, CARL, DORA))
    assert identities[0].current is BARBARA and identities[1].current is CARL and claimed == {"1", "2"}


class CountingClient:
    def __init__(self, resources):
        self.resources = resources
        self.filters = []

    def iter_resources(self, path, action, params=None, parallel=1):
        self.filters.append(params["filter"])
        field, _eq, value = params["filter"].split(" ", 2)
        value = value.strip('"')
        key = {"userName": "userName", "externalId": "externalId"}[field]
        return iter([r for r in self.resources if str(r.get(key, "")).lower() == value.lower()])


@pytest.mark.parametrize("options, match_by, expected", [
    ({"user_name": "carl@example.com", "external_id": "1002"}, "user_name", ['userName eq "carl@example.com"']),
    ({"user_name": "new@example.com", "external_id": "1001"}, "user_name",
     ['userName eq "new@example.com"', 'externalId eq "1001"']),
    ({"user_name": "new@example.com"}, "user_name", ['userName eq "new@example.com"']),
    ({"user_name": "barbara.old@example.com", "external_id": "1001"}, "external_id", ['externalId eq "1001"']),
    ({"user_name": "b@example.com", "external_id": "1001"}, "external_id",
     ['externalId eq "1001"', 'userName eq "b@example.com"']),
])
def test_lookups_cost_only_what_decides(options, match_by, expected):
    client = CountingClient([BARBARA, CARL])
    match_user(options, match_by, LookedUpAccounts(client))
    assert client.filters == expected


def test_an_external_id_is_matched_without_its_surrounding_spaces():
    identity = match_user({"user_name": "barbara.new@example.com", "external_id": " 1001 "}, "external_id",
                          listed(BARBARA, CARL))
    assert identity.current is BARBARA and identity.conflict is None
    users = [{"user_name": "a@example.com", "external_id": "7"}, {"user_name": "b@example.com", "external_id": "7 "}]
    assert [e.option for e in identity_option_errors(users, "external_id")] == ["users[1].external_id"]


@pytest.mark.parametrize("match_by", ["external_id", "user_name"])
def test_an_external_id_held_only_in_another_case_is_a_conflict_never_a_new_account(match_by):
    ada = account("5", "ada.old@example.com", "HR-1")
    identity = match_user({"user_name": "ada.new@example.com", "external_id": "hr-1"}, match_by, listed(ada, CARL))
    assert identity.current is None and identity.claimed == {"5"}, "the account in another case is never disabled"
    assert "ada.old@example.com" in identity.conflict and "HR-1" in identity.conflict


def test_lookups_tell_case_variants_from_exact_holders(monkeypatch):
    ada = account("5", "ada.old@example.com", "HR-1")
    asked = []
    # a server whose filter ignores case answers both lookups with Ada's account
    monkeypatch.setattr(identity_module, "find_users", lambda client, attribute, value: asked.append(value) or [ada])
    accounts = LookedUpAccounts(client=None)
    assert accounts.by_external_id("hr-1") == ([], [ada])
    assert accounts.by_external_id("HR-1") == ([ada], [])
    assert accounts.by_external_id("hr-1") == ([], [ada]) and asked == ["hr-1", "HR-1"], "each asked once"
