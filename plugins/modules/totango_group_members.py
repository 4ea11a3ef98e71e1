#!/usr/bin/python
# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: totango_group_members
short_description: Add, remove or set the members of one Totango team through SCIM
version_added: 0.1.0
description:
  - Manages which users belong to one Totango team (a SCIM Group).
  - Reads the team once, works out what differs, and sends at most one write
    (a PATCH that adds or removes members, or a PUT of the whole member list when both are needed).
  - A team given by id costs one GET; a team given by name costs one listing of all teams, which usually
    also tells the ids of the users to add, so no user lookups are needed.
  - Teams cannot be created or deleted through Totango's SCIM API; the team must exist.
author:
  - scimops.totango contributors (@scimops)
extends_documentation_fragment:
  - scimops.totango.connection
  - scimops.totango.connection.ATTRIBUTES
  - scimops.totango.attributes
  - scimops.totango.attributes.WRITES
options:
  team:
    description:
      - The team's id, or its display name. Names are case-sensitive in Totango (C(Sales) and C(SALES) are two
        teams); the exact name wins, and a name in another case is used only when exactly one team has it.
      - A value of digits only is tried as an id first, then as a name.
      - The module fails before any write when no team matches, or when a name matches several teams.
    type: str
    required: true
  members:
    description:
      - The users, each given by e-mail (matched case-insensitively) or by user id.
      - With O(state=present) or O(state=exact), every user must exist; the module fails before any write
        naming each unknown one.
      - With O(state=exact), an empty list removes every member.
      - Up to 20 users that are in no team yet are looked up one request each; more than that, all users
        are listed page by page (100 a page) until every one is found.
    type: list
    elements: str
    required: true
  state:
    description:
      - V(present) adds the users not yet in the team and leaves the other members.
      - V(absent) removes the listed users that are in the team. Users that do not exist are not members,
        so they are skipped rather than an error.
      - V(exact) makes the team hold exactly these users, removing everyone else.
    type: str
    choices: [present, absent, exact]
    default: present
  max_remove:
    version_added: 0.2.0
    description:
      - A safety threshold for O(state=exact). When the run would take more members out of the team than this,
        the module fails before any write (in check mode too), saying how many it would remove, and returns them
        in RV(would_remove).
      - O(state=exact) removes everyone not listed, so a short or empty O(members) (a lookup that returned
        nothing, a blank survey answer) would otherwise empty the team. Raise it on purpose for a big change.
      - O(state=absent) is not held to it, since it only removes the users it names.
    type: int
    default: 10
  report_members:
    version_added: 0.2.0
    description:
      - V(true) returns every member of the team in RV(members).
      - V(false) returns what changed (RV(added), RV(removed)) and RV(member_count) only, so the result stays
        small for a team of thousands.
    type: bool
    default: false
notes:
  - New members get Totango's default team role. Use M(scimops.totango.totango_user) to set a user's role in a team.
  - Removing a member (O(state=absent) or O(state=exact)) does not check their other teams, so a user can be left
    in no team at all, as the offboarding role intends. To move someone, add them to the new team first, or set
    their whole list of teams with M(scimops.totango.totango_user).
seealso:
  - module: scimops.totango.totango_team_info
  - module: scimops.totango.totango_user
"""

EXAMPLES = r"""
- name: Add two people to the Sales team
  scimops.totango.totango_group_members:
    scim_url: https://app.totango.com/t01/on/api/v2/scim/services/235
    app_token: "{{ totango_app_token }}"
    team: Sales
    members:
      - ericd@company.com
      - tracyd@company.com

- name: Take a leaver out of team 2694
  scimops.totango.totango_group_members:
    team: "2694"
    members: [leaver@company.com]
    state: absent

- name: Make the on-call team hold exactly this week's rota
  scimops.totango.totango_group_members:
    team: On-call
    members: "{{ rota_emails }}"
    state: exact

- name: Re-staff a large team from HR, allowing up to 40 people to leave it
  scimops.totango.totango_group_members:
    team: Customer Success
    members: "{{ hr_customer_success_emails }}"
    state: exact
    max_remove: 40
