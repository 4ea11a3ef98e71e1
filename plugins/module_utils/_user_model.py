# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Maps totango_user options to a SCIM User and back, and computes the changes between them.

A "view" is a flat dict of the managed fields under their option names; it is what diffs show
and what comparisons run on. Private to this collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re

from ansible_collections.scimops.totango.plugins.module_utils._errors import OptionError

CORE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
TOTANGO_SCHEMA = "urn:ietf:params:scim:schemas:totango:1.0:User"

LICENSES = ("spark", "zoe", "viewer")
# An apostrophe is common in local parts (o'brien@...); a double quote would break the one-field filter
# userName eq "...". \Z, not $: "a@b.com\n" (a YAML block scalar) must not pass and then never match.
EMAIL_RE = re.compile(r"^[^@\s\"<>(),;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+\Z")

# Option name -> (SCIM PATCH path, or None where the vendor's PATCH does not support the attribute).
PATCH_PATHS = {
    "external_id": "externalId",
    "given_name": "name.givenName",
    "family_name": "name.familyName",
    "display_name": None,
    "title": "title",
    "active": "active",
    "license": "license",
    "is_admin": None,
    "manager_email": "managerEmail",
    "manager_external_id": "managerExternalId",
    "teams": "groups",
}
MANAGED_FIELDS = ("user_name",) + tuple(PATCH_PATHS)
# Fields that may be cleared with an empty string, and that replace: true clears when not given.
CLEARABLE_FIELDS = ("external_id", "title", "manager_email", "manager_external_id")
MAX_LENGTHS = {
    "user_name": 100, "given_name": 30, "family_name": 30, "display_name": 128, "title": 128,
    "external_id": 128, "manager_email": 100, "manager_external_id": 128,
}
# display_name too: Totango derives a display name when there is none, so "" would be sent on every run.
NON_EMPTY_FIELDS = ("user_name", "given_name", "family_name", "display_name")
EMAIL_FIELDS = ("user_name", "manager_email")


def user_argument_spec():
    """The options that describe one user: totango_user's own, and each item of totango_users' users list."""
    return dict(
        user_name=dict(type="str", required=True, aliases=["email"]),
        given_name=dict(type="str"),
        family_name=dict(type="str"),
        display_name=dict(type="str"),
        title=dict(type="str"),
        external_id=dict(type="str"),
        active=dict(type="bool"),
        license=dict(type="str"),
        is_admin=dict(type="bool"),
        manager_email=dict(type="str"),
        manager_external_id=dict(type="str"),
        teams=dict(type="list", elements="dict", options=dict(
            id=dict(type="str"), name=dict(type="str"), role=dict(type="str"))),
    )


def state_argument_spec():
    """The state option: totango_user's own, and that of each item of totango_users' users list."""
    return dict(type="str", choices=["present", "disabled"], default="present")


def parse_bool(value):
    """Totango accepts and may return "yes", "no", "true", "false" as well as booleans.

    An empty value is unknown (None), not false: the vendor documents isActive as "Empty, there is
    no default value", and reading it as false would let state: disabled skip a user who is active.
    """
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1", "on"):
        return True
    if text in ("false", "no", "0", "off"):
        return False
    return None


def parse_license(value):
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return str(value).strip().lower() if value else None


# -- validation -----------------------------------------------------------

def validate_user_options(options, prefix=""):
    """Raises OptionError for the first option that breaks a rule. Runs before any request."""
    errors = user_option_errors(options, prefix)
    if errors:
        raise errors[0]


def user_option_errors(options, prefix=""):
    """Every option of one user that breaks a rule, each by the first rule it breaks: a list of OptionError."""
    errors = []
    for field in MANAGED_FIELDS:
        value = options.get(field)
        if value is None or field == "teams":
            continue
        error = _field_error(field, value)
        if error:
            errors.append(OptionError(prefix + field, error))
    license_value = options.get("license")
    if license_value is not None and str(license_value).strip().lower() not in LICENSES:
        errors.append(OptionError(prefix + "license",
                                  "must be one of spark, zoe, viewer (case-insensitive), got %r" % (license_value,)))
    try:
        validate_teams(options.get("teams"), prefix)
    except OptionError as error:
        errors.append(error)
    return errors


