# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fast seeding: N generated users spread over M generated teams, for large-tenant tests and the bench.

Records are built directly (the generated values are valid by construction), so 30,000 users take a
fraction of a second. User i (counting from `start`) is

    userName     <prefix><i>@<domain>           (i zero-padded to 5 digits)
    name         Given<i> Family<i>, displayName "Family<i> Given<i>"
    externalId   <prefix>-<i>                   (unless external_ids is false)
    title        Employee <i>, license spark, active true (or as `active` says)
    team         the (i mod M)-th of the teams, role Member

The M teams are created as "<team_prefix> 1" .. "<team_prefix> M" (team_prefix "Team"), or, with
`team_ids`, existing teams are used. M = 0 puts everyone in the default team.
"""

from __future__ import annotations

from tests.simulator.defaults import DEFAULT_ROLE, DEFAULT_TEAM_ID
from tests.simulator.users import new_record
from tests.simulator.values import now_iso

SEED_KEYS = frozenset(("users", "teams", "team_ids", "team_prefix", "start", "prefix", "domain", "external_ids", "active"))


def _int(spec, key, default, low=0, high=1_000_000):
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError("seed %s must be a whole number from %d to %d" % (key, low, high))
    return value


def _teams(store, spec):
    if spec.get("team_ids") is not None:
        ids = [str(tid) for tid in spec["team_ids"]]
        missing = [tid for tid in ids if tid not in store.teams]
        if missing:
            raise ValueError("seed team_ids: no team %s" % ", ".join(missing))
        return ids or [DEFAULT_TEAM_ID]
    count = _int(spec, "teams", 0, high=10_000)
    prefix = str(spec.get("team_prefix", "Team"))
    return [store.create_team("%s %d" % (prefix, n)) for n in range(1, count + 1)] or [DEFAULT_TEAM_ID]


def seed_generated(sim, spec):
    """Create the users and teams `spec` asks for; returns {"users": N, "first_id", "last_id", "teams": [...]}."""
    unknown = set(spec) - SEED_KEYS
    if unknown:
        raise ValueError("unknown seed keys: %s (known: %s)" % (", ".join(sorted(unknown)), ", ".join(sorted(SEED_KEYS))))
    count = _int(spec, "users", 0)
    start = _int(spec, "start", 1)
    prefix = str(spec.get("prefix", "user"))
    domain = str(spec.get("domain", "example.com")).lower()
    active = spec.get("active", True)
    if active not in (True, False, None):
        raise ValueError("seed active must be true, false or null")
    with sim.lock:
        store = sim.store
        names = ["%s%05d@%s" % (prefix, start + n, domain) for n in range(count)]
        taken = [name for name in names if name in store.by_name]
        if taken:
            raise ValueError("seed: %d of the generated users exist already (first: %s); use another start or prefix"
                             % (len(taken), taken[0]))
        team_ids = _teams(store, spec)
        now = now_iso()
        ids = []
        for n, user_name in enumerate(names):
            i = start + n
            rec = new_record(store.new_user_id(), {
                "userName": user_name, "givenName": "Given%d" % i, "familyName": "Family%d" % i,
                "externalId": "%s-%d" % (prefix, i) if spec.get("external_ids", True) else None,
                "title": "Employee %d" % i, "active": active}, now)
            store.insert_user(rec, {team_ids[n % len(team_ids)]: DEFAULT_ROLE}, now=now)
            ids.append(rec["id"])
        return {"users": count, "first_id": ids[0] if ids else None, "last_id": ids[-1] if ids else None,
                "teams": [{"id": tid, "displayName": store.teams[tid]["displayName"],
                           "members": len(store.teams[tid]["members"])} for tid in team_ids]}
