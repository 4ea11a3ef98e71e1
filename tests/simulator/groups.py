# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SCIM Group (Totango team) semantics: render, list, PUT and PATCH of members and displayName.

Teams cannot be created through SCIM (only through the control API). Each function takes `sim`.
"""

from __future__ import annotations

import re

from tests.simulator.defaults import SCHEMA_GROUP
from tests.simulator.dialect import dialect
from tests.simulator.filters import paging
from tests.simulator.replies import Reply, ScimError, invalid, list_response, syntax_error
from tests.simulator.values import v_string

MEMBER_FILTER_RE = re.compile(r'^\s*(members|groups)\s*\[\s*value\s+eq\s+"?([^"\]]*)"?\s*\]\s*$', re.IGNORECASE)


def render_group(sim, team_id):
    """The Group resource of a team."""
    team = sim.store.teams[team_id]
    users = sim.store.users
    return {
        "schemas": [SCHEMA_GROUP],
        "id": team_id,
        "displayName": team["displayName"],
        "members": [{"value": uid, "display": users[uid]["userName"]} for uid in team["members"]],
        "meta": {"resourceType": "Group", "created": team["created"], "lastModified": team["lastModified"],
                 "location": "%s/Groups/%s" % (sim.scim_url, team_id)},
    }


def list_groups(sim, query):
    """GET /Groups (no filter)."""
    if "filter" in query:
        raise ScimError(400, "invalidFilter", "filtering groups is not supported")
    start, count = paging(query)
    ids = list(sim.store.teams)
    page = ids[start - 1:start - 1 + count]
    return Reply(200, list_response([render_group(sim, tid) for tid in page], len(ids), start))


def member_values(sim, value, kind="user"):
    """[{value}] -> ids; users must exist (id or e-mail); teams are taken as given."""
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise invalid("value must be a list of {\"value\": id}")
    out = []
    for item in value:
        if not isinstance(item, dict) or item.get("value") in (None, ""):
            raise invalid("each entry needs a 'value'")
        ident = str(item["value"])
        out.append(sim.store.user_id(ident, status=400) if kind == "user" else ident)
    return out


def _set_members(sim, team_id, user_ids):
    sim.store.set_team_members(team_id, user_ids, teamless_to_default=sim.config["teamless_to_default_team"])


def put_group(sim, team_id, body):
    """PUT /Groups/{id}: members (and displayName when given) replaced."""
    members = body.get("members")
    if members is None:
        members = []
    if not isinstance(members, list):
        raise invalid("members must be a list of {\"value\": user id}")
    user_ids = member_values(sim, members)
    name = body.get("displayName")
    if name is not None:
        name = v_string("displayName", name, 128, required=True)
    sim.store.rename_team(team_id, name)
    _set_members(sim, team_id, user_ids)
    return Reply(200, render_group(sim, team_id))


def _operation(operation, form):
    """(op, path, value) of one Group PATCH operation, a members[value eq ...] path made plain."""
    if not isinstance(operation, dict):
        raise syntax_error("each operation must be an object")
    op = str(operation.get("op", "")).lower()
    path = operation.get("path") or ""
    value = operation.get("value")
    if op not in ("add", "replace", "remove"):
        raise syntax_error("op must be add, replace or remove (got %r)" % operation.get("op"))
    match = MEMBER_FILTER_RE.match(path) if isinstance(path, str) else None
    if match and match.group(1).lower() == "members":
        form.member_selector()
        if op != "remove":
            raise ScimError(400, "invalidPath", "a members[value eq ...] path is only supported with remove")
        return op, "members", [{"value": match.group(2)}]
    if not isinstance(path, str):
        raise ScimError(400, "invalidPath", "path must be a string")
    if op == "remove" and path.lower() == "members":
        form.member_remove(value is not None)
    return op, path, value


def patch_group(sim, team_id, body):
    """PATCH /Groups/{id}: add/replace/remove members, replace displayName; atomic."""
    ops = body.get("Operations")
    if not isinstance(ops, list) or not ops:
        raise syntax_error("Operations must be a non-empty list")
    members = list(sim.store.teams[team_id]["members"])
    new_name = None
    form = dialect(sim)
    for operation in ops:
        op, path, value = _operation(operation, form)
        if path.lower() == "displayname" and op in ("add", "replace"):
            new_name = v_string("displayName", value, 128, required=True)
            continue
        if path.lower() != "members":
            raise ScimError(400, "invalidPath", "unsupported path %r for Groups (supported: members)" % path)
        if op == "remove" and value is None:
            members = []
            continue
        ids = member_values(sim, value)
        if op == "add":
            members.extend(uid for uid in ids if uid not in members)
        elif op == "replace":
            members = list(dict.fromkeys(ids))
        else:
            drop = set(ids)
            members = [uid for uid in members if uid not in drop]
    if new_name is not None:
        sim.store.rename_team(team_id, new_name)
    _set_members(sim, team_id, members)
    if sim.config["group_patch_response"] == "full":
        return Reply(200, render_group(sim, team_id))
    return Reply(200)