def _field_error(field, value):
    if field in NON_EMPTY_FIELDS and not str(value).strip():
        return "must not be empty"
    if field in MAX_LENGTHS and len(str(value)) > MAX_LENGTHS[field]:
        return "must be at most %d characters, got %d" % (MAX_LENGTHS[field], len(str(value)))
    if field in EMAIL_FIELDS and value and not EMAIL_RE.match(str(value)):
        return "must be an e-mail address, got %r" % (value,)
    return None


def validate_teams(teams, prefix=""):
    if teams is None:
        return
    if not isinstance(teams, list) or not teams:
        raise OptionError(prefix + "teams", "must be a non-empty list of {id or name, role}; Totango keeps every user in at least one team")
    seen = set()
    for index, team in enumerate(teams):
        name = "%steams[%d]" % (prefix, index)
        if not isinstance(team, dict):
            raise OptionError(name, "must be a dict with id or name, and an optional role")
        unknown = set(team) - set(("id", "name", "role"))
        if unknown:
            raise OptionError(name, "unknown key(s) %s; allowed: id, name, role" % ", ".join(sorted(unknown)))
        has_id = team.get("id") not in (None, "")
        has_name = team.get("name") not in (None, "")
        if has_id == has_name:
            raise OptionError(name, "give exactly one of id or name")
        if team.get("role") is not None and not str(team["role"]).strip():
            raise OptionError(name + ".role", "must not be empty when given")
        key = ("id", str(team["id"])) if has_id else ("name", str(team["name"]).lower())
        if key in seen:
            raise OptionError(name, "the team %s is listed twice" % (team.get("id") or team.get("name")))
        seen.add(key)


# -- views ----------------------------------------------------------------

def user_view(resource):
    """The managed fields of a SCIM User resource, normalised for comparison."""
    if not resource:
        return {}
    ext = resource.get(TOTANGO_SCHEMA) or {}
    name = resource.get("name") or {}
    active = resource.get("active")
    if active is None:
        active = ext.get("isActive")
    view = {
        "user_name": _lower(resource.get("userName")),
        "external_id": resource.get("externalId"),
        "given_name": name.get("givenName"),
        "family_name": name.get("familyName"),
        "display_name": resource.get("displayName"),
        "title": resource.get("title"),
        "active": parse_bool(active),
        "license": parse_license(ext.get("license")),
        "is_admin": parse_bool(ext.get("isAdmin")),
        "manager_email": _lower(ext.get("managerEmail")),
        "manager_external_id": ext.get("managerExternalId"),
        "teams": sorted_teams(
            {"id": str(g.get("value")), "name": g.get("display"), "role": g.get("teamrole")}
            for g in resource.get("groups") or [] if g.get("value") is not None),
    }
    return dict((k, v) for k, v in view.items() if v not in (None, ""))


def sorted_teams(teams):
    return sorted(teams, key=lambda team: team["id"])


def _lower(value):
    return value.strip().lower() if isinstance(value, str) else value


def desired_view(options, resolved_teams=None):
    """The fields the user asked for, normalised like user_view. Empty strings mean "clear"."""
    view = {}
    for field in MANAGED_FIELDS:
        value = options.get(field)
        if value is None or field == "teams":
            continue
        if field in EMAIL_FIELDS:
            value = _lower(value)
        elif field == "license":
            value = parse_license(value)
        view[field] = value
    if resolved_teams is not None:
        view["teams"] = sorted_teams(resolved_teams)
    return view


# -- changes --------------------------------------------------------------

def teams_equal(current, desired):
    """A desired team without a role matches the team whatever role the user holds in it."""
    current_roles = dict((t["id"], t.get("role")) for t in current or [])
    if set(current_roles) != set(t["id"] for t in desired):
        return False
    return all(t.get("role") is None or t["role"] == current_roles[t["id"]] for t in desired)


