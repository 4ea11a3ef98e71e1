# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A Totango SCIM 2.0 API simulator: a real HTTP(S) server for the scimops.totango tests.

It implements what Totango's "Manage Totango users via API" article documents
(app-token and OAuth bearer auth, the token endpoint, Users and Groups, the
documented errors, one-field filters, pagination) plus Totango's rate limit,
reproducible fault injection and a request log that tests read.

In-process use::

    with TotangoSimulator(app_token="T", admin_user="a@x.example", admin_password="P") as sim:
        requests.get(sim.scim_url + "/Users", headers={"app-token": "T"})
        assert sim.writes() == []

Command line::

    python tests/simulator/totango_sim.py --port 8080 --app-token T \\
        --admin-user admin@example.com --admin-password P [--rate-limit 100] [--tls]

Only the Python standard library is used. Control endpoints live under ``/_sim/``
(no auth, never logged, never faulted).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import copy
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

SITE_PREFIX = "/t01/on"
SCIM_PREFIX = SITE_PREFIX + "/api/v2/scim/services/235"
TOKEN_PATH = SITE_PREFIX + "/oauth2/api/v1/token"
CONTROL_PREFIX = "/_sim"

SCHEMA_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
SCHEMA_TOTANGO = "urn:ietf:params:scim:schemas:totango:1.0:User"
SCHEMA_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
SCHEMA_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SCHEMA_LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SCHEMA_PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SCIM_CONTENT_TYPE = "application/scim+json"
JSON_CONTENT_TYPE = "application/json"

DEFAULT_APP_TOKEN = "sim-app-token"
DEFAULT_ADMIN_USER = "admin@example.com"
DEFAULT_ADMIN_PASSWORD = "sim-password"

DEFAULT_TEAM_ID = "1000"
DEFAULT_TEAM_NAME = "Default Team"
DEFAULT_ROLE = "Member"
LICENSES = ("spark", "zoe", "viewer")
MAX_PAGE_SIZE = 100
FIRST_USER_ID = 100001
FIRST_TEAM_ID = 2601

DEFAULT_CONFIG = {
    "token_key_style": "lower",             # "lower" | "title" (Access_token, Expires_in, Scope)
    "token_ttl": 86400,                     # seconds a bearer token lives
    "create_response": "full",              # "full" | "minimal" (schemas, meta, userName: the doc's sample)
    "validate_external_id_uniqueness": False,
    "keep_teams_on_replace": False,         # PUT without groups/isAdmin keeps the current ones
    "allow_global_admin": True,             # False: operations on global admin users answer 403
    # True: a user whose last team is taken away through /Groups is put (back) into the default team, one
    # reading of the document's "in case a user has no team, the user will be assigned to the default team".
    "teamless_to_default_team": False,
    "group_patch_response": "empty",        # "empty" (200, no body) | "full" (200 with the group)
    "rate_limit": 0,                        # requests per window; 0/None = off
    "rate_limit_window": 60,                # seconds of the fixed window
    "retry_after_on_429": False,            # True: Retry-After = seconds to reset; an int: that value
    "latency_ms": 0,                        # added to every SCIM/token request
    "faults": {},                           # see FAULT_KEYS
}
FAULT_KEYS = frozenset((
    "seed", "latency_ms", "p_503", "p_5xx_codes", "p_429", "p_drop_before", "p_drop_after",
    "p_slow", "slow_seconds", "p_malformed", "script",
))
SCRIPT_FAULTS = frozenset(("drop_after", "drop_before", "429", "slow", "malformed", "latency", "5xx"))
DEFAULT_SLOW_SECONDS = 2.0
WRITE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FILTER_RE = re.compile(r"^\s*(\S+)\s+(\S+)\s+(.*?)\s*$", re.DOTALL)
QUOTED_RE = re.compile(r'^"((?:[^"\\]|\\.)*)"$', re.DOTALL)
MEMBER_FILTER_RE = re.compile(r'^\s*(members|groups)\s*\[\s*value\s+eq\s+"?([^"\]]*)"?\s*\]\s*$', re.IGNORECASE)
RESOURCE_RE = re.compile(r"^/(Users|Groups)(/|$)")

# PATCH paths: lowercased name -> canonical attribute.
CORE_PATCH_PATHS = {
    "username": "userName",
    "name": "name",
    "name.givenname": "name.givenName",
    "name.familyname": "name.familyName",
    "externalid": "externalId",
    "title": "title",
    "active": "active",
    "groups": "groups",
}
EXT_PATCH_PATHS = {
    "manageremail": "managerEmail",
    "managerexternalid": "managerExternalId",
    "license": "license",
    "isactive": "active",
}
PATCH_SUPPORTED = ("userName, name, name.givenName, name.familyName, externalId, title, active, "
                   "managerEmail, managerExternalId, license, groups")


class ScimError(Exception):
    """An error answered as a SCIM error body."""

    def __init__(self, status, scim_type, detail, headers=None):
        super().__init__(detail)
        self.status = status
        self.scim_type = scim_type
        self.detail = detail
        self.headers = headers or {}

    def reply(self):
        """The HTTP reply for this error."""
        return error_reply(self.status, self.scim_type, self.detail, self.headers)


class Reply:
    """One HTTP answer: status, body (object, bytes or None), headers."""

    __slots__ = ("status", "body", "headers", "content_type")

    def __init__(self, status, body=None, headers=None, content_type=SCIM_CONTENT_TYPE):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.content_type = content_type

    def data(self):
        """The body as bytes."""
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode("utf-8")


def error_reply(status, scim_type, detail, headers=None):
    """A SCIM error reply."""
    body = {"schemas": [SCHEMA_ERROR]}
    if scim_type:
        body["scimType"] = scim_type
    body["detail"] = detail
    body["status"] = str(status)
    return Reply(status, body, headers)


