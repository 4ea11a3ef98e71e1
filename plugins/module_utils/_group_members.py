# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Changes one team's members: finds the team, resolves members to user ids, plans and sends the one write.

Reads are kept to what the API forces: a team given by id costs one GET; by name, one listing of
/Groups (which also tells the e-mail of every user who is in some team, so new members usually need
no lookup at all). Private to this collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

from ansible.module_utils.six.moves.urllib.parse import quote

from ansible_collections.scimops.totango.plugins.module_utils._dialect import (
    MEMBER_REMOVAL,
    PatchForms,
    filter_value,
    send_patch,
)
from ansible_collections.scimops.totango.plugins.module_utils._errors import OptionError
from ansible_collections.scimops.totango.plugins.module_utils._roster_result import capped
from ansible_collections.scimops.totango.plugins.module_utils._teams import TeamDirectory, match_team
from ansible_collections.scimops.totango.plugins.module_utils._user_api import find_user, iter_users
from ansible_collections.scimops.totango.plugins.module_utils._user_model import email_error, normalize_email

GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
STATES = ("present", "absent", "exact")

# Up to this many users still unknown after the team reads, each costs one filter GET; beyond it,
# /Users is listed page by page (100 a page) until all are found. 20 filter GETs cost as much as
# listing a tenant of 2,000 users, and a fifth of Totango's 100-requests-a-minute budget.
LOOKUP_THRESHOLD = 20
# Up to this many members, a diff lists the whole team.
DIFF_MEMBERS = 200

# One entry of the members option: its position, the text given, and the lower-cased e-mail (None for an id).
MemberRef = namedtuple("MemberRef", "index value email")


def _is_email(text):
    return "@" in text


def parse_member_refs(members, option="members"):
    """Validates the members option (e-mails or user ids) and drops repeats; raises OptionError."""
    refs = []
    seen = set()
    for index, raw in enumerate(members or []):
        value = "" if raw is None else str(raw).strip()
        where = "%s[%d]" % (option, index)
        if not value:
            raise OptionError(where, "must be a user's e-mail or id, not empty")
        if _is_email(value):
            if email_error(value):
                raise OptionError(where, "%r is not a valid e-mail address" % value)
            key = normalize_email(value)
            ref = MemberRef(index, value, key)
        else:
            key = ("id", value)
            ref = MemberRef(index, value, None)
        if key not in seen:
            seen.add(key)
            refs.append(ref)
    return refs


class UserIndex:
    """What the run has learned about users: id -> e-mail, and e-mail -> id."""

    def __init__(self):
        self.names = {}
        self.ids_by_email = {}

    def learn(self, user_id, user_name=None):
        user_id = str(user_id)
        email = normalize_email(str(user_name)) if user_name and _is_email(str(user_name)) else None
        if email or user_id not in self.names:
            self.names[user_id] = email
        if email:
            self.ids_by_email[email] = user_id

    def learn_members(self, group):
        # A member's display is usually the user's e-mail; anything else only proves the id exists.
        for member in group.get("members") or []:
            if member.get("value") not in (None, ""):
                self.learn(member["value"], member.get("display"))

    def learn_resource(self, resource):
        if resource and resource.get("id") not in (None, ""):
            self.learn(resource["id"], resource.get("userName"))

    def id_for(self, ref):
        if ref.email:
            return self.ids_by_email.get(ref.email)
        return ref.value if ref.value in self.names else None

    def label(self, user_id):
        """The e-mail when known, else the id."""
        return self.names.get(str(user_id)) or str(user_id)


def member_ids(group):
    return [str(m["value"]) for m in group.get("members") or [] if m.get("value") not in (None, "")]


def displays_are_emails(group):
    """True when every member's display is an e-mail, so an e-mail missing from them is surely not a member."""
    return all(_is_email(str(m.get("display") or "")) for m in group.get("members") or [])


# -- the team ----------------------------------------------------------------------------------


def find_team(client, ref, option="team"):
    """Returns (team, all_teams or None): one GET when ref looks like an id (digits), else one listing of /Groups."""
    ref = str(ref).strip()
    if ref.isdigit():
        team = client.get_if_exists("/Groups/%s" % ref, "reading team %s" % ref)
        if team is not None:
            return team, None
        # A team may be named with digits only: fall back to the names.
    teams = TeamDirectory(client).all()
    return match_team(teams, option, team_id=ref, name=ref), teams


# -- the members ---------------------------------------------------------------------------------


def refs_to_resolve(refs, state, group, index):
    """The refs whose user id the plan needs but the index does not know yet."""
    unknown = [r for r in refs if index.id_for(r) is None]
    if state != "absent":
        return unknown
    # Removing: an id is checked against the team directly; an e-mail missing from e-mail displays is no member.
    if displays_are_emails(group):
        return []
    return [r for r in unknown if r.email]


