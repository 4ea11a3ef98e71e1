# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The request log tests read: one entry per SCIM or token request, and counters."""

from __future__ import annotations

import time


class RequestLog:
    """Entries {seq, ts, method, path, query, status, fault, auth, write}; the caller holds the lock."""

    def __init__(self):
        self.clear()

    def clear(self):
        """No entries, counters at zero."""
        self.entries = []
        self.seq = 0
        self.counters = {"reads": 0, "writes": 0, "token": 0, "total": 0, "status_429": 0}

    def begin(self, method, rel, query, is_write, auth_kind):
        """A new entry (status None until finish)."""
        self.seq += 1
        entry = {"seq": self.seq, "ts": time.time(), "method": method, "path": rel, "query": query,
                 "status": None, "fault": None, "auth": auth_kind, "write": bool(is_write)}
        self.entries.append(entry)
        self.counters["total"] += 1
        if rel == "token":
            self.counters["token"] += 1
        elif is_write:
            self.counters["writes"] += 1
        else:
            self.counters["reads"] += 1
        return entry

    def finish(self, entry, status):
        """The status a logged request was answered with (None: no answer)."""
        entry["status"] = status
        if status == 429:
            self.counters["status_429"] += 1

    def copy(self):
        """A copy of the entries."""
        return [dict(entry) for entry in self.entries]
