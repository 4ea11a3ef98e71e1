# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The mapping between totango_user options and SCIM User resources, and the changeset between them."""

import pytest
from ansible_collections.scimops.totango.plugins.module_utils import (
    _user_model as model,
)
from ansible_collections.scimops.totango.plugins.module_utils._errors import OptionError
from ansible_collections.scimops.totango.plugins.module_utils._user_model import (
    CORE_SCHEMA,
    TOTANGO_SCHEMA,
    build_patch_operations,
    check_license_change,
    compute_changes,
    desired_view,
    merge_view,
    needs_replace,
    parse_bool,
    render_user_resource,
    user_view,
    validate_user_options,
)


def eric(**ext):
    """The vendor document's sample user, as a server returns it."""
    extension = {"isActive": True, "license": ["zoe"], "isAdmin": False,
                 "managerEmail": "tracyd@work.com", "managerExternalId": "1234585"}
    extension.update(ext)
    return {
        "schemas": [CORE_SCHEMA, TOTANGO_SCHEMA],
        "id": "ericd@company.com",
        "userName": "ericd@company.com",
        "externalId": "701984",
        "title": "CSM Team Leader",
        "displayName": "Eric Dunn",
        "name": {"familyName": "Dunn", "givenName": "Eric"},
        "groups": [{"value": "2694", "$ref": "../Groups/2694", "display": "Global Team", "teamrole": "Team Admin"}],
        TOTANGO_SCHEMA: extension,
        "meta": {"resourceType": "User", "created": "2019-05-02T10:58:54Z"},
    }


def team(team_id, name=None, role=None):
    return {"id": team_id, "name": name, "role": role}


# -- validation ---------------------------------------------------------------------

def rejected(options, prefix=""):
    with pytest.raises(OptionError) as caught:
        validate_user_options(dict({"user_name": "ok@example.com"}, **options), prefix)
    return caught.value


@pytest.mark.parametrize("options, option, rule", [
    ({"user_name": "not-an-email"}, "user_name", "must be an e-mail address, got 'not-an-email'"),
    ({"user_name": "a@b"}, "user_name", "must be an e-mail address"),
    ({"user_name": "two@@example.com"}, "user_name", "must be an e-mail address"),
    ({"user_name": "x" * 90 + "@example.com"}, "user_name", "must be at most 100 characters, got 102"),
    ({"user_name": "  "}, "user_name", "must not be empty"),
    ({"manager_email": "boss at example.com"}, "manager_email", "must be an e-mail address"),
    ({"given_name": "G" * 31}, "given_name", "must be at most 30 characters, got 31"),
    ({"family_name": "F" * 31}, "family_name", "must be at most 30 characters, got 31"),
    ({"family_name": ""}, "family_name", "must not be empty"),
    ({"title": "t" * 129}, "title", "must be at most 128 characters, got 129"),
    ({"external_id": "e" * 129}, "external_id", "must be at most 128 characters"),
    ({"display_name": "d" * 129}, "display_name", "must be at most 128 characters"),
    ({"manager_external_id": "m" * 129}, "manager_external_id", "must be at most 128 characters"),
    ({"license": "gold"}, "license", "must be one of spark, zoe, viewer (case-insensitive), got 'gold'"),
    ({"license": ""}, "license", "must be one of spark, zoe, viewer"),
    ({"teams": []}, "teams", "must be a non-empty list"),
    ({"teams": [{"id": "1", "name": "Sales"}]}, "teams[0]", "give exactly one of id or name"),
    ({"teams": [{"role": "Member"}]}, "teams[0]", "give exactly one of id or name"),
    ({"teams": [{"id": "1"}, {"id": "1", "role": "Member"}]}, "teams[1]", "the team 1 is listed twice"),
    ({"teams": [{"name": "Sales"}, {"name": "Sales"}]}, "teams[1]", "listed twice"),
    ({"teams": [{"id": "1", "role": " "}]}, "teams[0].role", "must not be empty when given"),
    ({"teams": [{"id": "1", "colour": "red"}]}, "teams[0]", "unknown key(s) colour"),
    ({"teams": ["Sales"]}, "teams[0]", "must be a dict"),
])
def test_validation_names_the_option_and_the_rule(options, option, rule):
    error = rejected(options)
    assert error.option == option
    assert rule in error.rule
    assert str(error).startswith(option + ": ")


