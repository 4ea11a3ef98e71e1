#!/usr/bin/python
# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: totango_user_info
short_description: Read Totango users through SCIM
version_added: 0.1.0
description:
  - Returns one user by O(user_name), the users with an O(external_id), or every user of the tenant.
  - Totango filters on one field at a time, so O(user_name) and O(external_id) are mutually exclusive.
  - Listing every user follows every page (100 users a request).
author:
  - scimops.totango contributors (@scimops)
extends_documentation_fragment:
  - scimops.totango.connection
  - scimops.totango.connection.ATTRIBUTES
  - scimops.totango.attributes
  - scimops.totango.attributes.READ_ONLY
options:
  user_name:
    description:
      - The e-mail of the user to return, matched case-insensitively. One request.
    type: str
    aliases: [email]
  external_id:
    description:
      - Return the users with this external id (exact match). One request.
    type: str
seealso:
  - module: scimops.totango.totango_user
  - module: scimops.totango.totango_team_info
"""

EXAMPLES = r"""
- name: Look up one user
  scimops.totango.totango_user_info:
    user_name: ericd@company.com
  register: eric

- name: Find users by your own id
  scimops.totango.totango_user_info:
    external_id: "701984"

- name: Every user of the tenant
  scimops.totango.totango_user_info:
  register: everyone

- name: The e-mails of the disabled ones
  ansible.builtin.debug:
    msg: "{{ everyone.users | selectattr('active', 'defined') | rejectattr('active') | map(attribute='userName') | list }}"
"""

RETURN = r"""
users:
  description:
    - The matching SCIM User resources as Totango returns them, in Totango's order.
    - Empty when nothing matches.
  returned: success
  type: list
  elements: dict
  sample:
    - id: "100001"
      userName: ericd@company.com
      name: {givenName: Eric, familyName: Dunn}
      active: true
      groups: [{value: "2694", display: Global Team, teamrole: Team Admin}]
      "urn:ietf:params:scim:schemas:totango:1.0:User": {license: [zoe], isAdmin: false}
count:
  description: How many users were returned.
  returned: success
  type: int
  sample: 1
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
from ansible_collections.scimops.totango.plugins.module_utils._user_api import find_users, iter_users
from ansible_collections.scimops.totango.plugins.module_utils._user_model import email_error


def read_users(client, user_name=None, external_id=None):
    if user_name is not None:
        return find_users(client, "userName", user_name)
    if external_id is not None:
        return find_users(client, "externalId", external_id)
    return list(iter_users(client))


def main():
    argument_spec = dict(
        user_name=dict(type="str", aliases=["email"]),
        external_id=dict(type="str"),
    )
    module = TotangoModule(argument_spec=argument_spec, supports_check_mode=True,
                           mutually_exclusive=[("user_name", "external_id")])
    params = module.params
    try:
        for option in ("user_name", "external_id"):
            if params[option] is not None and not params[option].strip():
                raise OptionError(option, "must not be empty; leave it out to list every user")
        if params["user_name"] is not None and email_error(params["user_name"]):
            # A typo'd address would otherwise read as "no such user".
            raise OptionError("user_name", "must be an e-mail address (a Totango userName is one), got %r"
                              % params["user_name"])
        users = read_users(module.client, params["user_name"], params["external_id"])
    except (OptionError, ScimError) as error:
        module.fail_on(error, changed=False)
    module.exit_json(changed=False, users=users, count=len(users))


if __name__ == "__main__":
    main()
