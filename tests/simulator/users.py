# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SCIM User semantics: the one table of user fields, and parse, create, replace and render from it.

Each function takes `sim` (tests.simulator.state.SimState): its store, config and scim_url.
"""

from __future__ import annotations

from typing import Callable, NamedTuple, Optional

from tests.simulator.defaults import DEFAULT_LICENSE, DEFAULT_ROLE, DEFAULT_TEAM_ID, SCHEMA_TOTANGO, SCHEMA_USER
from tests.simulator.replies import Reply, ScimError, invalid, syntax_error
from tests.simulator.values import now_iso, v_bool, v_email, v_license, v_string


class Field(NamedTuple):
    """One user attribute kept as a value: where it sits in the resource and how it is checked."""

    attr: str                    # key in the record and in its part of the resource
    part: str                    # "core" (top level), "name" (name.*) or "ext" (the Totango extension)
    check: Callable              # check(name, value, max_len, required=...) -> normalized value or None
    max_len: int
    required: bool = False       # on POST and PUT
    patch_path: Optional[str] = None  # the PATCH path naming it; None: not writable by PATCH
    clearable: bool = True       # PATCH may remove it (back to `default`)
    default: Optional[str] = None


FIELDS = (
    Field("userName", "core", v_email, 100, required=True, patch_path="userName", clearable=False),
    Field("externalId", "core", v_string, 128, patch_path="externalId"),
    Field("title", "core", v_string, 128, patch_path="title"),
    Field("displayName", "core", v_string, 128),
    Field("givenName", "name", v_string, 30, required=True, patch_path="name.givenName", clearable=False),
    Field("familyName", "name", v_string, 30, required=True, patch_path="name.familyName"),
    Field("managerEmail", "ext", v_email, 100, patch_path="managerEmail"),
    Field("managerExternalId", "ext", v_string, 128, patch_path="managerExternalId"),
    Field("license", "ext", v_license, 0, patch_path="license", default=DEFAULT_LICENSE),
)


def _parts(body):
    """The core body, its name object and its extension object (each a dict)."""
    ext = body.get(SCHEMA_TOTANGO)
    if ext is None:
        ext = {}
    if not isinstance(ext, dict):
        raise syntax_error("%s must be an object" % SCHEMA_TOTANGO)
    name = body.get("name")
    if name is None:
        name = {}
    if not isinstance(name, dict):
        raise invalid("name must be an object with givenName and familyName")
    return {"core": body, "name": name, "ext": ext}


def parse_groups(sim, value):
    """[{value, teamrole}] -> {team_id: role} (teams must exist)."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise invalid("groups must be a list of {value, teamrole}")
    teams = {}
    for item in value:
        if not isinstance(item, dict) or item.get("value") in (None, ""):
            raise invalid("each groups entry needs a 'value' (team id)")
        tid = str(item["value"])
        if tid not in sim.store.teams:
            raise invalid("group %s does not exist" % tid)
        teams[tid] = v_string("teamrole", item.get("teamrole"), 128) or DEFAULT_ROLE
    return teams


def parse_user_body(sim, body):
    """Validate a full user body (POST/PUT/seed); returns the attributes it carries."""
    parts = _parts(body)
    attrs = {f.attr: f.check(f.attr, parts[f.part].get(f.attr), f.max_len, required=f.required) for f in FIELDS}
    active = v_bool("active", body.get("active"))
    is_active = v_bool("isActive", parts["ext"].get("isActive"))
    if active is not None and is_active is not None and active != is_active:
        raise invalid("active and isActive disagree")
    attrs["active"] = active if active is not None else is_active
    attrs["isAdmin"] = v_bool("isAdmin", parts["ext"].get("isAdmin"))
    attrs["teams"] = None
    if sim.config["user_groups_writable"]:  # else readOnly (RFC 7643): ignored, not even checked
        attrs["teams"] = parse_groups(sim, body.get("groups")) or None
    return attrs


def _field_values(attrs):
    values = {f.attr: attrs[f.attr] if attrs.get(f.attr) is not None else f.default for f in FIELDS}
    values["displayName"] = attrs.get("displayName") or "%s %s" % (attrs["familyName"], attrs["givenName"])
    values["active"] = attrs.get("active")
    return values


def new_record(user_id, attrs, now):
    """A user record from attributes (missing fields take their defaults), in no team yet."""
    rec = {"id": user_id}
    rec.update(_field_values(attrs))
    rec.update({"isAdmin": bool(attrs.get("isAdmin")), "teams": {}, "created": now, "lastModified": now})
    return rec


# -- checks -------------------------------------------------------------------------

