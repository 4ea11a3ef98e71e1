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
        self.gone = False  # deleted since the leavers were read: nobody is in it, as the run wanted

    def leavers(self):
        return [item for item in self.items if not item.failed]

    def result(self):
        removed = [] if self.error else sorted(item.user_name for item in self.leavers())
        entry = dict(id=self.team_id, name=self.name, **capped("removed", removed))
        if self.error:
            entry.update(failed=True, msg=self.error)
        elif self.gone:
            entry["msg"] = "the team no longer exists in Totango (deleted since the run read its leavers)"
        return entry


def is_leaver(item):
    """A listed user with state=disabled who is in Totango (planned without error)."""
    return item.index is not None and item.state == "disabled" and item.current is not None and item.plan is not None


def plan_leaves(items, keep_teams, directory=None):
    """Gives each leaver the teams they leave (all but keep_teams); returns the TeamLeaves, by team id.

    Raises OptionError (before any write) for a keep_teams entry that names no team, or several.
    """
    leavers = [(item, user_view(item.current).get("teams") or []) for item in items if is_leaver(item)]
    keep = KeptTeams(keep_teams, directory, [team for _item, teams in leavers for team in teams])
    leaves = {}
    for item, teams in leavers:
        leaving = [team for team in teams if team["id"] not in keep.ids]
        if not leaving:
            continue
        item.teams_before, item.teams_left = teams, leaving
        for team in leaving:
            leaves.setdefault(team["id"], TeamLeave(team)).items.append(item)
    return [leaves[team_id] for team_id in sorted(leaves)]


class KeptTeams:
    """The ids of the teams keep_teams names, matched as every team option is (_teams.match_team).

    The leavers' own teams are known from their resources, so an entry that is one of them by id or exact
    name costs nothing. Any other entry is looked up in the team list (read once): a name that matches a
    leaver's team only in another case may mean its case twin ("Sales" and "SALES" are two teams), and one
    that matches none of their teams may be a typo, which would take people out of the team it meant.
    """

    def __init__(self, refs, directory, leaver_teams):
        self.ids = set()
        as_groups = [{"id": str(team["id"]), "displayName": team.get("name") or ""} for team in leaver_teams]
        for index, ref in enumerate(refs or []):
            ref = str(ref).strip()
            if not ref:
                continue
            team = _exact(as_groups, ref)
            if team is None and directory is not None:
                team = match_team(directory.all(), "keep_teams[%d]" % index, team_id=ref, name=ref)
            if team is not None:
                self.ids.add(str(team["id"]))


def _exact(groups, ref):
    """The one team among groups with this id, else with exactly this name; None when not exactly one."""
    for rule in (lambda group: group["id"] == ref, lambda group: group["displayName"] == ref):
        found = dict((group["id"], group) for group in groups if rule(group))
        if found:
            return list(found.values())[0] if len(found) == 1 else None
    return None


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
        if error.status == 404:
            leave.gone = True
            return
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
