# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The control API under /_sim/ (not Totango's): no auth, never logged, never faulted or limited.

GET /log, DELETE /log, GET /stats, POST /reset, GET|POST /config, GET /state, POST /users (a list of
SCIM user bodies, or {"users": [...]}), POST /groups ({displayName, id?}), POST /seed ({users: N,
teams: M, ...}: generated users, see seeding.py), POST /accounts ({email,
password, admin?}), POST /app_tokens ({token, admin?}), POST /token ({email?, ttl?}).
"""

from __future__ import annotations

import json

from tests.simulator.defaults import CONTROL_PREFIX, JSON_CONTENT_TYPE
from tests.simulator.groups import render_group
from tests.simulator.replies import Reply, ScimError, error_reply, invalid, parse_json, syntax_error


def _json(data, status=200):
    return Reply(status, data, content_type=JSON_CONTENT_TYPE)


def _users(sim, body):
    try:
        data = json.loads(body.decode("utf-8")) if body else None
    except (ValueError, UnicodeDecodeError):
        raise syntax_error("request body is not valid JSON") from None
    if isinstance(data, dict):
        data = data.get("users", data.get("Resources"))
    if not isinstance(data, list):
        raise invalid("send a list of SCIM user bodies (or {\"users\": [...]})")
    return _json(sim.seed_users(data), 201)


def _groups(sim, body):
    data = parse_json(body)
    with sim.lock:
        team_id = sim.store.create_team(data.get("displayName"), data.get("id"))
        return _json(render_group(sim, team_id), 201)


def _seed(sim, body):
    return _json(sim.seed_generated(parse_json(body)), 201)


def _account(sim, body):
    data = parse_json(body)
    sim.add_account(data["email"], data["password"], data.get("admin", True))
    return _json({"email": data["email"].lower(), "admin": bool(data.get("admin", True))}, 201)


def _app_token(sim, body):
    data = parse_json(body)
    sim.add_app_token(data["token"], data.get("admin", True))
    return _json({"admin": bool(data.get("admin", True))}, 201)


def _token(sim, body):
    data = parse_json(body) if body else {}
    return _json({"access_token": sim.issue_token(data.get("email"), data.get("ttl"))})


def _reset(sim, _body):
    sim.reset()
    return _json({"reset": True})


def _clear_log(sim, _body):
    sim.clear_log()
    return Reply(204)


# (method, path) -> handler(sim, body) -> Reply
ENDPOINTS = {
    ("GET", "/log"): lambda sim, _body: _json(sim.log()),
    ("DELETE", "/log"): _clear_log,
    ("GET", "/stats"): lambda sim, _body: _json(sim.stats()),
    ("POST", "/reset"): _reset,
    ("GET", "/config"): lambda sim, _body: _json(sim.config_copy()),
    ("POST", "/config"): lambda sim, body: _json(sim.configure(parse_json(body))),
    ("GET", "/state"): lambda sim, _body: _json(sim.state()),
    ("POST", "/users"): _users,
    ("POST", "/groups"): _groups,
    ("POST", "/seed"): _seed,
    ("POST", "/accounts"): _account,
    ("POST", "/app_tokens"): _app_token,
    ("POST", "/token"): _token,
}


def control(sim, method, path, body):
    """Answer a /_sim/ control request."""
    path = path.rstrip("/") or "/"
    handler = ENDPOINTS.get((method, path))
    try:
        if handler is None:
            raise ScimError(404, None, "no such control endpoint: %s %s%s" % (method, CONTROL_PREFIX, path))
        return handler(sim, body)
    except ScimError as err:
        return err.reply()
    except (ValueError, KeyError, TypeError) as exc:
        return error_reply(400, "invalidValue", str(exc))
