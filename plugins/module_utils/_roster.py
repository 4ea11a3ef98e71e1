# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reconciles a whole roster: validate everything, plan every user from one listing, then write in parallel.

Each user is planned and applied by _user_sync, exactly as totango_user does it; this file only adds
what a roster needs on top: duplicate and safety checks, unlisted users, worker threads and the
per-user bookkeeping. Private to this collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.scimops.totango.plugins.module_utils._errors import (
    OptionError,
    ScimError,
)
from ansible_collections.scimops.totango.plugins.module_utils._identity import (
    ListedAccounts,
    identity_option_errors,
    match_roster,
)
from ansible_collections.scimops.totango.plugins.module_utils._user_model import (
    changes_diff,
    email_error,
    license_result,
    normalize_email,
    user_option_errors,
    user_view,
)
from ansible_collections.scimops.totango.plugins.module_utils._user_sync import (
    ensure_user,
    plan_user,
)

MAX_PARALLEL = 32
# Roster action -> the count it adds to.
COUNT_NAMES = (("create", "created"), ("update", "updated"), ("rename", "renamed"), ("disable", "disabled"),
               ("none", "unchanged"))


def _key(user_name):
    return normalize_email(str(user_name or ""))


class RosterItem:
    """One user of the run: listed in users (index set) or unlisted and up for disabling (index None)."""

    def __init__(self, user_name, options, state, index=None, current=None):
        self.user_name = _key(user_name)
        self.options = options
        self.state = state
        self.index = index
        self.current = current
        self.plan = None
        self.action = "none"
        self.failed = False
        self.msg = None
        self.user_id = str(current["id"]) if current and current.get("id") else None

    @property
    def prefix(self):
        return "" if self.index is None else "users[%d]." % self.index

    @property
    def label(self):
        return self.user_name if self.index is None else "users[%d] %s" % (self.index, self.user_name)

    @property
    def changed(self):
        return self.action != "none" and not self.failed

    def result(self):
        entry = {"user_name": self.user_name, "action": self.action, "changed": self.changed, "failed": self.failed}
        if self.user_id:
            entry["id"] = self.user_id
        if self.plan is not None and self.plan.renamed_from and not self.failed:
            entry["renamed_from"] = self.plan.renamed_from
        if self.msg:
            entry["msg"] = self.msg
        entry.update(license_result(self.held()))
        return entry

    def held(self):
        """The user's fields once the run is done (or would be, in check mode); as before it when the write failed."""
        if self.plan is None:
            return user_view(self.current)
        return self.plan.before if self.failed else self.plan.after

    def diff(self):
        """Only the fields that change, so a diff of a thousand users stays a page per hundred changes."""
        changes = self.plan.changes if self.plan else {}
        return dict(changes_diff(changes, created=self.action == "create"),
                    before_header=self.user_name, after_header="%s (%s)" % (self.user_name, self.action))


# -- validation: everything that can be known before the first request ---------

def check_roster_options(params):
    """Every input error of the run (not just the first): a list of OptionError."""
    errors = []
    if params["parallel"] < 1 or params["parallel"] > MAX_PARALLEL:
        errors.append(OptionError("parallel", "must be between 1 and %d, got %d" % (MAX_PARALLEL, params["parallel"])))
    if params["max_disable"] < 0:
        errors.append(OptionError("max_disable", "must be 0 or more, got %d" % params["max_disable"]))
    for index, email in enumerate(params["protected_users"]):
        rule = email_error(email)
        if rule:
            errors.append(OptionError("protected_users[%d]" % index, rule))
    seen = {}
    for index, options in enumerate(params["users"]):
        prefix = "users[%d]." % index
        entry_errors = user_option_errors(options, prefix)
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
    """fail_json arguments for input errors: every one named, and the promise that nothing was written."""
    return {
        "msg": "%d input error(s), nothing was changed: %s" % (len(errors), "; ".join(str(e) for e in errors)),
        "errors": [{"option": e.option, "rule": e.rule} for e in errors],
    }


# -- planning -------------------------------------------------------------------

def list_current_users(client, parallel=1):
    """Every user of the tenant by lower-cased userName, each page read once, on `parallel` threads."""
    return dict((_key(resource.get("userName")), resource)
                for resource in client.iter_resources("/Users", "listing users", parallel=parallel))


def roster_items(params, current_users):
    """The listed users, then (with disable_unlisted) every unlisted active user, protected ones included.

    Which account a listed user is comes from _identity (by e-mail or by external id); an entry it cannot
    place fails here, before any write, and the accounts it is about are never disabled as unlisted.
    """
    items = []
    identities, claimed = match_roster(params["users"], params.get("match_by") or "user_name",
                                       ListedAccounts(current_users.values()))
    for index, (options, identity) in enumerate(zip(params["users"], identities)):
        item = RosterItem(options["user_name"], options, options.get("state") or "present", index, identity.current)
        if identity.conflict:
            item.failed, item.msg = True, identity.conflict
        items.append(item)
    if params["disable_unlisted"]:
        listed = {item.user_name for item in items}
        for key in sorted(set(current_users) - listed):
            resource = current_users[key]
            if str(resource.get("id")) in claimed:
                continue  # a listed user's account under its old e-mail, or one an entry failed on
            if user_view(resource).get("active") is not False:  # already inactive users are left alone
                items.append(RosterItem(key, {"user_name": resource.get("userName") or key}, "disabled",
                                        current=resource))
    return items


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
        if item.action == "disable" and item.user_name in protected:
            option = item.prefix + ("state" if item.state == "disabled" else "active")
            errors.append(OptionError(option, "%s is in protected_users, which are never disabled; "
                                              "take it out of protected_users to disable it" % item.user_name))
        if item.index is None and item.action == "disable":
            item.msg = "not listed: disabled because disable_unlisted is true"
    return errors


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
    return {"msg": msg, "would_disable": names}


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


# -- the result -----------------------------------------------------------------

def roster_result(items, with_diff):
    """changed, the counts, one result per user and, in diff mode, one diff per changed user."""
    counts = {name: 0 for _action, name in COUNT_NAMES}
    counts["failed"] = 0
    names = dict(COUNT_NAMES)
    for item in items:
        counts["failed" if item.failed else names[item.action]] += 1
    # A top-level "failed" would be read by Ansible as the task failing, so that count lives in counts only.
    result = dict(changed=any(item.changed for item in items), users=[item.result() for item in items],
                  counts=counts, **{name: counts[name] for _action, name in COUNT_NAMES})
    if with_diff:
        result["diff"] = [item.diff() for item in items if item.changed]
    return result


def failure_message(items):
    failed = [item for item in items if item.failed]
    return "%d of %d users failed, the others were applied: %s" % (
        len(failed), len(items), "; ".join("%s: %s" % (item.label, item.msg) for item in failed))