def test_validation_prefixes_the_option_for_roster_items():
    error = rejected({"given_name": "G" * 31}, prefix="users[3].")
    assert error.option == "users[3].given_name"
    assert rejected({"teams": [{"id": "1", "name": "x"}]}, prefix="users[0].").option == "users[0].teams[0]"


@pytest.mark.parametrize("options", [
    {"user_name": "Eric.Dunn+ops@Company.COM", "given_name": "G" * 30, "family_name": "Dunn",
     "license": "ZOE", "manager_email": "", "title": "", "teams": [{"id": "1"}, {"name": "Sales", "role": "Member"}]},
    {"user_name": "a@b.co", "license": "Viewer", "active": False, "is_admin": True},
])
def test_valid_options_pass(options):
    validate_user_options(options)


# -- reading resources --------------------------------------------------------------

def test_user_view_of_the_vendor_sample():
    assert user_view(eric()) == {
        "user_name": "ericd@company.com", "external_id": "701984", "given_name": "Eric", "family_name": "Dunn",
        "display_name": "Eric Dunn", "title": "CSM Team Leader", "active": True, "license": "zoe",
        "is_admin": False, "manager_email": "tracyd@work.com", "manager_external_id": "1234585",
        "teams": [team("2694", "Global Team", "Team Admin")],
    }


@pytest.mark.parametrize("raw, expected", [
    ("yes", True), ("no", False), ("true", True), ("false", False), ("TRUE", True), (" No ", False),
    (True, True), (False, False),
])
def test_user_view_reads_isactive_strings(raw, expected):
    resource = eric(isActive=raw)
    assert user_view(resource)["active"] is expected


def test_core_active_wins_over_the_extension():
    resource = dict(eric(isActive="yes"), active=False)
    assert user_view(resource)["active"] is False


def test_an_empty_isactive_is_unknown_not_false():
    # The vendor: "isActive: Empty, there is no default value". Reading it as false would make
    # state: disabled believe an active user is already disabled and send nothing.
    view = user_view(eric(isActive=""))
    assert "active" not in view
    changes = compute_changes(view, desired_view({"user_name": "ericd@company.com", "active": False}))
    assert changes == {"active": (None, False)}


@pytest.mark.parametrize("raw, expected", [
    (["zoe"], "zoe"), (["Zoe"], "zoe"), ("Spark", "spark"), (["VIEWER"], "viewer"), ([], None), (None, None),
])
def test_user_view_normalises_the_license(raw, expected):
    assert user_view(eric(license=raw)).get("license") == expected


def test_user_view_lowercases_emails_and_reads_isadmin_strings():
    resource = eric(managerEmail="TracyD@Work.COM", isAdmin="true")
    resource["userName"] = "EricD@Company.com"
    view = user_view(resource)
    assert view["user_name"] == "ericd@company.com"
    assert view["manager_email"] == "tracyd@work.com"
    assert view["is_admin"] is True


def test_user_view_reads_numeric_team_ids_as_strings_and_drops_empty_fields():
    resource = eric()
    resource["groups"] = [{"value": 2694, "teamrole": "Member"}, {"display": "no id"}]
    resource["title"] = ""
    resource[TOTANGO_SCHEMA]["managerExternalId"] = None
    view = user_view(resource)
    assert view["teams"] == [team("2694", None, "Member")]
    assert "title" not in view and "manager_external_id" not in view


def test_user_view_of_nothing_is_empty():
    assert user_view(None) == {} and user_view({}) == {}


def test_parse_bool():
    assert [parse_bool(v) for v in ("yes", "no", "true", "false", "On", "0")] == [True, False, True, False, True, False]
    assert parse_bool("maybe") is None and parse_bool(None) is None and parse_bool("") is None


