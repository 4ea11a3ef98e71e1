# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The token-bucket limiter (rate_limiter: token_bucket): `burst` tokens, refilled at `limit` per `window`.

The bucket starts full. A request takes one token, or is refused when there is none (a refused request
takes nothing). Exact integer arithmetic: one token is `window` microseconds' worth of units and each
microsecond adds `limit` units. RateLimit-Limit is the burst, RateLimit-Remaining the whole tokens left,
RateLimit-Reset the whole seconds until the bucket is full again; a refusal's retry time is the whole
seconds until one token is back.
"""

from __future__ import annotations

from tests.simulator.ratelimit import Decision, ceil_seconds, micros

DEFAULT_BURST = 10


class TokenBucket:
    """State: units in the bucket at the time of the last request."""

    def __init__(self, limit, window, burst=None):
        self.rate = int(limit)                      # units added per microsecond
        self.token = micros(float(window))          # units in one token
        self.burst = int(burst or DEFAULT_BURST)
        self.capacity = self.burst * self.token
        self.units = self.capacity
        self.last = None

    def _micros_until(self, units):
        """Microseconds until the bucket holds `units` (rounded up)."""
        return -(-max(0, units - self.units) // self.rate)

    def admit(self, now):
        """Take a token at `now` (seconds), or refuse."""
        now = micros(now)
        if self.last is not None:
            self.units = min(self.capacity, self.units + (now - self.last) * self.rate)
        self.last = now
        refused = self.units < self.token
        if not refused:
            self.units -= self.token
        headers = {"RateLimit-Limit": str(self.burst), "RateLimit-Remaining": str(self.units // self.token),
                   "RateLimit-Reset": str(ceil_seconds(self._micros_until(self.capacity)))}
        return Decision(refused, headers, ceil_seconds(self._micros_until(self.token)))
