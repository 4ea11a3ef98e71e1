# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The simulator's config keys: one entry each, with its default and its check.

Set them as TotangoSimulator(**config), sim.configure(**changes), POST /_sim/config or the command
line's --config. README.md in this directory describes every key.
"""

from __future__ import annotations

import copy

from tests.simulator.dialect import DIALECTS
from tests.simulator.faults import validate_faults
from tests.simulator.ratelimit import LIMITERS


def _one_of(*choices):
    def check(key, value):
        if value not in choices:
            raise ValueError("%s must be %s" % (key, " or ".join(repr(c) for c in choices)))
        return value
    return check


def _positive_int(key, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError("%s must be a whole number of at least 1" % key)
    return value


def _non_negative(key, value):
    if value is None:
        value = 0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError("%s must be a non-negative number" % key)
    return value


def _any(_key, value):
    return value


def _boolean(key, value):
    if not isinstance(value, bool):
        raise ValueError("%s must be true or false" % key)
    return value


def _faults(_key, value):
    return validate_faults(value)


# key: (default, check(key, value) -> normalized value or ValueError)
CONFIG_KEYS = {
    "token_key_style": ("lower", _one_of("lower", "title")),   # "title": Access_token, Expires_in, Scope
    "token_ttl": (86400, _non_negative),                       # seconds a bearer token lives
    "create_response": ("full", _one_of("full", "minimal")),   # "minimal": schemas, meta, userName (the doc's sample)
    "validate_external_id_uniqueness": (False, _any),          # True: 409 uniqueness for an externalId in use
    "user_name_mutable": (True, _boolean),                     # False: a userName change is 400 mutability
    "keep_teams_on_replace": (False, _any),                    # PUT without groups/isAdmin keeps the current ones
    "allow_global_admin": (True, _any),                        # False: operations on global admin users answer 403
    # True: a user whose last team is taken away through /Groups is put (back) into the default team, one
    # reading of the document's "in case a user has no team, the user will be assigned to the default team".
    "teamless_to_default_team": (False, _any),
    "group_patch_response": ("empty", _one_of("empty", "full")),  # "full": 200 with the group
    "rate_limit": (0, _non_negative),                          # requests per window; 0/None = off
    "rate_limit_window": (60, _non_negative),                  # seconds of the window
    "rate_limiter": ("fixed_window", _one_of(*LIMITERS)),      # see tests.simulator.ratelimit
    "rate_limit_burst": (10, _positive_int),                   # token_bucket: tokens the bucket holds
    "rate_limit_headers": (True, _boolean),                    # False: no RateLimit-* headers
    "retry_after_on_429": (False, _any),                       # True: Retry-After = seconds until a request passes; an int: that value
    "latency_ms": (0, _non_negative),                          # added to every SCIM/token request
    "faults": ({}, _faults),                                   # see tests.simulator.faults
    "dialect": ("forgiving", _one_of(*DIALECTS)),              # see tests.simulator.dialect
    "user_groups_writable": (True, _boolean),                  # False: User.groups is readOnly (RFC 7643), ignored on writes
}
DEFAULT_CONFIG = {key: default for key, (default, _check) in CONFIG_KEYS.items()}


def default_config():
    """A fresh copy of the defaults."""
    return copy.deepcopy(DEFAULT_CONFIG)


def validate_config(changes):
    """Validate config keys and values; returns a normalized copy."""
    out = {}
    for key, value in changes.items():
        if key not in CONFIG_KEYS:
            raise ValueError("unknown simulator config key %r (known: %s)" % (key, ", ".join(sorted(CONFIG_KEYS))))
        out[key] = CONFIG_KEYS[key][1](key, value)
    return out
