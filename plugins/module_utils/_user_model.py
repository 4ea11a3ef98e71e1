# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Maps totango_user options to a SCIM User and back, and computes the changes between them.

USER_FIELDS is the one table of user attributes: the argument spec, the validation rules, the views,
the PATCH paths and the rendered resource all come from it. A "view" is a flat dict of the managed
fields under their option names; it is what diffs show and what comparisons run on. Private to this
collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re

from ansible_collections.scimops.totango.plugins.module_utils._errors import OptionError

CORE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
TOTANGO_SCHEMA = "urn:ietf:params:scim:schemas:totango:1.0:User"

# Totango's current names of its licenses; the API still takes the old ones (Practitioner is spark, Contributor zoe).
LICENSE_NAMES = {"spark": "Practitioner", "zoe": "Contributor", "viewer": "Viewer"}
LICENSES = tuple(LICENSE_NAMES)
LICENSE_ALIASES = dict((name.lower(), value) for value, name in LICENSE_NAMES.items())
# An apostrophe is common in local parts (o'brien@...); a double quote would break the one-field filter
# userName eq "...". \Z, not $: after trimming, a line break inside the address must still fail.
EMAIL_RE = re.compile(r"^[^@\s\"<>(),;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+\Z")


class UserField:
    """One managed user attribute: its option, where it lives in a SCIM User, and the rules its value obeys.

    kind: str, email (trimmed and lower-cased), identifier (trimmed: an id from an HR export or a survey answer
    carries no meaningful spaces), bool, license (one API value, sent as a list) or teams.
    attribute: the SCIM attribute in its schema, dotted for a sub-attribute (name.givenName).
    mirror: another attribute of the extension that carries the same value (active is also isActive).
    patch: False where Totango's PATCH does not accept the attribute, so a change needs a PUT.
    key: the user's identity, compared case-insensitively and never changed by compute_changes.
    """

    def __init__(self, name, attribute, kind="str", extension=False, max_length=None, clearable=False,
                 non_empty=False, patch=True, mirror=None, key=False, aliases=()):
        self.name = name
        self.attribute = attribute
        self.kind = kind
        self.extension = extension
        self.max_length = max_length
        self.clearable = clearable
        self.non_empty = non_empty
        self.patch = patch
        self.mirror = mirror
        self.key = key
        self.aliases = tuple(aliases)

    @property
    def schema(self):
        return TOTANGO_SCHEMA if self.extension else CORE_SCHEMA

    @property
    def vendor_path(self):
        """Totango's documented PATCH path: the bare attribute, extension attributes included; None if PATCH cannot set it."""
        return self.attribute if self.patch else None

    @property
    def rfc_path(self):
        """RFC 7644's PATCH path: an extension attribute is qualified by its schema URN."""
        if not self.patch:
            return None
        return "%s:%s" % (TOTANGO_SCHEMA, self.attribute) if self.extension else self.attribute

    @property
    def locations(self):
        """(schema, attribute) pairs the value is read from (first set wins) and written to."""
        found = [(self.schema, self.attribute)]
        if self.mirror:
            found.append((TOTANGO_SCHEMA, self.mirror))
        return found

    def option_spec(self):
        """This field's entry in the argument spec."""
        if self.kind == "teams":
            return dict(type="list", elements="dict", options=dict(
                id=dict(type="str"), name=dict(type="str"), role=dict(type="str")))
        spec = dict(type="bool" if self.kind == "bool" else "str")
        if self.key:
            spec["required"] = True
        if self.aliases:
            spec["aliases"] = list(self.aliases)
        return spec


# The one table of user attributes; every list below, the argument spec and the views are derived from it.
# A new attribute is a row here, in the three documentations of the user options (a unit test compares
# them with this table) and in the simulator's user record.
USER_FIELDS = (
    UserField("user_name", "userName", kind="email", max_length=100, non_empty=True, key=True, aliases=["email"]),
    UserField("external_id", "externalId", kind="identifier", max_length=128, clearable=True),
    UserField("given_name", "name.givenName", max_length=30, non_empty=True),
    UserField("family_name", "name.familyName", max_length=30, non_empty=True),
    # display_name non-empty: Totango derives a display name when there is none, so "" would be sent on every run.
    UserField("display_name", "displayName", max_length=128, non_empty=True, patch=False),
    UserField("title", "title", max_length=128, clearable=True),
    UserField("active", "active", kind="bool", mirror="isActive"),
    UserField("license", "license", kind="license", extension=True),
    UserField("is_admin", "isAdmin", kind="bool", extension=True, patch=False),
    UserField("manager_email", "managerEmail", kind="email", extension=True, max_length=100, clearable=True),
    UserField("manager_external_id", "managerExternalId", kind="identifier", extension=True, max_length=128,
              clearable=True),
    UserField("teams", "groups", kind="teams"),
)
FIELDS = dict((field.name, field) for field in USER_FIELDS)

