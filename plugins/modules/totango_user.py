#!/usr/bin/python
# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: totango_user
short_description: Create, update or disable one Totango user through SCIM
version_added: 0.1.0
description:
  - Makes one Totango user look the way the options say, through Totango's SCIM 2.0 API.
  - Reads the user once (by O(user_name), case-insensitively, or by O(external_id) with O(match_by=external_id)),
    compares, and sends one write only when something differs.
  - A second lookup is made only when it decides something, by external id before an O(external_id) is written
    to a user that does not hold it yet, by e-mail before a rename or when no user holds the external id.
  - Only the options you set are managed; attributes you leave out keep their values (unless O(replace=true)).
  - Totango's API cannot delete users. Use O(state=disabled) to switch a user off.
author:
  - scimops.totango contributors (@scimops)
extends_documentation_fragment:
  - scimops.totango.connection
  - scimops.totango.connection.ATTRIBUTES
  - scimops.totango.attributes
  - scimops.totango.attributes.WRITES
options:
  user_name:
    description:
      - The user's e-mail address, their unique key in Totango. Matched case-insensitively; Totango stores it lower-case.
      - At most 100 characters.
    type: str
    required: true
    aliases: [email]
  state:
    description:
      - V(present) creates the user when missing and updates what differs.
      - V(disabled) sets the user inactive. A user that does not exist is left alone (C(changed=false)).
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
    description: Display name, at most 128 characters. Totango defaults it from the names.
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
    description:
      - Whether the user is active. Not managed when not given, so O(state=present) never re-enables a user by itself.
    type: bool
  license:
    description:
      - V(practitioner) or V(spark), V(contributor) or V(zoe), or V(viewer), in any case. Practitioner and Contributor
        are Totango's current names; its API still calls them V(spark) and V(zoe), which is what is sent, compared and
        shown in diffs, so either spelling is the same license and no change. Totango defaults new users to V(spark).
      - Totango cannot move a Practitioner or Contributor to Viewer; the module fails before any write if asked to.
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
      - The user's complete list of teams. Teams not listed are left; teams are resolved by O(teams[].id) or O(teams[].name).
      - When not given, the user's teams are not managed. A new user without teams lands in the tenant's default team.
    type: list
    elements: dict
    suboptions:
      id:
        description: The team's id. Give O(teams[].id) or O(teams[].name).
        type: str
      name:
        description:
          - The team's display name. Totango's team names are case-sensitive (C(Sales) and C(SALES) are two teams),
            and both may be listed. The team of exactly this name wins; a name in another case is used only when
            exactly one team has it, and a name that several teams match that way is refused before any write.
          - A team the user is already in, named exactly, needs no listing of teams; a rerun costs one read.
        type: str
      role:
        description:
          - The user's role in the team, for example V(Team Admin).
          - When not given, an existing membership keeps its role and a new one gets Totango's default.
        type: str
  match_by:
    version_added: 0.2.0
    description:
      - How the user is found in Totango.
      - V(user_name) finds them by O(user_name). An O(external_id) that already belongs to another Totango user is
        not written to this one (a create or an update); the module fails before any write, naming both accounts.
      - V(external_id) finds them by O(external_id), which is then required. A user found under another e-mail is
        renamed to O(user_name) in the same write as any other change (RV(action=rename)), never disabled and
        created again; the diff shows the old and the new e-mail. With O(state=disabled) the user is disabled under
        the e-mail Totango has and not renamed.
      - With V(external_id) the module fails before any write when two Totango users hold the external id, when
        O(user_name) already belongs to another user, or when the user of that e-mail has another external id.
      - Totango changes e-mails only when Totango UUID is enabled for the account (Totango Support does that); when
        it refuses, the module says so and nothing is written for the user.
    type: str
    choices: [user_name, external_id]
    default: user_name
  replace:
    description:
      - V(false) sends a PATCH with only what differs.
      - V(true) sends a PUT of the whole user, so O(title), O(external_id), O(manager_email) and
        O(manager_external_id) are cleared when not given.
      - A change of O(display_name) or O(is_admin) always uses a PUT, because Totango's PATCH does not accept them.
    type: bool
    default: false
notes:
  - If Totango answers a create with 409 because the user exists by now (created meanwhile, or by an earlier
    attempt whose answer was lost), the module reads that user and adopts them, changing only what differs;
    the result has RV(action=adopted) when nothing did.
seealso:
  - module: scimops.totango.totango_users
    description: Reconcile a whole roster in one task.
  - module: scimops.totango.totango_user_info