# -- changes ------------------------------------------------------------------------

def current_view():
    return user_view(eric())


def desired(**options):
    teams = options.pop("resolved_teams", None)
    return desired_view(dict({"user_name": "ericd@company.com"}, **options), teams)


def test_no_changes_when_everything_matches():
    wanted = desired(given_name="Eric", family_name="Dunn", display_name="Eric Dunn", title="CSM Team Leader",
                     external_id="701984", active=True, license="Zoe", is_admin=False,
                     manager_email="tracyd@work.com", manager_external_id="1234585",
                     resolved_teams=[team("2694", "Global Team", "Team Admin")])
    assert compute_changes(current_view(), wanted) == {}


def test_emails_and_user_name_compare_case_insensitively():
    wanted = desired_view({"user_name": "ERICD@company.com", "manager_email": "TRACYD@WORK.com"})
    assert compute_changes(current_view(), wanted) == {}


def test_a_team_without_a_role_matches_any_role():
    assert compute_changes(current_view(), desired(resolved_teams=[team("2694", "Global Team")])) == {}


def test_a_team_with_another_role_is_a_change():
    changes = compute_changes(current_view(), desired(resolved_teams=[team("2694", "Global Team", "Member")]))
    assert changes == {"teams": ([team("2694", "Global Team", "Team Admin")], [team("2694", "Global Team", "Member")])}


def test_a_new_team_list_keeps_the_roles_the_user_holds():
    changes = compute_changes(current_view(), desired(resolved_teams=[team("2694", "Global Team"), team("77", "Sales")]))
    assert changes["teams"][1] == [team("2694", "Global Team", "Team Admin"), team("77", "Sales", None)]


def test_only_differing_fields_change():
    changes = compute_changes(current_view(), desired(title="VP", given_name="Eric", license="spark"))
    assert changes == {"title": ("CSM Team Leader", "VP"), "license": ("zoe", "spark")}


def test_empty_string_clears_and_clearing_an_absent_field_is_no_change():
    view = current_view()
    del view["external_id"]
    changes = compute_changes(view, desired(external_id="", title=""))
    assert changes == {"title": ("CSM Team Leader", "")}


def test_replace_clears_the_clearable_fields_not_given():
    changes = compute_changes(current_view(), desired(given_name="Eric"), replace=True)
    assert changes == {"external_id": ("701984", ""), "title": ("CSM Team Leader", ""),
                       "manager_email": ("tracyd@work.com", ""), "manager_external_id": ("1234585", "")}


def test_active_false_is_a_value_not_an_absence():
    changes = compute_changes(current_view(), desired(active=False))
    assert changes == {"active": (True, False)}
    assert merge_view(current_view(), changes)["active"] is False


def test_merge_view_applies_changes_and_drops_cleared_fields():
    changes = {"title": ("CSM Team Leader", ""), "given_name": ("Eric", "Erik")}
    after = merge_view(current_view(), changes)
    assert "title" not in after and after["given_name"] == "Erik"
    assert after["family_name"] == "Dunn"


# -- writes -------------------------------------------------------------------------

def test_patch_operations_use_the_vendor_paths():
    changes = compute_changes(current_view(), desired(
        given_name="Erik", family_name="Dunne", title="", external_id="X1", active=False, license="Spark",
        manager_email="New.Boss@work.com", manager_external_id="",
        resolved_teams=[team("2694", "Global Team"), team("77", "Sales", "Member")]))
    assert build_patch_operations(changes) == [
        {"op": "replace", "path": "active", "value": False},
        {"op": "replace", "path": "externalId", "value": "X1"},
        {"op": "replace", "path": "name.familyName", "value": "Dunne"},
        {"op": "replace", "path": "name.givenName", "value": "Erik"},
        {"op": "replace", "path": "license", "value": ["spark"]},
        {"op": "replace", "path": "managerEmail", "value": "new.boss@work.com"},
        {"op": "remove", "path": "managerExternalId"},
        {"op": "replace", "path": "groups",
         "value": [{"value": "2694", "teamrole": "Team Admin"}, {"value": "77", "teamrole": "Member"}]},
        {"op": "remove", "path": "title"},
    ]


