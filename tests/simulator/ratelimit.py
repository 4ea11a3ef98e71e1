# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Totango's rate limit: a window of `rate_limit` requests per `rate_limit_window` seconds.

The window opens with the first request after the previous one closed (or after a reset or a change
of the limit). Every SCIM and token request counts, refused ones too. Answers carry RateLimit-Limit,
RateLimit-Remaining and RateLimit-Reset (whole seconds until the window closes, never more than the
window). Time comes from the simulator's clock, so tests can drive it.
"""

from __future__ import annotations

US = 1_000_000  # the limiter counts time in whole microseconds: no float error at window edges


def micros(seconds):
    """Seconds (float) as whole microseconds."""
    return int(round(seconds * US))


def ceil_seconds(us):
    """Whole seconds, rounded up, of a non-negative number of microseconds."""
    return -(-max(0, us) // US)


class FixedWindow:
    """`limit` requests per `window` seconds; state: when the current window opened, requests in it."""

    def __init__(self, limit, window):
        self.limit = int(limit)
        self.window = micros(float(window))
        self.start = None
        self.count = 0

    def admit(self, now):
        """Count a request at `now` (seconds): (RateLimit-* headers, refused?)."""
        now = micros(now)
        if self.start is None or now - self.start >= self.window:
            self.start = now
            self.count = 0
        self.count += 1
        return self._headers(now), self.count > self.limit

    def _headers(self, now):
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(max(0, self.limit - self.count)),
            # whole seconds until the window closes: 1 .. ceil(window)
            "RateLimit-Reset": str(ceil_seconds(self.start + self.window - now)),
        }

    def headers(self, now):
        """RateLimit-* for the current window at `now` (seconds), {} before the first request."""
        return {} if self.start is None else self._headers(micros(now))


class NoLimit:
    """The limiter when rate_limit is 0: every request passes, no headers."""

    @staticmethod
    def admit(_now):
        """Every request passes."""
        return {}, False


def make_limiter(config):
    """The limiter the config asks for (a fresh window)."""
    limit = config.get("rate_limit") or 0
    if not limit:
        return NoLimit()
    return FixedWindow(limit, config.get("rate_limit_window") or 60)


def retry_after(config, headers):
    """The Retry-After value for a 429 by the limiter, or None (config retry_after_on_429)."""
    setting = config.get("retry_after_on_429")
    if setting is True:
        return headers.get("RateLimit-Reset", "1")
    if setting and not isinstance(setting, bool):
        return str(setting)
    return None