"""

EXAMPLES = r"""
- name: Onboard Eric as a Contributor in the Global Team
  scimops.totango.totango_user:
    scim_url: https://app.totango.com/t01/on/api/v2/scim/services/235
    app_token: "{{ totango_app_token }}"
    user_name: ericd@company.com
    given_name: Eric
    family_name: Dunn
    title: CSM Team Leader
    license: contributor
    manager_email: tracyd@company.com
    teams:
      - name: Global Team
        role: Team Admin

- name: Disable a leaver, with the connection from module_defaults
  module_defaults:
    group/scimops.totango.totango:
      scim_url: "{{ totango_scim_url }}"
      app_token: "{{ totango_app_token }}"
  scimops.totango.totango_user:
    email: leaver@company.com
    state: disabled
"""

RETURN = r"""
user:
  description:
    - The user resource after the change, or as it would be after it in check mode.
    - Built locally from what was sent when Totango answers a write with no body.
    - Absent when O(state=disabled) and the user does not exist.
  returned: success
  type: dict
  sample:
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:totango:1.0:User"]
    id: "100001"
    userName: ericd@company.com
    displayName: Dunn Eric
    title: CSM Team Leader
    name: {givenName: Eric, familyName: Dunn}
    groups: [{value: "2694", display: Global Team, teamrole: Team Admin}]
    "urn:ietf:params:scim:schemas:totango:1.0:User": {license: [zoe], isAdmin: false, managerEmail: tracyd@company.com}
license:
  version_added: 0.2.0
  description:
    - The license the user holds after the change (or would, in check mode), as Totango's API names it.
    - Absent when the user does not exist or Totango does not say (a user just created without O(license)
      gets Totango's default, which check mode does not guess).
  returned: when known
  type: str
  choices: [spark, zoe, viewer]
  sample: zoe
license_name:
  version_added: 0.2.0
  description: The same license in Totango's current words.
  returned: when known
  type: str
  choices: [Practitioner, Contributor, Viewer]
  sample: Contributor
action:
  description:
    - What the module did, or would do in check mode.
    - V(rename) changes the user's e-mail (with O(match_by=external_id)), with every other change in the same write.
  returned: always
  type: str
  choices: [create, patch, put, rename, none, adopted]
  sample: patch
diff:
  description: The managed fields before and after, under their option names. Returned in diff mode.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: The fields before the change; empty when the user did not exist.
      type: dict
      returned: always
    after:
      description: The fields after the change.
      type: dict
      returned: always
  sample:
    before: {user_name: ericd@company.com, given_name: Eric, family_name: Dunn, title: CSM, license: zoe}
    after: {user_name: ericd@company.com, given_name: Eric, family_name: Dunn, title: CSM Team Leader, license: zoe}
option:
  description: The option whose value was refused, when the module failed on bad input (before any request).
  returned: failure
  type: str
  sample: user_name
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
from ansible_collections.scimops.totango.plugins.module_utils._module import TotangoModule
from ansible_collections.scimops.totango.plugins.module_utils._teams import TeamDirectory
from ansible_collections.scimops.totango.plugins.module_utils._identity import (
    LookedUpAccounts,
    identity_option_errors,
    match_by_argument_spec,
    match_user,
)
from ansible_collections.scimops.totango.plugins.module_utils._user_model import (
    license_result,
    state_argument_spec,
    user_argument_spec,
    user_view,
    validate_user_options,
)
from ansible_collections.scimops.totango.plugins.module_utils._user_sync import ensure_user


def main():
    argument_spec = dict(user_argument_spec(),
                         state=state_argument_spec(),
                         replace=dict(type="bool", default=False),
                         match_by=match_by_argument_spec())
    module = TotangoModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    result = dict(changed=False, action="none")
    try:
        validate_user_options(params)
        for error in identity_option_errors([params], params["match_by"], prefix=""):
            raise error
        client = module.client
        identity = match_user(params, params["match_by"], LookedUpAccounts(client), params["state"])
        if identity.conflict:
            module.fail_json(msg=identity.conflict, **result)
        plan, user = ensure_user(client, params, TeamDirectory(client), state=params["state"],
                                 replace=params["replace"], check_mode=module.check_mode, current=identity.current)
    except (OptionError, ScimError) as error:
        module.fail_on(error, **result)
    result.update(changed=plan.changed, action=plan.action)
    if user is not None:
        result["user"] = user
        result.update(license_result(user_view(user)))
    if module._diff:
        result["diff"] = plan.diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