def resolve_users(client, refs, index, threshold=LOOKUP_THRESHOLD):
    """Teaches the index the users behind refs: a GET each for a few, one paged listing for many."""
    if len(refs) > threshold:
        pending = {r.email or r.value for r in refs}
        for resource in iter_users(client):
            index.learn_resource(resource)
            pending.discard(str(resource.get("id")))
            pending.discard(normalize_email(str(resource.get("userName", ""))))
            if not pending:
                break  # the remaining pages cannot tell anything more
        return
    for ref in refs:
        if ref.email:
            index.learn_resource(find_user(client, ref.value))
        else:
            index.learn_resource(_get_user(client, ref.value))


def _get_user(client, user_id):
    return client.get_if_exists("/Users/%s" % quote(user_id, safe=""), "looking up the user with id %s" % user_id)


def unknown_members_error(missing, option="members"):
    described = ", ".join("%s (%s[%d])" % (r.value, option, r.index) for r in missing)
    return OptionError(option, "no Totango user exists with e-mail or id %s" % described)


# -- the plan --------------------------------------------------------------------------------------


def plan_changes(current_ids, wanted_ids, state):
    """(ids to add, ids to remove), in a stable order, for present, absent or exact."""
    current = set(current_ids)
    wanted = []
    for user_id in wanted_ids:
        if user_id not in wanted:
            wanted.append(user_id)
    if state == "absent":
        return [], [i for i in wanted if i in current]
    add = [i for i in wanted if i not in current]
    if state == "present":
        return add, []
    keep = set(wanted)
    return add, [i for i in current_ids if i not in keep]


def choose_write(add, remove):
    """The fewest writes: one PATCH for only adds or only removes, one PUT of the whole list for both."""
    if add and remove:
        return "put"
    if add:
        return "patch_add"
    if remove:
        return "patch_remove"
    return "none"


def resulting_ids(current_ids, add, remove):
    dropped = set(remove)
    return [i for i in current_ids if i not in dropped] + [i for i in add if i not in current_ids]


class MembershipPlan:
    """One team's members before and after, and the write that gets there."""

    def __init__(self, team, current_ids, add, remove, index, state="present"):
        self.team = team
        self.state = state
        self.current_ids = list(current_ids)
        self.add = list(add)
        self.remove = list(remove)
        self.index = index
        self.write = choose_write(self.add, self.remove)
        self.after_ids = resulting_ids(self.current_ids, self.add, self.remove)

    @property
    def changed(self):
        return self.write != "none"

    @property
    def team_id(self):
        return str(self.team.get("id"))

    @property
    def team_name(self):
        return self.team.get("displayName")

    def request(self):
        """(method, body) of the write; a PATCH body is its Operations in both dialects (PatchForms)."""
        if self.write == "put":
            return "PUT", {"schemas": [GROUP_SCHEMA], "id": self.team_id, "displayName": self.team_name,
                           "members": [{"value": i} for i in self.after_ids]}
        if self.write == "patch_add":
            return "PATCH", member_addition_forms(self.add)
        return "PATCH", member_removal_forms(self.remove)

    def labels(self, ids):
        return sorted((self.index.label(i) for i in ids), key=lambda text: (text.lower(), text))

    def members(self, ids):
        rows = [{"id": i, "user_name": self.index.names.get(i)} for i in ids]
        return sorted(rows, key=lambda row: ((row["user_name"] or row["id"]).lower(), row["id"]))

    def result(self, report_members=False):
        """What changed and how many members the team has; every member only when asked (a team may hold thousands)."""
        result = dict(member_count=len(self.after_ids), team={"id": self.team_id, "name": self.team_name})
        result.update(capped("added", self.labels(self.add)))
        result.update(capped("removed", self.labels(self.remove)))
        if report_members:
            result["members"] = self.members(self.after_ids)
        return result

    def diff(self):
        """Every member before and after; for a team of more than DIFF_MEMBERS, the members who change only.

        A diff of a team of 5,000 is 250 KB for one person added; a reviewer reads the change either way.
        """
        if max(len(self.current_ids), len(self.after_ids)) <= DIFF_MEMBERS:
            return {"before": {"team": self.team_name, "members": self.labels(self.current_ids)},
                    "after": {"team": self.team_name, "members": self.labels(self.after_ids)}}
        unchanged = "%d members who stay are not shown" % (len(self.current_ids) - len(self.remove))
        return {"before": {"team": self.team_name, "member_count": len(self.current_ids),
                           "members": self.labels(self.remove), "unchanged": unchanged},
                "after": {"team": self.team_name, "member_count": len(self.after_ids),
                          "members": self.labels(self.add), "unchanged": unchanged}}


