# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Property tests for the changeset: the write we compute turns the current user into the desired one.

For random current users (as a server may return them: isActive strings, license lists or strings,
e-mails in any case, numeric team ids) and random desired options, the plan's write is applied the
way the server would apply it: PATCH operations by a small reference implementation of RFC 7644
PATCH for the paths Totango supports, a PUT by taking the body as the new resource. The result
must satisfy every desired option, leave the rest alone, and the plan must be empty exactly when
the current user already satisfies the options. "Satisfies" is written here independently of the
module's compute_changes.
"""

import copy

from ansible_collections.scimops.totango.plugins.module_utils._errors import OptionError
from ansible_collections.scimops.totango.plugins.module_utils._teams import (
    TeamDirectory,
)
from ansible_collections.scimops.totango.plugins.module_utils._user_model import (
    CLEARABLE_FIELDS,
    CORE_SCHEMA,
    TOTANGO_SCHEMA,
    build_patch_operations,
    user_view,
    validate_user_options,
)
from ansible_collections.scimops.totango.plugins.module_utils._user_sync import (
    plan_user,
)
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TEAM_POOL = {"1000": "Default Team", "2694": "Global Team", "77": "Sales", "301": "Support"}
ROLES = ("Member", "Team Admin", "Team Leader")
USER_NAMES = ("eric.dunn@company.com", "Eric.Dunn@Company.com", "ERIC.DUNN@COMPANY.COM")
MANAGERS = ("tracy@work.com", "Tracy@Work.com", "boss@work.com", "BOSS@work.COM")
LICENSE_SPELLINGS = ("spark", "Spark", "SPARK", "zoe", "Zoe", "viewer", "Viewer")
ACTIVE_SPELLINGS = (True, False, "yes", "no", "true", "false", "Yes", "FALSE", "")
BOOL_FIELDS = ("active", "is_admin")
EMAIL_FIELDS = ("manager_email",)

# Totango's PATCH paths for attributes of its extension schema carry no URN prefix.
EXTENSION_ATTRIBUTES = ("license", "managerEmail", "managerExternalId", "isAdmin", "isActive")
PATH_TO_FIELD = {"externalId": "external_id", "name.givenName": "given_name", "name.familyName": "family_name",
                 "title": "title", "active": "active", "license": "license", "managerEmail": "manager_email",
                 "managerExternalId": "manager_external_id", "groups": "teams"}
NOT_REMOVABLE = ("userName", "name.givenName", "groups")  # the vendor: "can not be removed or set to empty"

names = st.text(alphabet="abcdeXYZ\u00e9\u00fc' -.019", min_size=1, max_size=30).filter(lambda s: s.strip())
free_text = st.text(alphabet="abcXYZ\u00f8 -_/.#0129", max_size=24)
# External ids are trimmed on input (kind "identifier"); the trimming has its own tests.
identifiers = free_text.map(lambda text: text.strip())


# -- strategies ---------------------------------------------------------------------------

@st.composite
def current_users(draw):
    """A User resource as a Totango server might return it."""
    ext = {}
    resource = {"schemas": [CORE_SCHEMA, TOTANGO_SCHEMA], "id": "100001", "userName": draw(st.sampled_from(USER_NAMES)),
                "name": {"givenName": draw(names), "familyName": draw(names)},
                "meta": {"resourceType": "User"}}
    for key in ("displayName", "title", "externalId"):
        value = draw(st.none() | free_text)
        if value is not None:
            resource[key] = value
    active_style = draw(st.sampled_from(("core", "extension", "both", "none")))
    if active_style in ("core", "both"):
        resource["active"] = draw(st.booleans())
    if active_style in ("extension", "both"):
        ext["isActive"] = draw(st.sampled_from(ACTIVE_SPELLINGS))
    license_value = draw(st.none() | st.sampled_from(LICENSE_SPELLINGS))
    if license_value is not None:
        ext["license"] = draw(st.sampled_from(([license_value], license_value)))
    admin = draw(st.none() | st.sampled_from((True, False, "true", "false")))
    if admin is not None:
        ext["isAdmin"] = admin
    manager = draw(st.none() | st.sampled_from(MANAGERS))
    if manager is not None:
        ext["managerEmail"] = manager
    manager_id = draw(st.none() | free_text)
    if manager_id is not None:
        ext["managerExternalId"] = manager_id
    team_ids = draw(st.lists(st.sampled_from(sorted(TEAM_POOL)), unique=True, max_size=3))
    groups = []
    for team_id in team_ids:
        group = {"value": draw(st.sampled_from((team_id, int(team_id))))}
        if draw(st.booleans()):
            group["display"] = TEAM_POOL[team_id]
        role = draw(st.none() | st.sampled_from(ROLES))
        if role:
            group["teamrole"] = role
        groups.append(group)
    if groups:
        resource["groups"] = groups
    if ext:
        resource[TOTANGO_SCHEMA] = ext
    return resource


@st.composite
def desired_options(draw, current):
    """totango_user options: each field absent, the current value (in another spelling), or a new value."""
    view = user_view(current)
    options = {"user_name": draw(st.sampled_from(USER_NAMES))}

    def pick(field, new_values, same=None):
        # Mostly absent or unchanged, so that PATCH plans and empty plans are common, not only PUTs.
        choice = draw(st.sampled_from(("absent", "absent", "same", "same", "new")))
        if choice == "absent":
            return
        if choice == "same" and field in view:
            options[field] = view[field] if same is None else same(view[field])
            return
        options[field] = draw(new_values)

    pick("given_name", names)
    pick("family_name", names)
    pick("display_name", free_text.filter(lambda s: s.strip()), same=lambda v: v if v.strip() else "Named")
    pick("title", free_text)
    pick("external_id", identifiers, same=str.strip)
    pick("manager_external_id", identifiers, same=str.strip)
    pick("active", st.booleans())
    pick("is_admin", st.booleans())
    pick("license", st.sampled_from(LICENSE_SPELLINGS), same=lambda v: draw(st.sampled_from((v, v.upper(), v.title()))))
    pick("manager_email", st.sampled_from(MANAGERS + ("",)), same=str.upper)
    pick("teams", team_lists(), same=lambda teams: [same_team(draw, t) for t in teams] or [{"id": "1000"}])
    return options


@st.composite
def team_lists(draw):
    team_ids = draw(st.lists(st.sampled_from(sorted(TEAM_POOL)), unique=True, min_size=1, max_size=3))
    return [team_ref(draw, team_id, draw(st.none() | st.sampled_from(ROLES))) for team_id in team_ids]


def same_team(draw, team):
    # The same team, by id or by name, with its role, without a role, or with another role.
    role = draw(st.sampled_from((team["role"], None, draw(st.sampled_from(ROLES)))))
    return team_ref(draw, team["id"], role)


def team_ref(draw, team_id, role):
    if draw(st.booleans()):
        ref = {"id": team_id}
    else:
        ref = {"name": draw(st.sampled_from((TEAM_POOL[team_id], TEAM_POOL[team_id].upper())))}
    if role:
        ref["role"] = role
    return ref


@st.composite
def scenarios(draw):
    current = draw(current_users())
    replace = draw(st.sampled_from((False, False, False, True)))
    return current, draw(desired_options(current)), replace


# -- the server side, written from RFC 7644 ---------------------------------------------------

def apply_patch(resource, operations):
    """A reference SCIM PATCH (RFC 7644 section 3.5.2) for the attribute paths Totango documents."""
    result = copy.deepcopy(resource)
    for operation in operations:
        kind = operation["op"].lower()
        container, attribute = _locate(result, operation["path"])
        if kind == "remove":
            container.pop(attribute, None)
        elif kind in ("replace", "add"):
            # replace on a multi-valued attribute without a filter replaces all its values (3.5.2.3);
            # replace of an attribute that does not exist acts as add.
            value = copy.deepcopy(operation["value"])
            if kind == "add" and isinstance(container.get(attribute), list) and isinstance(value, list):
                value = container[attribute] + value
            container[attribute] = value
        else:
            raise AssertionError("unknown op %r" % operation["op"])
    for key in ("name", TOTANGO_SCHEMA):
        if result.get(key) == {}:
            del result[key]
    return result


def _locate(resource, path):
    assert path, "a PATCH operation without a path is not one we generate"
    if path.startswith(TOTANGO_SCHEMA + ":"):
        return resource.setdefault(TOTANGO_SCHEMA, {}), path[len(TOTANGO_SCHEMA) + 1:]
    if path in EXTENSION_ATTRIBUTES:
        return resource.setdefault(TOTANGO_SCHEMA, {}), path
    if "." in path:
        parent, attribute = path.split(".", 1)
        return resource.setdefault(parent, {}), attribute
    return resource, path


def apply_put(current, body):
    """A PUT replaces the resource: attributes not sent are gone (the server keeps id and meta)."""
    result = copy.deepcopy(body)
    result["id"] = current["id"]
    result["meta"] = current.get("meta")
    return result


# -- what "satisfies" means, independently of compute_changes --------------------------------

TRUTH = {"yes": True, "true": True, "no": False, "false": False}


def read_user(resource):
    """The managed fields of a resource, read here from the vendor document, not through user_view."""
    ext = resource.get(TOTANGO_SCHEMA) or {}
    name = resource.get("name") or {}
    active = resource["active"] if isinstance(resource.get("active"), bool) else ext.get("isActive")
    license_value = ext.get("license")
    if isinstance(license_value, list):
        license_value = license_value[0] if license_value else None
    fields = {
        "user_name": resource["userName"].lower(),
        "given_name": name.get("givenName"), "family_name": name.get("familyName"),
        "display_name": resource.get("displayName"), "title": resource.get("title"),
        "external_id": resource.get("externalId"), "manager_external_id": ext.get("managerExternalId"),
        "manager_email": (ext.get("managerEmail") or "").lower(),
        "license": (license_value or "").lower(),
        "active": active if isinstance(active, bool) else TRUTH.get(str(active).lower()),
        "is_admin": ext["isAdmin"] if isinstance(ext.get("isAdmin"), bool) else TRUTH.get(str(ext.get("isAdmin")).lower()),
        "teams": sorted(({"id": str(g["value"]), "role": g.get("teamrole")} for g in resource.get("groups") or []),
                        key=lambda team: team["id"]),  # the order of a user's teams means nothing
    }
    return {k: v for k, v in fields.items() if v not in (None, "")}


def field_satisfied(view, field, wanted):
    have = view.get(field)
    if field == "teams":
        roles = {team["id"]: team.get("role") for team in have or []}
        wanted_ids = [resolve_team_id(ref) for ref in wanted]
        if set(roles) != set(wanted_ids):
            return False
        return all(not ref.get("role") or roles[team_id] == ref["role"] for ref, team_id in zip(wanted, wanted_ids))
    if wanted == "":
        return have is None
    if field in BOOL_FIELDS:
        return have is wanted
    if field in EMAIL_FIELDS or field == "license":
        return have == wanted.lower()
    return have == wanted


def resolve_team_id(ref):
    if ref.get("id"):
        return ref["id"]
    return next(team_id for team_id, name in TEAM_POOL.items() if name.lower() == ref["name"].lower())


def wanted_fields(options, replace):
    """The options as field -> wanted value; replace: true also wants the clearable fields not given cleared."""
    wanted = {k: v for k, v in options.items() if k != "user_name"}
    if replace:
        for field in CLEARABLE_FIELDS:
            wanted.setdefault(field, "")
    return wanted


def unsatisfied(view, options, replace):
    return sorted(f for f, wanted in wanted_fields(options, replace).items() if not field_satisfied(view, f, wanted))


def without_team_names(view):
    # A PATCH of groups sends ids and roles only; display names are the server's to fill in.
    view = dict(view)
    if "teams" in view:
        view["teams"] = [dict(team, name=None) for team in view["teams"]]
    return view


class PoolClient:
    """Answers the one read TeamDirectory makes: GET /Groups."""

    def iter_resources(self, path, action, params=None, parallel=1):
        assert path == "/Groups"
        return iter([{"id": team_id, "displayName": name} for team_id, name in TEAM_POOL.items()])


def plan_for(options, current, replace):
    validate_user_options(options)  # the strategies make only valid options: this must not raise
    try:
        return plan_user(options, current, TeamDirectory(PoolClient()), replace=replace)
    except OptionError as error:
        # The one refusal allowed: a Spark or Zoe user cannot become a Viewer.
        assert error.option == "license"
        assert options["license"].lower() == "viewer" and user_view(current).get("license") in ("spark", "zoe")
        return None


# -- the properties ---------------------------------------------------------------------------

@PROPERTY_SETTINGS
@given(scenarios())
def test_the_write_turns_the_current_user_into_the_desired_one(scenario):
    current, options, replace = scenario
    plan = plan_for(options, current, replace)
    if plan is None:
        return
    before = read_user(current)
    event("action: %s" % plan.action)
    if plan.action == "patch":
        operations = build_patch_operations(plan.changes)
        result = apply_patch(current, operations)
        assert all(op["path"] not in NOT_REMOVABLE for op in operations if op["op"] == "remove")
        assert sorted(PATH_TO_FIELD[op["path"]] for op in operations) == sorted(plan.changes)
    elif plan.action == "put":
        result = apply_put(current, plan.predicted)
    else:
        assert plan.action == "none"
        result = current
    after = read_user(result)

    assert unsatisfied(after, options, replace) == [], "the write left fields unlike the options"
    assert unsatisfied(user_view(result), options, replace) == []
    untouched = set(before) | set(after)
    untouched -= set(wanted_fields(options, replace))
    for field in untouched:
        assert after.get(field) == before.get(field), "%s changed although no option asked for it" % field
    # A team listed without a role keeps the role the user holds there.
    roles_before = {t["id"]: t["role"] for t in before.get("teams", [])}
    roles_after = {t["id"]: t["role"] for t in after.get("teams", [])}
    for ref in options.get("teams") or []:
        team_id = resolve_team_id(ref)
        if not ref.get("role") and roles_before.get(team_id):
            assert roles_after[team_id] == roles_before[team_id], "team %s lost its role" % team_id
    # Check mode shows plan.after: it must be what the server then holds.
    assert without_team_names(user_view(result)) == without_team_names(plan.after)
    assert user_view(plan.predicted) == plan.after


@PROPERTY_SETTINGS
@given(scenarios())
def test_the_plan_is_empty_exactly_when_nothing_differs(scenario):
    current, options, replace = scenario
    plan = plan_for(options, current, replace)
    if plan is None:
        return
    differing = unsatisfied(read_user(current), options, replace)
    assert sorted(plan.changes) == differing, "the changes are not exactly the fields that differ"
    assert (build_patch_operations(plan.changes) == []) == (differing == [])
    assert plan.changed == bool(differing)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_a_create_body_holds_every_option(data):
    options = data.draw(desired_options({"userName": USER_NAMES[0]}))
    options.setdefault("given_name", data.draw(names))
    options.setdefault("family_name", data.draw(names))
    plan = plan_for(options, None, replace=False)
    assert plan.action == "create"
    created = user_view(plan.predicted)
    assert unsatisfied(read_user(plan.predicted), options, replace=False) == []
    # A body without groups reads back as teams: [] (the server then puts the user in its default team).
    assert {k: v for k, v in created.items() if v != []} == plan.after
    assert created["user_name"] == USER_NAMES[0]
