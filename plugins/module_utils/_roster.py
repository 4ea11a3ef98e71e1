# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reconciles a whole roster: validate everything, plan every user from what _roster_read found, then write in parallel.

Each user is planned and applied by _user_sync, exactly as totango_user does it; this file only adds
what a roster needs on top: duplicate and safety checks, unlisted users, worker threads and the
per-user bookkeeping. _roster_result shapes what the task returns. Private to this collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.scimops.totango.plugins.module_utils._errors import (
    OptionError,
    ScimError,
)
from ansible_collections.scimops.totango.plugins.module_utils._roster_read import read_tenant, user_key
from ansible_collections.scimops.totango.plugins.module_utils._roster_result import NOT_FOUND, capped, named
from ansible_collections.scimops.totango.plugins.module_utils._identity import (
    ListedAccounts,
    LookedUpAccounts,
    identity_option_errors,
    match_roster,
)
from ansible_collections.scimops.totango.plugins.module_utils._user_model import (
    email_error,
    user_view,
    user_option_errors,
)
from ansible_collections.scimops.totango.plugins.module_utils._user_sync import (
    ensure_user,
    plan_user,
)

MAX_PARALLEL = 32

_key = user_key


class RosterItem:
    """One user of the run: listed in users (index set) or unlisted and up for disabling (index None)."""

    def __init__(self, user_name, options, state, index=None, current=None, stored=None):
        self.user_name = _key(user_name)
        self.options = options
        self.state = state
        self.index = index
        # The resource as read; a StoredUser is decoded on first use (see _roster_read).
        self._stored = stored
        self._current = current
        self.plan = None
        self.action = "none"
        self.failed = False
        self.msg = None
        if stored is not None:
            self.user_id = stored.user_id
        else:
            self.user_id = str(current["id"]) if current and current.get("id") else None
        # With leave_teams (_leave_teams): the user's teams as read, the ones they leave, and why any is kept.
        self.teams_before = None
        self._held = None  # what results report of a settled user (its license)
        self.teams_left = []
        self.team_errors = []

    @property
    def prefix(self):
        return "" if self.index is None else "users[%d]." % self.index

    @property
    def label(self):
        return self.user_name if self.index is None else "users[%d] %s" % (self.index, self.user_name)

    @property
    def current(self):
        if self._stored is not None:
            self._current, self._stored = self._stored.resource(), None
        return self._current

    @current.setter
    def current(self, resource):
        self._current, self._stored = resource, None

    @property
    def changed(self):
        return (self.action != "none" and not self.failed) or bool(self.teams_left)

    @property
    def shown_action(self):
        """The action results and counts show: leaving teams is an update of a user already disabled."""
        return "update" if self.action == "none" and self.teams_left else self.action

    @property
    def any_failed(self):
        return self.failed or bool(self.team_errors)

    @property
    def note(self):
        return "; ".join(([self.msg] if self.msg else []) + self.team_errors) or None

    @property
    def changes(self):
        """{field: (before, after)} of what the run writes (or would write) for this user; nothing when it failed."""
        changes = dict(self.plan.changes) if self.plan and not self.failed else {}
        if self.teams_left:
            left = set(team["id"] for team in self.teams_left)
            changes["teams"] = (self.teams_before, [team for team in self.teams_before if team["id"] not in left])
        return changes

    def settle(self, keep_leavers=True):
        """Forgets the resource and plan of a user who needs no write: the result only counts them."""
        if not self.changed and not self.failed and not (keep_leavers and self.may_leave_teams):
            if self._held is None:
                self._held = dict((k, v) for k, v in self.held().items() if k == "license")
            self.current = None
            self.plan = None

    def held(self):
        """The user's fields once the run is done (or would be, in check mode); as before it when the write failed."""
        if self._held is not None:
            return self._held
        if self.plan is None:
            return user_view(self.current)
        return self.plan.before if self.failed else self.plan.after

    @property
    def may_leave_teams(self):
        # leave_teams is planned after every user: a listed user to disable keeps what it reads until then.
        return self.index is not None and self.state == "disabled"


# -- validation: everything that can be known before the first request ---------

