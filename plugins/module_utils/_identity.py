# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which Totango account a listed user is: by e-mail (match_by=user_name) or by external id (match_by=external_id).

An e-mail change is the everyday case this exists for: with match_by=external_id the account found
under its old e-mail is renamed, never disabled and created again. With either setting an external id
is never written to a second account, since two accounts sharing one would make every later match a
guess. Private to this collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.scimops.totango.plugins.module_utils._errors import OptionError
from ansible_collections.scimops.totango.plugins.module_utils._user_api import find_users

MATCH_BY = ("user_name", "external_id")


def match_by_argument_spec():
    return dict(type="str", choices=list(MATCH_BY), default="user_name")


def _email(value):
    return str(value or "").strip().lower()


def _external_id(options):
    value = str(options.get("external_id") or "").strip()
    return value or None


def _split_by_case(resources, external_id):
    """(the accounts whose external id is exactly this one, those whose differs from it only in case).

    Totango compares external ids exactly, as RFC 7643 has them (caseExact); one that differs only in case
    is far likelier a typo for the same person than another person, so it is never ignored.
    """
    exact = [r for r in resources if str(r.get("externalId")) == external_id]
    folded = [r for r in resources if r not in exact and str(r.get("externalId")).lower() == external_id.lower()]
    return exact, folded


def describe(resource):
    """An account as a message names it: e-mail, id and external id."""
    text = "%s (id %s" % (resource.get("userName"), resource.get("id"))
    if resource.get("externalId") not in (None, ""):
        text += ", external_id %s" % resource["externalId"]
    return text + ")"


# -- input: what can be told before any request ----------------------------------------------------

def identity_option_errors(users, match_by, prefix="users[%d]."):
    """Every entry match_by=external_id cannot place, and every external id listed twice: a list of OptionError.

    prefix is formatted with the entry's index (totango_user passes "" for its one user).
    """
    errors = []
    seen = {}
    for index, options in enumerate(users):
        where = prefix % index if "%" in prefix else prefix
        external_id = _external_id(options)
        if external_id is None:
            if match_by == "external_id":
                errors.append(OptionError(where + "external_id", "is required with match_by=external_id, which finds "
                                                                 "each user by it; give it, or use match_by=user_name"))
            continue
        if external_id in seen:
            errors.append(OptionError(where + "external_id", "%s is already the external_id of users[%d]; an external id "
                                                             "belongs to one person" % (external_id, seen[external_id])))
        else:
            seen[external_id] = index
    return errors


# -- the accounts to match against -----------------------------------------------------------------

class ListedAccounts:
    """Every account of the tenant, from one listing: what the roster already holds."""

    def __init__(self, resources):
        self._by_name = {}
        self._by_external_id = {}  # by the external id in lower case: its case variants together
        for resource in resources:
            self._by_name[_email(resource.get("userName"))] = resource
            if resource.get("externalId") not in (None, ""):
                self._by_external_id.setdefault(str(resource["externalId"]).lower(), []).append(resource)

    def by_user_name(self, user_name):
        return self._by_name.get(_email(user_name))

    def by_external_id(self, external_id):
        """(exact holders, holders of the id in another case): see _split_by_case."""
        return _split_by_case(self._by_external_id.get(str(external_id).lower(), []), str(external_id))


class LookedUpAccounts:
    """Accounts found one filter GET at a time (userName eq, externalId eq), each asked once."""

    def __init__(self, client, known=None):
        self._client = client
        self._by_name = dict((_email(name), resource) for name, resource in (known or {}).items())
        self._by_external_id = {}

    def by_user_name(self, user_name):
        key = _email(user_name)
        if key not in self._by_name:
            found = find_users(self._client, "userName", key)
            self._by_name[key] = found[0] if found else None
        return self._by_name[key]

    def by_external_id(self, external_id):
        """(exact holders, holders in another case). A server whose filter is case-sensitive (RFC 7643's
        caseExact) shows no case variant to a lookup; a full listing (disable_unlisted) always does."""
        key = str(external_id)
        if key not in self._by_external_id:
            self._by_external_id[key] = find_users(self._client, "externalId", key)
        return _split_by_case(self._by_external_id[key], key)


# -- matching ----------------------------------------------------------------------------------------