def member_addition_forms(ids):
    """An add of the members, as Totango documents it and RFC 7644 has it: the same in both dialects."""
    added = [{"op": "add", "path": "members", "value": [{"value": i} for i in ids]}]
    return PatchForms(MEMBER_REMOVAL, added, added)


def member_removal_forms(ids):
    """Totango documents a remove with the members as its value; RFC 7644 selects each member by a filter."""
    return PatchForms(MEMBER_REMOVAL,
                      [{"op": "remove", "path": "members", "value": [{"value": i} for i in ids]}],
                      [{"op": "remove", "path": "members[value eq %s]" % filter_value(i)} for i in ids])


def team_path(team_id):
    return "/Groups/%s" % quote(str(team_id), safe="")


def remove_members(client, team_id, team_name, ids):
    """One PATCH taking these user ids out of the team, in the dialect the server takes; returns the answer."""
    action = "removing %d members from team %s (%s)" % (len(ids), team_name, team_id)
    return send_patch(client, team_path(team_id), member_removal_forms(ids), action)


def add_members(client, team_id, team_name, ids):
    """One PATCH putting these user ids into the team; returns the answer."""
    action = "adding %d members to team %s (%s)" % (len(ids), team_name, team_id)
    return send_patch(client, team_path(team_id), member_addition_forms(ids), action)


def plan_membership(client, team_ref, members, state):
    """Reads what it must and returns the MembershipPlan; raises OptionError before any write for bad input."""
    if state not in STATES:
        raise OptionError("state", "must be one of %s" % ", ".join(STATES))
    refs = parse_member_refs(members)
    team, all_teams = find_team(client, team_ref)
    index = UserIndex()
    for other in all_teams or []:
        index.learn_members(other)
    index.learn_members(team)  # last, so this team's own displays win
    resolve_users(client, refs_to_resolve(refs, state, team, index), index)
    missing = [r for r in refs if index.id_for(r) is None]
    if missing and state != "absent":
        raise unknown_members_error(missing)
    wanted = [index.id_for(r) for r in refs if index.id_for(r) is not None]
    add, remove = plan_changes(member_ids(team), wanted, state)
    return MembershipPlan(team, member_ids(team), add, remove, index, state)


def removal_refusal(plan, max_remove):
    """fail_json arguments when state=exact would take more members out of the team than max_remove, else None.

    Only exact is held to it: its removals are everyone not listed, so a short or empty list (a failed
    lookup upstream, a survey left blank) would empty the team. With absent, each removal is named.
    """
    if plan.state != "exact" or len(plan.remove) <= max_remove:
        return None
    count = len(plan.remove)
    msg = ("state=exact would remove %d of the %d members of team %s (%s), more than max_remove=%d; nothing was "
           "changed. If that is intended, set max_remove to at least %d; otherwise check members."
           % (count, len(plan.current_ids), plan.team_name, plan.team_id, max_remove, count))
    return dict(msg=msg, team={"id": plan.team_id, "name": plan.team_name}, **capped("would_remove", plan.labels(plan.remove)))


def apply_membership(client, plan):
    """Sends the plan's one write; the result comes from the answer when it lists members, else from the plan."""
    if not plan.changed:
        return
    method, body = plan.request()
    action = "%s team %s (%s)" % (_verb(plan), plan.team_name, plan.team_id)
    if method == "PUT":
        answer = client.put(team_path(plan.team_id), body, action)
    else:
        # Totango may answer 200 with no body: the plan already knows the outcome.
        answer = send_patch(client, team_path(plan.team_id), body, action)
    if isinstance(answer, dict) and isinstance(answer.get("members"), list):
        plan.index.learn_members(answer)
        kept = member_ids(answer)
        if set(kept) != set(plan.after_ids):
            client.note(kept_members_note(plan, kept))
        plan.after_ids = kept


def kept_members_note(plan, kept):
    """Says how the members the server answered with differ from the plan's, by e-mail where known."""
    missing = plan.labels(set(plan.after_ids) - set(kept))
    extra = plan.labels(set(kept) - set(plan.after_ids))
    parts = (["without %s" % ", ".join(missing)] if missing else []) + (["with %s" % ", ".join(extra)] if extra else [])
    return "members: the server kept team %s %s, unlike what was asked" % (plan.team_name, " and ".join(parts))


def _verb(plan):
    if plan.write == "put":
        return "setting the members (adding %d, removing %d) of" % (len(plan.add), len(plan.remove))
    if plan.write == "patch_add":
        return "adding %d members to" % len(plan.add)
    return "removing %d members from" % len(plan.remove)
