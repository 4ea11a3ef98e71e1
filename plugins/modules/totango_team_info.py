#!/usr/bin/python
# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: totango_team_info
short_description: Read Totango teams and their members through SCIM
version_added: 0.1.0
description:
  - Returns one team by O(id), the teams with a display O(name), or every team of the tenant, each with its members.
  - By O(id) costs one request. Totango cannot filter teams, so by O(name) and all teams list every team,
    following every page.
author:
  - scimops.totango contributors (@scimops)
extends_documentation_fragment:
  - scimops.totango.connection
  - scimops.totango.connection.ATTRIBUTES
  - scimops.totango.attributes
  - scimops.totango.attributes.READ_ONLY
options:
  id:
    description:
      - The id of the team to return. An unknown id returns no team rather than failing.
    type: str
  name:
    description:
      - Return the teams with this display name, matched case-insensitively.
    type: str
seealso:
  - module: scimops.totango.totango_group_members
  - module: scimops.totango.totango_user_info
"""

EXAMPLES = r"""
- name: One team by id
  scimops.totango.totango_team_info:
    id: "2694"

- name: One team by name, with its members' e-mails
  scimops.totango.totango_team_info:
    name: Global Team
  register: global_team

- name: Show them
  ansible.builtin.debug:
    msg: "{{ global_team.teams[0].members | map(attribute='display') | list }}"

- name: Every team
  scimops.totango.totango_team_info:
  register: all_teams
"""

RETURN = r"""
teams:
  description:
    - The matching SCIM Group resources as Totango returns them, each with all its C(members)
      (C(value) is the user id, C(display) usually the user's e-mail).
    - Empty when nothing matches.
  returned: success
  type: list
  elements: dict
  sample:
    - id: "2694"
      displayName: Global Team
      members: [{value: "100001", display: ericd@company.com}]
count:
  description: How many teams were returned.
  returned: success
  type: int
  sample: 1
option:
  description: The option whose value was refused, when the module failed on bad input (before any request).
  returned: failure
  type: str
  sample: name
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

from ansible.module_utils.six.moves.urllib.parse import quote

from ansible_collections.scimops.totango.plugins.module_utils._errors import OptionError, ScimError
from ansible_collections.scimops.totango.plugins.module_utils._module import TotangoModule
from ansible_collections.scimops.totango.plugins.module_utils._teams import TeamDirectory


def read_team(client, team_id):
    team = client.get_if_exists("/Groups/%s" % quote(team_id, safe=""), "reading team %s" % team_id)
    return [team] if team is not None else []


def read_teams(client, team_id=None, name=None):
    if team_id is not None:
        return read_team(client, team_id.strip())
    teams = TeamDirectory(client).all()
    if name is None:
        return teams
    wanted = name.strip().lower()
    return [team for team in teams if str(team.get("displayName", "")).lower() == wanted]


def main():
    argument_spec = dict(
        id=dict(type="str"),
        name=dict(type="str"),
    )
    module = TotangoModule(argument_spec=argument_spec, supports_check_mode=True, mutually_exclusive=[("id", "name")])
    params = module.params
    try:
        for option in ("id", "name"):
            if params[option] is not None and not params[option].strip():
                raise OptionError(option, "must not be empty; leave it out to list every team")
        teams = read_teams(module.client, params["id"], params["name"])
    except (OptionError, ScimError) as error:
        module.fail_on(error, changed=False)
    module.exit_json(changed=False, teams=teams, count=len(teams))


if __name__ == "__main__":
    main()
