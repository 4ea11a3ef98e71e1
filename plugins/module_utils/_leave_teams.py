# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Takes the roster's disabled users out of their teams: one PATCH per team, no team listed, nothing read again.

A user resource names its own teams (groups), so the leavers' teams are known from the reading the
roster did anyway, and all of a team's leavers go in one write. A user leaves only once disabled:
the team writes run after every user write, and a user whose disabling failed keeps every team.
Private to this collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.scimops.totango.plugins.module_utils._errors import ScimError
from ansible_collections.scimops.totango.plugins.module_utils._group_members import remove_members
from ansible_collections.scimops.totango.plugins.module_utils._roster_result import capped
from ansible_collections.scimops.totango.plugins.module_utils._teams import match_team
from ansible_collections.scimops.totango.plugins.module_utils._user_model import user_view

_FAILURES = threading.Lock()  # a leaver in two teams whose writes fail together


class TeamLeave:
    """One team and the leavers it loses."""

    def __init__(self, team):
        self.team_id = str(team["id"])
        self.name = team.get("name") or self.team_id
        self.items = []
        self.error = None

    def leavers(self):
        return [item for item in self.items if not item.failed]

    def result(self):
        removed = [] if self.error else sorted(item.user_name for item in self.leavers())
        entry = dict(id=self.team_id, name=self.name, **capped("removed", removed))
        if self.error:
            entry.update(failed=True, msg=self.error)
        return entry


def is_leaver(item):
    """A listed user with state=disabled who is in Totango (planned without error)."""
    return item.index is not None and item.state == "disabled" and item.current is not None and item.plan is not None


def plan_leaves(items, keep_teams, directory=None):
    """Gives each leaver the teams they leave (all but keep_teams); returns the TeamLeaves, by team id."""
    keep = KeptTeams(keep_teams, directory)
    leaves = {}
    for item in items:
        if not is_leaver(item):
            continue
        teams = user_view(item.current).get("teams") or []
        leaving = [team for team in teams if not keep.keeps(team)]
        if not leaving:
            continue
        item.teams_before, item.teams_left = teams, leaving
        for team in leaving:
            leaves.setdefault(team["id"], TeamLeave(team)).items.append(item)
    return [leaves[team_id] for team_id in sorted(leaves)]


class KeptTeams:
    """keep_teams, matched as every team option is (_teams.match_team): by id, by exact name, else in any case if unique.

    A leaver's teams are known from their own resource, so an id or an exact name needs no listing. A name that
    matches one of their teams only in another case may mean a case twin ("Sales" and "SALES" are two teams in
    Totango): only then are the teams listed, once, to tell which team the name means.
    """

    def __init__(self, refs, directory):
        self._refs = [(index, str(ref).strip()) for index, ref in enumerate(refs or []) if str(ref).strip()]
        self._directory = directory
        self._resolved = None

    def keeps(self, team):
        team_id, name = str(team["id"]), str(team.get("name") or "").strip()
        if any(ref in (team_id, name) for _index, ref in self._refs):
            return True
        if not any(ref.lower() == name.lower() for _index, ref in self._refs):
            return False
        return self._directory is None or team_id in self._resolved_ids()

    def _resolved_ids(self):
        if self._resolved is None:
            teams = self._directory.all()
            self._resolved = set(
                str(match_team(teams, "keep_teams[%d]" % index, team_id=ref, name=ref)["id"])
                for index, ref in self._refs if _names_a_team(teams, ref))
        return self._resolved


def _names_a_team(teams, ref):
    # A keep_teams entry that names no team keeps nothing; it is not refused, as a team may be gone since.
    return any(str(team.get("id")) == ref or str(team.get("displayName", "")).lower() == ref.lower() for team in teams)


def apply_leaves(client, leaves, parallel):
    """After the user writes: one PATCH per team for its leavers who were disabled; a failure stays with its team."""
    for leave in leaves:
        for item in leave.items:
            if item.failed:
                item.teams_left = []  # not disabled: keeps every team
    pending = [leave for leave in leaves if leave.leavers()]
    if not pending:
        return
    with ThreadPoolExecutor(max_workers=min(parallel, len(pending))) as pool:
        list(pool.map(lambda leave: _apply_leave(client, leave), pending))


def _apply_leave(client, leave):
    leavers = leave.leavers()
    try:
        remove_members(client, leave.team_id, leave.name, [item.user_id or item.user_name for item in leavers])
    except ScimError as error:
        leave.error = str(error)
    except Exception as error:  # pylint: disable=broad-except
        leave.error = "unexpected %s: %s" % (type(error).__name__, error)
    if leave.error:
        with _FAILURES:
            _keep_team(leave, leavers)


def _keep_team(leave, leavers):
    # Each leaver keeps this team, and fails with the reason; their other teams are unaffected.
    for item in leavers:
        item.teams_left = [team for team in item.teams_left if team["id"] != leave.team_id]
        item.team_errors.append("disabled, but still in team %s: %s" % (leave.name, leave.error))


def leaves_result(leaves):
    """The teams result: each team the run takes leavers out of (or would), with whom."""
    return [leave.result() for leave in leaves if leave.leavers() or leave.error]
