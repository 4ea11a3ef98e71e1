# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The targets of the bench, each judged from the measured runs."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from tests.bench.runner import PARALLEL, RATE_LIMIT
from tests.bench.runs import baseline_wall, find, ping_beyond_empty, ratio
from tests.bench.tools import FLOOR, ROSTER, URI_LOOP, USER_LOOP

FIXED_COST = "fixed_cost"  # ROSTER's rerun beyond EMPTY against the floor's rerun


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    met: bool
    kind: str = ""  # which target it is, for the report's explanations
    latency: Optional[int] = None
    n: Optional[int] = None

    @property
    def verdict(self):
        return "met" if self.met else "**not met**"


def evaluate(runs):
    """Every target the runs allow judging, in the report's order."""
    targets = []
    for latency in sorted({run.latency for run in runs if run.phase != "ratelimit"}):
        targets += _rerun(runs, 1000, latency) + _speedups(runs, 300, latency) + _create(runs, 1000, latency)
    return targets + _memory(runs) + _rate_limit(runs)


def _pages(n):
    return math.ceil(n / 100) + 1


def _rerun(runs, n, latency):
    c, d = find(runs, ROSTER.name, n, latency, "rerun"), find(runs, FLOOR.name, n, latency, "rerun")
    if not (c and d):
        return []
    beyond = c.wall - baseline_wall(runs, n)
    ping = ping_beyond_empty(runs, n)
    return [
        Target("(c) idempotent rerun of %d users: at most %d requests (%d ms)" % (n, _pages(n), latency),
               "%d requests" % c.requests, c.requests <= _pages(n)),
        Target("(c) rerun of %d users: time beyond (e) within 2x of (d) (%d ms)" % (n, latency),
               "%.2f s beyond (e) vs %.2f s for (d): %.1fx (the module process itself: %.2f s%s)"
               % (beyond, d.wall, ratio(beyond, d.wall), c.module_wall or 0,
                  "" if ping is None else "; one ping task alone: %.2f s beyond (e)" % ping),
               beyond <= 2 * d.wall, FIXED_COST, latency, n),
    ]


def _speedups(runs, n, latency):
    a, b, c = (find(runs, tool.name, n, latency, "rerun") for tool in (URI_LOOP, USER_LOOP, ROSTER))
    if not (a and b and c):
        return []
    return [
        Target("rerun of %d users: (c) at least 50x faster than (a) (%d ms)" % (n, latency),
               "%.2f s vs %.2f s: %.0fx" % (c.wall, a.wall, ratio(a.wall, c.wall)), a.wall >= 50 * c.wall),
        Target("rerun of %d users: (c) at least 30x faster than (b) (%d ms)" % (n, latency),
               "%.2f s vs %.2f s: %.0fx" % (c.wall, b.wall, ratio(b.wall, c.wall)), b.wall >= 30 * c.wall),
    ]


def _create(runs, n, latency):
    c, d = find(runs, ROSTER.name, n, latency, "create"), find(runs, FLOOR.name, n, latency, "create")
    if not c:
        return []
    targets = [Target("(c) creating %d users: %d writes and at most %d reads (%d ms)" % (n, n, _pages(n), latency),
                      "%d writes, %d reads" % (c.writes, c.reads), c.writes == n and c.reads <= _pages(n))]
    if d and latency >= 50:
        targets.append(Target("(c) creating %d users at least 4x faster than (d) (%d ms, parallel=%d)" % (n, latency, PARALLEL),
                              "%.2f s vs %.2f s: %.1fx" % (c.wall, d.wall, ratio(d.wall, c.wall)), d.wall >= 4 * c.wall))
    return targets


def _memory(runs):
    biggest = [run for run in runs if run.tool == ROSTER.name and run.n >= 5000]
    if not biggest:
        return []
    peak = max(run.rss_mb for run in biggest)
    module = max(run.module_rss_mb or 0 for run in biggest)
    return [Target("(c) peak memory under 150 MB at 5,000 users",
                   "%.0f MB (largest process of the ansible-playbook tree); module process %.0f MB" % (peak, module),
                   peak < 150)]


def _rate_limit(runs):
    run = find(runs, ROSTER.name, phase="ratelimit")
    if not run:
        return []
    floor = run.requests / float(RATE_LIMIT) * 60
    return [
        Target("under %d requests a minute: no 429" % RATE_LIMIT, "%d served" % run.status_429, run.status_429 == 0),
        Target("under %d requests a minute: within 10%% of requests / rate" % RATE_LIMIT,
               "%.1f s for %d requests; requests / rate = %.1f s (%+.1f%%)"
               % (run.wall, run.requests, floor, 100 * (run.wall - floor) / floor), run.wall <= 1.10 * floor),
    ]
