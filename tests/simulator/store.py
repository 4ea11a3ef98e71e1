# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The tenant's records: users and teams, their indexes and memberships, under one lock.

A user record is a dict of the fields in tests.simulator.users.FIELDS plus id, active, isAdmin,
teams ({team id: role}), created and lastModified. A team is {id, displayName, members, created,
lastModified}; members is an ordered dict of user ids. Nothing here answers HTTP; callers hold the lock.
"""

from __future__ import annotations

import threading

from tests.simulator.defaults import DEFAULT_ROLE, DEFAULT_TEAM_ID, DEFAULT_TEAM_NAME, FIRST_TEAM_ID, FIRST_USER_ID
from tests.simulator.replies import ScimError, invalid
from tests.simulator.values import now_iso


class Store:
    """Users and teams; `lock` guards this and every other part of the simulator's state."""

    def __init__(self):
        self.lock = threading.RLock()
        self.clear()

    def clear(self):
        """No users; only the default team."""
        with self.lock:
            self.users = {}
            self.order = []
            self.by_name = {}
            self.by_ext = {}
            self.teams = {}
            self._next_user = FIRST_USER_ID
            self._next_team = FIRST_TEAM_ID
            self.create_team(DEFAULT_TEAM_NAME, DEFAULT_TEAM_ID)

    # -- ids and lookups ---------------------------------------------------------

    def new_user_id(self, user_id=None):
        """The given id (409 when taken) or the next free one."""
        if user_id is not None:
            user_id = str(user_id)
            if user_id in self.users:
                raise ScimError(409, "uniqueness", "user id %s already exists" % user_id)
            return user_id
        user_id = str(self._next_user)
        while user_id in self.users:
            self._next_user += 1
            user_id = str(self._next_user)
        self._next_user += 1
        return user_id

    def user_id(self, ident, status=404):
        """The id of a user named by id or e-mail; 404 (or 400 for status=400) when unknown."""
        ident = str(ident)
        if ident in self.users:
            return ident
        uid = self.by_name.get(ident.lower())
        if uid is None:
            if status == 404:
                raise ScimError(404, None, "user %s not found" % ident)
            raise invalid("user %s does not exist" % ident)
        return uid

    def find_user(self, ident):
        """The id of a user named by id or e-mail (case-insensitive), or None."""
        ident = str(ident)
        return ident if ident in self.users else self.by_name.get(ident.lower())

    def team_id(self, ident):
        """A team id that exists, or 404."""
        ident = str(ident)
        if ident not in self.teams:
            raise ScimError(404, None, "group %s not found" % ident)
        return ident

    def find_team(self, ident):
        """A team id by id or display name (exact first, then case-insensitive), or None."""
        ident = str(ident)
        if ident in self.teams:
            return ident
        for tid, team in self.teams.items():
            if team["displayName"] == ident:
                return tid
        for tid, team in self.teams.items():
            if team["displayName"].lower() == ident.lower():
                return tid
        return None

    # -- users -------------------------------------------------------------------

    def insert_user(self, rec, teams, now=None):
        """Store a new record and put it into `teams` ({team id: role})."""
        user_id = rec["id"]
        self.users[user_id] = rec
        self.order.append(user_id)
        self.by_name[rec["userName"]] = user_id
        if rec["externalId"]:
            self.by_ext.setdefault(rec["externalId"], []).append(user_id)
        self.set_user_teams(user_id, teams, now)

    def commit_user(self, old, new):
        """Replace the record `old` by `new` (same id), keeping the indexes and memberships right."""
        user_id = old["id"]
        if old["userName"] != new["userName"]:
            del self.by_name[old["userName"]]
            self.by_name[new["userName"]] = user_id
        if old["externalId"] != new["externalId"]:
            self._unindex_ext(old["externalId"], user_id)
            if new["externalId"]:
                self.by_ext.setdefault(new["externalId"], []).append(user_id)
        teams = new["teams"]
        new["teams"] = old["teams"]
        new["lastModified"] = now_iso()
        self.users[user_id] = new
        self.set_user_teams(user_id, teams)

    def _unindex_ext(self, external_id, user_id):
        if not external_id:
            return
        ids = self.by_ext.get(external_id, [])
        if user_id in ids:
            ids.remove(user_id)
        if not ids:
            self.by_ext.pop(external_id, None)

    # -- memberships -------------------------------------------------------------

    def set_user_teams(self, user_id, teams, now=None):
        """A user's teams become `teams` ({team id: role}); the teams' member lists follow."""
        rec = self.users[user_id]
        old = rec["teams"]
        now = now or now_iso()
        for tid in old:
            if tid not in teams:
                self.teams[tid]["members"].pop(user_id, None)
                self.teams[tid]["lastModified"] = now
        for tid, role in teams.items():
            if tid not in old or old[tid] != role:
                self.teams[tid]["members"][user_id] = None
                self.teams[tid]["lastModified"] = now
        rec["teams"] = dict(teams)

    def set_team_members(self, team_id, user_ids, teamless_to_default=False):
        """A team's members become `user_ids`; the users' teams follow (new members get the default role)."""
        team = self.teams[team_id]
        wanted = dict.fromkeys(user_ids)
        now = now_iso()
        changed = False
        for uid in list(team["members"]):
            if uid not in wanted:
                del team["members"][uid]
                self.users[uid]["teams"].pop(team_id, None)
                self.users[uid]["lastModified"] = now
                changed = True
                if not self.users[uid]["teams"] and teamless_to_default:
                    self.teams[DEFAULT_TEAM_ID]["members"][uid] = None
                    self.users[uid]["teams"][DEFAULT_TEAM_ID] = DEFAULT_ROLE
        for uid in wanted:
            if uid not in team["members"]:
                team["members"][uid] = None
                self.users[uid]["teams"][team_id] = DEFAULT_ROLE
                self.users[uid]["lastModified"] = now
                changed = True
        if changed:
            team["lastModified"] = now

    # -- teams -------------------------------------------------------------------

    def create_team(self, name, team_id=None):
        """A new team; returns its id (ValueError when the id is taken or the name empty)."""
        if team_id is None:
            team_id = str(self._next_team)
            while team_id in self.teams:
                self._next_team += 1
                team_id = str(self._next_team)
            self._next_team += 1
        team_id = str(team_id)
        if team_id in self.teams:
            raise ValueError("team id %s already exists" % team_id)
        if not isinstance(name, str) or not name.strip():
            raise ValueError("a team needs a displayName")
        now = now_iso()
        self.teams[team_id] = {"id": team_id, "displayName": name, "members": {}, "created": now, "lastModified": now}
        return team_id

    def rename_team(self, team_id, name):
        """Set a team's display name (lastModified only when it changes)."""
        if name and name != self.teams[team_id]["displayName"]:
            self.teams[team_id]["displayName"] = name
            self.teams[team_id]["lastModified"] = now_iso()
