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
from ansible_collections.scimops.totango.plugins.module_utils._teams import resolve_user_teams
from ansible_collections.scimops.totango.plugins.module_utils._user_api import find_user, user_path
from ansible_collections.scimops.totango.plugins.module_utils import _user_model as model

CREATE_ATTEMPTS = 3


class UserPlan:
    """What one user needs: action is 'create', 'patch', 'put' or 'none'."""

    def __init__(self, user_name, action, current, before, after, changes, predicted):
        self.user_name = user_name
        self.action = action
        self.current = current
        self.before = before
        self.after = after
        self.changes = changes
        self.predicted = predicted

    @property
    def changed(self):
        return self.action != "none"

    @property
    def diff(self):
        return model.view_diff(self.before, self.after, self.changes)


def plan_user(options, current, directory, state="present", replace=False, prefix=""):
    """Computes the change for one user from its options and its current resource (None when absent)."""
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
    model.check_license_change(before, changes, prefix + "license")
    after = model.merge_view(before, changes)
    if not changes:
        action = "none"
    elif replace or model.needs_replace(changes):
        action = "put"
    else:
        action = "patch"
    # An unchanged user's result is the resource as read: rendering it again costs a deep copy per user.
    predicted = model.render_user_resource(after, base=current) if changes else current
    return UserPlan(user_name, action, current, before, after, changes, predicted)


def _plan_create(options, directory, prefix):
    missing = [f for f in ("given_name", "family_name") if not options.get(f)]
    if missing:
        raise OptionError(prefix + missing[0], "is required to create the user %s, who does not exist yet "
                                               "(Totango needs given_name and family_name)" % options["user_name"])
    teams = resolve_user_teams(options.get("teams"), [], directory, prefix)
    after = dict((k, v) for k, v in model.desired_view(options, teams).items() if v not in (None, ""))
    changes = dict((field, (None, value)) for field, value in after.items())
    return UserPlan(after["user_name"], "create", None, {}, after, changes, model.render_user_resource(after))


def apply_plan(client, plan, read_back=True):
    """Makes the plan's one write and returns the resulting resource, built locally where the API sends no body.

    read_back=False skips the read after a create answered without an id (the caller needs no id).
    """
    if plan.action == "patch":
        client.patch(user_path(plan.current), model.build_patch_operations(plan.changes),
                     "updating user %s" % plan.user_name)
        return plan.predicted
    if plan.action == "put":
        client.put(user_path(plan.current), plan.predicted, "replacing user %s" % plan.user_name)
        return plan.predicted
    if plan.action == "create":
        return _create(client, plan, read_back)
    return plan.current


def _create(client, plan, read_back=True):
    action = "creating user %s" % plan.user_name
    created = client.post("/Users", plan.predicted, action)
    if isinstance(created, dict) and created.get("id"):
        return _merge_created(plan.predicted, created)
    # Totango's documented 201 carries no id: read the user back once so the result can be used.
    if not read_back:
        return plan.predicted
    return find_user(client, plan.user_name) or plan.predicted


def _merge_created(predicted, created):
    merged = dict(predicted)
    merged.update(created)
    return merged


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
