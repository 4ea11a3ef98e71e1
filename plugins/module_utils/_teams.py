# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Resolves teams given by id or display name, listing /Groups at most once per run. Private to this collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

from ansible_collections.scimops.totango.plugins.module_utils._errors import OptionError


class TeamDirectory:
    """Every team of the tenant, read page by page on first need and then kept for the run."""

    def __init__(self, client):
        self._client = client
        self._teams = None
        self._lock = threading.Lock()

    def all(self):
        with self._lock:
            if self._teams is None:
                self._teams = list(self._client.iter_resources("/Groups", "listing teams"))
        return self._teams

    def find(self, team_id=None, name=None):
        """The team resource with this id, or with this display name (case-insensitive); None when unknown."""
        for team in self.all():
            if team_id is not None and str(team.get("id")) == str(team_id):
                return team
            if name is not None and str(team.get("displayName", "")).lower() == str(name).lower():
                return team
        return None

    def resolve(self, ref, option):
        """The team for a reference {id} or {name}; OptionError naming the option when there is no such team."""
        team = self.find(team_id=ref.get("id"), name=None if ref.get("id") else ref.get("name"))
        if team is None:
            known = ", ".join(sorted(str(t.get("displayName")) for t in self.all())[:20])
            what = "id %s" % ref["id"] if ref.get("id") else "name %r" % ref["name"]
            raise OptionError(option, "no team with %s exists in Totango (known teams: %s)" % (what, known or "none"))
        return team


def resolve_user_teams(teams, current_teams, directory, prefix=""):
    """Turns the teams option into [{id, name, role}], using the user's current teams before listing /Groups."""
    if teams is None:
        return None
    resolved = []
    for index, ref in enumerate(teams):
        option = "%steams[%d]" % (prefix, index)
        match = _match_current(ref, current_teams or [])
        if match is None:
            team = directory.resolve(ref, option)
            match = {"id": str(team["id"]), "name": team.get("displayName")}
        if any(r["id"] == match["id"] for r in resolved):
            # One team named once by id and once by name: only visible once names are resolved.
            raise OptionError(option, "the team %s (id %s) is listed twice" % (match.get("name") or match["id"], match["id"]))
        resolved.append({"id": match["id"], "name": match.get("name"), "role": ref.get("role")})
    return resolved


def _match_current(ref, current_teams):
    for team in current_teams:
        if ref.get("id") not in (None, "") and str(ref["id"]) == team["id"]:
            return team
        if ref.get("id") in (None, "") and team.get("name") and str(ref.get("name")).lower() == team["name"].lower():
            return team
    return None
