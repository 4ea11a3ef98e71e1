# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The simulator's fixed names: URLs, schemas, limits, and the TEST credentials the suites use."""

from __future__ import annotations

# TEST secrets of the simulator (not real credentials). Tests grep output for them to prove no_log works.
SIM_APP_TOKEN = "sim-app-token-Zx81kQ"
SIM_ADMIN_USER = "admin@scimops.example"
SIM_ADMIN_PASSWORD = "sim-pass-Wq93vR"
TEST_SECRETS = [SIM_APP_TOKEN, SIM_ADMIN_PASSWORD]

# What TotangoSimulator() and the command line use when given no credentials.
DEFAULT_APP_TOKEN = "sim-app-token"
DEFAULT_ADMIN_USER = "admin@example.com"
DEFAULT_ADMIN_PASSWORD = "sim-password"

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

DEFAULT_TEAM_ID = "1000"
DEFAULT_TEAM_NAME = "Default Team"
DEFAULT_ROLE = "Member"
LICENSES = ("spark", "zoe", "viewer")
DEFAULT_LICENSE = "spark"
MAX_PAGE_SIZE = 100
FIRST_USER_ID = 100001
FIRST_TEAM_ID = 2601
WRITE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))
