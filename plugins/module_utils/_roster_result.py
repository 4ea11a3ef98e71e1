# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a roster task returns, sized for AWX: its job events keep at most 700,000 bytes of a result.

The counts always; one entry per user the run changed or failed (or has something to say about),
each with what changed before and after, so a failed task, whose diff Ansible does not show, still
holds the audit trail; the unchanged are counted, and listed only on request. Long lists of names
are capped, with their total beside them. Private to this collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.scimops.totango.plugins.module_utils._user_model import changes_diff, license_result

# Names listed in a result or message before the rest is only counted.
LIST_CAP = 50
# Roster action -> the count it adds to.
COUNT_NAMES = (("create", "created"), ("update", "updated"), ("rename", "renamed"), ("disable", "disabled"),
               ("none", "unchanged"))


def capped(name, values, cap=LIST_CAP):
    """{name: the first `cap` values, name_total: how many there are}."""
    values = list(values)
    return {name: values[:cap], name + "_total": len(values)}


def named(values, cap=LIST_CAP):
    """The values joined for a message, the ones beyond `cap` counted."""
    values = list(values)
    text = "; ".join(str(value) for value in values[:cap])
    if len(values) > cap:
        text += "; and %d more" % (len(values) - cap)
    return text


def user_entry(item):
    """One user's result; a changed user's holds each changed field's value before and after."""
    entry = {"user_name": item.user_name, "action": item.shown_action, "changed": item.changed,
             "failed": item.any_failed}
    if item.user_id:
        entry["id"] = item.user_id
    if item.plan is not None and getattr(item.plan, "renamed_from", None) and not item.failed:
        entry["renamed_from"] = item.plan.renamed_from
    if item.note:
        entry["msg"] = item.note
    entry.update(license_result(item.held()))
    if item.changed:
        entry.update(changed_fields(item))
    return entry


def changed_fields(item):
    """{before: {...}, after: {...}} of the fields that change, as the diff shows them."""
    return changes_diff(item.changes, created=item.shown_action == "create")


def user_diff(item):
    """Only the fields that change, so a diff of a thousand users stays a page per hundred changes."""
    diff = {"before_header": item.user_name, "after_header": "%s (%s)" % (item.user_name, item.shown_action)}
    diff.update(changed_fields(item))
    return diff


# The note of a listed leaver Totango does not know: those are named in not_found (capped, with a total), not
# one entry each, which let thousands of typos outgrow AWX's event limit.
NOT_FOUND = "not in Totango: nothing to disable"


def reported(item, report_unchanged):
    if report_unchanged or item.changed or item.any_failed:
        return True
    return bool(item.note) and item.note != NOT_FOUND


def roster_result(items, with_diff, report_unchanged=False):
    """changed, the counts, the users worth reporting and, in diff mode, one diff per changed user."""
    counts = dict((name, 0) for _action, name in COUNT_NAMES)
    counts["failed"] = 0
    names = dict(COUNT_NAMES)
    for item in items:
        counts["failed" if item.any_failed else names[item.shown_action]] += 1
    # A top-level "failed" would be read by Ansible as the task failing, so that count lives in counts only.
    result = dict(changed=any(item.changed for item in items), counts=counts,
                  users=[user_entry(item) for item in items if reported(item, report_unchanged)],
                  **dict((name, counts[name]) for _action, name in COUNT_NAMES))
    if with_diff:
        result["diff"] = [user_diff(item) for item in items if item.changed]
    return result


def failure_message(items):
    failed = [item for item in items if item.any_failed]
    return "%d of %d users failed, the others were applied: %s" % (
        len(failed), len(items), named("%s: %s" % (item.label, item.note) for item in failed))


def roster_invocation(params):
    """module_args without the roster: it is the task's own input, and echoing it made up most of the result.

    The users option says how many entries it had; every other option is echoed as Ansible would,
    no_log values masked by AnsibleModule afterwards as always.
    """
    args = dict(params)
    args["users"] = not_echoed(params.get("users") or [])
    return {"module_args": args}


def not_echoed(entries):
    """What an invocation shows of a list option it does not echo back."""
    return "%d entries, not echoed back" % len(entries)
