# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Query strings: the one-field filter, startIndex/count paging, and GET /Users built on them."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from tests.simulator.defaults import MAX_PAGE_SIZE
from tests.simulator.dialect import dialect
from tests.simulator.replies import Reply, ScimError, invalid, list_response

FILTER_RE = re.compile(r"^\s*(\S+)\s+(\S+)\s+(.*?)\s*$", re.DOTALL)
QUOTED_RE = re.compile(r'^"((?:[^"\\]|\\.)*)"$', re.DOTALL)
FILTER_ATTRS = {"username": "userName", "externalid": "externalId"}


def parse_filter(expr, form=None):
    """Parse a one-field filter: returns (attribute, value) or raises 400 invalidFilter.

    `form` (a dialect) may refuse how it is written: form.filter_form(attribute as written, operator, quoted?).
    """
    bad = ScimError(400, "invalidFilter",
                    "unsupported filter %r: only one of 'userName eq \"value\"' or 'externalId eq \"value\"' is supported" % (expr,))
    match = FILTER_RE.match(expr or "")
    if not match:
        raise bad
    written, oper, raw = match.groups()
    attr = FILTER_ATTRS.get(written.lower())
    if attr is None or oper.lower() != "eq" or not raw:
        raise bad
    quoted = QUOTED_RE.match(raw)
    if form is not None:
        form.filter_form(written, oper, bool(quoted))
    if quoted:
        value = re.sub(r"\\(.)", r"\1", quoted.group(1))
    elif '"' in raw or re.search(r"\s", raw):
        raise bad
    else:
        value = raw
    return attr, value


def first_query(query):
    """A query string as {name: first value}."""
    parsed = parse_qs(query or "", keep_blank_values=True)
    return {key: values[0] for key, values in parsed.items()}


def _int_param(query, name, default):
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise invalid("%s must be an integer" % name) from None


def paging(query):
    """(startIndex >= 1, count in 0..100)."""
    start = max(1, _int_param(query, "startIndex", 1))
    count = min(MAX_PAGE_SIZE, max(0, _int_param(query, "count", MAX_PAGE_SIZE)))
    return start, count


def list_users(sim, query, render):
    """GET /Users, filtered by userName or externalId, one page; `render(rec)` makes each resource."""
    start, count = paging(query)
    store = sim.store
    if "filter" in query:
        attr, value = parse_filter(query["filter"], dialect(sim))
        if attr == "userName":
            uid = store.by_name.get(value.lower())
            ids = [uid] if uid else []
        else:
            ids = store.by_ext.get(value, [])
    else:
        ids = store.order
    page = ids[start - 1:start - 1 + count]
    return Reply(200, list_response([render(store.users[uid]) for uid in page], len(ids), start))