# Option name -> Totango's PATCH path, or None where the vendor's PATCH does not support the attribute.
PATCH_PATHS = dict((f.name, f.vendor_path) for f in USER_FIELDS if not f.key)
MANAGED_FIELDS = tuple(f.name for f in USER_FIELDS if f.key) + tuple(PATCH_PATHS)
# Fields that may be cleared with an empty string, and that replace: true clears when not given.
CLEARABLE_FIELDS = tuple(f.name for f in USER_FIELDS if f.clearable)
MAX_LENGTHS = dict((f.name, f.max_length) for f in USER_FIELDS if f.max_length)
NON_EMPTY_FIELDS = tuple(f.name for f in USER_FIELDS if f.non_empty)
EMAIL_FIELDS = tuple(f.name for f in USER_FIELDS if f.kind == "email")


def patch_path(field_name, rfc=False):
    """The PATCH path of a field: Totango's documented form, or RFC 7644's (URN-qualified extension attributes)."""
    field = FIELDS[field_name]
    return field.rfc_path if rfc else field.vendor_path


def user_argument_spec():
    """The options that describe one user: totango_user's own, and each item of totango_users' users list."""
    return dict((field.name, field.option_spec()) for field in USER_FIELDS)


def state_argument_spec():
    """The state option: totango_user's own, and that of each item of totango_users' users list."""
    return dict(type="str", choices=["present", "disabled"], default="present")


def normalize_email(value):
    """The one input rule for e-mails, everywhere: surrounding whitespace trimmed, lower-case."""
    return value.strip().lower() if isinstance(value, str) else value


def email_error(value):
    """Why value (trimmed) is not an e-mail address, or None."""
    if not EMAIL_RE.match(str(value).strip()):
        return "must be an e-mail address, got %r" % (value,)
    return None


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
    """The API value of a license given or returned in any case, by its API value or its current name."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if not value:
        return None
    text = str(value).strip().lower()
    return LICENSE_ALIASES.get(text, text)


def license_name(value):
    """Totango's current name of a license (Practitioner for spark), or None."""
    return LICENSE_NAMES.get(parse_license(value))


def license_result(view):
    """The license a view holds, as results report it: the API value and Totango's current name; {} when unknown."""
    value = (view or {}).get("license")
    if value not in LICENSE_NAMES:
        return {}
    return {"license": value, "license_name": LICENSE_NAMES[value]}


# -- validation -----------------------------------------------------------

def validate_user_options(options, prefix=""):
    """Raises OptionError for the first option that breaks a rule. Runs before any request."""
    errors = user_option_errors(options, prefix)
    if errors:
        raise errors[0]


def user_option_errors(options, prefix=""):
    """Every option of one user that breaks a rule, each by the first rule it breaks: a list of OptionError."""
    errors = []
    for field in USER_FIELDS:
        value = options.get(field.name)
        if value is None or field.kind == "teams":
            continue
        error = _field_error(field, value)
        if error:
            errors.append(OptionError(prefix + field.name, error))
    if options.get("state") == "disabled" and parse_bool(options.get("active")) is True:
        errors.append(OptionError(prefix + "active", "must not be true with state=disabled, which disables the user; "
                                                     "give one of them"))
    license_value = options.get("license")
    if license_value is not None and parse_license(license_value) not in LICENSES:
        errors.append(OptionError(prefix + "license",
                                  "must be one of spark, zoe, viewer (case-insensitive), got %r; "
                                  "Totango's current names practitioner (spark) and contributor (zoe) "
                                  "are accepted too" % (license_value,)))
    try:
        validate_teams(options.get("teams"), prefix)
    except OptionError as error:
        errors.append(error)
    return errors


def _field_error(field, value):
    text = normalize_email(value) if field.kind == "email" else str(value)
    if field.kind == "identifier":
        if text and not text.strip():
            return 'must not be only spaces (give "" to clear it)'
        text = text.strip()
    if field.non_empty and not text.strip():
        return "must not be empty"
    if field.max_length and len(text) > field.max_length:
        return "must be at most %d characters, got %d" % (field.max_length, len(text))
    if field.kind == "email" and text:
        return email_error(value)
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
        # Exact names: "Sales" and "SALES" are two teams in Totango. Two names that resolve to one team are
        # refused once the names are resolved (_teams.resolve_user_teams).
        key = ("id", str(team["id"])) if has_id else ("name", str(team["name"]))
        if key in seen:
            raise OptionError(name, "the team %s is listed twice" % (team.get("id") or team.get("name")))
        seen.add(key)


# -- views ----------------------------------------------------------------

def user_view(resource):
    """The managed fields of a SCIM User resource, normalised for comparison."""
    if not resource:
        return {}
    view = {}
    for field in USER_FIELDS:
        raw = None
        for schema, attribute in field.locations:
            raw = _read(resource, schema, attribute)
            if raw is not None:
                break
        view[field.name] = _from_scim(field, raw)
    return dict((k, v) for k, v in view.items() if v not in (None, ""))