def check_roster_options(params):
    """Every input error of the run (not just the first): a list of OptionError."""
    errors = []
    if params["parallel"] < 1 or params["parallel"] > MAX_PARALLEL:
        errors.append(OptionError("parallel", "must be between 1 and %d, got %d" % (MAX_PARALLEL, params["parallel"])))
    if params["max_disable"] < 0:
        errors.append(OptionError("max_disable", "must be 0 or more, got %d" % params["max_disable"]))
    for index, team in enumerate(params.get("keep_teams") or []):
        if not str(team or "").strip():
            errors.append(OptionError("keep_teams[%d]" % index, "must be a team's name or id, not empty"))
    for index, email in enumerate(params["protected_users"]):
        rule = email_error(email)
        if rule:
            errors.append(OptionError("protected_users[%d]" % index, rule))
    if params["disable_unlisted"] and not params["users"]:
        # Below max_disable a small tenant would be disabled whole: an empty export is never a roster.
        errors.append(OptionError("users", "is empty, and with disable_unlisted=true that would disable every user "
                                           "of the tenant; an empty roster is refused (check the export)"))
    seen = {}
    for index, options in enumerate(params["users"]):
        prefix = "users[%d]." % index
        entry_errors = user_option_errors(options, prefix)
        if params.get("leave_teams") and options.get("state") == "disabled" and options.get("teams") is not None:
            # The leaver would be put in these teams and taken out again by every run.
            entry_errors.append(OptionError(prefix + "teams", "must not be given with state=disabled when "
                                                              "leave_teams=true, which takes leavers out of their teams"))
        errors.extend(entry_errors)
        if any(error.option == prefix + "user_name" for error in entry_errors):
            continue
        key = _key(options["user_name"])
        if key in seen:
            errors.append(OptionError(prefix + "user_name", "%s is already listed as users[%d]; list each user once "
                                                            "(e-mails match case-insensitively)" % (key, seen[key])))
        else:
            seen[key] = index
    errors.extend(identity_option_errors(params["users"], params.get("match_by") or "user_name"))
    return errors


def input_error_result(errors):
    """fail_json arguments for input errors: each one named (the first LIST_CAP), and the promise that nothing was written."""
    result = capped("errors", [{"option": e.option, "rule": e.rule} for e in errors])
    result["msg"] = "%d input error(s), nothing was changed: %s" % (len(errors), named(str(e) for e in errors))
    return result


# -- planning -------------------------------------------------------------------

def read_current_users(client, params):
    """The tenant as the roster needs it (see _roster_read): every page with disable_unlisted, else the cheaper way."""
    return read_tenant(client, [options["user_name"] for options in params["users"]], params["disable_unlisted"],
                       params["parallel"], whole_others=needs_identity(params))


def roster_items(params, tenant, client=None):
    """The listed users, then (with disable_unlisted) every unlisted active user, protected ones included.

    Which account a listed user is comes from _identity (by e-mail or by external id); an entry it cannot
    place fails here, before any write, and the accounts it is about are never disabled as unlisted.
    """
    items, claimed = [], set()
    if needs_identity(params):
        identities, claimed = match_roster(params["users"], params.get("match_by") or "user_name",
                                           _accounts(tenant, params, client))
        for index, (options, identity) in enumerate(zip(params["users"], identities)):
            item = RosterItem(options["user_name"], options, options.get("state") or "present", index, identity.current)
            if identity.conflict:
                item.failed, item.msg = True, identity.conflict
            items.append(item)
    else:
        # By e-mail and without external ids, an entry's account is the one of its e-mail: no matching needed,
        # and each resource stays compact until planned.
        for index, options in enumerate(params["users"]):
            items.append(RosterItem(options["user_name"], options, options.get("state") or "present", index,
                                    stored=tenant.stored(options["user_name"])))
    if params["disable_unlisted"]:
        listed = set(item.user_name for item in items)
        for record in tenant.unlisted():
            if _key(record.get("userName")) in listed or str(record.get("id")) in claimed:
                continue  # a listed user's account under its old e-mail, or one an entry failed on
            if record.get("active") is not False and user_view(record).get("active") is not False:
                items.append(RosterItem(record.get("userName"), {"user_name": record.get("userName")}, "disabled",
                                        current=record))
    return items


def needs_identity(params):
    """Whether _identity must place the entries: matching by external id, or an external id to keep unique."""
    return (params.get("match_by") or "user_name") != "user_name" or any(
        options.get("external_id") not in (None, "") for options in params["users"])


def _accounts(tenant, params, client):
    """The accounts _identity searches: the whole listing when there is one, else lookups (the e-mails known)."""
    if tenant.complete:
        return ListedAccounts([tenant.user(key) for key in tenant.listed] + tenant.unlisted())
    known = dict((_key(options["user_name"]), tenant.user(options["user_name"])) for options in params["users"])
    return LookedUpAccounts(client, known)