def _now_iso():
    stamp = datetime.now(timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (stamp.microsecond // 1000)


def _invalid(detail):
    return ScimError(400, "invalidValue", detail)


# ---------------------------------------------------------------- validation

def v_string(name, value, max_len, required=False):
    """A string attribute: None/"" -> None (or 400 when required); numbers become strings."""
    if value is None or value == "":
        if required:
            raise _invalid("%s is required" % name)
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _invalid("%s must be a string" % name)
    value = str(value)
    if required and not value.strip():
        raise _invalid("%s is required" % name)
    if len(value) > max_len:
        raise _invalid("%s is limited to %d characters" % (name, max_len))
    return value


def v_email(name, value, required=False):
    """An e-mail attribute (<= 100 chars), lowercased."""
    value = v_string(name, value, 100, required)
    if value is None:
        return None
    if not EMAIL_RE.match(value):
        raise _invalid("%s must be an email" % name)
    return value.lower()


def v_bool(name, value):
    """true/false or the strings yes/no/true/false; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("yes", "true"):
            return True
        if low in ("no", "false"):
            return False
    raise _invalid('%s must be one of true, false, "yes", "no", "true", "false"' % name)


def v_license(value):
    """A license string or a list of one; None/[] -> None."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, list):
        if len(value) != 1:
            raise _invalid("license must hold exactly one of Spark, Zoe, Viewer")
        value = value[0]
    if not isinstance(value, str) or value.strip().lower() not in LICENSES:
        raise _invalid("license must be one of Spark, Zoe, Viewer (got %r)" % (value,))
    return value.strip().lower()


def parse_filter(expr):
    """Parse a one-field filter: returns (attribute, value) or raises 400 invalidFilter."""
    bad = ScimError(400, "invalidFilter",
                    "unsupported filter %r: only one of 'userName eq \"value\"' or 'externalId eq \"value\"' is supported" % (expr,))
    match = FILTER_RE.match(expr or "")
    if not match:
        raise bad
    attr, oper, raw = match.groups()
    attr = {"username": "userName", "externalid": "externalId"}.get(attr.lower())
    if attr is None or oper.lower() != "eq" or not raw:
        raise bad
    quoted = QUOTED_RE.match(raw)
    if quoted:
        value = re.sub(r"\\(.)", r"\1", quoted.group(1))
    elif '"' in raw or re.search(r"\s", raw):
        raise bad
    else:
        value = raw
    return attr, value


def _first_query(query):
    parsed = parse_qs(query or "", keep_blank_values=True)
    return {key: values[0] for key, values in parsed.items()}


def _int_param(query, name, default):
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise _invalid("%s must be an integer" % name) from None


def _paging(query):
    start = max(1, _int_param(query, "startIndex", 1))
    count = min(MAX_PAGE_SIZE, max(0, _int_param(query, "count", MAX_PAGE_SIZE)))
    return start, count


def _list_response(resources, total, start):
    return {
        "schemas": [SCHEMA_LIST],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


def _parse_json(body):
    if not body:
        raise ScimError(400, "invalidSyntax", "a JSON request body is required")
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ScimError(400, "invalidSyntax", "request body is not valid JSON: %s" % exc) from None
    if not isinstance(data, dict):
        raise ScimError(400, "invalidSyntax", "request body must be a JSON object")
    return data


def _validate_config(changes):
    """Validate config keys and values; returns a normalized copy."""
    out = {}
    for key, value in changes.items():
        if key not in DEFAULT_CONFIG:
            raise ValueError("unknown simulator config key %r (known: %s)" % (key, ", ".join(sorted(DEFAULT_CONFIG))))
        if key == "token_key_style" and value not in ("lower", "title"):
            raise ValueError("token_key_style must be 'lower' or 'title'")
        if key == "create_response" and value not in ("full", "minimal"):
            raise ValueError("create_response must be 'full' or 'minimal'")
        if key == "group_patch_response" and value not in ("empty", "full"):
            raise ValueError("group_patch_response must be 'empty' or 'full'")
        if key in ("rate_limit", "latency_ms") and value is None:
            value = 0
        if key in ("token_ttl", "rate_limit", "rate_limit_window", "latency_ms"):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError("%s must be a non-negative number" % key)
        if key == "faults":
            value = _validate_faults(value)
        out[key] = value
    return out


def _validate_faults(faults):
    if faults is None:
        return {}
    if not isinstance(faults, dict):
        raise ValueError("faults must be an object")
    unknown = set(faults) - FAULT_KEYS
    if unknown:
        raise ValueError("unknown fault keys: %s (known: %s)" % (", ".join(sorted(unknown)), ", ".join(sorted(FAULT_KEYS))))
    faults = copy.deepcopy(faults)
    codes = faults.get("p_5xx_codes", [503])
    if not isinstance(codes, list) or not codes or not all(isinstance(c, int) and 500 <= c <= 599 for c in codes):
        raise ValueError("p_5xx_codes must be a non-empty list of 5xx status codes")
    script = faults.get("script") or []
    if not isinstance(script, list):
        raise ValueError("faults.script must be a list")
    normalized = []
    for item in script:
        if not isinstance(item, dict) or "fault" not in item:
            raise ValueError("each faults.script entry needs a 'fault'")
        item = dict(item)
        name = str(item["fault"])
        if name.isdigit() and name not in ("429",):
            code = int(name)
            if not 500 <= code <= 599:
                raise ValueError("script fault status %s is not a 5xx" % name)
            item["fault"], item["status"] = "5xx", code
        elif name == "5xx":
            item["status"] = int(item.get("status", 503))
        elif name not in SCRIPT_FAULTS:
            raise ValueError("unknown script fault %r (known: %s, or a 5xx status)" % (name, ", ".join(sorted(SCRIPT_FAULTS))))
        if item.get("path"):
            re.compile(item["path"])
        item["times"] = int(item.get("times", 1))
        normalized.append(item)
    faults["script"] = normalized
    return faults


# ---------------------------------------------------------------- state

class SimState:
    """All simulator state and the API logic; every public method takes the lock."""

    def __init__(self, app_token, admin_user, admin_password, config):
        self.lock = threading.RLock()
        self.scim_url = "http://127.0.0.1" + SCIM_PREFIX
        self._base_config = copy.deepcopy(DEFAULT_CONFIG)
        self._base_config.update(_validate_config(config))
        self._base_accounts = {}
        self._base_app_tokens = {}
        if admin_user:
            self._base_accounts[admin_user.lower()] = {"password": admin_password, "admin": True}
        if app_token:
            self._base_app_tokens[app_token] = True
        self.reset()

    # -- lifecycle / config -------------------------------------------------

    def reset(self):
        """Wipe users and teams (back to the default team), log, tokens; config to its start values."""
        with self.lock:
            self.config = copy.deepcopy(self._base_config)
            self._accounts = copy.deepcopy(self._base_accounts)
            self._app_tokens = dict(self._base_app_tokens)
            self._tokens = {}
            self._users = {}
            self._order = []
            self._by_name = {}
            self._by_ext = {}
            self._teams = {}
            self._next_user = FIRST_USER_ID
            self._next_team = FIRST_TEAM_ID
            self._rl_start = None
            self._rl_count = 0
            self._apply_faults_config()
            self.clear_log()
            self._create_team(DEFAULT_TEAM_NAME, DEFAULT_TEAM_ID)

    def clear_log(self):
        """Clear the request log and the counters."""
        with self.lock:
            self._log = []
            self._seq = 0
            self._counters = {"reads": 0, "writes": 0, "token": 0, "total": 0, "status_429": 0}

    def configure(self, changes):
        """Merge config keys (validated); returns the whole config."""
        with self.lock:
            changes = _validate_config(changes)
            self.config.update(changes)
            if "faults" in changes:
                self._apply_faults_config()
            if "rate_limit" in changes or "rate_limit_window" in changes:
                self._rl_start = None
                self._rl_count = 0
            return copy.deepcopy(self.config)

    def _apply_faults_config(self):
        faults = self.config.get("faults") or {}
        self._rng = random.Random(faults.get("seed", 0))
        self._script = copy.deepcopy(faults.get("script") or [])

    def add_account(self, email, password, admin=True):
        """A user that can get a bearer token from the token endpoint."""
        with self.lock:
            self._accounts[email.lower()] = {"password": password, "admin": bool(admin)}

    def add_app_token(self, token, admin=True):
        """Another accepted app-token (admin=False: its owner is not a global admin -> 403)."""
        with self.lock:
            self._app_tokens[token] = bool(admin)

    def issue_token(self, email=None, ttl=None):
        """A bearer token for an account (default: the first admin account), as the token endpoint would."""
        with self.lock:
            if email is None:
                email = next(iter(self._accounts))
            email = email.lower()
            if email not in self._accounts:
                raise KeyError("no account %s" % email)
            token = secrets.token_hex(20)
            self._tokens[token] = (email, time.time() + (self.config["token_ttl"] if ttl is None else ttl))
            return token

    # -- log ----------------------------------------------------------------

    def log(self):
        """A copy of the request log."""
        with self.lock:
            return [dict(entry) for entry in self._log]

    def stats(self):
        """Counters: reads (SCIM non-writes), writes, token, total, status_429."""
        with self.lock:
            return dict(self._counters)

    def begin_request(self, method, rel, query, is_write, auth_kind):
        """Log a request, apply the rate limit, pick a fault.

        Returns (entry, fault or None, rate-limit headers, over the limit?, seconds of added latency).
        """
        with self.lock:
            self._seq += 1
            entry = {"seq": self._seq, "ts": time.time(), "method": method, "path": rel, "query": query,
                     "status": None, "fault": None, "auth": auth_kind, "write": bool(is_write)}
            self._log.append(entry)
            self._counters["total"] += 1
            if rel == "token":
                self._counters["token"] += 1
            elif is_write:
                self._counters["writes"] += 1
            else:
                self._counters["reads"] += 1
            rl_headers, limited = self._rate_limit()
            fault = None if limited else self._choose_fault(method, rel, is_write)
            if fault is not None:
                entry["fault"] = fault["name"]
            latency = float(self.config.get("latency_ms") or 0) + float((self.config.get("faults") or {}).get("latency_ms") or 0)
            return entry, fault, rl_headers, limited, latency / 1000.0

    def finish_request(self, entry, status):
        """Record the answered status of a logged request."""
        with self.lock:
            entry["status"] = status
            if status == 429:
                self._counters["status_429"] += 1

    def _rate_limit(self):
        limit = self.config.get("rate_limit") or 0
        if not limit:
            return {}, False
        window = float(self.config.get("rate_limit_window") or 60)
        now = time.monotonic()
        if self._rl_start is None or now - self._rl_start >= window:
            self._rl_start = now
            self._rl_count = 0
        self._rl_count += 1
        headers = self.rate_headers(now)
        return headers, self._rl_count > limit

    def rate_headers(self, now=None):
        """RateLimit-* headers for the current window ({} when the limiter is off)."""
        limit = self.config.get("rate_limit") or 0
        if not limit or self._rl_start is None:
            return {}
        now = time.monotonic() if now is None else now
        window = float(self.config.get("rate_limit_window") or 60)
        return {
            "RateLimit-Limit": str(int(limit)),
            "RateLimit-Remaining": str(max(0, int(limit) - self._rl_count)),
            "RateLimit-Reset": str(max(0, int(math.ceil(self._rl_start + window - now)))),
        }

    def retry_after(self, headers):
        """The Retry-After value for a 429, or None."""
        setting = self.config.get("retry_after_on_429")
        if setting is True:
            return headers.get("RateLimit-Reset", "1")
        if setting and not isinstance(setting, bool):
            return str(setting)
        return None

    def _choose_fault(self, method, rel, is_write):
        for index, item in enumerate(self._script):
            if item.get("method") and str(item["method"]).upper() != method:
                continue
            if item.get("path") and not re.search(item["path"], rel):
                continue
            item["times"] -= 1
            if item["times"] <= 0:
                del self._script[index]
            fault = dict(item)
            fault["name"] = str(item["status"]) if item["fault"] == "5xx" else item["fault"]
            return fault
        faults = self.config.get("faults") or {}
        if not any(faults.get(key) for key in ("p_503", "p_429", "p_drop_before", "p_drop_after", "p_slow", "p_malformed")):
            return None
        draws = [self._rng.random() for _draw in range(7)]
        if draws[0] < float(faults.get("p_drop_before") or 0):
            return {"name": "drop_before", "fault": "drop_before"}
        if draws[1] < float(faults.get("p_503") or 0):
            codes = faults.get("p_5xx_codes") or [503]
            code = codes[min(len(codes) - 1, int(draws[6] * len(codes)))]
            return {"name": str(code), "fault": "5xx", "status": code}
        if draws[2] < float(faults.get("p_429") or 0):
            return {"name": "429", "fault": "429"}
        if is_write and draws[3] < float(faults.get("p_drop_after") or 0):
            return {"name": "drop_after", "fault": "drop_after"}
        if method == "GET" and draws[4] < float(faults.get("p_malformed") or 0):
            return {"name": "malformed", "fault": "malformed"}
        if draws[5] < float(faults.get("p_slow") or 0):
            return {"name": "slow", "fault": "slow", "seconds": faults.get("slow_seconds", DEFAULT_SLOW_SECONDS)}
        return None

    def slow_seconds(self):
        """Configured slow-fault delay."""
        with self.lock:
            return float((self.config.get("faults") or {}).get("slow_seconds", DEFAULT_SLOW_SECONDS))

    # -- request handling -----------------------------------------------------

    def handle(self, kind, method, rel, query, body, headers):
        """Answer one API request (token or SCIM)."""
        with self.lock:
            try:
                if kind == "token":
                    return self._token(method, query, body, headers)
                if kind != "scim":
                    raise ScimError(404, None, "no such endpoint: %s" % rel)
                self._authenticate(headers)
                return self._route(method, rel, _first_query(query), body)
            except ScimError as err:
                return err.reply()

    def _token(self, method, query, body, headers):
        if method != "POST":
            raise ScimError(405, None, "the token endpoint only accepts POST", {"Allow": "POST"})
        grant = _first_query(query).get("grant_type")
        if grant is None and body and "x-www-form-urlencoded" in (headers.get("Content-Type") or ""):
            grant = _first_query(body.decode("utf-8", "replace")).get("grant_type")
        if grant is None:
            raise _invalid("grant_type is required (grant_type=client_credentials)")
        if grant != "client_credentials":
            raise _invalid("unsupported grant_type %r: only client_credentials is supported" % grant)
        authz = headers.get("Authorization") or ""
        scheme, _sep, cred = authz.partition(" ")
        if scheme.lower() != "basic" or not cred.strip():
            raise ScimError(401, None, "missing credentials: send Authorization: Basic base64(user:password)",
                            {"WWW-Authenticate": 'Basic realm="totango"'})
        try:
            user, _sep, password = base64.b64decode(cred.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ScimError(401, None, "malformed Basic credentials", {"WWW-Authenticate": 'Basic realm="totango"'}) from None
        account = self._accounts.get(user.lower())
        if account is None or account["password"] != password:
            raise ScimError(401, None, "invalid username or password", {"WWW-Authenticate": 'Basic realm="totango"'})
        ttl = int(self.config["token_ttl"])
        token = secrets.token_hex(20)
        self._tokens[token] = (user.lower(), time.time() + ttl)
        if self.config["token_key_style"] == "title":
            data = {"Access_token": token, "token_type": "Bearer", "Expires_in": ttl, "Scope": ""}
        else:
            data = {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "scope": ""}
        return Reply(200, data, content_type=JSON_CONTENT_TYPE)

    def _authenticate(self, headers):
        challenge = {"WWW-Authenticate": 'Bearer realm="totango"'}
        app_token = headers.get("app-token")
        authz = headers.get("Authorization")
        if app_token is not None:
            admin = self._app_tokens.get(app_token.strip())
            if admin is None:
                raise ScimError(401, None, "invalid app-token", challenge)
        elif authz:
            scheme, _sep, cred = authz.strip().partition(" ")
            if scheme.lower() != "bearer":
                raise ScimError(401, None, "unsupported Authorization scheme %r: use 'Bearer <access token>' or the app-token header" % scheme,
                                challenge)
            issued = self._tokens.get(cred.strip())
            if issued is None:
                raise ScimError(401, None, "invalid bearer token", challenge)
            email, expires = issued
            if time.time() >= expires:
                raise ScimError(401, None, "bearer token has expired", challenge)
            admin = self._accounts.get(email, {}).get("admin", False)
        else:
            raise ScimError(401, None, "missing credentials: send the app-token header or Authorization: Bearer <access token>", challenge)
        if not admin:
            raise ScimError(403, None, "the token does not belong to a user with global admin privileges")

    def _route(self, method, rel, query, body):
        parts = [unquote(part) for part in rel.split("/") if part]
        if not parts or parts[0] not in ("Users", "Groups") or len(parts) > 2:
            raise ScimError(404, None, "no such endpoint: %s" % rel)
        resource = parts[0]
        if len(parts) == 1:
            if resource == "Users":
                if method == "GET":
                    return self._list_users(query)
                if method == "POST":
                    return self._create_user_reply(_parse_json(body))
                raise ScimError(405, None, "%s is not supported on /Users" % method, {"Allow": "GET, POST"})
            if method == "GET":
                return self._list_groups(query)
            raise ScimError(405, None, "%s is not supported on /Groups (teams cannot be created via SCIM)" % method, {"Allow": "GET"})
        ident = parts[1]
        if resource == "Users":
            if method == "GET":
                return Reply(200, self._render_user(self._users[self._user_id(ident)]))
            if method == "PATCH":
                self._patch_user(self._user_id(ident), _parse_json(body))
                return Reply(204)
            if method == "PUT":
                self._replace_user(self._user_id(ident), _parse_json(body))
                return Reply(204)
            if method == "DELETE":
                raise ScimError(405, None, "user deletion is not supported by this API; disable the user (active: false) instead",
                                {"Allow": "GET, PUT, PATCH"})
            raise ScimError(405, None, "%s is not supported on /Users/{id}" % method, {"Allow": "GET, PUT, PATCH"})
        if method == "GET":
            return Reply(200, self._render_group(self._team_id(ident)))
        if method == "PUT":
            return Reply(200, self._put_group(self._team_id(ident), _parse_json(body)))
        if method == "PATCH":
            team_id = self._team_id(ident)
            self._patch_group(team_id, _parse_json(body))
            if self.config["group_patch_response"] == "full":
                return Reply(200, self._render_group(team_id))
            return Reply(200)
        raise ScimError(405, None, "%s is not supported on /Groups/{id}" % method, {"Allow": "GET, PUT, PATCH"})

    # -- lookups ----------------------------------------------------------------

    def _user_id(self, ident, status=404):
        ident = str(ident)
        if ident in self._users:
            return ident
        uid = self._by_name.get(ident.lower())
        if uid is None:
            if status == 404:
                raise ScimError(404, None, "user %s not found" % ident)
            raise _invalid("user %s does not exist" % ident)
        return uid

    def _team_id(self, ident):
        ident = str(ident)
        if ident not in self._teams:
            raise ScimError(404, None, "group %s not found" % ident)
        return ident

    # -- rendering ----------------------------------------------------------------

    def _render_user(self, rec):
        res = {"schemas": [SCHEMA_USER, SCHEMA_TOTANGO], "id": rec["id"], "userName": rec["userName"]}
        for key in ("externalId", "title", "displayName"):
            if rec[key]:
                res[key] = rec[key]
        name = {key: rec[key] for key in ("givenName", "familyName") if rec[key]}
        if name:
            res["name"] = name
        if rec["active"] is not None:
            res["active"] = rec["active"]
        groups = [{"value": tid, "$ref": "../Groups/%s" % tid, "display": self._teams[tid]["displayName"], "teamrole": role}
                  for tid, role in rec["teams"].items()]
        if groups:
            res["groups"] = groups
        ext = {}
        if rec["active"] is not None:
            ext["isActive"] = rec["active"]
        ext["license"] = [rec["license"]]
        ext["isAdmin"] = rec["isAdmin"]
        for key in ("managerEmail", "managerExternalId"):
            if rec[key]:
                ext[key] = rec[key]
        res[SCHEMA_TOTANGO] = ext
        res["meta"] = {"resourceType": "User", "created": rec["created"], "lastModified": rec["lastModified"],
                       "location": "%s/Users/%s" % (self.scim_url, rec["id"])}
        return res

    def _render_group(self, team_id):
        team = self._teams[team_id]
        return {
            "schemas": [SCHEMA_GROUP],
            "id": team_id,
            "displayName": team["displayName"],
            "members": [{"value": uid, "display": self._users[uid]["userName"]} for uid in team["members"]],
            "meta": {"resourceType": "Group", "created": team["created"], "lastModified": team["lastModified"],
                     "location": "%s/Groups/%s" % (self.scim_url, team_id)},
        }

    # -- listing ------------------------------------------------------------------

    def _list_users(self, query):
        start, count = _paging(query)
        if "filter" in query:
            attr, value = parse_filter(query["filter"])
            if attr == "userName":
                uid = self._by_name.get(value.lower())
                ids = [uid] if uid else []
            else:
                ids = self._by_ext.get(value, [])
        else:
            ids = self._order
        page = ids[start - 1:start - 1 + count]
        return Reply(200, _list_response([self._render_user(self._users[uid]) for uid in page], len(ids), start))

    def _list_groups(self, query):
        if "filter" in query:
            raise ScimError(400, "invalidFilter", "filtering groups is not supported")
        start, count = _paging(query)
        ids = list(self._teams)
        page = ids[start - 1:start - 1 + count]
        return Reply(200, _list_response([self._render_group(tid) for tid in page], len(ids), start))

    # -- users: parsing -------------------------------------------------------------

    def _parse_groups(self, value):
        """[{value, teamrole}] -> {team_id: role} (teams must exist)."""
        if value is None:
            return None
        if not isinstance(value, list):
            raise _invalid("groups must be a list of {value, teamrole}")
        teams = {}
        for item in value:
            if not isinstance(item, dict) or item.get("value") in (None, ""):
                raise _invalid("each groups entry needs a 'value' (team id)")
            tid = str(item["value"])
            if tid not in self._teams:
                raise _invalid("group %s does not exist" % tid)
            role = v_string("teamrole", item.get("teamrole"), 128) or DEFAULT_ROLE
            teams[tid] = role
        return teams

    def _parse_user_body(self, body):
        """Validate a full user body (POST/PUT/seed); returns the attributes it carries."""
        ext = body.get(SCHEMA_TOTANGO)
        if ext is None:
            ext = {}
        if not isinstance(ext, dict):
            raise ScimError(400, "invalidSyntax", "%s must be an object" % SCHEMA_TOTANGO)
        name = body.get("name")
        if name is None:
            name = {}
        if not isinstance(name, dict):
            raise _invalid("name must be an object with givenName and familyName")
        attrs = {
            "userName": v_email("userName", body.get("userName"), required=True),
            "givenName": v_string("givenName", name.get("givenName"), 30, required=True),
            "familyName": v_string("familyName", name.get("familyName"), 30, required=True),
            "externalId": v_string("externalId", body.get("externalId"), 128),
            "title": v_string("title", body.get("title"), 128),
            "displayName": v_string("displayName", body.get("displayName"), 128),
            "managerEmail": v_email("managerEmail", ext.get("managerEmail")),
            "managerExternalId": v_string("managerExternalId", ext.get("managerExternalId"), 128),
            "license": v_license(ext.get("license")),
        }
        active = v_bool("active", body.get("active"))
        is_active = v_bool("isActive", ext.get("isActive"))
        if active is not None and is_active is not None and active != is_active:
            raise _invalid("active and isActive disagree")
        attrs["active"] = active if active is not None else is_active
        attrs["isAdmin"] = v_bool("isAdmin", ext.get("isAdmin"))
        attrs["teams"] = self._parse_groups(body.get("groups")) or None
        return attrs

    def _check_unique(self, rec):
        other = self._by_name.get(rec["userName"])
        if other is not None and other != rec["id"]:
            raise ScimError(409, "uniqueness", "user already exists")
        if self.config["validate_external_id_uniqueness"] and rec["externalId"]:
            if any(uid != rec["id"] for uid in self._by_ext.get(rec["externalId"], [])):
                raise ScimError(409, "uniqueness", "externalId %s already exists" % rec["externalId"])

    def _check_admin_allowed(self, old, new):
        if self.config["allow_global_admin"]:
            return
        if new["isAdmin"] or (old is not None and old["isAdmin"]):
            raise ScimError(403, None, "operations on global admin users via SCIM are disabled in the SCIM settings")

    @staticmethod
    def _check_license_change(old, new):
        if old["license"] in ("spark", "zoe") and new["license"] == "viewer":
            raise _invalid("cannot change license from Spark or Zoe to Viewer")

    # -- users: writes ----------------------------------------------------------------

    def create_user(self, body, user_id=None):
        """Validate and create a user; returns the record."""
        attrs = self._parse_user_body(body)
        now = _now_iso()
        if user_id is not None:
            user_id = str(user_id)
            if user_id in self._users:
                raise ScimError(409, "uniqueness", "user id %s already exists" % user_id)
        else:
            user_id = str(self._next_user)
            while user_id in self._users:
                self._next_user += 1
                user_id = str(self._next_user)
            self._next_user += 1
        rec = {
            "id": user_id,
            "userName": attrs["userName"],
            "externalId": attrs["externalId"],
            "title": attrs["title"],
            "displayName": attrs["displayName"] or "%s %s" % (attrs["familyName"], attrs["givenName"]),
            "givenName": attrs["givenName"],
            "familyName": attrs["familyName"],
            "active": attrs["active"],
            "license": attrs["license"] or "spark",
            "isAdmin": bool(attrs["isAdmin"]),
            "managerEmail": attrs["managerEmail"],
            "managerExternalId": attrs["managerExternalId"],
            "teams": {},
            "created": now,
            "lastModified": now,
        }
        self._check_unique(rec)
        self._check_admin_allowed(None, rec)
        self._users[user_id] = rec
        self._order.append(user_id)
        self._by_name[rec["userName"]] = user_id
        if rec["externalId"]:
            self._by_ext.setdefault(rec["externalId"], []).append(user_id)
        self._set_user_teams(user_id, attrs["teams"] or {DEFAULT_TEAM_ID: DEFAULT_ROLE})
        return rec

    def _create_user_reply(self, body):
        rec = self.create_user(body)
        if self.config["create_response"] == "minimal":
            data = {"schemas": [SCHEMA_USER, SCHEMA_TOTANGO], "meta": {"created": rec["created"], "resourceType": "User"},
                    "userName": rec["userName"]}
            return Reply(201, data)
        return Reply(201, self._render_user(rec), {"Location": "%s/Users/%s" % (self.scim_url, rec["id"])})

    def _replace_user(self, user_id, body):
        old = self._users[user_id]
        attrs = self._parse_user_body(body)
        keep = self.config["keep_teams_on_replace"]
        new = dict(old)
        new.update({
            "userName": attrs["userName"],
            "externalId": attrs["externalId"],
            "title": attrs["title"],
            "displayName": attrs["displayName"] or "%s %s" % (attrs["familyName"], attrs["givenName"]),
            "givenName": attrs["givenName"],
            "familyName": attrs["familyName"],
            "active": attrs["active"],
            "license": attrs["license"] or "spark",
            "managerEmail": attrs["managerEmail"],
            "managerExternalId": attrs["managerExternalId"],
        })
        if attrs["isAdmin"] is not None:
            new["isAdmin"] = attrs["isAdmin"]
        elif not keep:
            new["isAdmin"] = False
        if attrs["teams"]:
            new["teams"] = attrs["teams"]
        elif keep and old["teams"]:
            new["teams"] = dict(old["teams"])
        else:
            new["teams"] = {DEFAULT_TEAM_ID: DEFAULT_ROLE}
        self._check_license_change(old, new)
        self._check_unique(new)
        self._check_admin_allowed(old, new)
        self._commit_user(old, new)

    def _patch_user(self, user_id, body):
        schemas = body.get("schemas")
        if not isinstance(schemas, list) or SCHEMA_PATCH not in schemas:
            raise ScimError(400, "invalidSyntax", "schemas must contain %s" % SCHEMA_PATCH)
        ops = body.get("Operations")
        if not isinstance(ops, list) or not ops:
            raise ScimError(400, "invalidSyntax", "Operations must be a non-empty list")
        old = self._users[user_id]
        new = dict(old)
        new["teams"] = dict(old["teams"])
        for operation in ops:
            if not isinstance(operation, dict):
                raise ScimError(400, "invalidSyntax", "each operation must be an object")
            op = str(operation.get("op", "")).lower()
            if op not in ("add", "replace", "remove"):
                raise ScimError(400, "invalidSyntax", "op must be add, replace or remove (got %r)" % operation.get("op"))
            path = operation.get("path")
            value = operation.get("value")
            if path in (None, ""):
                if op == "remove":
                    raise ScimError(400, "noTarget", "remove needs a path")
                if not isinstance(value, dict):
                    raise ScimError(400, "invalidSyntax", "an operation without a path needs an object value")
                for attr, sub in self._flatten_value(value):
                    self._apply_user_op(new, op, attr, sub)
                continue
            if not isinstance(path, str):
                raise ScimError(400, "invalidPath", "path must be a string")
            member = MEMBER_FILTER_RE.match(path)
            if member and member.group(1).lower() == "groups":
                if op != "remove":
                    raise ScimError(400, "invalidPath", "a groups[value eq ...] path is only supported with remove")
                self._apply_user_op(new, op, "groups", [{"value": member.group(2)}])
                continue
            self._apply_user_op(new, op, self._patch_attr(path), value)
        self._check_license_change(old, new)
        self._check_unique(new)
        self._check_admin_allowed(old, new)
        self._commit_user(old, new)

    @staticmethod
    def _patch_attr(path):
        low = path.strip().lower()
        ext_prefix = SCHEMA_TOTANGO.lower() + ":"
        core_prefix = SCHEMA_USER.lower() + ":"
        if low.startswith(ext_prefix):
            attr = EXT_PATCH_PATHS.get(low[len(ext_prefix):])
        elif low.startswith(core_prefix):
            attr = CORE_PATCH_PATHS.get(low[len(core_prefix):])
        else:
            attr = CORE_PATCH_PATHS.get(low) or EXT_PATCH_PATHS.get(low)
        if attr is None:
            raise ScimError(400, "invalidPath", "attribute %r cannot be modified with PATCH; supported: %s" % (path, PATCH_SUPPORTED))
        return attr

    def _flatten_value(self, value):
        """A no-path PATCH value object -> [(attr, value)]."""
        out = []
        for key, sub in value.items():
            if key == "schemas":
                continue
            if key == SCHEMA_TOTANGO:
                if not isinstance(sub, dict):
                    raise ScimError(400, "invalidSyntax", "%s must be an object" % SCHEMA_TOTANGO)
                for ext_key, ext_value in sub.items():
                    attr = EXT_PATCH_PATHS.get(ext_key.lower())
                    if attr is None:
                        raise ScimError(400, "invalidPath", "attribute %r cannot be modified with PATCH; supported: %s" % (ext_key, PATCH_SUPPORTED))
                    out.append((attr, ext_value))
                continue
            attr = CORE_PATCH_PATHS.get(key.lower()) or EXT_PATCH_PATHS.get(key.lower())
            if attr is None:
                raise ScimError(400, "invalidPath", "attribute %r cannot be modified with PATCH; supported: %s" % (key, PATCH_SUPPORTED))
            out.append((attr, sub))
        return out

    def _apply_user_op(self, new, op, attr, value):
        """Apply one validated PATCH operation to the working copy."""
        cannot_remove = ScimError(400, "mutability", "%s cannot be removed or set to an empty value" % attr)
        if op == "remove":
            if attr in ("userName", "name", "name.givenName"):
                raise cannot_remove
            if attr == "groups":
                if not value:
                    raise cannot_remove
                for tid in self._parse_member_values(value, kind="team"):
                    new["teams"].pop(tid, None)
                if not new["teams"]:
                    raise ScimError(400, "mutability", "groups cannot be set to an empty value: a user needs at least one team")
                return
            if attr == "name.familyName":
                new["familyName"] = None
            elif attr == "license":
                new["license"] = "spark"
            else:
                new[attr] = None
            return
        if attr == "userName":
            if value in (None, ""):
                raise cannot_remove
            new["userName"] = v_email("userName", value, required=True)
        elif attr == "name":
            if value is None or value == {}:
                raise ScimError(400, "mutability", "name.givenName cannot be removed or set to an empty value")
            if not isinstance(value, dict):
                raise _invalid("name must be an object with givenName and/or familyName")
            if "givenName" in value:
                self._apply_user_op(new, op, "name.givenName", value["givenName"])
            if "familyName" in value:
                self._apply_user_op(new, op, "name.familyName", value["familyName"])
        elif attr == "name.givenName":
            if value in (None, ""):
                raise ScimError(400, "mutability", "name.givenName cannot be removed or set to an empty value")
            new["givenName"] = v_string("givenName", value, 30, required=True)
        elif attr == "name.familyName":
            new["familyName"] = v_string("familyName", value, 30)
        elif attr in ("externalId", "title", "managerExternalId"):
            new[attr] = v_string(attr, value, 128)
        elif attr == "managerEmail":
            new[attr] = v_email(attr, value)
        elif attr == "active":
            new["active"] = v_bool("active", value)
        elif attr == "license":
            lic = v_license(value)
            if lic is None:
                raise _invalid("license must be one of Spark, Zoe, Viewer")
            new["license"] = lic
        elif attr == "groups":
            teams = self._parse_groups(value if isinstance(value, list) or value is None else [value])
            if op == "replace":
                if not teams:
                    raise cannot_remove
                new["teams"] = teams
            else:
                if not teams:
                    raise cannot_remove
                new["teams"].update(teams)
        else:  # pragma: no cover - guarded by _patch_attr
            raise ScimError(400, "invalidPath", "unsupported attribute %s" % attr)

    def _commit_user(self, old, new):
        user_id = old["id"]
        if old["userName"] != new["userName"]:
            del self._by_name[old["userName"]]
            self._by_name[new["userName"]] = user_id
        if old["externalId"] != new["externalId"]:
            if old["externalId"]:
                ids = self._by_ext.get(old["externalId"], [])
                if user_id in ids:
                    ids.remove(user_id)
                if not ids:
                    self._by_ext.pop(old["externalId"], None)
            if new["externalId"]:
                self._by_ext.setdefault(new["externalId"], []).append(user_id)
        teams = new["teams"]
        new["teams"] = old["teams"]
        new["lastModified"] = _now_iso()
        self._users[user_id] = new
        self._set_user_teams(user_id, teams)

    # -- memberships -----------------------------------------------------------------

    def _set_user_teams(self, user_id, teams):
        rec = self._users[user_id]
        old = rec["teams"]
        now = _now_iso()
        for tid in old:
            if tid not in teams:
                self._teams[tid]["members"].pop(user_id, None)
                self._teams[tid]["lastModified"] = now
        for tid, role in teams.items():
            if tid not in old or old[tid] != role:
                self._teams[tid]["members"][user_id] = None
                self._teams[tid]["lastModified"] = now
        rec["teams"] = dict(teams)

    def _set_team_members(self, team_id, user_ids):
        team = self._teams[team_id]
        wanted = dict.fromkeys(user_ids)
        now = _now_iso()
        changed = False
        for uid in list(team["members"]):
            if uid not in wanted:
                del team["members"][uid]
                self._users[uid]["teams"].pop(team_id, None)
                self._users[uid]["lastModified"] = now
                changed = True
                if not self._users[uid]["teams"] and self.config["teamless_to_default_team"]:
                    self._teams[DEFAULT_TEAM_ID]["members"][uid] = None
                    self._users[uid]["teams"][DEFAULT_TEAM_ID] = DEFAULT_ROLE
        for uid in wanted:
            if uid not in team["members"]:
                team["members"][uid] = None
                self._users[uid]["teams"][team_id] = DEFAULT_ROLE
                self._users[uid]["lastModified"] = now
                changed = True
        if changed:
            team["lastModified"] = now

    def _parse_member_values(self, value, kind="user"):
        """[{value}] -> ids; users must exist (id or e-mail); teams are taken as given."""
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list):
            raise _invalid("value must be a list of {\"value\": id}")
        out = []
        for item in value:
            if not isinstance(item, dict) or item.get("value") in (None, ""):
                raise _invalid("each entry needs a 'value'")
            ident = str(item["value"])
            out.append(self._user_id(ident, status=400) if kind == "user" else ident)
        return out

    # -- groups ----------------------------------------------------------------------

    def _create_team(self, name, team_id=None):
        now = _now_iso()
        if team_id is None:
            team_id = str(self._next_team)
            while team_id in self._teams:
                self._next_team += 1
                team_id = str(self._next_team)
            self._next_team += 1
        team_id = str(team_id)
        if team_id in self._teams:
            raise ValueError("team id %s already exists" % team_id)
        if not isinstance(name, str) or not name.strip():
            raise ValueError("a team needs a displayName")
        self._teams[team_id] = {"id": team_id, "displayName": name, "members": {}, "created": now, "lastModified": now}
        return team_id

    def _put_group(self, team_id, body):
        members = body.get("members")
        if members is None:
            members = []
        if not isinstance(members, list):
            raise _invalid("members must be a list of {\"value\": user id}")
        user_ids = self._parse_member_values(members)
        name = body.get("displayName")
        if name is not None:
            name = v_string("displayName", name, 128, required=True)
        if name and name != self._teams[team_id]["displayName"]:
            self._teams[team_id]["displayName"] = name
            self._teams[team_id]["lastModified"] = _now_iso()
        self._set_team_members(team_id, user_ids)
        return self._render_group(team_id)

    def _patch_group(self, team_id, body):
        ops = body.get("Operations")
        if not isinstance(ops, list) or not ops:
            raise ScimError(400, "invalidSyntax", "Operations must be a non-empty list")
        members = list(self._teams[team_id]["members"])
        new_name = None
        for operation in ops:
            if not isinstance(operation, dict):
                raise ScimError(400, "invalidSyntax", "each operation must be an object")
            op = str(operation.get("op", "")).lower()
            path = operation.get("path") or ""
            value = operation.get("value")
            if op not in ("add", "replace", "remove"):
                raise ScimError(400, "invalidSyntax", "op must be add, replace or remove (got %r)" % operation.get("op"))
            match = MEMBER_FILTER_RE.match(path) if isinstance(path, str) else None
            if match and match.group(1).lower() == "members":
                if op != "remove":
                    raise ScimError(400, "invalidPath", "a members[value eq ...] path is only supported with remove")
                value, path = [{"value": match.group(2)}], "members"
            if not isinstance(path, str):
                raise ScimError(400, "invalidPath", "path must be a string")
            if path.lower() == "displayname" and op in ("add", "replace"):
                new_name = v_string("displayName", value, 128, required=True)
                continue
            if path.lower() != "members":
                raise ScimError(400, "invalidPath", "unsupported path %r for Groups (supported: members)" % path)
            if op == "remove" and value is None:
                members = []
                continue
            ids = self._parse_member_values(value)
            if op == "add":
                members.extend(uid for uid in ids if uid not in members)
            elif op == "replace":
                members = list(dict.fromkeys(ids))
            else:
                drop = set(ids)
                members = [uid for uid in members if uid not in drop]
        if new_name is not None and new_name != self._teams[team_id]["displayName"]:
            self._teams[team_id]["displayName"] = new_name
            self._teams[team_id]["lastModified"] = _now_iso()
        self._set_team_members(team_id, members)

    # -- in-process helpers ------------------------------------------------------------

    def add_team(self, name, team_id=None):
        """Create a team; returns its id."""
        with self.lock:
            return self._create_team(name, team_id)

    def seed_users(self, bodies):
        """Create users (validated like POST, no auth, not logged). A body may carry "id"."""
        with self.lock:
            out = []
            for body in bodies:
                if not isinstance(body, dict):
                    raise _invalid("each user must be an object")
                out.append(self._render_user(self.create_user(body, user_id=body.get("id"))))
            return out

    def user(self, email_or_id):
        """A user resource by e-mail (case-insensitive) or id, or None."""
        with self.lock:
            ident = str(email_or_id)
            uid = ident if ident in self._users else self._by_name.get(ident.lower())
            return self._render_user(self._users[uid]) if uid else None

    def team(self, id_or_name):
        """A group resource by id or display name (exact first, then case-insensitive), or None."""
        with self.lock:
            ident = str(id_or_name)
            if ident in self._teams:
                return self._render_group(ident)
            for tid, team in self._teams.items():
                if team["displayName"] == ident:
                    return self._render_group(tid)
            for tid, team in self._teams.items():
                if team["displayName"].lower() == ident.lower():
                    return self._render_group(tid)
            return None

    def users(self):
        """All user resources, in creation order."""
        with self.lock:
            return [self._render_user(self._users[uid]) for uid in self._order]

    def teams(self):
        """All group resources."""
        with self.lock:
            return [self._render_group(tid) for tid in self._teams]

    def state(self):
        """Users, groups and config."""
        with self.lock:
            return {"users": self.users(), "groups": self.teams(), "config": copy.deepcopy(self.config)}

    # -- control API ------------------------------------------------------------------

    def control(self, method, path, body):
        """Answer a /_sim/ control request (no auth, not logged, not faulted)."""
        try:
            return self._control(method, path.rstrip("/") or "/", body)
        except ScimError as err:
            return err.reply()
        except (ValueError, KeyError, TypeError) as exc:
            return error_reply(400, "invalidValue", str(exc))

    def _control(self, method, path, body):
        if path == "/log" and method == "GET":
            return Reply(200, self.log(), content_type=JSON_CONTENT_TYPE)
        if path == "/log" and method == "DELETE":
            self.clear_log()
            return Reply(204)
        if path == "/stats" and method == "GET":
            return Reply(200, self.stats(), content_type=JSON_CONTENT_TYPE)
        if path == "/reset" and method == "POST":
            self.reset()
            return Reply(200, {"reset": True}, content_type=JSON_CONTENT_TYPE)
        if path == "/config" and method == "GET":
            with self.lock:
                return Reply(200, copy.deepcopy(self.config), content_type=JSON_CONTENT_TYPE)
        if path == "/config" and method == "POST":
            return Reply(200, self.configure(_parse_json(body)), content_type=JSON_CONTENT_TYPE)
        if path == "/state" and method == "GET":
            return Reply(200, self.state(), content_type=JSON_CONTENT_TYPE)
        if path == "/users" and method == "POST":
            return self._control_users(body)
        if path == "/groups" and method == "POST":
            return self._control_groups(body)
        if path == "/accounts" and method == "POST":
            return self._control_account(body)
        if path == "/app_tokens" and method == "POST":
            return self._control_app_token(body)
        if path == "/token" and method == "POST":
            return self._control_token(body)
        raise ScimError(404, None, "no such control endpoint: %s %s%s" % (method, CONTROL_PREFIX, path))

    def _control_users(self, body):
        try:
            data = json.loads(body.decode("utf-8")) if body else None
        except (ValueError, UnicodeDecodeError):
            raise ScimError(400, "invalidSyntax", "request body is not valid JSON") from None
        if isinstance(data, dict):
            data = data.get("users", data.get("Resources"))
        if not isinstance(data, list):
            raise _invalid("send a list of SCIM user bodies (or {\"users\": [...]})")
        with self.lock:
            return Reply(201, self.seed_users(data), content_type=JSON_CONTENT_TYPE)

    def _control_groups(self, body):
        data = _parse_json(body)
        with self.lock:
            team_id = self._create_team(data.get("displayName"), data.get("id"))
            return Reply(201, self._render_group(team_id), content_type=JSON_CONTENT_TYPE)

    def _control_account(self, body):
        data = _parse_json(body)
        self.add_account(data["email"], data["password"], data.get("admin", True))
        return Reply(201, {"email": data["email"].lower(), "admin": bool(data.get("admin", True))}, content_type=JSON_CONTENT_TYPE)

    def _control_app_token(self, body):
        data = _parse_json(body)
        self.add_app_token(data["token"], data.get("admin", True))
        return Reply(201, {"admin": bool(data.get("admin", True))}, content_type=JSON_CONTENT_TYPE)

    def _control_token(self, body):
        data = _parse_json(body) if body else {}
        return Reply(200, {"access_token": self.issue_token(data.get("email"), data.get("ttl"))}, content_type=JSON_CONTENT_TYPE)


# ---------------------------------------------------------------- HTTP

def _auth_kind(headers):
    if headers.get("app-token") is not None:
        return "app-token"
    scheme = (headers.get("Authorization") or "").strip().partition(" ")[0].lower()
    if scheme == "bearer":
        return "bearer"
    if scheme == "basic":
        return "basic"
    return "none"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    sim = None
    ssl_context = None

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], OSError):
            return  # client went away, TLS handshake failed, timeouts: not worth a traceback
        super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "TotangoSim/1.0"
    timeout = 120

    def version_string(self):
        return self.server_version

    def setup(self):
        try:
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        ctx = self.server.ssl_context
        if ctx is not None:
            self.request.settimeout(self.timeout)
            self.request = ctx.wrap_socket(self.request, server_side=True)
        super().setup()

    def finish(self):
        try:
            super().finish()
        finally:
            if self.server.ssl_context is not None:
                try:
                    self.connection.close()
                except OSError:
                    pass

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        return

    def do_GET(self):  # noqa: N802 - http.server naming
        self._dispatch("GET")

    def do_POST(self):  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self):  # noqa: N802
        self._dispatch("PUT")

    def do_PATCH(self):  # noqa: N802
        self._dispatch("PATCH")

    def do_DELETE(self):  # noqa: N802
        self._dispatch("DELETE")

    def _read_body(self):
        length = self.headers.get("Content-Length")
        if length is not None:
            try:
                size = int(length)
            except ValueError:
                size = -1
            if size < 0:
                raise ScimError(400, "invalidSyntax", "bad Content-Length")
            return self.rfile.read(size) if size else b""
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        return b""

    def _dispatch(self, method):
        split = urlsplit(self.path)
        path = split.path
        sim = self.server.sim
        try:
            body = self._read_body()
        except (ScimError, ValueError) as exc:
            self.close_connection = True
            self._send(exc.reply() if isinstance(exc, ScimError) else error_reply(400, "invalidSyntax", "bad chunked body"))
            return
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            self._send(sim.control(method, path[len(CONTROL_PREFIX):], body))
            return
        if path == TOKEN_PATH:
            kind, rel = "token", "token"
        elif path == SCIM_PREFIX or path.startswith(SCIM_PREFIX + "/"):
            kind, rel = "scim", path[len(SCIM_PREFIX):] or "/"
        else:
            kind, rel = "other", path
        is_write = kind == "scim" and method in WRITE_METHODS and bool(RESOURCE_RE.match(rel))
        entry, fault, rl_headers, limited, latency = sim.begin_request(method, rel, split.query, is_write, _auth_kind(self.headers))
        fault_name = fault["fault"] if fault else None
        if fault_name == "slow":
            latency += float(fault.get("seconds", sim.slow_seconds()))
        elif fault_name == "latency":
            latency += float(fault.get("ms", fault.get("latency_ms", 500))) / 1000.0
        if latency > 0:
            time.sleep(latency)
        if fault_name == "drop_before":
            sim.finish_request(entry, None)
            self._drop()
            return
        if limited:
            reply = error_reply(429, None, "rate limit exceeded: %s requests per minute" % rl_headers.get("RateLimit-Limit"))
            retry = sim.retry_after(rl_headers)
            if retry is not None:
                reply.headers["Retry-After"] = retry
        elif fault_name == "5xx":
            code = int(fault.get("status", 503))
            reply = error_reply(code, None, "simulated %d failure" % code)
        elif fault_name == "429":
            reply = error_reply(429, None, "rate limit exceeded (simulated)")
            rl_headers = rl_headers or {"RateLimit-Limit": "100", "RateLimit-Remaining": "0", "RateLimit-Reset": "60"}
            retry = fault.get("retry_after", sim.retry_after(rl_headers))
            if retry is not None:
                reply.headers["Retry-After"] = str(retry)
        else:
            try:
                reply = sim.handle(kind, method, rel, split.query, body, self.headers)
            except Exception as exc:  # a simulator bug: answer 500 rather than hang the client
                traceback.print_exc()
                reply = error_reply(500, None, "internal simulator error: %s" % exc)
        reply.headers.update(rl_headers)
        if fault_name == "drop_after":
            sim.finish_request(entry, reply.status)
            self._drop()
            return
        if fault_name == "malformed":
            data = reply.data() or b'{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "Resources": []}'
            reply = Reply(200, data[:max(1, len(data) // 2)], reply.headers, reply.content_type)
        sim.finish_request(entry, reply.status)
        self._send(reply)

    def _drop(self):
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass

    def _send(self, reply):
        data = reply.data()
        self.send_response(reply.status)
        if reply.status != 204:
            if data:
                self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(data)))
        for key, value in reply.headers.items():
            self.send_header(key, str(value))
        self.end_headers()
        if data and reply.status != 204:
            self.wfile.write(data)


# ---------------------------------------------------------------- public API

class TotangoSimulator:
    """A Totango SCIM simulator on a real socket; start()/stop() or use as a context manager."""

    def __init__(self, host="127.0.0.1", port=0, app_token=DEFAULT_APP_TOKEN, admin_user=DEFAULT_ADMIN_USER,
                 admin_password=DEFAULT_ADMIN_PASSWORD, tls=False, **config):
        self.host = host
        self.port = port
        self.app_token = app_token
        self.admin_user = admin_user
        self.admin_password = admin_password
        self.tls = tls
        self.cert_path = None
        self.key_path = None
        self.state = SimState(app_token, admin_user, admin_password, config)
        self._server = None
        self._thread = None
        self._tmpdir = None

    # -- lifecycle -------------------------------------------------------------

    def start(self):
        """Bind and serve in a background thread; returns self."""
        if self._server is not None:
            return self
        server_cls = _Server6 if ":" in self.host else _Server
        server = server_cls((self.host, self.port), _Handler)
        server.sim = self.state
        if self.tls:
            try:
                server.ssl_context = self._make_tls_context()
            except Exception:
                server.server_close()
                raise
        self._server = server
        self.port = server.server_address[1]
        self.state.scim_url = self.scim_url
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="totango-sim-%d" % self.port, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop serving and release the port (and the TLS temp dir)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = None
            self._thread = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def _make_tls_context(self):
        self._tmpdir = tempfile.mkdtemp(prefix="totango-sim-tls-")
        self.cert_path = os.path.join(self._tmpdir, "cert.pem")
        self.key_path = os.path.join(self._tmpdir, "key.pem")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
             "-keyout", self.key_path, "-out", self.cert_path, "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
             "-addext", "basicConstraints=critical,CA:TRUE"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert_path, self.key_path)
        return ctx

    # -- URLs -------------------------------------------------------------------

    @property
    def base_url(self):
        """scheme://host:port"""
        host = self.host
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = "[%s]" % host
        return "%s://%s:%d" % ("https" if self.tls else "http", host, self.port)

    @property
    def scim_url(self):
        """The SCIM base URL (up to the service id)."""
        return self.base_url + SCIM_PREFIX

    @property
    def token_url(self):
        """The OAuth token endpoint."""
        return self.base_url + TOKEN_PATH

    # -- log and config ---------------------------------------------------------------

    def log(self):
        """Every SCIM/token request so far (dicts: seq, ts, method, path, query, status, fault, auth, write)."""
        return self.state.log()

    def clear_log(self):
        """Forget the log and counters."""
        self.state.clear_log()

    def writes(self):
        """Logged write requests (POST/PUT/PATCH/DELETE on Users/Groups)."""
        return [entry for entry in self.log() if entry["write"]]

    def reads(self):
        """Logged SCIM requests that are not writes (token requests excluded)."""
        return [entry for entry in self.log() if not entry["write"] and entry["path"] != "token"]

    def stats(self):
        """{"reads", "writes", "token", "total", "status_429"}"""
        return self.state.stats()

    def reset(self):
        """Users/teams back to the default team, log cleared, config/accounts/tokens to their start values."""
        self.state.reset()

    def configure(self, **changes):
        """Merge config keys; returns the whole config."""
        return self.state.configure(changes)

    @property
    def config(self):
        """A copy of the current config."""
        with self.state.lock:
            return copy.deepcopy(self.state.config)

    # -- data -------------------------------------------------------------------------

    def add_team(self, name, team_id=None):
        """Create a team; returns its id."""
        return self.state.add_team(name, team_id)

    def seed_users(self, bodies):
        """Create users from SCIM bodies (validated like POST; no auth; not logged); returns resources."""
        return self.state.seed_users(bodies)

    def user(self, email):
        """The user resource for an e-mail (case-insensitive) or id, or None."""
        return self.state.user(email)

    def users(self):
        """All user resources."""
        return self.state.users()

    def team(self, id_or_name):
        """The group resource for a team id or display name, or None."""
        return self.state.team(id_or_name)

    def teams(self):
        """All group resources."""
        return self.state.teams()

    def add_account(self, email, password, admin=True):
        """An account for the token endpoint."""
        self.state.add_account(email, password, admin)

    def add_app_token(self, token, admin=True):
        """Another accepted app-token."""
        self.state.add_app_token(token, admin)

    def issue_token(self, email=None, ttl=None):
        """A bearer token for an account (default: the admin), without a token request."""
        return self.state.issue_token(email, ttl)

    def issued_tokens(self):
        """Every bearer token issued since the last reset, so tests can grep output for them."""
        with self.state.lock:
            return list(self.state._tokens)  # pylint: disable=protected-access

    def snapshot(self):
        """Users, groups and config (what GET /_sim/state returns)."""
        return self.state.state()


