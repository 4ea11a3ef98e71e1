# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reconciles one user with the API: plan the change locally, then make the one write it needs.

totango_user and totango_users both run through here, so a user costs the same and diffs the
same whichever module manages it. Private to this collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.scimops.totango.plugins.module_utils._errors import (
    OptionError,
    ScimAmbiguousWriteError,
    ScimError,
)
from ansible_collections.scimops.totango.plugins.module_utils._group_members import add_members, remove_members
from ansible_collections.scimops.totango.plugins.module_utils._identity import rename_refused_detail
from ansible_collections.scimops.totango.plugins.module_utils._teams import resolve_user_teams
from ansible_collections.scimops.totango.plugins.module_utils._user_api import (
    create_user,
    find_user,
    is_resource,
    patch_user,
    replace_user,
)
from ansible_collections.scimops.totango.plugins.module_utils import _user_model as model

CREATE_ATTEMPTS = 3
# Teams the server did not keep are joined through /Groups (_join_teams): what can still differ is a role.
KEPT_ADVICE = {"teams": " (a team role is only set through groups on the user: a server that ignores them keeps none)"}


class TeamJoinError(ScimError):
    """A write to /Groups after the user's own write: not the create's answer, so never a reason to adopt or retry it."""

    def __init__(self, error, user_name):
        super(TeamJoinError, self).__init__(
            detail="%s (user %s was written; the teams it is not in yet are joined by the next run)" % (
                error.detail, user_name), status=error.status, scim_type=error.scim_type, action=error.action)


class UserPlan:
    """What one user needs: action is 'create', 'patch', 'put', 'rename' or 'none'.

    write is the request that gets there (create, patch or put; None for none): a rename is a patch, or
    a put when another change needs one, carrying the new userName with every other change.
    """

    def __init__(self, user_name, action, current, before, after, changes, predicted, prefix="", write=None):
        self.user_name = user_name
        self.action = action
        self.write = write or (action if action in ("create", "patch", "put") else None)
        self.current = current
        self.before = before
        self.after = after
        self.changes = changes
        self.predicted = predicted
        self.prefix = prefix

    @property
    def changed(self):
        return self.action != "none"

    @property
    def renamed_from(self):
        """The e-mail the user had, when this plan changes it."""
        return self.changes["user_name"][0] if "user_name" in self.changes else None

    @property
    def diff(self):
        return model.view_diff(self.before, self.after, self.changes)

    def settle(self, answer, explained=()):
        """The write's result: the resource the server answered with, else (Totango's 204) the prediction.

        After a resource answer, after and changes say what the server kept; returns a sentence per field
        it kept otherwise than asked, compared as the next run will compare it, but for the fields
        already explained.
        """
        if not is_resource(answer):
            return self.predicted, []
        kept = model.user_view(answer)
        asked = dict((field, after) for field, (_before, after) in self.changes.items())
        differs = model.compute_changes(kept, asked)
        if "teams" in asked and "teams" not in differs:
            kept["teams"] = asked["teams"]  # a role the plan left to the server stays unsaid, as check mode has it
        self.changes = dict((field, (before, kept.get(field))) for field, (before, _after) in self.changes.items())
        # The fields the plan speaks of, as kept: what the server added unasked (a derived display name, a
        # default license) stays out, so check mode's diff is the real one wherever the server kept the plan.
        self.after = dict((field, kept[field]) for field in set(self.after) | set(self.changes)
                          if kept.get(field) not in (None, ""))
        return answer, ["%s%s: the server kept %s where %s was asked%s" % (
            self.prefix, field, _shown(kept.get(field)), _shown(asked[field]), KEPT_ADVICE.get(field, ""))
            for field in sorted(differs) if field not in explained]


def _shown(value):
    if value in (None, "", []):
        return "nothing"
    if isinstance(value, list):  # teams
        return ", ".join(str(team.get("name") or team["id"]) + (" (%s)" % team["role"] if team.get("role") else "")
                         for team in value)
    return repr(value)


