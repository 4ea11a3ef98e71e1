# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which code answers which API request: the token endpoint, /Users and /Groups (after auth)."""

from __future__ import annotations

from urllib.parse import unquote

from tests.simulator.filters import first_query, list_users
from tests.simulator.groups import list_groups, patch_group, put_group, render_group
from tests.simulator.replies import Reply, ScimError, parse_json
from tests.simulator.user_patch import patch_user
from tests.simulator.users import create_reply, render_user, replace_user

_USER_METHODS = {"Allow": "GET, PUT, PATCH"}


def handle(sim, kind, method, rel, query, body, headers):
    """Answer one API request (kind "token", "scim" or anything else: 404) under the lock."""
    with sim.lock:
        try:
            if kind == "token":
                return sim.auth.token_endpoint(method, query, body, headers, sim.config)
            if kind != "scim":
                raise ScimError(404, None, "no such endpoint: %s" % rel)
            sim.auth.authenticate(headers)
            return route(sim, method, rel, first_query(query), body)
        except ScimError as err:
            return err.reply()


def route(sim, method, rel, query, body):
    """/Users, /Users/{id}, /Groups, /Groups/{id}."""
    parts = [unquote(part) for part in rel.split("/") if part]
    if not parts or parts[0] not in ("Users", "Groups") or len(parts) > 2:
        raise ScimError(404, None, "no such endpoint: %s" % rel)
    if parts[0] == "Users":
        if len(parts) == 1:
            return _users(sim, method, query, body)
        return _user(sim, method, sim.store.user_id(parts[1]) if method in ("GET", "PATCH", "PUT") else None, body)
    if len(parts) == 1:
        if method == "GET":
            return list_groups(sim, query)
        raise ScimError(405, None, "%s is not supported on /Groups (teams cannot be created via SCIM)" % method, {"Allow": "GET"})
    return _group(sim, method, parts[1], body)


def _users(sim, method, query, body):
    if method == "GET":
        return list_users(sim, query, lambda rec: render_user(sim, rec))
    if method == "POST":
        return create_reply(sim, parse_json(body))
    raise ScimError(405, None, "%s is not supported on /Users" % method, {"Allow": "GET, POST"})


def _user(sim, method, user_id, body):
    if method == "GET":
        return Reply(200, render_user(sim, sim.store.users[user_id]))
    if method == "PATCH":
        patch_user(sim, user_id, parse_json(body))
        return Reply(204)
    if method == "PUT":
        replace_user(sim, user_id, parse_json(body))
        return Reply(204)
    if method == "DELETE":
        raise ScimError(405, None, "user deletion is not supported by this API; disable the user (active: false) instead",
                        _USER_METHODS)
    raise ScimError(405, None, "%s is not supported on /Users/{id}" % method, _USER_METHODS)


def _group(sim, method, ident, body):
    if method not in ("GET", "PUT", "PATCH"):
        raise ScimError(405, None, "%s is not supported on /Groups/{id}" % method, _USER_METHODS)
    team_id = sim.store.team_id(ident)
    if method == "GET":
        return Reply(200, render_group(sim, team_id))
    if method == "PUT":
        return put_group(sim, team_id, parse_json(body))
    return patch_group(sim, team_id, parse_json(body))
