#!/usr/bin/python
# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: totango_users
short_description: Reconcile a whole roster of Totango users in one task
version_added: 0.1.0
description:
  - Makes every user in O(users) look the way its options say, and optionally disables everyone else.
  - Reads what the run needs, at the cost of the work rather than of the tenant. With O(disable_unlisted=true)
    every user must be seen, so all users are listed once, page by page (one request per 100 users; the pages
    after the first are read on the O(parallel) workers). Otherwise the first page tells how many users Totango
    holds, and the listed users it did not show are either looked up one request each (on the workers) or
    found on the remaining pages, whichever costs fewer requests. A roster of one user is looked up at once.
  - Each user's change is computed locally with the same code as M(scimops.totango.totango_user), whichever
    way the users were read, so check mode and the diff are the same either way. Only users that differ cost
    a write.
  - Every input is checked before the first write; any bad entry fails the task with every bad option of
    every entry named, and nothing changed. The options are checked before any request; what
    depends on Totango (an unknown team, the names a new user needs, a license Totango cannot change) is
    checked next, from the one listing, so it is reported once the options are valid.
  - Writes run on O(parallel) worker threads that share one connection pool and keep together to
    O(requests_per_minute), backing off on the server's rate-limit headers.
  - One user's failure does not stop the others. The task fails at the end, naming each failed user and why,
    and still returns the counts and, for every user it changed, what changed before and after (the audit
    trail Ansible's diff does not show for a failed task).
  - The result stays small enough for AWX's job events. The roster is not echoed back in C(invocation), the
    unchanged users are counted rather than listed (see O(report_unchanged)), and long lists of names are
    capped at 50 with their total beside them.
  - Totango's API cannot delete users. Disabling sets C(active=false).
author:
  - scimops.totango contributors (@scimops)
extends_documentation_fragment:
  - scimops.totango.connection
  - scimops.totango.connection.ATTRIBUTES
  - scimops.totango.attributes
  - scimops.totango.attributes.WRITES
options:
  users:
    description:
      - The roster. Each entry takes the options of M(scimops.totango.totango_user).
      - Each user may be listed once; e-mails match case-insensitively.
    type: list
    elements: dict
    required: true
    suboptions:
      user_name:
        description: The user's e-mail address, their unique key in Totango. At most 100 characters.
        type: str
        required: true
        aliases: [email]
      state:
        description:
          - V(present) creates the user when missing and updates what differs.
          - V(disabled) sets the user inactive; a user that does not exist is left alone.
        type: str
        choices: [present, disabled]
        default: present
      given_name:
        description: First name, at most 30 characters. Required to create a user.
        type: str
      family_name:
        description: Last name, at most 30 characters. Required to create a user.
        type: str
      display_name:
        description: Display name, at most 128 characters.
        type: str
      title:
        description: Job title, at most 128 characters. An empty string clears it.
        type: str
      external_id:
        description:
          - Your own id for the user, at most 128 characters, without the spaces around it. An empty string clears it.
          - Totango compares external ids exactly. One that Totango holds only in another case (C(HR-1) for C(hr-1))
            fails that user, naming the account, rather than creating a second account or disabling the first.
        type: str
      active:
        description: Whether the user is active. Not managed when not given.
        type: bool
      license:
        description:
          - V(practitioner) or V(spark), V(contributor) or V(zoe), or V(viewer), in any case (Practitioner and
            Contributor are Totango's current names of spark and zoe).
          - Totango cannot move a Practitioner or Contributor to Viewer; such an entry is an input error.
        type: str
      is_admin:
        description: Whether the user is a global admin.
        type: bool
      manager_email:
        description: The e-mail of the user's manager, at most 100 characters. An empty string clears it.
        type: str
      manager_external_id:
        description: The external id of the user's manager, at most 128 characters. An empty string clears it.
        type: str
      teams:
        description:
          - The user's complete list of teams, each by O(users[].teams[].id) or O(users[].teams[].name).
          - When not given, the user's teams are not managed.
        type: list
        elements: dict
        suboptions:
          id:
            description: The team's id.
            type: str
          name:
            description:
              - The team's display name. Totango's team names are case-sensitive (C(Sales) and C(SALES) are two teams),
                and both may be listed. The team of exactly this name wins; a name in another case is used only when
                exactly one team has it, and a name that several teams match that way is refused before any write.
              - A team the user is already in, named exactly, needs no listing of teams; a rerun costs one read.
            type: str
          role:
            description: The user's role in the team; when not given an existing membership keeps its role.
            type: str
  disable_unlisted:
    description:
      - Disable every active user that is not in O(users) and not in O(protected_users).
      - Users already inactive are left alone. Users with no active flag at all count as active.
    type: bool
    default: false
  protected_users:
    description:
      - E-mails of users this task never disables, matched case-insensitively.
      - Listing one of them with O(users[].state=disabled) or O(users[].active=false), when that would disable
        them, is an input error naming that option; nothing is written.
    type: list
    elements: str
    default: []
  max_disable:
    description:
      - A safety threshold. When the run would disable more users than this (unlisted and listed together),
        the task fails before any write, saying how many it would disable.
      - Raise it on purpose for a large offboarding.
    type: int
    default: 10
  parallel:
    description:
      - Worker threads reading pages and sending writes, 1 to 32. They share one connection pool and one
        request pacer, so O(requests_per_minute) holds for the whole task.
    type: int
    default: 4
  leave_teams:
    version_added: 0.2.0
    description:
      - V(true) takes every user listed with O(users[].state=disabled) out of all their teams (but those in
        O(keep_teams)) once they are disabled, or when they already were.
      - The teams come from each user's own resource, which the run reads anyway; no team is listed and nothing is
        read again. All of a team's leavers go in one PATCH of that team.
      - The team writes run after every user write, and a user whose disabling failed keeps every team, so nobody
        leaves a team while still active.
      - Unlisted users that O(disable_unlisted) disables keep their teams.
    type: bool
    default: false
  keep_teams:
    version_added: 0.2.0
    description:
      - Teams, by id or display name, that O(leave_teams) never takes anyone out of.
      - Each is matched as the team of M(scimops.totango.totango_group_members) is, by id first (a value of digits
        only is the team with that id when there is one), else by exact name, else in any case when only one team
        matches (Totango's team names are case-sensitive, so C(Sales) and C(SALES) are two teams).
      - An entry that names none of the leavers' teams exactly costs one listing of the teams, and one that names
        no team, or several, is refused before any write.
      - Totango's documentation does not say what happens to a user taken out of their last team; where a tenant
        puts them back into its default team, list that team here, or every run takes them out again.
    type: list
    elements: str
    default: []
  not_found:
    version_added: 0.2.0
    description:
      - What to do about users listed with O(users[].state=disabled) who are not in Totango (a mistyped e-mail
        leaves the real person active).
      - V(ignore) leaves them be; V(warn) adds an Ansible warning naming each; V(fail) fails before any write,
        naming each. Whatever the choice, RV(not_found) lists them.
    type: str
    choices: [ignore, warn, fail]
    default: ignore
  report_unchanged:
    version_added: 0.2.0
    description:
      - V(true) lists every user in RV(users), the unchanged ones too.
      - V(false) lists only the users that changed, failed or have a note (not in Totango, protected, adopted);
        the others are counted in RV(unchanged).
    type: bool
    default: false
  match_by:
    version_added: 0.2.0
    description:
      - How each listed user is found among the tenant's users (the one listing serves both).
      - V(user_name) matches by O(users[].user_name). A user whose O(users[].external_id) already belongs to another
        Totango user is not created (nor the id set on them), and that other user is not disabled by
        O(disable_unlisted); the entry fails, naming both accounts and pointing at V(external_id).
      - V(external_id) matches by O(users[].external_id), which every entry must then have (each once). A user
        found under another e-mail is renamed to O(users[].user_name) with one write that carries any other change
        too (action C(rename), counted in RV(renamed)); the old account is listed, so O(disable_unlisted) never
        disables it, and no second account is created. O(users[].state=disabled) disables without renaming.
      - With V(external_id), an entry fails, with nothing written for the accounts it names, when two Totango users
        hold its external id, when its e-mail belongs to another user, or when the user of that e-mail has another
        external id. The other entries go on.
      - Totango changes e-mails only when Totango UUID is enabled for the account (Totango Support does that); a
        refused rename fails that user with that advice, and nothing is written for them.
    type: str
    choices: [user_name, external_id]
    default: user_name
  replace:
    description:
      - V(true) replaces each changed user with a PUT, so O(users[].title), O(users[].external_id),
        O(users[].manager_email) and O(users[].manager_external_id) are cleared when not given.
      - Unlisted users that O(disable_unlisted) disables are only disabled; their other fields are kept.
      - V(false) patches only what differs.
    type: bool
    default: false
  expected_plan_id:
    version_added: 0.2.0
    description:
      - The RV(plan_id) of the run that was reviewed, usually a check run (C(--check --diff)) approved in an AWX
        workflow. When this run's plan differs, the task fails before any write, and in check mode too, so the
        apply job can be rehearsed.
      - The refusal names this option and both ids, and says what changed since the review as far as a run can
        tell. It holds only the reviewed id, which starts with the reviewed plan's counts, so it gives the counts
        per action then and now, and names every user this run would write, with the fields it would change (the
        first 50, then how many more; also in RV(plan_users)). Compare them with the reviewed diff.
      - The plan differs when anything this run would write differs from the reviewed plan, because the roster,
        the options or Totango changed meanwhile. A change to a user the run leaves alone does not count.
      - When not given, the run goes ahead whatever its plan; it returns RV(plan_id) all the same.
    type: str
notes:
  - "A run costs, in reads: with O(disable_unlisted), one per 100 users in the tenant; otherwise the first page
    and then the fewer of one lookup per listed user not on it or the remaining pages (a single listed user: one
    lookup). Add one read of the teams when a team is given by an id or an exact name that no listed user
    already holds, and one write per user that changes. For example 5 updates in a tenant of 30,000 users cost
    11 requests."
  - With O(requests_per_minute=100) (Totango's limit) a run that changes 1,000 users takes about 10 minutes.
  - The diff has one entry per changed user, holding only the fields that change, so it stays readable for
    thousands of users.
  - A user whose create Totango answers with 409 because they exist by now (created meanwhile, or by an earlier
    attempt whose answer was lost) is read and adopted, changing only what differs. They count as updated when
    something differed, else as created, with the note C(adopted) in their result.
seealso:
  - module: scimops.totango.totango_user
    description: One user per task, with the resource returned.
"""

EXAMPLES = r"""
- name: Reconcile the roster from HR, disabling leavers (at most 25)
  scimops.totango.totango_users:
    users: "{{ hr_roster }}"
    disable_unlisted: true
    protected_users:
      - admin@company.com
      - integration@company.com
    max_disable: 25

- name: Onboard two people and disable a leaver
  scimops.totango.totango_users:
    users:
      - user_name: ericd@company.com
        given_name: Eric
        family_name: Dunn
        license: zoe
        teams:
          - name: Global Team
            role: Team Admin
      - email: tracy@company.com
        given_name: Tracy
        family_name: Dean
        manager_email: ericd@company.com
      - email: leaver@company.com
        state: disabled
  register: roster

- name: Show what happened
  ansible.builtin.debug:
    msg: "{{ roster.created }} created, {{ roster.updated }} updated, {{ roster.disabled }} disabled"
"""

RETURN = r"""
created:
  description: Users created (or, in check mode, that would be).
  returned: always
  type: int
  sample: 12
updated:
  description: Users updated.
  returned: always
  type: int
  sample: 3
renamed:
  version_added: 0.2.0
  description: Users whose e-mail was changed (O(match_by=external_id)), with whatever else changed for them.
  returned: always
  type: int
  sample: 1
disabled:
  description: Users disabled, listed and unlisted.
  returned: always
  type: int
  sample: 1
unchanged:
  description: Listed users that needed no change, and unlisted protected users.
  returned: always
  type: int
  sample: 980
counts:
  description:
    - All the counts in one place, including C(failed), the users whose write failed or who could not be matched.
    - The failed count is only here because Ansible reads a top-level C(failed) as the task's own failure flag.
  returned: always
  type: dict
  contains:
    created:
      description: Users created.
      type: int
      returned: always
    updated:
      description: Users updated.
      type: int
      returned: always
    renamed:
      version_added: 0.2.0
      description: Users whose e-mail was changed.
      type: int
      returned: always
    disabled:
      description: Users disabled.
      type: int
      returned: always
    unchanged:
      description: Users left as they were.
      type: int
      returned: always
    failed:
      description: Users whose write failed.
      type: int
      returned: always
  sample: {created: 12, updated: 3, renamed: 1, disabled: 1, unchanged: 980, failed: 0}
users:
  description:
    - One result per user the run changed (or would in check mode), failed, or has a note about, in the order
      of O(users), then the unlisted users the run disabled (or, being protected, did not).
    - With O(report_unchanged=true), every listed user.
  returned: always
  type: list
  elements: dict
  contains:
    user_name:
      description: The user's e-mail, lower-case.
      type: str
      returned: always
    id:
      description:
        - The Totango id of a user who existed before the run (check mode and a real run return the same).
        - Offboarding uses it to find the user among team members.
      type: str
      returned: when known
    action:
      description: What the task did, or would do in check mode, to this user.
      type: str
      returned: always
      choices: [create, update, rename, disable, none]
    renamed_from:
      version_added: 0.2.0
      description: The e-mail the user had before a rename (O(match_by=external_id)).
      type: str
      returned: when the user is renamed
    changed:
      description: Whether the user was changed.
      type: bool
      returned: always
    failed:
      description: Whether the user's write failed.
      type: bool
      returned: always
    msg:
      description: Why the user failed, or a note (adopted, unlisted, protected, not in Totango).
      type: str
      returned: when there is something to say
    before:
      version_added: 0.2.0
      description:
        - The fields that changed, as they were (under their option names; empty ones left out). The same as the
          diff's, but in the result, so a failed task keeps the trail of what it wrote for the others.
      type: dict
      returned: when changed
    after:
      version_added: 0.2.0
      description: The fields that changed, as they are now (or would be in check mode).
      type: dict
      returned: when changed
    license:
      version_added: 0.2.0
      description:
        - The license the user holds after the run (or would, in check mode; before it, when the write failed),
          as Totango's API names it.
        - Absent when not known, for example for a user created without O(users[].license) (Totango's default applies).
      type: str
      returned: when known
      choices: [spark, zoe, viewer]
    license_name:
      version_added: 0.2.0
      description: The same license in Totango's current words.
      type: str
      returned: when known
      choices: [Practitioner, Contributor, Viewer]
  sample:
    - {user_name: ericd@company.com, action: create, changed: true, failed: false, license: zoe,
       license_name: Contributor, before: {},
       after: {user_name: ericd@company.com, given_name: Eric, family_name: Dunn, license: zoe}}
    - {user_name: tracy@company.com, id: "100002", action: update, changed: false, failed: true, license: spark,
       license_name: Practitioner,
       msg: "Updating user tracy@company.com failed: HTTP 400 invalidValue: group 9 does not exist"}
diff:
  description:
    - One entry per changed user, with only the fields that change (under their option names).
      Returned in diff mode; Ansible prints each entry as its own small diff headed by the user's e-mail.
  returned: when diff mode is on
  type: list
  elements: dict
  sample:
    - before_header: ericd@company.com
      after_header: ericd@company.com (update)
      before: {title: CSM}
      after: {title: CSM Team Leader}
plan_id:
  version_added: 0.2.0
  description:
    - A digest of exactly what the run writes (or would write, in check mode), the same in check mode and in the
      real run for the same roster, options and tenant. Pass the one of a reviewed check run as O(expected_plan_id).
    - For each user written, the digest covers their e-mail, the account written to, the action, the kind of write,
      each changed field before and after, and the teams they leave (O(leave_teams)); with any write, the tenant
      (O(scim_url)) too. Users left alone do not count, nor what Totango changes by itself (C(meta),
      C(lastModified)). No secret is part of it.
    - It reads C(c<created>-u<updated>-r<renamed>-d<disabled>-l<team leaves>-<sha256>), the counts of the plan and
      the SHA-256 of its canonical JSON. A run that writes nothing returns
      V(c0-u0-r0-d0-l0-fd0d59a5c5a8965e3d40893e4e0bc655bd7e232a2414b20f6141832651029288) on every tenant.
    - Computed once every user is planned and before the first write; a write that then fails does not change it.
  returned: when the run got as far as planning (not on an input error or a refusal before it)
  type: str
  sample: c1-u2-r0-d1-l2-3b1f0c8e6f0a4d54a0e9d7d5c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0
plan:
  version_added: 0.2.0
  description: The counts of the plan RV(plan_id) stands for, per kind of write.
  returned: when RV(plan_id) is
  type: dict
  contains:
    creates:
      description: Users to create.
      type: int
      returned: always
    updates:
      description: Users to update.
      type: int
      returned: always
    renames:
      description: Users to rename.
      type: int
      returned: always
    disables:
      description: Users to disable.
      type: int
      returned: always
    leaves:
      description: Team memberships to remove (O(leave_teams)), one per user and team.
      type: int
      returned: always
  sample: {creates: 1, updates: 2, renames: 0, disables: 1, leaves: 2}
expected_plan_id:
  version_added: 0.2.0
  description: The O(expected_plan_id) given, when the plan differed from it (nothing was changed).
  returned: failure
  type: str
  sample: c1-u2-r0-d1-l2-3b1f0c8e6f0a4d54a0e9d7d5c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0
plan_users:
  version_added: 0.2.0
  description:
    - When the plan differed from O(expected_plan_id) (nothing was changed), the users (the first 50) this run
      would write, each with the action and the fields it changes.
  returned: failure
  type: list
  elements: str
  sample: ["tracy@company.com (update: title)", "leaver@company.com (disable, leave teams: active, teams 2694)"]
plan_users_total:
  version_added: 0.2.0
  description: How many users this run would write, when the plan differed from O(expected_plan_id).
  returned: failure
  type: int
  sample: 2
not_found:
  version_added: 0.2.0
  description: The users (the first 50) listed with O(users[].state=disabled) who are not in Totango.
  returned: always
  type: list
  elements: str
  sample: [barbara.liskvo@company.com]
not_found_total:
  version_added: 0.2.0
  description: How many users listed with O(users[].state=disabled) are not in Totango.
  returned: always
  type: int
  sample: 1
teams:
  version_added: 0.2.0
  description:
    - With O(leave_teams), each team the run took leavers out of (or would in check mode), by team id.
  returned: when O(leave_teams=true)
  type: list
  elements: dict
  contains:
    id:
      description: The team's id.
      type: str
      returned: always
    name:
      description: The team's display name, as the leavers' resources give it.
      type: str
      returned: always
    removed:
      description: The leavers taken out of this team (the first 50), sorted; empty when the write failed.
      type: list
      elements: str
      returned: always
    removed_total:
      description: How many leavers were taken out of this team.
      type: int
      returned: always
    failed:
      description: True when Totango refused the team's write; its leavers stay in it and fail.
      type: bool
      returned: when the write failed
    msg:
      description: Why the team's write failed.
      type: str
      returned: when the write failed
  sample: [{id: "2694", name: Support, removed: [leaver@company.com], removed_total: 1}]
errors:
  description: The input errors (the first 50), when the input is invalid (nothing was changed).
  returned: failure
  type: list
  elements: dict
  sample: [{option: "users[3].given_name", rule: "must be at most 30 characters, got 41"}]
errors_total:
  version_added: 0.2.0
  description: How many input errors there are.
  returned: failure
  type: int
  sample: 1
would_disable:
  description: The users (the first 50) the run would have disabled, when O(max_disable) stopped it (nothing was changed).
  returned: failure
  type: list
  elements: str
  sample: [leaver@company.com]
would_disable_total:
  version_added: 0.2.0
  description: How many users the run would have disabled, when O(max_disable) stopped it.
  returned: failure
  type: int
  sample: 1
option:
  description:
    - The connection option whose value was refused, when the module failed on it (before any request).
    - The options of O(users) are reported in RV(errors) instead, every one of them.
  returned: failure
  type: str
  sample: scim_url
error:
  description: What Totango answered, when the module failed on an error from the API.
  returned: failure
  type: dict
  contains:
    status:
      description: The HTTP status, or null when no answer arrived.
      type: int
      returned: always
    scim_type:
      description: The SCIM error type, or null.
      type: str
      returned: always
    detail:
      description: Totango's message, with advice for a refused credential.
      type: str
      returned: always
  sample:
    status: 401
    scim_type: null
    detail: >-
      the app_token was refused (invalid app-token); SCIM APIs must be enabled for User Management in
      Totango's settings, and the token must belong to a global admin
"""

from ansible_collections.scimops.totango.plugins.module_utils import _leave_teams as leave
from ansible_collections.scimops.totango.plugins.module_utils import _plan as planning
from ansible_collections.scimops.totango.plugins.module_utils import _roster as roster
from ansible_collections.scimops.totango.plugins.module_utils import _roster_result as results
from ansible_collections.scimops.totango.plugins.module_utils._errors import OptionError, ScimError
from ansible_collections.scimops.totango.plugins.module_utils._identity import match_by_argument_spec
from ansible_collections.scimops.totango.plugins.module_utils._module import TotangoModule
from ansible_collections.scimops.totango.plugins.module_utils._teams import TeamDirectory
from ansible_collections.scimops.totango.plugins.module_utils._user_model import (
    normalize_email,
    state_argument_spec,
    user_argument_spec,
)


def argument_spec():
    user_options = user_argument_spec()
    user_options["state"] = state_argument_spec()
    return {
        "users": {"type": "list", "elements": "dict", "required": True, "options": user_options},
        "disable_unlisted": {"type": "bool", "default": False},
        "protected_users": {"type": "list", "elements": "str", "default": []},
        "max_disable": {"type": "int", "default": 10},
        "parallel": {"type": "int", "default": 4},
        "replace": {"type": "bool", "default": False},
        "report_unchanged": {"type": "bool", "default": False},
        "leave_teams": {"type": "bool", "default": False},
        "keep_teams": {"type": "list", "elements": "str", "default": []},
        "not_found": {"type": "str", "choices": ["ignore", "warn", "fail"], "default": "ignore"},
        "match_by": match_by_argument_spec(),
        "expected_plan_id": {"type": "str"},
    }


def main():
    module = TotangoModule(argument_spec=argument_spec(), supports_check_mode=True)
    params = module.params
    invocation = results.roster_invocation(params)
    errors = roster.check_roster_options(params) + planning.expected_plan_errors(params["expected_plan_id"])
    if errors:
        module.fail_json(changed=False, invocation=invocation, **roster.input_error_result(errors))
    client, directory, items, leaves, missing = plan_run(module, params, invocation)
    plan = planning.Plan(planning.planned_writes(items), params["scim_url"])
    refusal = planning.plan_refusal(plan, params["expected_plan_id"])
    if refusal:
        module.fail_json(changed=False, invocation=invocation, **refusal)
    if not module.check_mode:
        roster.apply_items(client, directory, items, params["replace"], params["parallel"])
        leave.apply_leaves(client, leaves, params["parallel"])
    result = results.roster_result(items, module._diff, params["report_unchanged"])
    result.update(plan.result())
    result.update(results.capped("not_found", [item.user_name for item in missing]))
    if params["leave_teams"]:
        result["teams"] = leave.leaves_result(leaves)
    if missing and params["not_found"] == "warn":
        module.warn("Not in Totango, so not disabled (check the e-mails): %s" % results.named(
            item.label for item in missing))
    if result["counts"]["failed"]:
        module.fail_json(msg=results.failure_message(items), invocation=invocation, **result)
    module.exit_json(invocation=invocation, **result)


def plan_run(module, params, invocation):
    """Reads and plans every user and team leave, failing before any write on what the input or tenant refuses.

    Returns (client, directory, items, leaves, missing): what the writes need, and the leavers not in Totango.
    """
    protected = {normalize_email(str(email)) for email in params["protected_users"]}
    try:
        client = module.client
        directory = TeamDirectory(client)
        items = roster.roster_items(params, roster.read_current_users(client, params), client)
        errors = roster.plan_items(items, directory, params["replace"], protected)
    except (OptionError, ScimError) as error:
        module.fail_on(error, changed=False, invocation=invocation)
    if errors:
        module.fail_json(changed=False, invocation=invocation, **roster.input_error_result(errors))
    refusal = roster.disable_refusal(items, params["max_disable"])
    missing = roster.not_found(items)
    if not refusal and missing and params["not_found"] == "fail":
        refusal = roster.not_found_refusal(items)
    if refusal:
        module.fail_json(changed=False, invocation=invocation, **refusal)
    try:
        leaves = leave.plan_leaves(items, params["keep_teams"], directory) if params["leave_teams"] else []
    except (OptionError, ScimError) as error:
        module.fail_on(error, changed=False, invocation=invocation)
    roster.settle_items(items)
    return client, directory, items, leaves, missing


if __name__ == "__main__":
    main()