def plan_user(options, current, directory, state="present", replace=False, prefix=""):
    """Computes the change for one user from its options and its current resource (None when absent).

    A current resource under another e-mail (found by external id, match_by=external_id) is renamed,
    unless the user is being disabled: a leaver is disabled under the e-mail Totango knows.
    """
    user_name = model.desired_view({"user_name": options["user_name"]})["user_name"]
    if current is None:
        if state == "disabled":
            return UserPlan(user_name, "none", None, {}, {}, {}, None)
        return _plan_create(options, directory, prefix)
    if state == "disabled":
        options = dict(options, active=False)
    before = model.user_view(current)
    teams = resolve_user_teams(options.get("teams"), before.get("teams"), directory, prefix)
    changes = model.compute_changes(before, model.desired_view(options, teams), replace=replace)
    if state != "disabled" and before.get("user_name") != user_name:
        changes["user_name"] = (before.get("user_name"), user_name)
    model.check_license_change(before, changes, prefix + "license")
    after = model.merge_view(before, changes)
    if not changes:
        write = None
    elif replace or model.needs_replace(changes):
        write = "put"
    else:
        write = "patch"
    action = "rename" if "user_name" in changes else (write or "none")
    # An unchanged user's result is the resource as read: rendering it again costs a deep copy per user.
    predicted = model.render_user_resource(after, base=current) if changes else current
    return UserPlan(user_name, action, current, before, after, changes, predicted, prefix, write)


def _plan_create(options, directory, prefix):
    missing = [f for f in ("given_name", "family_name") if not options.get(f)]
    if missing:
        raise OptionError(prefix + missing[0], "is required to create the user %s, who does not exist yet "
                                               "(Totango needs given_name and family_name)" % options["user_name"])
    teams = resolve_user_teams(options.get("teams"), [], directory, prefix)
    after = dict((k, v) for k, v in model.desired_view(options, teams).items() if v not in (None, ""))
    changes = dict((field, (None, value)) for field, value in after.items())
    return UserPlan(after["user_name"], "create", None, {}, after, changes, model.render_user_resource(after), prefix)


def apply_plan(client, plan, read_back=True):
    """Makes the plan's one write and returns the resource as the server kept it (see UserPlan.settle).

    When the server turns out to ignore the teams given on the user, they are written through /Groups
    (see _join_teams). read_back=False skips the read after a create answered without an id (the caller
    needs no id), unless teams need it.
    """
    if plan.write is None:
        return plan.current
    explained = ()
    if "teams" not in plan.changes:
        answer = _send(client, plan, read_back)
    else:
        with client.dialects.user_groups.learning():
            answer = _send(client, plan, read_back)
            kept = _teams_as_kept(client, plan, answer)
        if kept is not None:
            try:
                answer, explained = _join_teams(client, plan, kept)
            except ScimError as error:
                raise TeamJoinError(error, plan.user_name)
    resource, differences = plan.settle(answer, explained)
    for sentence in differences:
        client.note(sentence)
    return resource


def _send(client, plan, read_back):
    try:
        return _write(client, plan, read_back)
    except ScimError as error:
        if plan.renamed_from is None or error.status != 400:
            raise
        raise ScimError(detail=rename_refused_detail(plan.renamed_from, plan.user_name, error.detail),
                        status=error.status, scim_type=error.scim_type, action=error.action)


def _write(client, plan, read_back):
    # A rename is sent for the account as Totango knows it, under its old e-mail.
    if plan.write == "patch":
        changes = plan.changes
        if client.dialects.user_groups.ignored:
            changes = dict((field, change) for field, change in changes.items() if field != "teams")
            if not changes:
                return None  # only teams: /Groups does it all
        return patch_user(client, plan.current, changes, plan.renamed_from or plan.user_name)
    if plan.write == "put":
        return replace_user(client, plan.current, plan.predicted, plan.renamed_from or plan.user_name)
    answer = create_user(client, plan.predicted, plan.user_name)
    if not is_resource(answer) and read_back:
        # Totango's documented 201 carries no id: read the user back once so the result can be used.
        answer = find_user(client, plan.user_name)
    return answer


