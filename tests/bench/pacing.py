# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Pacing: totango_users creating N users at Totango's 100 requests a minute against each limiter kind.

Each case has a simulator of its own (its own URL, so its own pacing budget, in its own cache directory)
limiting to 100 requests per 60 seconds, and totango_users runs with requests_per_minute 100 and
parallel 8. The cases run at the same time: each spends a minute waiting on its limit and little CPU,
so running them one after the other would only add minutes to `make bench`; their start-ups share the
CPU, so a run's time is judged from the simulator's log, from the first request's arrival to the last's.
A lost user is one of the N who is not in the tenant as the roster describes after the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.bench.records import CountedRequests
from tests.bench.tools import PLAYBOOKS, ROSTER
from tests.simulator.defaults import SIM_ADMIN_PASSWORD, SIM_ADMIN_USER, SIM_APP_TOKEN
from tests.simulator.totango_sim import TotangoSimulator

RATE = 100  # requests a minute: Totango's limit, the simulator's, and the module's requests_per_minute
WINDOW = 60
BURST = 10
PARALLEL = 8
USERS, QUICK_USERS = 100, 5  # N=100: 101 requests, one more than a window holds


@dataclass(frozen=True)
class Case:
    key: str
    name: str
    limiter: dict = field(default_factory=dict)  # simulator config besides the rate
    playbook: str = ROSTER.playbook
    users: int = 0  # N for this case; 0: the table's N

    def config(self):
        return dict({"rate_limit": RATE, "rate_limit_window": WINDOW, "rate_limit_burst": BURST}, **self.limiter)


BARE = {"rate_limit_headers": False}
SHORT = "short"  # the case of a run the limit lets through at once
CASES = (
    Case("fixed", "fixed window, RateLimit-* headers", {"rate_limiter": "fixed_window"}),
    Case("fixed_bare", "fixed window, no headers", dict(BARE, rate_limiter="fixed_window")),
    Case("bucket_bare", "token bucket (burst %d), no headers" % BURST, dict(BARE, rate_limiter="token_bucket")),
    Case("bucket_retry_after", "token bucket (burst %d), Retry-After on a 429 only" % BURST,
         dict(BARE, rate_limiter="token_bucket", retry_after_on_429=True)),
    Case("sliding", "sliding window, RateLimit-* headers", {"rate_limiter": "sliding"}),
    Case("two_tasks", "fixed window, no headers; two tasks of N/2 in one play", dict(BARE, rate_limiter="fixed_window"),
         "two_rosters.yml"),
    Case(SHORT, "token bucket (burst %d), no headers; a run of %d requests" % (BURST, BURST),
         dict(BARE, rate_limiter="token_bucket"), users=BURST - 1),
)
NOT_SLOWED = 1.0  # seconds from the first to the last request of a run the limit lets through at once


@dataclass
class PaceRun(CountedRequests):
    case: str  # a Case's key
    n: int
    rc: int
    wall: float
    cpu: float
    reads: int
    writes: int
    status_429: int
    lost: int
    span: float  # seconds from the first request's arrival to the last's, by the simulator's log

    @property
    def least_time(self):
        """requests / rate: the least time the limit allows, in seconds."""
        return self.requests * 60.0 / RATE

    @property
    def long(self):
        """More requests than the limit lets through at once: a run the pacer must slow down."""
        return self.requests > BURST


def lost_users(sim, roster):
    """The roster's users the tenant does not hold as the roster describes."""
    def held(user, wanted):
        return user is not None and user.get("title") == wanted["title"] \
            and (user.get("name") or {}).get("familyName") == wanted["family_name"]
    return [wanted["user_name"] for wanted in roster if not held(sim.user(wanted["user_name"]), wanted)]


def measure_all(bench, n, cases=CASES):
    """Every case at once, each against a simulator of its own; returns the PaceRuns in the order of `cases`."""
    extra_vars = {"bench_parallel": PARALLEL, "bench_requests_per_minute": RATE}
    sims = [TotangoSimulator(app_token=SIM_APP_TOKEN, admin_user=SIM_ADMIN_USER, admin_password=SIM_ADMIN_PASSWORD,
                             **case.config()).start() for case in cases]
    try:
        started = [bench.start("pacing-%s-%d" % (case.key, case.users or n), bench.playbook_command(
            PLAYBOOKS / case.playbook, bench.users_file(case.users or n), extra_vars), sim) for case, sim in zip(cases, sims)]
        return [_finish(bench, case, sim, process, case.users or n) for case, sim, process in zip(cases, sims, started)]
    finally:
        for sim in sims:
            sim.stop()


def _finish(bench, case, sim, process, n):
    measured, _module = bench.finish(process)
    stats, arrivals = sim.stats(), [entry["ts"] for entry in sim.log()]
    lost = lost_users(sim, bench.roster(n))
    run = PaceRun(case.key, n, measured["rc"], measured["wall"], measured["cpu"], stats["reads"], stats["writes"],
                  stats["status_429"], len(lost), max(arrivals) - min(arrivals) if arrivals else 0.0)
    if lost:
        bench.problem("pacing, %s: %d users lost: %s" % (case.name, len(lost), ", ".join(lost[:10])))
    bench.say("  %-64s N=%-4d %7.2f s wall %6.2f s first to last request (requests / rate %.1f s)  %4d requests"
              " %3d x429  %d lost" % (case.name, n, run.wall, run.span, run.least_time, run.requests, run.status_429, run.lost))
    return run