def plan_items(items, directory, replace, protected):
    """Plans each user with the code totango_user uses; returns every OptionError found, for all users."""
    errors = []
    for item in items:
        if item.failed:
            continue
        if item.index is None and item.user_name in protected:
            item.msg = "not listed, but in protected_users: never disabled"
            continue
        try:
            item.plan = plan_user(item.options, item.current, directory, item.state, _replaces(item, replace),
                                  item.prefix)
        except OptionError as error:
            errors.append(error)
            continue
        item.action = roster_action(item.plan)
        guarded = _protected_account(item, protected)
        if item.action == "disable" and guarded:
            option = item.prefix + ("state" if item.state == "disabled" else "active")
            errors.append(OptionError(option, "%s is in protected_users, which are never disabled; "
                                              "take it out of protected_users to disable it" % guarded))
        if item.index is None and item.action == "disable":
            item.msg = "not listed: disabled because disable_unlisted is true"
        if item.current is None and item.state == "disabled" and item.index is not None:
            item.msg = NOT_FOUND
        item.settle()
    return errors


def _protected_account(item, protected):
    """The protected e-mail this item's write would disable: the listed one, or the account's own when it was
    found under another e-mail (match_by=external_id finds a leaver by id); None when neither is protected."""
    names = [item.user_name]
    if item.current and item.current.get("userName"):
        names.append(_key(item.current["userName"]))
    return next((name for name in names if name in protected), None)


def not_found(items):
    """The listed users with state=disabled whom Totango does not know (a typo, or never onboarded)."""
    return [item for item in items if item.msg == NOT_FOUND]


def not_found_refusal(items):
    """fail_json arguments when not_found=fail and some are not found: before any write, each named."""
    missing = not_found(items)
    return dict(msg="%d user(s) to disable are not in Totango (not_found=fail), nothing was changed: %s" % (
        len(missing), named(item.label for item in missing)), **capped("not_found", [i.user_name for i in missing]))


def settle_items(items):
    """After leave_teams was planned: every user who needs no write forgets what was read of them."""
    for item in items:
        item.settle(keep_leavers=False)


def _replaces(item, replace):
    # replace=true clears what the roster leaves out of the users it lists; an unlisted user is only disabled,
    # never stripped of the title, external id or manager that HR may still need.
    return replace and item.index is not None


def roster_action(plan):
    """create, update, rename, disable or none: what the user's change means for the roster's counts.

    A disable counts as one whatever else changes, so max_disable sees every account switched off.
    """
    if plan.action in ("create", "adopted"):
        return "create"
    if plan.action == "none":
        return "none"
    active = plan.changes.get("active")
    if active is not None and active[1] is False:
        return "disable"
    return "rename" if plan.action == "rename" else "update"


def disable_refusal(items, max_disable):
    """fail_json arguments when the run would disable more users than max_disable allows, else None."""
    names = [item.user_name for item in items if item.action == "disable"]
    if len(names) <= max_disable:
        return None
    unlisted = len([item for item in items if item.action == "disable" and item.index is None])
    msg = ("This run would disable %d users (%d of them unlisted), more than max_disable=%d; nothing was changed. "
           "If that is intended, set max_disable to at least %d; otherwise check users, disable_unlisted "
           "and protected_users." % (len(names), unlisted, max_disable, len(names)))
    return dict(msg=msg, **capped("would_disable", names))


# -- execution ------------------------------------------------------------------

def apply_items(client, directory, items, replace, parallel):
    """Writes every planned change on `parallel` threads sharing the one client; a failure stays with its user."""
    pending = [item for item in items if item.plan is not None and item.plan.changed]
    if not pending:
        return
    with ThreadPoolExecutor(max_workers=min(parallel, len(pending))) as pool:
        # list() waits for every user; each worker records its own outcome and never raises.
        list(pool.map(lambda item: _apply_item(client, directory, item, replace), pending))


def _apply_item(client, directory, item, replace):
    try:
        # ensure_user plans again from the same listing (cheap, same answer) so its 409 adoption and
        # lost-POST handling stay in one place; the roster returns no resources, so no read-back.
        plan, _resource = ensure_user(client, item.options, directory, item.state, _replaces(item, replace),
                                      check_mode=False, current=item.current, prefix=item.prefix, read_back=False)
    except (ScimError, OptionError) as error:
        item.failed, item.msg = True, str(error)
        return
    except Exception as error:  # pylint: disable=broad-except
        # A bug must not stop the other users either; it is reported with this user.
        item.failed, item.msg = True, "unexpected %s: %s" % (type(error).__name__, error)
        return
    if plan.action == "adopted":
        item.msg = "created outside this run meanwhile; adopted as it was"
    item.plan = plan
    item.action = roster_action(plan) if plan.action != "adopted" else "create"