def check_unique(sim, rec):
    """409 uniqueness for a taken userName (and externalId when the config asks)."""
    other = sim.store.by_name.get(rec["userName"])
    if other is not None and other != rec["id"]:
        raise ScimError(409, "uniqueness", "user already exists")
    if sim.config["validate_external_id_uniqueness"] and rec["externalId"]:
        if any(uid != rec["id"] for uid in sim.store.by_ext.get(rec["externalId"], [])):
            raise ScimError(409, "uniqueness", "externalId %s already exists" % rec["externalId"])


def check_admin_allowed(sim, old, new):
    """403 for global admins when the SCIM settings forbid them."""
    if sim.config["allow_global_admin"]:
        return
    if new["isAdmin"] or (old is not None and old["isAdmin"]):
        raise ScimError(403, None, "operations on global admin users via SCIM are disabled in the SCIM settings")


RENAME_REFUSED = ("userName cannot be changed for this account: changing a user's e-mail needs Totango UUID "
                  "enabled (contact Totango Support)")


def check_rename(sim, old, new):
    """400 mutability for a userName change when the tenant does not allow it (no Totango UUID)."""
    if old["userName"] != new["userName"] and not sim.config["user_name_mutable"]:
        raise ScimError(400, "mutability", RENAME_REFUSED)


def check_license_change(old, new):
    """Spark or Zoe cannot become Viewer."""
    if old["license"] in ("spark", "zoe") and new["license"] == "viewer":
        raise invalid("cannot change license from Spark or Zoe to Viewer")


def check_and_commit(sim, old, new):
    """The checks every change of an existing user passes, then the change."""
    check_rename(sim, old, new)
    check_license_change(old, new)
    check_unique(sim, new)
    check_admin_allowed(sim, old, new)
    sim.store.commit_user(old, new)


# -- writes -------------------------------------------------------------------------

def create_user(sim, body, user_id=None):
    """Validate and create a user; returns the record."""
    attrs = parse_user_body(sim, body)
    rec = new_record(sim.store.new_user_id(user_id), attrs, now_iso())
    check_unique(sim, rec)
    check_admin_allowed(sim, None, rec)
    sim.store.insert_user(rec, attrs["teams"] or {DEFAULT_TEAM_ID: DEFAULT_ROLE})
    return rec


def create_reply(sim, body):
    """POST /Users."""
    rec = create_user(sim, body)
    if sim.config["create_response"] == "minimal":
        data = {"schemas": [SCHEMA_USER, SCHEMA_TOTANGO], "meta": {"created": rec["created"], "resourceType": "User"},
                "userName": rec["userName"]}
        return Reply(201, data)
    return Reply(201, render_user(sim, rec), {"Location": "%s/Users/%s" % (sim.scim_url, rec["id"])})


def replace_user(sim, user_id, body):
    """PUT /Users/{id}: every field from the body; isAdmin and teams as the config says."""
    old = sim.store.users[user_id]
    attrs = parse_user_body(sim, body)
    keep = sim.config["keep_teams_on_replace"]
    new = dict(old)
    new.update(_field_values(attrs))
    if attrs["isAdmin"] is not None:
        new["isAdmin"] = attrs["isAdmin"]
    elif not keep:
        new["isAdmin"] = False
    if attrs["teams"]:
        new["teams"] = attrs["teams"]
    elif (keep or not sim.config["user_groups_writable"]) and old["teams"]:
        new["teams"] = dict(old["teams"])
    else:
        new["teams"] = {DEFAULT_TEAM_ID: DEFAULT_ROLE}
    check_and_commit(sim, old, new)


# -- rendering ----------------------------------------------------------------------

def render_user(sim, rec):
    """The User resource of a record."""
    parts = {"core": {"schemas": [SCHEMA_USER, SCHEMA_TOTANGO], "id": rec["id"]}, "name": {}, "ext": {}}
    if rec["active"] is not None:
        parts["ext"]["isActive"] = rec["active"]
    for field in FIELDS:
        if field.attr == "license":
            parts["ext"]["license"] = [rec["license"]]
            parts["ext"]["isAdmin"] = rec["isAdmin"]
        elif rec[field.attr]:
            parts[field.part][field.attr] = rec[field.attr]
    res = parts["core"]
    if parts["name"]:
        res["name"] = parts["name"]
    if rec["active"] is not None:
        res["active"] = rec["active"]
    teams = sim.store.teams
    groups = [{"value": tid, "$ref": "../Groups/%s" % tid, "display": teams[tid]["displayName"], "teamrole": role}
              for tid, role in rec["teams"].items()]
    if groups:
        res["groups"] = groups
    res[SCHEMA_TOTANGO] = parts["ext"]
    res["meta"] = {"resourceType": "User", "created": rec["created"], "lastModified": rec["lastModified"],
                   "location": "%s/Users/%s" % (sim.scim_url, rec["id"])}
    return res
