# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The pacer against models of the limiters a server may run, in virtual time.

Each run is a discrete-event simulation: workers ask the pacer for a turn, their requests reach a
model limiter after a seeded random latency (with stalls that bunch requests together) and come back
after another. The limiter judges each request when it arrives, as a server does; the pacer only
sees send and answer times. Nothing sleeps for real and every run is the same on every machine.
"""

import email.utils
import heapq
import json
import math
import multiprocessing
import os
import random
import stat
import threading

import pytest
from ansible_collections.scimops.totango.plugins.module_utils import _pacer
from ansible_collections.scimops.totango.plugins.module_utils._pacer import (
    BURST,
    WINDOW,
    RequestPacer,
    named_wait,
    retry_delay,
    seconds_from_header,
    tenant_key,
)

TENANT = "https://app.totango.com/t01/on/api/v2/scim/services/235"


# -- model limiters: each judges a request at its arrival ---------------------------------------

class TokenBucket:
    """Refills per_minute a minute up to burst; a refused request takes no token."""

    def __init__(self, per_minute, burst=10, tokens=None):
        self.rate = per_minute / 60.0
        self.burst = burst
        self.tokens = float(burst if tokens is None else tokens)
        self.at = 0.0

    def arrive(self, t):
        self.tokens = min(self.burst, self.tokens + self.rate * (t - self.at))
        self.at = t
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 200, {}
        return 429, {}


class FixedWindow:
    """limit requests per window; refused requests count too, as in the simulator.

    phase None: a window opens at the first request after the last one closed (the simulator's way);
    else windows are [phase + k * window, phase + (k + 1) * window).
    headers: RateLimit-* on every answer and Retry-After on a 429.
    """

    def __init__(self, limit, window=60.0, phase=None, headers=False):
        self.limit = limit
        self.window = window
        self.phase = phase
        self.headers = headers
        self.start = None
        self.count = 0

    def arrive(self, t):
        if self.phase is not None:
            start = self.phase + math.floor((t - self.phase) / self.window) * self.window
        elif self.start is None or t - self.start >= self.window:
            start = t
        else:
            start = self.start
        if start != self.start:
            self.start, self.count = start, 0
        self.count += 1
        status = 200 if self.count <= self.limit else 429
        if not self.headers:
            return status, {}
        reset = str(int(math.ceil(self.start + self.window - t)))
        headers = {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(max(0, self.limit - self.count)),
                   "RateLimit-Reset": reset}
        if status == 429:
            headers["Retry-After"] = reset
        return status, headers


LIMITERS = {
    "token bucket": TokenBucket,
    "fixed window": FixedWindow,
    "fixed window at phase 17.3": lambda rate: FixedWindow(rate, phase=17.3),
    "fixed window at phase 59.9": lambda rate: FixedWindow(rate, phase=59.9),
    "fixed window with headers": lambda rate: FixedWindow(rate, headers=True),
}


# -- virtual time -----------------------------------------------------------------------------------

class Clock:
    def __init__(self, t=0.0):
        self.t = t

    def now(self):
        return self.t

    def sleep(self, seconds):
        raise AssertionError("the simulation asks try_acquire; nothing may sleep")


class Answer:
    def __init__(self, status, headers):
        self.status_code = status
        self.headers = headers


def no_latency(_rng):
    return 0.0, 0.0


def jittery(rng):
    """Up to 0.2 s each way, and one request in ten stalls 1-3 s on the way: the bunching of a loaded machine."""
    up = rng.uniform(0.001, 0.2) + (rng.uniform(1.0, 3.0) if rng.random() < 0.1 else 0.0)
    return up, rng.uniform(0.001, 0.2)


class Run:
    """What a simulated run did."""

    def __init__(self):
        self.refused = 0
        self.answered = 0
        self.waits = 0
        self.start = None
        self.end = None

    @property
    def seconds(self):
        return self.end - self.start


def drive(limiter, requests, pacers, clock, workers=8, latency=jittery, seed=0):
    """Runs `requests` requests on `workers` workers; worker w takes its turns from pacers[w % len(pacers)].

    A refused request is asked for again a second later (the pacer is under test, not the client's retries).
    """
    rng = random.Random(seed)
    run = Run()
    run.start = clock.t
    events = []
    order = [0]
    todo = [requests]

    def at(t, action, *args):
        order[0] += 1
        heapq.heappush(events, (t, order[0], action, args))

    def ask(worker):
        pacer = pacers[worker % len(pacers)]
        turn, delay = pacer.try_acquire()
        if turn is None:
            run.waits += 1
            at(clock.t + delay, ask, worker)
            return
        up, down = latency(rng)
        at(clock.t + up, arrive, worker, pacer, turn, down)

    def arrive(worker, pacer, turn, down):
        status, headers = limiter.arrive(clock.t)
        at(clock.t + down, answer, worker, pacer, turn, Answer(status, headers))

    def answer(worker, pacer, turn, response):
        pacer.release(turn, response)
        if response.status_code == 429:
            run.refused += 1
            assert run.refused < 10 * requests + 100, "the limiter refuses for ever"
            at(clock.t + 1.0, ask, worker)
            return
        run.answered += 1
        start_next(worker)

    def start_next(worker):
        if todo[0] > 0:
            todo[0] -= 1
            at(clock.t, ask, worker)

    for worker in range(workers):
        start_next(worker)
    while events:
        t, _order, action, args = heapq.heappop(events)
        clock.t = t
        action(*args)
    run.end = clock.t
    assert run.answered == requests
    return run


def pacer(rate, clock, **kwargs):
    return RequestPacer(rate, clock=clock.now, sleep=clock.sleep, **kwargs)


# -- never a 429 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(LIMITERS))
@pytest.mark.parametrize("rate", [100, 1200])
@pytest.mark.parametrize("workers", [1, 8])
@pytest.mark.parametrize("latency,seed", [(no_latency, 0), (jittery, 1), (jittery, 2), (jittery, 3)])
def test_300_requests_at_the_servers_own_rate_earn_no_429(kind, rate, workers, latency, seed):
    clock = Clock()
    run = drive(LIMITERS[kind](rate), 300, [pacer(rate, clock)], clock, workers=workers, latency=latency, seed=seed)
    assert run.refused == 0


@pytest.mark.parametrize("kind", ["token bucket", "fixed window"])
def test_the_models_refuse_a_client_that_ignores_them(kind):
    # The limiters are strict enough to catch a pacer that is off: with pacing off they refuse.
    clock = Clock()
    run = drive(LIMITERS[kind](100), 300, [pacer(0, clock)], clock, workers=8, latency=jittery, seed=1)
    assert run.refused > 0


@pytest.mark.parametrize("rule", ["bucket", "window"])
def test_each_rule_is_needed(rule, monkeypatch):
    # Without the window, a bucket lets burst + rate through in one minute: a fixed window refuses the extra.
    # Without the bucket, the window lets 100 go at once: a token bucket with burst 10 refuses 90 of them.
    if rule == "window":
        monkeypatch.setattr(_pacer, "WINDOW", 1e-9)
        limiter = FixedWindow(100)
    else:
        monkeypatch.setattr(_pacer, "BURST", 10 ** 6)
        limiter = TokenBucket(100)
    clock = Clock()
    run = drive(limiter, 300, [pacer(100, clock)], clock, workers=8, latency=no_latency)
    assert run.refused > 0


# -- speed ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("workers", [1, 8])
@pytest.mark.parametrize("latency,seed", [(no_latency, 0), (jittery, 4)])
def test_a_run_of_ten_is_not_slowed(workers, latency, seed):
    clock = Clock()
    run = drive(TokenBucket(100), 10, [pacer(100, clock)], clock, workers=workers, latency=latency, seed=seed)
    assert run.waits == 0
    if latency is no_latency:
        assert run.seconds == 0


@pytest.mark.parametrize("kind", sorted(LIMITERS))
@pytest.mark.parametrize("workers,latency,seed", [(8, jittery, 5), (1, no_latency, 0)])
def test_1000_requests_take_requests_over_rate_within_ten_percent(kind, workers, latency, seed):
    clock = Clock()
    run = drive(LIMITERS[kind](100), 1000, [pacer(100, clock)], clock, workers=workers, latency=latency, seed=seed)
    assert run.refused == 0
    ideal = 1000 / 100 * 60.0
    assert 0.9 * ideal <= run.seconds <= 1.1 * ideal, run.seconds


def test_refused_requests_do_not_stall_the_budget():
    # 429s spend nothing: after a burst of them the budget is as full as before.
    clock = Clock()
    paced = pacer(100, clock)
    for _request in range(50):
        turn, _delay = paced.try_acquire()
        paced.release(turn, Answer(429, {}))
    for _request in range(BURST):
        assert paced.try_acquire()[0] is not None


# -- one budget per tenant ----------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["token bucket", "fixed window", "fixed window with headers"])
def test_consecutive_tasks_share_one_budget(kind, tmp_path):
    clock = Clock()
    limiter = LIMITERS[kind](100)
    first = drive(limiter, 150, [pacer(100, clock, tenant=TENANT, state_dir=str(tmp_path))], clock, seed=6)
    second = drive(limiter, 150, [pacer(100, clock, tenant=TENANT, state_dir=str(tmp_path))], clock, seed=7)
    assert (first.refused, second.refused) == (0, 0)


@pytest.mark.parametrize("kind", ["token bucket", "fixed window"])
def test_tasks_with_separate_budgets_would_collide(kind, tmp_path):
    # The control for the test above: two fresh budgets against one limiter earn 429s.
    clock = Clock()
    limiter = LIMITERS[kind](100)
    drive(limiter, 150, [pacer(100, clock, tenant=TENANT, state_dir=str(tmp_path / "a"))], clock, seed=6)
    second = drive(limiter, 150, [pacer(100, clock, tenant=TENANT, state_dir=str(tmp_path / "b"))], clock, seed=7)
    assert second.refused > 0


@pytest.mark.parametrize("kind", ["token bucket", "fixed window"])
def test_parallel_tasks_share_one_budget(kind, tmp_path):
    clock = Clock()
    pacers = [pacer(100, clock, tenant=TENANT, state_dir=str(tmp_path)) for _task in range(3)]
    assert all(p.shared for p in pacers)
    run = drive(LIMITERS[kind](100), 300, pacers, clock, workers=9, seed=8)
    assert run.refused == 0


def test_other_tenants_have_their_own_budget(tmp_path):
    clock = Clock()
    spent = pacer(100, clock, tenant=TENANT, state_dir=str(tmp_path))
    while spent.try_acquire()[0] is not None:
        pass
    other = pacer(100, clock, tenant=TENANT.replace("235", "236"), state_dir=str(tmp_path))
    assert other.try_acquire()[0] is not None


def test_the_tenant_is_the_host_and_path():
    assert tenant_key(TENANT) == tenant_key(TENANT + "/")
    assert tenant_key(TENANT) == tenant_key(TENANT.replace("app.totango.com", "APP.Totango.com"))
    assert tenant_key(TENANT) == tenant_key(TENANT.replace("https://", "https://user:secret@"))
    assert tenant_key(TENANT) != tenant_key(TENANT.replace("235", "236"))
    assert tenant_key(TENANT) != tenant_key(TENANT.replace("app.totango.com", "app-eu1.totango.com"))


def _take_all_at_one_instant(state_dir, go, results):
    clock = Clock(1000.0)
    paced = pacer(100, clock, tenant=TENANT, state_dir=state_dir)
    go.wait()
    taken = 0
    while True:
        turn, _delay = paced.try_acquire()
        if turn is None:
            break
        paced.release(turn, Answer(200, {}))
        taken += 1
    results.put(taken)


def test_forks_share_one_budget_under_the_file_lock(tmp_path):
    # Four processes take turns at one frozen instant: together they get exactly one burst.
    context = multiprocessing.get_context("fork")
    go = context.Event()
    results = context.Queue()
    workers = [context.Process(target=_take_all_at_one_instant, args=(str(tmp_path), go, results))
               for _worker in range(4)]
    for worker in workers:
        worker.start()
    go.set()
    taken = [results.get(timeout=60) for _worker in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert sum(taken) == BURST, taken


def test_threads_share_one_budget(tmp_path):
    clock = Clock(1000.0)
    paced = pacer(100, clock, tenant=TENANT, state_dir=str(tmp_path))
    taken = []
    go = threading.Event()

    def take():
        go.wait()
        while True:
            turn, _delay = paced.try_acquire()
            if turn is None:
                return
            taken.append(turn)
            paced.release(turn, Answer(200, {}))

    threads = [threading.Thread(target=take) for _thread in range(8)]
    for thread in threads:
        thread.start()
    go.set()
    for thread in threads:
        thread.join()
    assert len(taken) == BURST


def test_requests_in_flight_hold_their_place_across_tasks(tmp_path):
    clock = Clock()
    first = pacer(100, clock, tenant=TENANT, state_dir=str(tmp_path))
    turns = [first.try_acquire()[0] for _request in range(BURST)]
    assert None not in turns
    second = pacer(100, clock, tenant=TENANT, state_dir=str(tmp_path))
    assert second.try_acquire()[0] is None
    first.release(turns[0], Answer(200, {}))
    clock.t += 60.0 / 98  # one token's refill at 98 a minute
    assert second.try_acquire()[0] is not None


def test_an_answer_recorded_late_never_moves_the_budget_back_in_time(tmp_path):
    # Another process may note an answer with a time a little older than the budget's: refilling again
    # from that older time would count the same seconds twice and let a burst through early.
    ahead, behind = Clock(20.0), Clock(19.0)
    first = pacer(100, ahead, tenant=TENANT, state_dir=str(tmp_path))
    late = pacer(100, behind, tenant=TENANT, state_dir=str(tmp_path))
    for _request in range(BURST - 1):
        first.release(first.try_acquire()[0], Answer(200, {}))
    turn = late.try_acquire()[0]
    late.release(turn, Answer(200, {}))
    turn, delay = first.try_acquire()
    assert turn is None and delay == pytest.approx(60.0 / 98, rel=1e-6), "one token's refill from t=20, not from 19"


# -- the state file ---------------------------------------------------------------------------------------

def state_file(state_dir):
    return os.path.join(str(state_dir), tenant_key(TENANT) + ".json")


def test_the_state_is_private_and_holds_no_url_or_secret(tmp_path):
    state_dir = tmp_path / "pacing"
    clock = Clock(1000.0)
    paced = pacer(100, clock, tenant=TENANT + "?app-token=secret-Zq", state_dir=str(state_dir))
    paced.release(paced.acquire(), Answer(200, {}))
    assert stat.S_IMODE(os.stat(state_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(state_file(state_dir)).st_mode) == 0o600
    text = open(state_file(state_dir)).read()
    assert "totango" not in text and "235" not in text and "secret" not in text
    assert json.loads(text)["answered"] == [1000.0]


def test_a_state_dir_open_to_others_is_made_private(tmp_path):
    state_dir = tmp_path / "pacing"
    state_dir.mkdir(mode=0o755)
    os.chmod(state_dir, 0o755)
    assert pacer(100, Clock(), tenant=TENANT, state_dir=str(state_dir)).shared
    assert stat.S_IMODE(os.stat(state_dir).st_mode) == 0o700


def test_the_default_state_dir_is_the_users_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    paced = RequestPacer(100, tenant=TENANT)
    assert paced.shared
    assert os.path.exists(os.path.join(str(tmp_path / "cache"), "scimops.totango", "pacing", tenant_key(TENANT) + ".json"))


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b'{"version": 1, "level": "x"}', b"\xff\xfe",
                                     b'{"version": 1, "level": 3, "level_at": 0, "answered": [1], "in_flight": 7,'
                                     b' "paused_until": 0}'])
def test_a_corrupt_state_is_an_unspent_budget(tmp_path, content):
    with open(state_file(tmp_path), "wb") as handle:
        handle.write(content)
    clock = Clock(1000.0)
    paced = pacer(100, clock, tenant=TENANT, state_dir=str(tmp_path))
    assert all(paced.try_acquire()[0] is not None for _request in range(BURST))
    assert paced.try_acquire()[0] is None


def test_an_unwritable_state_dir_paces_in_memory(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    clock = Clock()
    paced = pacer(100, clock, tenant=TENANT, state_dir=str(blocker / "pacing"))
    assert not paced.shared
    run = drive(TokenBucket(100), 100, [paced], clock, seed=9)
    assert run.refused == 0


def test_a_state_file_that_fails_mid_run_goes_on_in_memory(tmp_path):
    clock = Clock()
    paced = pacer(100, clock, tenant=TENANT, state_dir=str(tmp_path))
    turns = [paced.try_acquire()[0] for _request in range(BURST)]
    os.close(paced._store._fd)  # the file is gone from under the run: every read and write now fails
    assert paced.try_acquire()[0] is None, "what was spent before the failure is still spent"
    assert not paced.shared
    for turn in turns:
        paced.release(turn, Answer(200, {}))
    run = drive(TokenBucket(100, tokens=0), 50, [paced], clock, seed=10)  # the ten before spent the bucket
    assert run.refused == 0


def test_a_clock_set_back_does_not_stall_the_budget(tmp_path):
    clock = Clock(10_000.0)
    paced = pacer(100, clock, tenant=TENANT, state_dir=str(tmp_path))
    for _request in range(100):
        turn, delay = paced.try_acquire()
        if turn is None:
            clock.t += delay
            turn, delay = paced.try_acquire()
        paced.release(turn, Answer(200, {}))
    clock.t -= 3600.0
    turn, delay = pacer(100, clock, tenant=TENANT, state_dir=str(tmp_path)).try_acquire()
    assert turn is not None or delay <= WINDOW


# -- off, pauses, the server's headers ------------------------------------------------------------------

def test_zero_turns_pacing_off_and_keeps_no_state(tmp_path):
    clock = Clock()
    paced = pacer(0, clock, tenant=TENANT, state_dir=str(tmp_path))
    for _request in range(1000):
        turn, delay = paced.try_acquire()
        assert (turn is not None, delay) == (True, 0.0)
        paced.release(turn, Answer(200, {}))
    assert os.listdir(str(tmp_path)) == []


def test_zero_still_obeys_a_pause():
    clock = Clock()
    paced = pacer(0, clock)
    paced.pause_for(7)
    assert paced.try_acquire() == (None, 7.0)


class SleepingClock:
    def __init__(self):
        self.t = 0.0
        self.sleeps = []

    def now(self):
        return self.t

    def sleep(self, seconds):
        assert seconds > 0
        self.sleeps.append(seconds)
        self.t += seconds


def test_a_pause_holds_every_request_and_is_slept_in_steps():
    clock = SleepingClock()
    paced = RequestPacer(100, clock=clock.now, sleep=clock.sleep)
    paced.pause_for(12)
    paced.pause_for(3)  # a shorter pause does not cut the longer one short
    paced.acquire()
    assert clock.t == pytest.approx(12)
    assert max(clock.sleeps) <= 5.0


def test_a_pause_is_capped():
    clock = Clock()
    paced = pacer(100, clock)
    paced.pause_for(10 ** 9)
    assert paced.try_acquire()[1] == _pacer.MAX_PAUSE


def test_remaining_zero_pauses_until_the_reset():
    clock = Clock()
    paced = pacer(100, clock)
    paced.release(paced.try_acquire()[0], Answer(200, {"RateLimit-Remaining": "0", "RateLimit-Reset": "4"}))
    assert paced.try_acquire() == (None, 4.0)


def test_a_connection_refused_spends_nothing():
    clock = Clock()
    paced = pacer(2, clock)
    for _attempt in range(5):
        paced.release(paced.try_acquire()[0], None, arrived=False)
    assert paced.try_acquire()[0] is not None


class HeadersOnly:
    def __init__(self, headers):
        self.headers = headers


def test_retry_after_as_an_http_date():
    now = 1_700_000_000.0
    header = email.utils.formatdate(now + 42, usegmt=True)
    assert seconds_from_header(header, now=now) == pytest.approx(42, abs=1)
    assert seconds_from_header(email.utils.formatdate(now - 10, usegmt=True), now=now) == 0.0
    assert seconds_from_header("not a date") is None
    assert seconds_from_header("nan") is None


def test_ratelimit_reset_as_an_epoch_is_turned_into_seconds():
    now = 1_700_000_000.0
    assert seconds_from_header(str(int(now) + 12), now=now) == pytest.approx(12)
    assert seconds_from_header("3", now=now) == 3.0


def test_named_wait_prefers_retry_after():
    assert named_wait(HeadersOnly({"Retry-After": "2", "RateLimit-Reset": "9"})) == 2.0
    assert named_wait(HeadersOnly({"RateLimit-Reset": "9"})) == 9.0
    assert named_wait(HeadersOnly({"RateLimit-Remaining": "0"})) is None
    assert named_wait(None) is None


def test_retry_delay_prefers_the_server_headers_over_backoff():
    assert 2.0 <= retry_delay(HeadersOnly({"Retry-After": "2"}), attempt=4, backoff_base=10) <= 2.25
    assert 5.0 <= retry_delay(HeadersOnly({"RateLimit-Reset": "5"}), attempt=0) <= 5.25
    delays = [retry_delay(HeadersOnly({}), attempt=3, backoff_base=0.5) for _attempt in range(50)]
    assert all(2.0 <= d <= 4.0 for d in delays)  # 0.5 * 2**3, with jitter in [0.5, 1]
    assert retry_delay(HeadersOnly({}), attempt=30, backoff_base=0.5) <= 30.0
