# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What the bench's measured runs share: reads and writes counted, their sum written out but never read back."""

from __future__ import annotations

from dataclasses import asdict


class CountedRequests:
    """A mixin for a dataclass with `reads` and `writes`: `requests` is derived, so --from-json ignores it."""

    @property
    def requests(self):
        return self.reads + self.writes

    def as_dict(self):
        return dict(asdict(self), requests=self.requests)

    @classmethod
    def from_dict(cls, data):
        return cls(**{key: value for key, value in data.items() if key != "requests"})