def test_patch_operations_are_minimal():
    changes = compute_changes(current_view(), desired(title="VP", given_name="Eric", family_name="Dunn"))
    assert build_patch_operations(changes) == [{"op": "replace", "path": "title", "value": "VP"}]
    assert build_patch_operations({}) == []


def test_a_new_team_without_a_role_is_sent_without_teamrole():
    changes = compute_changes(current_view(), desired(resolved_teams=[team("77", "Sales")]))
    assert build_patch_operations(changes) == [{"op": "replace", "path": "groups", "value": [{"value": "77"}]}]


@pytest.mark.parametrize("options, expected", [
    ({"display_name": "E. Dunn"}, True),
    ({"is_admin": True}, True),
    ({"title": "VP", "active": False}, False),
    ({"display_name": "Eric Dunn", "title": "VP"}, False),
])
def test_needs_replace_for_attributes_patch_cannot_set(options, expected):
    assert needs_replace(compute_changes(current_view(), desired(**options))) is expected


def test_render_for_post_is_the_vendor_shape():
    view = desired(given_name="Eric", family_name="Dunn", license="Zoe", active=True, is_admin=False,
                   manager_email="TracyD@work.com", resolved_teams=[team("2694", "Global Team", "Team Admin")])
    assert render_user_resource(view) == {
        "schemas": [CORE_SCHEMA, TOTANGO_SCHEMA],
        "userName": "ericd@company.com",
        "name": {"givenName": "Eric", "familyName": "Dunn"},
        "active": True,
        "groups": [{"value": "2694", "teamrole": "Team Admin", "display": "Global Team"}],
        TOTANGO_SCHEMA: {"isActive": True, "license": ["zoe"], "isAdmin": False, "managerEmail": "tracyd@work.com"},
    }


def test_render_for_put_keeps_unmanaged_attributes_and_drops_cleared_ones():
    current = eric()
    current["emails"] = [{"value": "ericd@company.com", "primary": True}]
    current[TOTANGO_SCHEMA]["customField"] = "kept"
    after = merge_view(user_view(current), {"title": ("CSM Team Leader", ""), "display_name": ("Eric Dunn", "E.")})
    body = render_user_resource(after, base=current)
    assert "meta" not in body and "title" not in body
    assert body["displayName"] == "E." and body["id"] == "ericd@company.com"
    assert body["emails"] == current["emails"]
    assert body[TOTANGO_SCHEMA]["customField"] == "kept"
    assert body["schemas"] == [CORE_SCHEMA, TOTANGO_SCHEMA]
    assert user_view(body) == after
    assert current["title"] == "CSM Team Leader", "the current resource was modified"


def test_render_round_trips_through_user_view():
    view = user_view(eric())
    assert user_view(render_user_resource(view)) == view


@pytest.mark.parametrize("current", ["spark", "zoe"])
def test_a_paid_license_cannot_become_viewer(current):
    view = dict(current_view(), license=current)
    changes = compute_changes(view, desired(license="Viewer"))
    with pytest.raises(OptionError) as caught:
        check_license_change(view, changes, option="users[2].license")
    assert caught.value.option == "users[2].license"
    assert "cannot change a %s user to Viewer" % current.capitalize() in caught.value.rule


@pytest.mark.parametrize("current, wanted", [("viewer", "spark"), ("spark", "zoe"), (None, "viewer")])
def test_other_license_changes_are_allowed(current, wanted):
    view = dict(current_view(), license=current) if current else {"user_name": "x@example.com"}
    check_license_change(view, compute_changes(view, desired(license=wanted)))


def test_patch_paths_cover_every_managed_field():
    assert set(model.MANAGED_FIELDS) == {"user_name"} | set(model.PATCH_PATHS)


# -- licenses by their current names -----------------------------------------------

