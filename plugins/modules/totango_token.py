#!/usr/bin/python
# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: totango_token
short_description: Get an OAuth bearer token for Totango's SCIM API
version_added: 0.1.0
description:
  - Exchanges a Totango global admin's O(username) and O(password) for a bearer token
    (HTTP Basic auth, C(grant_type=client_credentials)), to pass to other modules as O(access_token).
  - Read-only, so it runs in check mode too, and always reports C(changed=false).
  - "The token is a secret: register the result on a task with C(no_log: true) so it does not reach the output."
author:
  - scimops.totango contributors (@scimops)
extends_documentation_fragment:
  - scimops.totango.connection
  - scimops.totango.connection.ATTRIBUTES
  - scimops.totango.attributes
  - scimops.totango.attributes.READ_ONLY
notes:
  - O(app_token) and O(access_token) are not used by this module; give O(username) and O(password).
  - Other modules can log in with O(username) and O(password) themselves; this module is for reusing one token across tasks.
seealso:
  - module: scimops.totango.totango_user
"""

EXAMPLES = r"""
- name: Get a token once
  scimops.totango.totango_token:
    scim_url: https://app.totango.com/t01/on/api/v2/scim/services/235
    username: admin@company.com
    password: "{{ vault_totango_password }}"
  register: totango_login
  no_log: true

- name: Use it for the rest of the play
  scimops.totango.totango_user:
    scim_url: https://app.totango.com/t01/on/api/v2/scim/services/235
    access_token: "{{ totango_login.access_token }}"
    user_name: ericd@company.com
    state: disabled
"""

RETURN = r"""
access_token:
  description: The bearer token.
  returned: success
  type: str
  sample: 607d378d7f794b3f1cdb525ec694687239f5e5a2
token_type:
  description: The token type, C(Bearer).
  returned: success
  type: str
  sample: Bearer
expires_in:
  description: Seconds the token stays valid, as the server said.
  returned: success
  type: int
  sample: 86400
expires_at:
  description: When the token expires, in UTC, ISO 8601; null when the server gave no lifetime.
  returned: success
  type: str
  sample: "2026-11-24T09:15:00Z"
option:
  description: The option whose value was refused, when the module failed on bad input (before any request).
  returned: failure
  type: str
  sample: username
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
      the username and password were refused (invalid username or password); SCIM APIs must be enabled for User Management in
      Totango's settings, and the token must belong to a global admin
"""

import datetime

from ansible_collections.scimops.totango.plugins.module_utils._errors import OptionError, ScimError
from ansible_collections.scimops.totango.plugins.module_utils._module import TotangoModule


def main():
    module = TotangoModule(argument_spec={}, supports_check_mode=True)
    params = module.params
    # Only username and password are used, so a play's module_defaults may hold an app_token for the other
    # modules. The token endpoint is all this module calls: with token_url given, scim_url is not needed.
    params.update(app_token=None, access_token=None)
    if not (params.get("username") and params.get("password")):
        module.fail_json(msg="username: totango_token needs username and password (it does not use app_token "
                             "or access_token)", option="username", changed=False)
    module.check_connection(scim_url_required=not params.get("token_url"))
    try:
        token = module.client.fetch_token()
    except (OptionError, ScimError) as error:
        module.fail_on(error, changed=False)
    expires_in = _as_int(token.get("expires_in"))
    expires_at = None
    if expires_in is not None:
        moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=expires_in)
        expires_at = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    module.exit_json(changed=False, access_token=token["access_token"], token_type=token.get("token_type") or "Bearer",
                     expires_in=expires_in, expires_at=expires_at)


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


if __name__ == "__main__":
    main()