"""

RETURN = r"""
added:
  description:
    - The users added, or that would be in check mode; e-mails where known, else user ids. Sorted.
    - The first 50; RV(added_total) says how many.
  returned: success
  type: list
  elements: str
  sample: [ericd@company.com]
added_total:
  version_added: 0.2.0
  description: How many users were added (or would be in check mode).
  returned: success
  type: int
  sample: 1
removed_total:
  version_added: 0.2.0
  description: How many users were removed (or would be in check mode).
  returned: success
  type: int
  sample: 0
removed:
  description:
    - The users removed, or that would be in check mode; e-mails where known, else user ids. Sorted.
    - The first 50; RV(removed_total) says how many.
  returned: success
  type: list
  elements: str
  sample: [leaver@company.com]
member_count:
  version_added: 0.2.0
  description: How many members the team has after the change (or would have in check mode).
  returned: success
  type: int
  sample: 42
members:
  description:
    - The team's members after the change (or as they would be in check mode), sorted by e-mail.
    - Only with O(report_members=true); a team may hold thousands of members.
  returned: when O(report_members=true)
  type: list
  elements: dict
  contains:
    id:
      description: The user's id.
      type: str
      returned: always
    user_name:
      description: The user's e-mail, or null when Totango did not say it and the module had no need to look it up.
      type: str
      returned: always
  sample: [{id: "100001", user_name: ericd@company.com}]
team:
  description: The team.
  returned: success
  type: dict
  contains:
    id:
      description: The team's id.
      type: str
      returned: always
    name:
      description: The team's display name.
      type: str
      returned: always
  sample: {id: "2694", name: Global Team}
action:
  description: The write sent, or that would be sent in check mode.
  returned: always
  type: str
  choices: [patch_add, patch_remove, put, none]
  sample: patch_add
diff:
  description:
    - The team's members before and after, sorted. Returned in diff mode.
    - For a team of more than 200 members, only the members who leave (before) and join (after), with
      C(member_count) and how many stay (a diff of every member of a large team is hundreds of kilobytes).
  returned: when diff mode is on
  type: dict
  sample:
    before: {team: Sales, members: [ericd@company.com]}
    after: {team: Sales, members: [ericd@company.com, tracyd@company.com]}
would_remove:
  version_added: 0.2.0
  description:
    - The members (the first 50) O(state=exact) would have removed, when O(max_remove) stopped it (nothing was
      changed); e-mails where known, else user ids. Sorted.
  returned: failure
  type: list
  elements: str
  sample: [leaver@company.com]
would_remove_total:
  version_added: 0.2.0
  description: How many members O(state=exact) would have removed, when O(max_remove) stopped it.
  returned: failure
  type: int
  sample: 1
option:
  description: The option whose value was refused, when the module failed on bad input (before any request).
  returned: failure
  type: str
  sample: "members[0]"
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

from ansible_collections.scimops.totango.plugins.module_utils._errors import OptionError, ScimError
from ansible_collections.scimops.totango.plugins.module_utils._group_members import (
    STATES,
    apply_membership,
    plan_membership,
    removal_refusal,
)
from ansible_collections.scimops.totango.plugins.module_utils._module import TotangoModule


def main():
    argument_spec = dict(
        team=dict(type="str", required=True),
        members=dict(type="list", elements="str", required=True),
        state=dict(type="str", choices=list(STATES), default="present"),
        max_remove=dict(type="int", default=10),
        report_members=dict(type="bool", default=False),
    )
    module = TotangoModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    result = dict(changed=False, action="none")
    try:
        if not str(params["team"]).strip():
            raise OptionError("team", "must be a team's id or display name, not empty")
        if params["max_remove"] < 0:
            raise OptionError("max_remove", "must be 0 or more, got %d" % params["max_remove"])
        client = module.client
        plan = plan_membership(client, params["team"], params["members"], params["state"])
        refusal = removal_refusal(plan, params["max_remove"])
        if refusal:
            module.fail_json(changed=False, action="none", **refusal)
        if not module.check_mode:
            apply_membership(client, plan)
    except (OptionError, ScimError) as error:
        module.fail_on(error, **result)
    result.update(plan.result(params["report_members"]), changed=plan.changed, action=plan.write)
    if module._diff:
        result["diff"] = plan.diff()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
