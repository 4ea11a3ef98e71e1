# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Authentication: the app-token header, OAuth bearer tokens, and the token endpoint that issues them."""

from __future__ import annotations

import base64
import binascii
import copy
import secrets
import time

from tests.simulator.defaults import JSON_CONTENT_TYPE
from tests.simulator.filters import first_query
from tests.simulator.replies import Reply, ScimError, invalid

_BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="totango"'}
_BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="totango"'}


def auth_kind(headers):
    """How a request authenticates, for the log: app-token, bearer, basic or none."""
    if headers.get("app-token") is not None:
        return "app-token"
    scheme = (headers.get("Authorization") or "").strip().partition(" ")[0].lower()
    if scheme in ("bearer", "basic"):
        return scheme
    return "none"


class Auth:
    """Accounts (token endpoint), app tokens and issued bearer tokens; the caller holds the lock."""

    def __init__(self, app_token, admin_user, admin_password):
        self._base_accounts = {}
        self._base_app_tokens = {}
        if admin_user:
            self._base_accounts[admin_user.lower()] = {"password": admin_password, "admin": True}
        if app_token:
            self._base_app_tokens[app_token] = True
        self.reset()

    def reset(self):
        """Accounts and app tokens back to the start; no bearer tokens."""
        self.accounts = copy.deepcopy(self._base_accounts)
        self.app_tokens = dict(self._base_app_tokens)
        self.tokens = {}

    def add_account(self, email, password, admin=True):
        """A user that can get a bearer token from the token endpoint."""
        self.accounts[email.lower()] = {"password": password, "admin": bool(admin)}

    def add_app_token(self, token, admin=True):
        """Another accepted app-token (admin=False: its owner is not a global admin -> 403)."""
        self.app_tokens[token] = bool(admin)

    def issue_token(self, email, ttl):
        """A bearer token for an account (default: the first one)."""
        if email is None:
            email = next(iter(self.accounts))
        email = email.lower()
        if email not in self.accounts:
            raise KeyError("no account %s" % email)
        token = secrets.token_hex(20)
        self.tokens[token] = (email, time.time() + ttl)
        return token

    def token_endpoint(self, method, query, body, headers, config):
        """POST {site}/oauth2/api/v1/token?grant_type=client_credentials with Basic credentials."""
        if method != "POST":
            raise ScimError(405, None, "the token endpoint only accepts POST", {"Allow": "POST"})
        grant = first_query(query).get("grant_type")
        if grant is None and body and "x-www-form-urlencoded" in (headers.get("Content-Type") or ""):
            grant = first_query(body.decode("utf-8", "replace")).get("grant_type")
        if grant is None:
            raise invalid("grant_type is required (grant_type=client_credentials)")
        if grant != "client_credentials":
            raise invalid("unsupported grant_type %r: only client_credentials is supported" % grant)
        user, password = self._basic_credentials(headers.get("Authorization") or "")
        account = self.accounts.get(user.lower())
        if account is None or account["password"] != password:
            raise ScimError(401, None, "invalid username or password", _BASIC_CHALLENGE)
        ttl = int(config["token_ttl"])
        token = self.issue_token(user, ttl)
        if config["token_key_style"] == "title":
            data = {"Access_token": token, "token_type": "Bearer", "Expires_in": ttl, "Scope": ""}
        else:
            data = {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "scope": ""}
        return Reply(200, data, content_type=JSON_CONTENT_TYPE)

    @staticmethod
    def _basic_credentials(authz):
        scheme, _sep, cred = authz.partition(" ")
        if scheme.lower() != "basic" or not cred.strip():
            raise ScimError(401, None, "missing credentials: send Authorization: Basic base64(user:password)", _BASIC_CHALLENGE)
        try:
            user, _sep, password = base64.b64decode(cred.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ScimError(401, None, "malformed Basic credentials", _BASIC_CHALLENGE) from None
        return user, password

    def authenticate(self, headers):
        """401 without valid credentials, 403 when they do not belong to a global admin."""
        app_token = headers.get("app-token")
        authz = headers.get("Authorization")
        if app_token is not None:
            admin = self.app_tokens.get(app_token.strip())
            if admin is None:
                raise ScimError(401, None, "invalid app-token", _BEARER_CHALLENGE)
        elif authz:
            admin = self._bearer_admin(authz)
        else:
            raise ScimError(401, None, "missing credentials: send the app-token header or Authorization: Bearer <access token>",
                            _BEARER_CHALLENGE)
        if not admin:
            raise ScimError(403, None, "the token does not belong to a user with global admin privileges")

    def _bearer_admin(self, authz):
        scheme, _sep, cred = authz.strip().partition(" ")
        if scheme.lower() != "bearer":
            raise ScimError(401, None, "unsupported Authorization scheme %r: use 'Bearer <access token>' or the app-token header" % scheme,
                            _BEARER_CHALLENGE)
        issued = self.tokens.get(cred.strip())
        if issued is None:
            raise ScimError(401, None, "invalid bearer token", _BEARER_CHALLENGE)
        email, expires = issued
        if time.time() >= expires:
            raise ScimError(401, None, "bearer token has expired", _BEARER_CHALLENGE)
        return self.accounts.get(email, {}).get("admin", False)
