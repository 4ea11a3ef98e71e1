# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""SimState: the simulator's parts (store, auth, config, log, limiter, faults) and in-process access.

Every public method takes the store's lock. `clock` (monotonic seconds) drives the rate limiter and
`sleep` the added latency; tests may inject both.
"""

from __future__ import annotations

import copy
import time

from tests.simulator.auth import Auth
from tests.simulator.config import default_config, validate_config
from tests.simulator.defaults import SCIM_PREFIX
from tests.simulator.faults import FaultPlan
from tests.simulator.groups import render_group
from tests.simulator.ratelimit import LIMITER_KEYS, make_limiter
from tests.simulator.replies import invalid
from tests.simulator.requestlog import RequestLog
from tests.simulator.seeding import seed_generated
from tests.simulator.store import Store
from tests.simulator.users import create_user, render_user


class SimState:
    """All simulator state; the API logic lives in the modules that take it as `sim`."""

    def __init__(self, app_token, admin_user, admin_password, config, clock=None, sleep=None):
        self.store = Store()
        self.lock = self.store.lock
        self.clock = clock or time.monotonic
        self.sleep = sleep or time.sleep
        self.scim_url = "http://127.0.0.1" + SCIM_PREFIX
        self._base_config = default_config()
        self._base_config.update(validate_config(config))
        self.auth = Auth(app_token, admin_user, admin_password)
        self.requests = RequestLog()
        self.reset()

    # -- lifecycle / config -------------------------------------------------

    def reset(self):
        """Wipe users and teams (back to the default team), log, tokens; config to its start values."""
        with self.lock:
            self.config = copy.deepcopy(self._base_config)
            self.auth.reset()
            self.store.clear()
            self.limiter = make_limiter(self.config)
            self.faults = FaultPlan(self.config["faults"])
            self.requests.clear()

    def configure(self, changes):
        """Merge config keys (validated); returns the whole config."""
        with self.lock:
            changes = validate_config(changes)
            self.config.update(changes)
            if "faults" in changes:
                self.faults = FaultPlan(self.config["faults"])
            if LIMITER_KEYS & set(changes):
                self.limiter = make_limiter(self.config)
            return copy.deepcopy(self.config)

    def config_copy(self):
        """A copy of the current config."""
        with self.lock:
            return copy.deepcopy(self.config)

    # -- log ----------------------------------------------------------------

    def clear_log(self):
        """Clear the request log and the counters."""
        with self.lock:
            self.requests.clear()

    def log(self):
        """A copy of the request log."""
        with self.lock:
            return self.requests.copy()

    def stats(self):
        """Counters: reads (SCIM non-writes), writes, token, total, status_429."""
        with self.lock:
            return dict(self.requests.counters)

    # -- accounts and tokens ------------------------------------------------

    def add_account(self, email, password, admin=True):
        """A user that can get a bearer token from the token endpoint."""
        with self.lock:
            self.auth.add_account(email, password, admin)

    def add_app_token(self, token, admin=True):
        """Another accepted app-token (admin=False: its owner is not a global admin -> 403)."""
        with self.lock:
            self.auth.add_app_token(token, admin)

    def issue_token(self, email=None, ttl=None):
        """A bearer token for an account (default: the first admin account), as the token endpoint would."""
        with self.lock:
            return self.auth.issue_token(email, self.config["token_ttl"] if ttl is None else ttl)

    def issued_tokens(self):
        """Every bearer token issued since the last reset."""
        with self.lock:
            return list(self.auth.tokens)

    # -- data ---------------------------------------------------------------

    def add_team(self, name, team_id=None):
        """Create a team; returns its id."""
        with self.lock:
            return self.store.create_team(name, team_id)

    def seed_users(self, bodies):
        """Create users (validated like POST, no auth, not logged). A body may carry "id"."""
        with self.lock:
            out = []
            for body in bodies:
                if not isinstance(body, dict):
                    raise invalid("each user must be an object")
                out.append(render_user(self, create_user(self, body, user_id=body.get("id"))))
            return out

    def seed_generated(self, spec):
        """N generated users over M generated teams (see tests.simulator.seeding); returns a summary."""
        return seed_generated(self, spec)

    def user(self, email_or_id):
        """A user resource by e-mail (case-insensitive) or id, or None."""
        with self.lock:
            uid = self.store.find_user(email_or_id)
            return render_user(self, self.store.users[uid]) if uid else None

    def team(self, id_or_name):
        """A group resource by id or display name (exact first, then case-insensitive), or None."""
        with self.lock:
            tid = self.store.find_team(id_or_name)
            return render_group(self, tid) if tid else None

    def users(self):
        """All user resources, in creation order."""
        with self.lock:
            return [render_user(self, self.store.users[uid]) for uid in self.store.order]

    def teams(self):
        """All group resources."""
        with self.lock:
            return [render_group(self, tid) for tid in self.store.teams]

    def state(self):
        """Users, groups and config."""
        with self.lock:
            return {"users": self.users(), "groups": self.teams(), "config": copy.deepcopy(self.config)}
