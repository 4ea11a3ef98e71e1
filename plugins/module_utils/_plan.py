# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A roster run's plan id: a digest of exactly the writes it would make, for a check job reviewed before an apply.

The digest covers, for each user the run writes, the account it writes to, the kind of write and
each changed field before and after, and the teams a leaver leaves; nothing the server changes on
its own (meta, lastModified) and nothing about users it leaves alone. It is computed from the plan
before any write, so check mode and the real run give the same id for the same roster and tenant.
The id starts with the plan's counts, which is all a later run can tell of a plan it never saw.
Private to this collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import re

from ansible_collections.scimops.totango.plugins.module_utils._errors import OptionError
from ansible_collections.scimops.totango.plugins.module_utils._roster_result import capped, named

PLAN_VERSION = 1
# The counts the id starts with: (letter, name); a leave is one user taken out of one team.
COUNTS = (("c", "create"), ("u", "update"), ("r", "rename"), ("d", "disable"), ("l", "leave"))
PLAN_ID = re.compile(r"^c(\d+)-u(\d+)-r(\d+)-d(\d+)-l(\d+)-([0-9a-f]{64})$")


class Plan:
    """The writes a run would make (sorted, canonical) and its id."""

    def __init__(self, writes, tenant):
        self.writes = sorted(writes, key=lambda write: (write["user"], write["id"] or ""))
        self.counts = dict((name, 0) for _letter, name in COUNTS)
        for write in self.writes:
            if write["action"] != "none":
                self.counts[write["action"]] += 1
            self.counts["leave"] += len(write["leave"])
        self.plan_id = "%s-%s" % (counts_text(self.counts), digest(self.writes, tenant))

    def result(self):
        """What the task returns of its plan: the id and the counts it stands for.

        The counts are returned under plural keys (updates, not update): a key named like a dict method
        cannot be read with dot notation in Jinja (result.plan.update is the method).
        """
        return {"plan_id": self.plan_id, "plan": dict((name + "s", count) for name, count in self.counts.items())}

    def users(self):
        """One short line per user the plan writes: e-mail, action, the fields it changes."""
        return ["%s (%s: %s)" % (write["user"], _shown_action(write), ", ".join(_touched(write)))
                for write in self.writes]


def planned_writes(items):
    """The write of each roster item that has one (see _roster.RosterItem), as the digest takes it."""
    return [write for write in (item_write(item) for item in items) if write is not None]


def item_write(item):
    """One user's planned write: None when the run writes nothing for them (unchanged, failed, protected)."""
    plan = None if item.failed else item.plan
    writes_user = plan is not None and plan.changed
    leave = sorted(str(team["id"]) for team in item.teams_left or [])
    if not writes_user and not leave:
        return None
    return {
        "user": item.user_name,
        "id": item.user_id,  # the account written to; None for a create
        "action": item.action if writes_user else "none",
        "write": plan.write if writes_user else None,
        "changes": dict((field, [before, after]) for field, (before, after) in plan.changes.items())
        if writes_user else {},
        "leave": leave,
    }


def digest(writes, tenant):
    """sha256 of the canonical JSON of the writes. An empty plan has one fixed digest, whatever the tenant:
    nothing written is the same anywhere. Otherwise the tenant is part of it, so a plan reviewed against one
    tenant never passes on another.
    """
    body = {"version": PLAN_VERSION, "writes": writes}
    if writes:
        body["tenant"] = (tenant or "").strip().rstrip("/")
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def counts_text(counts):
    return "-".join("%s%d" % (letter, counts[name]) for letter, name in COUNTS)


EMPTY_PLAN_ID = "%s-%s" % (counts_text(dict((name, 0) for _letter, name in COUNTS)), digest([], None))


def expected_plan_errors(expected):
    """The OptionError of an expected_plan_id that is no plan id (checked before any request), as a list."""
    if expected is None or PLAN_ID.match(expected.strip()):
        return []
    return [OptionError("expected_plan_id", "must be the plan_id a check run of totango_users returned "
                                            "(like %s), got %r" % (EMPTY_PLAN_ID, expected[:100]))]


def plan_refusal(plan, expected):
    """fail_json arguments when the plan is not the reviewed one (nothing written), else None."""
    expected = None if expected is None else expected.strip()
    if expected is None or expected == plan.plan_id:
        return None
    reviewed = _counts_of(expected)
    users = plan.users()
    now = _counts_sentence(plan.counts)
    if reviewed == plan.counts:
        now += " (the same counts: a user, a value or a team written differs)"
    msg = ("The plan differs from the reviewed one, nothing was changed: expected_plan_id=%s, but this run's "
           "plan_id is %s. The roster or Totango changed since the review. Reviewed: %s; now: %s. "
           "%s Run the check again and review the new plan."
           % (expected, plan.plan_id, _counts_sentence(reviewed), now,
              ("The users this run would write: %s." % named(users)) if users else "This run would write nothing."))
    result = dict(msg=msg, expected_plan_id=expected, **plan.result())
    result.update(capped("plan_users", users))
    return result


def _counts_of(plan_id):
    found = PLAN_ID.match(plan_id)
    return dict((name, int(found.group(index + 1))) for index, (_letter, name) in enumerate(COUNTS))


def _counts_sentence(counts):
    parts = ["%d %s" % (counts[name], name) for _letter, name in COUNTS if counts[name]]
    return ", ".join(parts) if parts else "no write"


def _shown_action(write):
    if write["action"] == "none":
        return "leave teams"
    return write["action"] + (", leave teams" if write["leave"] else "")


def _touched(write):
    fields = sorted(write["changes"])
    if write["leave"]:
        fields.append("teams " + "/".join(write["leave"]))
    return fields
