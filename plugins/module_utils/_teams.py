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

    def resolve(self, ref, option):
        """The team for a reference {id} or {name}; OptionError naming the option when there is none, or several."""
        if ref.get("id") not in (None, ""):
            return match_team(self.all(), option, team_id=ref["id"])
        return match_team(self.all(), option, name=ref.get("name"))


def match_team(teams, option, team_id=None, name=None):
    """The one team with this id, else with exactly this display name, else the one whose name differs only in case.

    Totango's team names are case-sensitive ("Sales" and "SALES" are two teams), so a case-insensitive
    match is only used when it is unique; a name that several teams match is refused rather than guessed,
    the message listing their ids.
    """
    for rule in _rules(team_id, name):
        candidates = [team for team in teams if rule(team)]
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            ids = ", ".join(sorted(str(team.get("id")) for team in candidates))
            raise OptionError(option, "%r matches several teams (ids %s); give the team's id" % (name, ids))
    known = ", ".join(sorted(str(team.get("displayName")) for team in teams)[:20])
    if team_id not in (None, "") and name not in (None, ""):
        what = "id or name %r" % str(name)
    elif team_id not in (None, ""):
        what = "id %s" % team_id
    else:
        what = "name %r" % name
    raise OptionError(option, "no team with %s exists in Totango (known teams: %s)" % (what, known or "none"))


def _rules(team_id, name, exact_only=False):
    """The tests of match_team, strongest first: id, exact name, then (unless exact_only) name in any case."""
    rules = []
    if team_id not in (None, ""):
        rules.append(lambda team: str(team.get("id")) == str(team_id))
    if name not in (None, ""):
        rules.append(lambda team: str(team.get("displayName", "")) == str(name))
        if not exact_only:
            rules.append(lambda team: str(team.get("displayName", "")).lower() == str(name).lower())
    return rules


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
    # The user's own teams are tried first so that a rerun needs no listing of /Groups (an unchanged user
    # costs one read), but only by id or exact name: whether a name in another case is unique can only be
    # told from the whole list, so such a name goes through match_team.
    as_groups = [{"id": team["id"], "displayName": team.get("name") or ""} for team in current_teams]
    for rule in _rules(ref.get("id"), None if ref.get("id") not in (None, "") else ref.get("name"), exact_only=True):
        for group, team in zip(as_groups, current_teams):
            if rule(group):
                return team
    return None
