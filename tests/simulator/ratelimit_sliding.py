# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The sliding-window limiter (rate_limiter: sliding): at most `limit` admitted requests in any `window`.

Refused requests are not counted. RateLimit-Remaining is what is left in the window that ends now,
RateLimit-Reset the whole seconds until the oldest admitted request leaves it (0 when none is in it).
"""

from __future__ import annotations

from collections import deque

from tests.simulator.ratelimit import Decision, ceil_seconds, micros


class SlidingWindow:
    """State: the times of the admitted requests still in the window."""

    def __init__(self, limit, window, _burst=None):
        self.limit = int(limit)
        self.window = micros(float(window))
        self.admitted = deque()

    def admit(self, now):
        """Admit a request at `now` (seconds), or refuse."""
        now = micros(now)
        while self.admitted and now - self.admitted[0] >= self.window:
            self.admitted.popleft()
        refused = len(self.admitted) >= self.limit
        if not refused:
            self.admitted.append(now)
        reset = ceil_seconds(self.admitted[0] + self.window - now) if self.admitted else 0
        headers = {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(self.limit - len(self.admitted)),
                   "RateLimit-Reset": str(reset)}
        return Decision(refused, headers, reset)
