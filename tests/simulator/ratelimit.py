# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Rate limiters (config ``rate_limiter``), all at `rate_limit` requests per `rate_limit_window` seconds.

- ``fixed_window`` (default; Totango's as far as known): the window opens with the first request after
  the previous one closed; every request counts, refused ones too.
- ``sliding``: at most `rate_limit` admitted requests in any `rate_limit_window` seconds
  (ratelimit_sliding.py).
- ``token_bucket``: a bucket of `rate_limit_burst` tokens (default 10), refilled at `rate_limit` per
  `rate_limit_window`; a request takes a token or is refused (ratelimit_bucket.py).

Answers carry RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset (whole seconds) unless
``rate_limit_headers`` is false; a 429 carries Retry-After when ``retry_after_on_429`` asks (true: the
whole seconds until a request would pass). A limiter is restarted (a fresh window, a full bucket) by a
reset or a change of any rate_limit* key. Time comes from the simulator's clock, in whole microseconds,
so there is no float error at the edges and tests can drive it.
"""

from __future__ import annotations

from typing import NamedTuple

US = 1_000_000  # limiters count time in whole microseconds


def micros(seconds):
    """Seconds (float) as whole microseconds."""
    return int(round(seconds * US))


def ceil_seconds(us):
    """Whole seconds, rounded up, of a non-negative number of microseconds."""
    return -(-max(0, us) // US)


class Decision(NamedTuple):
    """A limiter's answer for one request."""

    refused: bool
    headers: dict        # RateLimit-* (before rate_limit_headers is applied)
    retry_seconds: int   # whole seconds until a request would pass


class FixedWindow:
    """`limit` requests per `window` seconds; state: when the current window opened, requests in it."""

    def __init__(self, limit, window, _burst=None):
        self.limit = int(limit)
        self.window = micros(float(window))
        self.start = None
        self.count = 0

    def admit(self, now):
        """Count a request at `now` (seconds)."""
        now = micros(now)
        if self.start is None or now - self.start >= self.window:
            self.start = now
            self.count = 0
        self.count += 1
        reset = ceil_seconds(self.start + self.window - now)  # 1 .. ceil(window)
        headers = {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(max(0, self.limit - self.count)),
                   "RateLimit-Reset": str(reset)}
        return Decision(self.count > self.limit, headers, reset)


class NoLimit:
    """The limiter when rate_limit is 0: every request passes, no headers."""

    @staticmethod
    def admit(_now):
        """Every request passes."""
        return Decision(False, {}, 0)


def _limiters():
    # imported here: those modules import Decision and the helpers above
    from tests.simulator.ratelimit_bucket import TokenBucket  # pylint: disable=import-outside-toplevel
    from tests.simulator.ratelimit_sliding import SlidingWindow  # pylint: disable=import-outside-toplevel

    return {"fixed_window": FixedWindow, "sliding": SlidingWindow, "token_bucket": TokenBucket}


LIMITERS = ("fixed_window", "sliding", "token_bucket")
LIMITER_KEYS = frozenset(("rate_limiter", "rate_limit", "rate_limit_window", "rate_limit_burst"))


def make_limiter(config):
    """The limiter the config asks for, fresh."""
    limit = config.get("rate_limit") or 0
    if not limit:
        return NoLimit()
    return _limiters()[config["rate_limiter"]](limit, config.get("rate_limit_window") or 60, config.get("rate_limit_burst"))


def answer_headers(config, decision):
    """The RateLimit-* headers an answer carries."""
    return dict(decision.headers) if config.get("rate_limit_headers", True) else {}


def retry_after(config, seconds):
    """The Retry-After value for a 429 (`seconds` until a request would pass), or None (config retry_after_on_429)."""
    setting = config.get("retry_after_on_429")
    if setting is True:
        return str(seconds)
    if setting and not isinstance(setting, bool):
        return str(setting)
    return None