def _teams_as_kept(client, plan, answer):
    """The user as the server kept them after a write that asked for teams, when they may lack them; else None.

    A resource answer tells. Without one (Totango's 204, a create's bare 201), a server known to keep
    User.groups keeps its prediction; one known to ignore them left a current user's teams as they were,
    and a new user is read for their id; while nothing in the run has shown which it is, the user is
    read once, the run's one check.
    """
    groups = client.dialects.user_groups
    if is_resource(answer):
        kept = answer
    elif groups.known and not groups.ignored:
        return None
    elif groups.ignored and plan.current is not None:
        return _with_teams(plan.predicted, plan.before.get("teams") or [])
    else:
        kept = find_user(client, plan.user_name)
        if kept is None:
            return None  # not visible yet: the prediction stands
    groups.learn(_team_ids(model.user_view(kept).get("teams")) == _team_ids(plan.changes["teams"][1]))
    return kept


def _join_teams(client, plan, kept):
    """Writes through /Groups the memberships the server did not keep from the user write; (resource, explained).

    One PATCH adding the user per team missing, then one removing them per team they should not be in
    (so they are never teamless): the teams option is the user's whole list. /Groups holds no role,
    so a role asked for a team joined that way is not set, and said so.
    """
    asked = plan.changes["teams"][1]
    have = model.user_view(kept).get("teams") or []
    have_roles = dict((team["id"], team.get("role")) for team in have)
    if _team_ids(have) == _team_ids(asked):
        return kept, ()
    user_id = str(kept["id"])
    joined = [team for team in asked if team["id"] not in have_roles]
    for team in joined:
        add_members(client, team["id"], team.get("name") or team["id"], [user_id])
    for team in have:
        if team["id"] not in _team_ids(asked):
            remove_members(client, team["id"], team.get("name") or team["id"], [user_id])
    unset = [team for team in joined if team.get("role")]
    if unset:
        client.note("%steams: /Groups holds no team role: %s joined without the role asked (%s); on a server that "
                    "ignores groups on users, give teams without role" % (
                        plan.prefix, ", ".join(team.get("name") or team["id"] for team in unset),
                        ", ".join(team["role"] for team in unset)))
    held = [dict(team, role=have_roles.get(team["id"])) for team in asked]
    return _with_teams(kept, held), ("teams",)


def _team_ids(teams):
    return set(team["id"] for team in teams or [])


def _with_teams(resource, teams):
    """The resource with its groups as these teams (the memberships /Groups now holds)."""
    groups = [dict((key, value) for key, value in (("value", team["id"]), ("display", team.get("name")),
                                                   ("teamrole", team.get("role"))) if value is not None)
              for team in teams]
    return dict(resource, groups=groups)


def ensure_user(client, options, directory, state="present", replace=False, check_mode=False,
                current=None, prefix="", read_back=True):
    """Plans and applies one user. Adopts a user who appears meanwhile (409) and never repeats a lost POST blindly.

    Returns (plan, resource). The plan is the one that was applied, which after an adoption differs
    from the first one computed.
    """
    plan = plan_user(options, current, directory, state, replace, prefix)
    for _attempt in range(CREATE_ATTEMPTS):
        if check_mode or not plan.changed:
            return plan, plan.predicted if plan.changed else plan.current
        conflict = None
        try:
            return plan, apply_plan(client, plan, read_back)
        except TeamJoinError:
            raise
        except ScimAmbiguousWriteError:
            if plan.action != "create":
                raise
        except ScimError as error:
            if plan.action != "create" or error.status != 409:
                raise
            conflict = error
        # The user may exist now (our lost POST landed, or someone else created them): read before writing again.
        existing = find_user(client, plan.user_name)
        if existing is None and conflict is not None:
            raise conflict  # the 409 is about something else (e.g. a unique externalId): repeating cannot help
        plan = plan_user(options, existing, directory, state, replace, prefix)
        if existing is not None:
            plan = _as_adoption(plan)
    raise ScimError(detail="the user could not be created after %d attempts" % CREATE_ATTEMPTS,
                    action="creating user %s" % plan.user_name)


def _as_adoption(plan):
    # Reported as a create: before this run the user did not exist for us, and the diff should say so.
    plan.before = {}
    if plan.action == "none":
        plan.action = "adopted"
    return plan
