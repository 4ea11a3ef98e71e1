# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The /Users endpoint: reads by filter and by page, the path of one user, and the three writes. Private to this collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.six.moves.urllib.parse import quote

from ansible_collections.scimops.totango.plugins.module_utils._dialect import (
    EXTENSION_PATHS,
    PatchForms,
    filter_value,
    send_patch,
)
from ansible_collections.scimops.totango.plugins.module_utils._errors import ScimError
from ansible_collections.scimops.totango.plugins.module_utils._user_model import build_patch_operations, normalize_email

FILTER_FIELDS = ("userName", "externalId")


def user_filter(field, value):
    """Totango filters on one field with eq; the value is quoted as RFC 7644 asks."""
    if field not in FILTER_FIELDS:
        raise ValueError("Totango can only filter users on %s" % " or ".join(FILTER_FIELDS))
    return "%s eq %s" % (field, filter_value(value))


def find_users(client, field, value):
    """Every user whose field equals value (userName compared case-insensitively)."""
    if field == "userName":
        # Totango stores e-mails lower-cased; asking in that case works whether its filter is case-sensitive or not.
        value = normalize_email(str(value))
    action = "looking up the user with %s %s" % (field, value)
    resources = client.iter_resources("/Users", action, params={"filter": user_filter(field, value)})
    if field == "userName":
        return [r for r in resources if normalize_email(str(r.get("userName", ""))) == value]
    return [r for r in resources if str(r.get("externalId", "")) == str(value)]


def find_user(client, user_name):
    matches = find_users(client, "userName", user_name)
    return matches[0] if matches else None


def iter_users(client):
    return client.iter_resources("/Users", "listing users")


def user_path(resource):
    """Totango's doc calls the user id 'user ID (email)': fall back to userName when a resource has no id."""
    user_id = resource.get("id") or resource.get("userName")
    return "/Users/%s" % quote(str(user_id), safe="@")


# -- writes: each returns the server's answer, a resource or None (Totango's 204) ----------------

def user_patch_forms(changes):
    """The PATCH of the changes with Totango's bare extension paths, and with RFC 7644's URN-qualified ones."""
    return PatchForms(EXTENSION_PATHS, build_patch_operations(changes), build_patch_operations(changes, rfc=True))


def patch_user(client, current, changes, user_name):
    try:
        return send_patch(client, user_path(current), user_patch_forms(changes), "updating user %s" % user_name)
    except ScimError as error:
        if "teams" in changes and error.scim_type == "mutability" and "groups" in str(error.detail).lower():
            error.detail += READ_ONLY_GROUPS_ADVICE
        raise


READ_ONLY_GROUPS_ADVICE = ("; this server keeps no teams on its users (User.groups is read-only, as RFC 7643 has it): "
                           "leave teams out and manage membership with totango_group_members")


def replace_user(client, current, body, user_name):
    return client.put(user_path(current), body, "replacing user %s" % user_name)


def create_user(client, body, user_name):
    return client.post("/Users", body, "creating user %s" % user_name)


def is_resource(answer):
    """Whether an answer is the resource as the server kept it; Totango's documented 201 carries no id."""
    return isinstance(answer, dict) and answer.get("id") not in (None, "")
