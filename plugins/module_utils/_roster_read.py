# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reads what a roster needs of the tenant, at the cost the work calls for. Private to this collection.

With disable_unlisted every user must be seen, so every page is read. Otherwise the first page tells
the tenant's size, and the listed users it did not hold are then looked up with one filter GET each (on
the parallel workers) or found on the remaining pages, whichever costs fewer requests. A roster of one
user is looked up at once: its lookup never costs more than the first page would.

Whichever way it reads, the roster gets the same answer: the current resource of each listed user, or
none. While paging only what a plan needs is kept: the listed users' resources without their
metadata, and of everyone else their id, userName, externalId and active flag.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.scimops.totango.plugins.module_utils._user_api import find_users
from ansible_collections.scimops.totango.plugins.module_utils._user_model import normalize_email, user_view

LISTING = "listing users"


def user_key(user_name):
    """A userName as the roster compares them: trimmed and lower-case."""
    return normalize_email(str(user_name or ""))


class Tenant:
    """What the run knows of the tenant's users after read_tenant."""

    def __init__(self, client, parallel):
        self._client = client
        self._parallel = parallel
        self.listed = {}  # key -> StoredUser, for every listed user found
        self.others = None  # key -> slim resource of every other user, once every page was read
        self.strategy = None  # "pages" or "lookups": how the listed users not on the first page were found
        self.whole_others = False

    def user(self, key):
        """The current resource of a listed user, or None when Totango has no such user."""
        stored = self.listed.get(user_key(key))
        return stored.resource() if stored else None

    def stored(self, key):
        """The StoredUser of a listed user (its resource decoded only when asked for), or None."""
        return self.listed.get(user_key(key))

    @property
    def complete(self):
        """True when every user of the tenant was seen (every page read)."""
        return self.others is not None

    def unlisted(self):
        """The other users (slim), sorted by key; only once every page was read."""
        return [self.others[key] for key in sorted(self.others or {})]


def read_tenant(client, keys, everyone, parallel, whole_others=False):
    """Reads the tenant for the listed users' keys; with everyone=True every page, for the unlisted too.

    whole_others keeps the other users' whole resources (without meta), not only their records: matching by
    external id may make one of them a listed user's account.
    """
    tenant = Tenant(client, parallel)
    tenant.whole_others = whole_others
    keys = set(user_key(key) for key in keys)
    if not everyone and len(keys) <= 1:
        _look_up(tenant, keys)
        return tenant
    first = client.list_page("/Users", LISTING)
    resources, total = first
    on_first = set(_keep(tenant, keys, resource) for resource in resources)
    missing = keys - on_first
    if everyone or (missing and _pages_left(resources, total) < len(missing)):
        tenant.strategy = "pages"
        tenant.others = {}
        for resource in client.iter_resources("/Users", LISTING, parallel=parallel, first_page=first):
            _keep(tenant, keys, resource)
    elif missing and _pages_left(resources, total):
        _look_up(tenant, missing)
    return tenant


def _pages_left(first_resources, total):
    """The requests the rest of the listing costs, counted in the server's own page size (that of its first page).

    Without a total the listing's length is unknown: counted as endless, so lookups are chosen.
    """
    if total is None:
        return float("inf")
    rest = max(total - len(first_resources), 0)
    if not rest:
        return 0
    page = len(first_resources) or 1
    return (rest + page - 1) // page


def _keep(tenant, keys, resource):
    """Files one listed resource, keeping only what a plan needs; returns its key."""
    key = user_key(resource.get("userName"))
    if key in keys:
        tenant.listed[key] = StoredUser(resource)
    elif tenant.others is not None:
        tenant.others[key] = slim_resource(resource) if tenant.whole_others else unlisted_record(resource)
    return key


def _look_up(tenant, keys):
    tenant.strategy = "lookups"
    keys = sorted(keys)
    for key, found in zip(keys, _on_workers(lambda key: find_users(tenant._client, "userName", key),
                                            keys, tenant._parallel)):
        if found:
            tenant.listed[key] = StoredUser(found[0])


def _on_workers(function, values, parallel):
    """[function(value) for value in values], on up to `parallel` threads."""
    if len(values) <= 1 or parallel <= 1:
        return [function(value) for value in values]
    with ThreadPoolExecutor(max_workers=min(parallel, len(values))) as pool:
        return list(pool.map(function, values))


class StoredUser:
    """A listed user's resource, kept as compact JSON until planned: a quarter of the memory of the dict.

    At 30,000 users that is about 15 MB instead of 60 MB; each is decoded once, when its plan is made.
    """

    __slots__ = ("user_id", "_text")

    def __init__(self, resource):
        self.user_id = str(resource["id"]) if resource.get("id") not in (None, "") else None
        self._text = json.dumps(slim_resource(resource), separators=(",", ":"))

    def resource(self):
        return json.loads(self._text)


def slim_resource(resource):
    """The resource without meta and the groups' $ref: a PUT rebuilds both, and no plan reads them."""
    slim = dict((name, value) for name, value in resource.items() if name != "meta")
    if isinstance(slim.get("groups"), list):
        slim["groups"] = [dict((k, v) for k, v in group.items() if k != "$ref") if isinstance(group, dict) else group
                          for group in slim["groups"]]
    return slim


def unlisted_record(resource):
    """What disable_unlisted and the external-id checks need of a user the roster does not list."""
    record = {"id": resource.get("id"), "userName": resource.get("userName")}
    if resource.get("externalId") not in (None, ""):
        record["externalId"] = resource["externalId"]
    active = user_view(resource).get("active")
    if active is not None:
        record["active"] = active
    return record
