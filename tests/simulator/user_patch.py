# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""PATCH /Users/{id}: paths, the add/replace/remove operators, atomic (all operations or none)."""

from __future__ import annotations

from tests.simulator.defaults import SCHEMA_PATCH, SCHEMA_TOTANGO, SCHEMA_USER
from tests.simulator.dialect import dialect
from tests.simulator.groups import MEMBER_FILTER_RE, member_values
from tests.simulator.replies import ScimError, invalid, syntax_error
from tests.simulator.users import FIELDS, check_and_commit, parse_groups
from tests.simulator.values import v_bool

_FIELD_BY_PATH = {f.patch_path: f for f in FIELDS if f.patch_path}
# Attributes a PATCH names that are not plain fields.
_SPECIAL = ("name", "active", "groups")
# lowercased path -> canonical attribute (a field's patch_path or one of _SPECIAL)
CORE_PATCH_PATHS = {p.lower(): p for p in _SPECIAL}
CORE_PATCH_PATHS.update({f.patch_path.lower(): f.patch_path for f in FIELDS if f.patch_path and f.part != "ext"})
EXT_PATCH_PATHS = {f.patch_path.lower(): f.patch_path for f in FIELDS if f.patch_path and f.part == "ext"}
EXT_PATCH_PATHS["isactive"] = "active"
PATCH_SUPPORTED = ", ".join(sorted(set(CORE_PATCH_PATHS.values()) | set(EXT_PATCH_PATHS.values()), key=str.lower))


def _bad_path(path):
    return ScimError(400, "invalidPath", "attribute %r cannot be modified with PATCH; supported: %s" % (path, PATCH_SUPPORTED))


def patch_attr(path, form):
    """The canonical attribute a PATCH path names (core or extension, bare or URN-qualified).

    `form` (a dialect) may refuse how it is written: form.user_path(path, prefix, extension attribute?).
    """
    low = path.strip().lower()
    ext_prefix = SCHEMA_TOTANGO.lower() + ":"
    core_prefix = SCHEMA_USER.lower() + ":"
    if low.startswith(ext_prefix):
        prefix, attr = "ext", EXT_PATCH_PATHS.get(low[len(ext_prefix):])
    elif low.startswith(core_prefix):
        prefix, attr = "core", CORE_PATCH_PATHS.get(low[len(core_prefix):])
    else:
        prefix, attr = None, CORE_PATCH_PATHS.get(low) or EXT_PATCH_PATHS.get(low)
    if attr is None:
        raise _bad_path(path)
    form.user_path(path, prefix, prefix == "ext" or (prefix is None and low not in CORE_PATCH_PATHS))
    return attr


def flatten_value(value, form):
    """A no-path PATCH value object -> [(attr, value)]; `form` (a dialect) may refuse a key."""
    out = []
    for key, sub in value.items():
        if key == "schemas":
            continue
        if key == SCHEMA_TOTANGO:
            form.value_key(key, None, False)
            if not isinstance(sub, dict):
                raise syntax_error("%s must be an object" % SCHEMA_TOTANGO)
            for ext_key, ext_value in sub.items():
                attr = EXT_PATCH_PATHS.get(ext_key.lower())
                if attr is None:
                    raise _bad_path(ext_key)
                form.value_key(ext_key, True, True)
                out.append((attr, ext_value))
            continue
        attr = CORE_PATCH_PATHS.get(key.lower()) or EXT_PATCH_PATHS.get(key.lower())
        if attr is None:
            raise _bad_path(key)
        form.value_key(key, key.lower() not in CORE_PATCH_PATHS, False)
        out.append((attr, sub))
    return out


def operations(body):
    """The Operations of a PatchOp body, each checked: [(op, path or None, value)]."""
    schemas = body.get("schemas")
    if not isinstance(schemas, list) or SCHEMA_PATCH not in schemas:
        raise syntax_error("schemas must contain %s" % SCHEMA_PATCH)
    ops = body.get("Operations")
    if not isinstance(ops, list) or not ops:
        raise syntax_error("Operations must be a non-empty list")
    out = []
    for operation in ops:
        if not isinstance(operation, dict):
            raise syntax_error("each operation must be an object")
        op = str(operation.get("op", "")).lower()
        if op not in ("add", "replace", "remove"):
            raise syntax_error("op must be add, replace or remove (got %r)" % operation.get("op"))
        path = operation.get("path")
        out.append((op, None if path in (None, "") else path, operation.get("value")))
    return out


def patch_user(sim, user_id, body):
    """Apply a PatchOp to a user: every operation on a working copy, then the checks, then commit."""
    old = sim.store.users[user_id]
    new = dict(old)
    new["teams"] = dict(old["teams"])
    form = dialect(sim)
    for op, path, value in operations(body):
        if path is None:
            if op == "remove":
                raise ScimError(400, "noTarget", "remove needs a path")
            if not isinstance(value, dict):
                raise syntax_error("an operation without a path needs an object value")
            for attr, sub in flatten_value(value, form):
                apply_op(sim, new, op, attr, sub)
            continue
        if not isinstance(path, str):
            raise ScimError(400, "invalidPath", "path must be a string")
        member = MEMBER_FILTER_RE.match(path)
        if member and member.group(1).lower() == "groups":
            form.user_groups_selector()
            if op != "remove":
                raise ScimError(400, "invalidPath", "a groups[value eq ...] path is only supported with remove")
            apply_op(sim, new, op, "groups", [{"value": member.group(2)}])
            continue
        apply_op(sim, new, op, patch_attr(path, form), value)
    check_and_commit(sim, old, new)


def _cannot_remove(attr):
    return ScimError(400, "mutability", "%s cannot be removed or set to an empty value" % attr)


def apply_op(sim, new, op, attr, value):
    """Apply one PATCH operation on `attr` to the working copy `new`."""
    if attr == "groups":
        if sim.config["user_groups_writable"]:
            _apply_groups(sim, new, op, value)  # else readOnly (RFC 7643): ignored
    elif attr == "name":
        if op == "remove" or value is None or value == {}:
            raise _cannot_remove("name.givenName" if op != "remove" else "name")
        if not isinstance(value, dict):
            raise invalid("name must be an object with givenName and/or familyName")
        for key in ("givenName", "familyName"):
            if key in value:
                apply_op(sim, new, op, "name." + key, value[key])
    elif attr == "active":
        new["active"] = None if op == "remove" else v_bool("active", value)
    else:
        _apply_field(new, op, _FIELD_BY_PATH[attr], value)


def _apply_field(new, op, field, value):
    if not field.clearable and (op == "remove" or value in (None, "")):
        raise _cannot_remove(field.patch_path)
    if op == "remove":
        new[field.attr] = field.default
        return
    required = not field.clearable or field.default is not None
    new[field.attr] = field.check(field.attr, value, field.max_len, required=required)


def _apply_groups(sim, new, op, value):
    if op == "remove":
        if not value:
            raise _cannot_remove("groups")
        for tid in member_values(sim, value, kind="team"):
            new["teams"].pop(tid, None)
        if not new["teams"]:
            raise ScimError(400, "mutability", "groups cannot be set to an empty value: a user needs at least one team")
        return
    teams = parse_groups(sim, value if isinstance(value, list) or value is None else [value])
    if not teams:
        raise _cannot_remove("groups")
    if op == "replace":
        new["teams"] = teams
    else:
        new["teams"].update(teams)