def _read(resource, schema, attribute):
    node = (resource.get(schema) or {}) if schema == TOTANGO_SCHEMA else resource
    for part in attribute.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _from_scim(field, raw):
    if field.kind == "email":
        return normalize_email(raw)
    if field.kind == "bool":
        return parse_bool(raw)
    if field.kind == "license":
        return parse_license(raw)
    if field.kind == "teams":
        return sorted_teams(
            {"id": str(g.get("value")), "name": g.get("display"), "role": g.get("teamrole")}
            for g in raw or [] if g.get("value") is not None)
    return raw


def sorted_teams(teams):
    return sorted(teams, key=lambda team: team["id"])


def desired_view(options, resolved_teams=None):
    """The fields the user asked for, normalised like user_view. Empty strings mean "clear"."""
    view = {}
    for field in USER_FIELDS:
        value = options.get(field.name)
        if value is None or field.kind == "teams":
            continue
        if field.kind == "email":
            value = normalize_email(value)
        elif field.kind == "identifier":
            value = str(value).strip()
        elif field.kind == "license":
            value = parse_license(value)
        view[field.name] = value
    if resolved_teams is not None:
        view["teams"] = sorted_teams(resolved_teams)
    return view


# -- diffs ----------------------------------------------------------------

def view_diff(before, after, changes):
    """A diff of whole views (totango_user's): an empty before is a create."""
    shown_before = _shown(before)
    if before:
        shown_before.update(_unknown_before(changes))
    return {"before": shown_before, "after": _shown(after)}


def changes_diff(changes, created=False):
    """A diff of only the fields that change (a roster's), so a thousand users stay readable."""
    before = dict((f, b) for f, (b, _a) in changes.items() if b not in (None, ""))
    if not created:
        before.update(_unknown_before(changes))
    after = dict((f, a) for f, (_b, a) in changes.items() if a not in (None, ""))
    return {"before": _shown(before), "after": _shown(after)}


def _unknown_before(changes):
    # A flag Totango never set is unknown, not false: shown as null, so disabling such a user does not read as
    # a create ("-{}"). A string never set is simply absent.
    return dict((field, None) for field, (before, after) in changes.items()
                if before is None and after is not None and field in FIELDS and FIELDS[field].kind == "bool")


def _shown(view):
    # A team's name or role that is not known (a new membership gets Totango's default role) is left out, not null.
    shown = dict(view or {})
    if shown.get("teams"):
        shown["teams"] = [dict((k, v) for k, v in team.items() if v is not None) for team in shown["teams"]]
    return shown


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
    return any(field in FIELDS and not FIELDS[field].patch for field in changes)


def build_patch_operations(changes, rfc=False):
    """The PATCH operations for the changes, with Totango's paths or (rfc=True) RFC 7644's."""
    operations = []
    for field, (_before, after) in sorted(changes.items()):
        path = patch_path(field, rfc)
        if after in (None, ""):
            operations.append({"op": "remove", "path": path})
        else:
            operations.append({"op": "replace", "path": path, "value": _to_scim(FIELDS[field], after)})
    return operations


def _to_scim(field, value, with_display=False):
    if field.kind == "license":
        return [value]
    if field.kind == "teams":
        return [dict(_group_ref(team), display=team["name"]) if with_display and team.get("name") else _group_ref(team)
                for team in value]
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
    for field in USER_FIELDS:
        value = view.get(field.name)
        scim = None if value in (None, "", []) else _to_scim(field, value, with_display=True)
        for schema, attribute in field.locations:
            _write(resource, schema, attribute, scim)
    for container in ("name", TOTANGO_SCHEMA):
        if not resource.get(container):
            resource.pop(container, None)
    return resource


def _write(resource, schema, attribute, value):
    parts = ([schema] if schema == TOTANGO_SCHEMA else []) + attribute.split(".")
    node = resource
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    _set_or_clear(node, parts[-1], value)


def _set_or_clear(target, key, value):
    if value is None or value == "":
        target.pop(key, None)
    else:
        target[key] = value


def check_license_change(current, changes, option="license"):
    """Totango cannot move a Practitioner (spark) or Contributor (zoe) to Viewer; say so before the API refuses."""
    if "license" in changes and changes["license"][1] == "viewer" and current.get("license") in ("spark", "zoe"):
        raise OptionError(option, "Totango cannot change a %s user to Viewer (%s to Viewer: the UI and API refuse it). "
                                  "Keep the license; or disable this user (state: disabled) and create the person "
                                  "as a Viewer under another e-mail address: the API cannot delete a user, and an "
                                  "e-mail address belongs to one user for good"
                          % (current["license"].capitalize(), LICENSE_NAMES[current["license"]]))
