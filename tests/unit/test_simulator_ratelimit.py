# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The simulator's rate limiters (fixed window, sliding, token bucket), on an injected clock."""

from __future__ import annotations

import pytest
import requests

from tests.simulator import TotangoSimulator
from tests.simulator.clock import FakeClock
from tests.simulator.defaults import SIM_APP_TOKEN
from tests.simulator.ratelimit_bucket import TokenBucket
from tests.simulator.ratelimit_sliding import SlidingWindow


@pytest.fixture
def clocked():
    """(simulator with a FakeClock, the clock, a GET /Users function)."""
    clock = FakeClock(5000.0)
    with TotangoSimulator(app_token=SIM_APP_TOKEN, clock=clock) as server, requests.Session() as session:
        session.headers["app-token"] = SIM_APP_TOKEN
        yield server, clock, lambda: session.get(server.scim_url + "/Users", timeout=10)


def statuses(get, count):
    return [get().status_code for _request in range(count)]


def test_token_bucket_burst_then_the_refill_rate():
    bucket = TokenBucket(100, 60, 10)  # 100 a minute: one token every 0.6 s
    now = 10.0
    assert [bucket.admit(now).refused for _request in range(11)] == [False] * 10 + [True]
    refused = bucket.admit(now)
    assert refused.refused and refused.retry_seconds == 1 and refused.headers["RateLimit-Remaining"] == "0"
    assert refused.headers["RateLimit-Limit"] == "10" and refused.headers["RateLimit-Reset"] == "6"  # 10 x 0.6 s
    assert bucket.admit(now + 0.599999).refused and not bucket.admit(now + 0.6).refused
    # refusals took nothing: over the next 60 s exactly 100 requests pass, one every 0.6 s
    passed = sum(not bucket.admit(now + 0.6 + step * 0.1).refused for step in range(1, 601))
    assert passed == 100
    # idle for a while: the bucket is full again, but no fuller than the burst
    later = now + 1000
    assert [bucket.admit(later).refused for _request in range(11)] == [False] * 10 + [True]


def test_sliding_window_counts_admitted_requests_in_any_window():
    window = SlidingWindow(3, 10)
    assert [window.admit(t).refused for t in (0.0, 4.0, 9.0, 9.5)] == [False, False, False, True]
    assert window.admit(9.5).headers["RateLimit-Reset"] == "1"  # the request of 0.0 leaves at 10.0
    assert not window.admit(10.0).refused and window.admit(10.0).refused
    assert not window.admit(14.0).refused  # the one of 4.0 has left
    decision = window.admit(14.0)
    assert decision.refused and decision.headers["RateLimit-Remaining"] == "0" and decision.retry_seconds == 5


def test_fixed_window_without_headers(clocked):
    sim, clock, get = clocked
    sim.configure(rate_limit=3, rate_limit_headers=False)
    answers = [get() for _request in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert not any(key.startswith("RateLimit-") for a in answers for key in a.headers)
    assert "Retry-After" not in answers[-1].headers
    sim.configure(retry_after_on_429=True)
    clock.now += 60  # a new window
    assert statuses(get, 3) == [200] * 3
    clock.now += 42.5
    refused = get()
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "18"
    assert not any(key.startswith("RateLimit-") for key in refused.headers)
    clock.now += 17.5
    assert get().status_code == 200


def test_token_bucket_over_http_with_retry_after(clocked):
    sim, clock, get = clocked
    sim.configure(rate_limiter="token_bucket", rate_limit=100, rate_limit_burst=5, retry_after_on_429=True)
    answers = [get() for _request in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["4", "3", "2", "1", "0", "0"]
    assert answers[-1].headers["Retry-After"] == "1" and answers[-1].headers["RateLimit-Limit"] == "5"
    clock.now += 1.2  # two tokens
    assert statuses(get, 3) == [200, 200, 429]
    assert sim.stats()["status_429"] == 2


def test_sliding_over_http_and_limiter_config(clocked):
    sim, clock, get = clocked
    sim.configure(rate_limiter="sliding", rate_limit=2, rate_limit_window=1)
    assert statuses(get, 3) == [200, 200, 429]
    clock.now += 1.0
    assert statuses(get, 3) == [200, 200, 429]
    for bad in ({"rate_limiter": "leaky"}, {"rate_limit_burst": 0}, {"rate_limit_headers": "no"}):
        with pytest.raises(ValueError):
            sim.configure(**bad)
    sim.reset()
    assert sim.config["rate_limiter"] == "fixed_window" and sim.config["rate_limit_burst"] == 10