class Identity:
    """The account a listed user is (current, None when new), the accounts the entry stands for, or why it fails.

    claimed are the ids of every account the entry is about, found or conflicting: disable_unlisted never
    disables them, since the entry is about them and nothing may be written for a conflicting one.
    """

    def __init__(self, current=None, conflict=None, claimed=()):
        self.current = current
        self.conflict = conflict
        self.claimed = set(str(r["id"]) for r in claimed if r and r.get("id") not in (None, ""))
        if current and current.get("id") not in (None, ""):
            self.claimed.add(str(current["id"]))


def match_user(options, match_by, accounts, state="present"):
    """The Identity of one listed user (options as given to totango_user), from accounts."""
    if match_by == "external_id":
        return _by_external_id(options, accounts, state)
    return _by_user_name(options, accounts, state)


def _by_user_name(options, accounts, state):
    current = accounts.by_user_name(options["user_name"])
    external_id = _external_id(options)
    writes_external_id = external_id is not None and (
        (current is None and state != "disabled")
        or (current is not None and str(current.get("externalId") or "") != external_id))
    if not writes_external_id:
        return Identity(current)
    exact, folded = accounts.by_external_id(external_id)
    holders = [r for r in exact + folded if not current or str(r.get("id")) != str(current.get("id"))]
    if not holders:
        return Identity(current)
    what = "creating %s" % _email(options["user_name"]) if current is None else "setting it on %s" % describe(current)
    conflict = ("external_id %s already belongs to %s; %s would give two accounts one external id, so nothing was "
                "written for either. If %s is that person's new e-mail, use match_by=external_id to rename the "
                "account; otherwise correct external_id" % (external_id, _accounts(holders), what,
                                                            _email(options["user_name"])))
    return Identity(current, conflict, holders)


def _by_external_id(options, accounts, state):
    user_name = _email(options["user_name"])
    external_id = _external_id(options)
    holders, folded = accounts.by_external_id(external_id)
    if folded and not holders:
        return Identity(None, "no Totango user has external_id %s exactly, but %s has it in another case; Totango "
                              "compares external ids exactly, so nothing was written for either. Correct external_id "
                              "to the one Totango holds, or change it in Totango" % (external_id, _accounts(folded)),
                        folded)
    if len(holders) > 1:
        return Identity(None, "external_id %s is held by %d Totango users: %s; nothing was written for them. Give the "
                              "id to one account only (in Totango), then rerun"
                        % (external_id, len(holders), _accounts(holders)), holders)
    if holders:
        return _holder(holders[0], user_name, external_id, accounts, state)
    namesake = accounts.by_user_name(user_name)
    if namesake is None or namesake.get("externalId") in (None, ""):
        return Identity(namesake)  # new, or an account without external id that takes this one
    return Identity(None, "no Totango user has external_id %s, and %s belongs to %s, another person by external id; "
                          "nothing was written for it. Correct external_id, or use match_by=user_name to change the "
                          "account's external id" % (external_id, user_name, describe(namesake)), [namesake])


def _holder(account, user_name, external_id, accounts, state):
    if _email(account.get("userName")) == user_name or state == "disabled":
        return Identity(account)  # a leaver is disabled under the e-mail Totango knows, not renamed
    namesake = accounts.by_user_name(user_name)
    if namesake is not None and str(namesake.get("id")) != str(account.get("id")):
        return Identity(None, "external_id %s belongs to %s, but %s is already the e-mail of %s; renaming would "
                              "need that e-mail, so nothing was written for either" % (
                                  external_id, describe(account), user_name, describe(namesake)), [account, namesake])
    return Identity(account)


def _accounts(resources):
    return " and ".join(describe(r) for r in resources)


def rename_refused_detail(old, new, detail):
    """The message for a write with a rename that Totango refused (400): the cause it most likely has."""
    return ("Totango refused to change the e-mail %s to %s (%s). Changing a user's e-mail needs Totango UUID "
            "enabled for the account; ask Totango Support. Nothing was written for this user (the change is one "
            "request, which Totango applies whole or not at all)" % (old, new, detail))


def match_roster(users, match_by, accounts):
    """(one Identity per listed user, the ids of every account the roster is about) for totango_users.

    No two entries can come to one account once identity_option_errors passed: a holder of an external id is
    found by that id (listed once), an account without one by its e-mail (listed once).
    """
    identities = [match_user(options, match_by, accounts, options.get("state") or "present") for options in users]
    claimed = set()
    for identity in identities:
        claimed |= identity.claimed
    return identities, claimed