def compute_changes(current, desired, replace=False):
    """Returns {field: (before, after)} for every managed field that must change."""
    wanted = dict(desired)
    if replace:
        for field in CLEARABLE_FIELDS:
            wanted.setdefault(field, "")
    changes = {}
    for field, after in wanted.items():
        before = current.get(field)
        if field == "teams":
            if not teams_equal(before, after):
                changes[field] = (before, _keep_current_roles(before, after))
        elif (before if before is not None else "") != (after if after is not None else ""):
            if field == "user_name":
                continue  # the key, matched case-insensitively; Totango cannot rename a user
            changes[field] = (before, after)
    return changes


def _keep_current_roles(current, desired):
    # A team listed without a role keeps the role the user already holds there.
    roles = dict((t["id"], t.get("role")) for t in current or [])
    return [dict(t, role=t.get("role") or roles.get(t["id"])) for t in desired]


def merge_view(current, changes):
    """The view after the changes, as the diff's 'after' and as the predicted result."""
    merged = dict(current)
    for field, (_before, after) in changes.items():
        if after in (None, ""):
            merged.pop(field, None)
        else:
            merged[field] = after
    return merged


def needs_replace(changes):
    """PATCH covers only the attributes the vendor lists; the rest (displayName, isAdmin) need a PUT."""
    return any(PATCH_PATHS.get(field, "") is None for field in changes)


def build_patch_operations(changes):
    operations = []
    for field, (_before, after) in sorted(changes.items()):
        path = PATCH_PATHS[field]
        if after in (None, ""):
            operations.append({"op": "remove", "path": path})
        else:
            operations.append({"op": "replace", "path": path, "value": _scim_value(field, after)})
    return operations


def _scim_value(field, value):
    if field == "license":
        return [value]
    if field == "teams":
        return [_group_ref(team) for team in value]
    return value


def _group_ref(team):
    ref = {"value": team["id"]}
    if team.get("role"):
        ref["teamrole"] = team["role"]
    return ref


def render_user_resource(view, base=None):
    """A SCIM User body from a view: for POST, for PUT (base=current) and as the predicted result."""
    resource = copy.deepcopy(base) if base else {}
    resource.pop("meta", None)
    resource["schemas"] = [CORE_SCHEMA, TOTANGO_SCHEMA]
    ext = dict(resource.get(TOTANGO_SCHEMA) or {})
    name = dict(resource.get("name") or {})
    simple = (("user_name", resource, "userName"), ("external_id", resource, "externalId"),
              ("display_name", resource, "displayName"), ("title", resource, "title"),
              ("given_name", name, "givenName"), ("family_name", name, "familyName"),
              ("is_admin", ext, "isAdmin"), ("manager_email", ext, "managerEmail"),
              ("manager_external_id", ext, "managerExternalId"))
    for field, target, key in simple:
        _set_or_clear(target, key, view.get(field))
    _set_or_clear(resource, "active", view.get("active"))
    _set_or_clear(ext, "isActive", view.get("active"))
    _set_or_clear(ext, "license", [view["license"]] if view.get("license") else None)
    if view.get("teams"):
        resource["groups"] = [dict(_group_ref(team), display=team["name"]) if team.get("name") else _group_ref(team)
                              for team in view["teams"]]
    else:
        resource.pop("groups", None)
    _set_or_clear(resource, "name", name or None)
    _set_or_clear(resource, TOTANGO_SCHEMA, ext or None)
    return resource


def _set_or_clear(target, key, value):
    if value is None or value == "":
        target.pop(key, None)
    else:
        target[key] = value


def check_license_change(current, changes, option="license"):
    """Totango cannot move a Spark or Zoe user to Viewer; say so before the API refuses."""
    if "license" in changes and changes["license"][1] == "viewer" and current.get("license") in ("spark", "zoe"):
        raise OptionError(option, "Totango cannot change a %s user to Viewer (the UI and API refuse it); "
                                  "keep the license, or offboard the user and create them again as a Viewer"
                          % current["license"].capitalize())
