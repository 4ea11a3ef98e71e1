# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""floor, (d) in the report: a plain script making the fewest requests a roster needs, one at a time, over one Session.

    TOTANGO_SCIM_URL=... TOTANGO_APP_TOKEN=... python tests/bench/floor.py users.json

Lists /Users page by page, then POSTs each missing user and PATCHes each user whose fields differ.
No retries, no pacing, no validation: the least any tool could do. Prints what it did as JSON.
"""

from __future__ import annotations

import json
import os
import sys

import requests

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
TOTANGO = "urn:ietf:params:scim:schemas:totango:1.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def list_users(session, base):
    users, start = {}, 1
    while True:
        response = session.get(base + "/Users", params={"startIndex": start, "count": 100}, timeout=30)
        response.raise_for_status()
        page = response.json()
        for user in page["Resources"]:
            users[user["userName"].lower()] = user
        start += len(page["Resources"])
        if not page["Resources"] or start > page["totalResults"]:
            return users


def differences(current, wanted):
    name = current.get("name") or {}
    ops = []
    if current.get("title") != wanted["title"]:
        ops.append({"op": "replace", "path": "title", "value": wanted["title"]})
    if name.get("givenName") != wanted["given_name"]:
        ops.append({"op": "replace", "path": "name.givenName", "value": wanted["given_name"]})
    if name.get("familyName") != wanted["family_name"]:
        ops.append({"op": "replace", "path": "name.familyName", "value": wanted["family_name"]})
    return ops


def main(path):
    base = os.environ["TOTANGO_SCIM_URL"].rstrip("/")
    with open(path, encoding="utf-8") as handle:
        roster = json.load(handle)["roster"]
    session = requests.Session()
    session.headers.update({"app-token": os.environ["TOTANGO_APP_TOKEN"], "Content-Type": "application/scim+json"})
    current = list_users(session, base)
    done = {"created": 0, "updated": 0, "unchanged": 0}
    for wanted in roster:
        user = current.get(wanted["user_name"].lower())
        if user is None:
            body = {"schemas": [CORE, TOTANGO], "userName": wanted["user_name"], "title": wanted["title"],
                    "name": {"givenName": wanted["given_name"], "familyName": wanted["family_name"]}}
            session.post(base + "/Users", json=body, timeout=30).raise_for_status()
            done["created"] += 1
            continue
        ops = differences(user, wanted)
        if ops:
            session.patch(base + "/Users/" + user["id"], json={"schemas": [PATCH_OP], "Operations": ops},
                          timeout=30).raise_for_status()
            done["updated"] += 1
        else:
            done["unchanged"] += 1
    print(json.dumps(done))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