# ---------------------------------------------------------------- CLI

def main(argv=None):
    """Run the simulator until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(description="Totango SCIM API simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--app-token", default=DEFAULT_APP_TOKEN)
    parser.add_argument("--admin-user", default=DEFAULT_ADMIN_USER)
    parser.add_argument("--admin-password", default=DEFAULT_ADMIN_PASSWORD)
    parser.add_argument("--rate-limit", type=int, default=0, help="requests per minute (0: off)")
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a fresh self-signed certificate")
    parser.add_argument("--config", default=None, help="extra config as a JSON object (or @file.json)")
    args = parser.parse_args(argv)
    config = {"rate_limit": args.rate_limit, "latency_ms": args.latency_ms}
    if args.config:
        if args.config.startswith("@"):
            with open(args.config[1:], encoding="utf-8") as handle:
                config.update(json.load(handle))
        else:
            config.update(json.loads(args.config))
    sim = TotangoSimulator(host=args.host, port=args.port, app_token=args.app_token, admin_user=args.admin_user,
                           admin_password=args.admin_password, tls=args.tls, **config)
    stop = threading.Event()

    def _on_signal(_signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    sim.start()
    line = "scim_url=%s token_url=%s" % (sim.scim_url, sim.token_url)
    if sim.cert_path:
        line += " cert=%s" % sim.cert_path
    print(line, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