@pytest.mark.parametrize("given, value", [
    ("practitioner", "spark"), ("Practitioner", "spark"), ("CONTRIBUTOR", "zoe"), (" contributor ", "zoe"),
    ("Spark", "spark"), ("zoe", "zoe"), ("Viewer", "viewer"),
])
def test_a_license_is_accepted_by_its_api_value_or_its_current_name(given, value):
    validate_user_options({"user_name": "ok@example.com", "license": given})
    assert desired(license=given)["license"] == value
    assert user_view(eric(license=[given]))["license"] == value
    assert model.license_result(desired(license=given)) == {"license": value, "license_name": model.LICENSE_NAMES[value]}


def test_the_current_name_of_the_users_license_is_no_change():
    assert compute_changes(current_view(), desired(license="Contributor")) == {}


def test_an_unknown_license_names_the_current_names_too():
    error = rejected({"license": "gold"})
    assert "practitioner (spark)" in error.rule and "contributor (zoe)" in error.rule


def test_license_result_is_empty_when_the_license_is_unknown():
    assert model.license_result({"user_name": "x@example.com"}) == {} and model.license_result(None) == {}


def test_the_viewer_refusal_says_what_the_api_can_do():
    view = current_view()
    with pytest.raises(OptionError) as caught:
        check_license_change(view, compute_changes(view, desired(license="viewer")))
    rule = caught.value.rule
    assert "Contributor to Viewer" in rule and "another e-mail address" in rule and "cannot delete" in rule
    assert "create them again" not in rule


# -- diffs ----------------------------------------------------------------------------

def test_disabling_a_user_whose_active_flag_was_never_set_shows_it_unknown_before():
    view = user_view(eric(isActive=""))
    changes = compute_changes(view, desired(active=False))
    assert model.changes_diff(changes) == {"before": {"active": None}, "after": {"active": False}}
    full = model.view_diff(view, merge_view(view, changes), changes)
    assert full["before"]["active"] is None and full["after"]["active"] is False


def test_a_create_diff_has_an_empty_before():
    wanted = desired(given_name="Eric", family_name="Dunn", active=True)
    changes = dict((field, (None, value)) for field, value in wanted.items())
    assert model.changes_diff(changes, created=True)["before"] == {}
    assert model.view_diff({}, wanted, changes)["before"] == {}


def test_a_move_to_a_team_without_a_role_shows_no_null_role():
    changes = compute_changes(current_view(), desired(resolved_teams=[team("77", "Sales")]))
    diff = model.changes_diff(changes)
    assert diff["after"]["teams"] == [{"id": "77", "name": "Sales"}]
    assert diff["before"]["teams"] == [{"id": "2694", "name": "Global Team", "role": "Team Admin"}]
    assert changes["teams"][1] == [team("77", "Sales", None)], "the plan itself keeps its shape"


# -- the table ----------------------------------------------------------------------

def test_each_field_has_a_vendor_and_an_rfc_patch_path():
    assert model.patch_path("manager_email") == "managerEmail"
    assert model.patch_path("manager_email", rfc=True) == TOTANGO_SCHEMA + ":managerEmail"
    assert model.patch_path("given_name", rfc=True) == "name.givenName"
    assert model.patch_path("user_name") == "userName"
    assert model.patch_path("display_name") is None and model.patch_path("is_admin", rfc=True) is None
    changes = compute_changes(current_view(), desired(license="spark", title="VP"))
    assert [op["path"] for op in build_patch_operations(changes, rfc=True)] == [TOTANGO_SCHEMA + ":license", "title"]


def test_the_derived_lists_come_from_the_table():
    assert model.CLEARABLE_FIELDS == ("external_id", "title", "manager_email", "manager_external_id")
    assert model.EMAIL_FIELDS == ("user_name", "manager_email")
    assert model.NON_EMPTY_FIELDS == ("user_name", "given_name", "family_name", "display_name")
    assert model.MAX_LENGTHS == {"user_name": 100, "external_id": 128, "given_name": 30, "family_name": 30,
                                 "display_name": 128, "title": 128, "manager_email": 100, "manager_external_id": 128}
    assert list(model.user_argument_spec()) == list(model.MANAGED_FIELDS)
