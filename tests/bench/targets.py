# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The targets of the bench, each judged from the measured runs."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tests.bench import pacing, scaling
from tests.bench.runner import PARALLEL
from tests.bench.runs import find, ratio
from tests.bench.tools import FLOOR, ROSTER, URI_LOOP, USER_LOOP


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    met: bool

    @property
    def verdict(self):
        return "met" if self.met else "**not met**"


def evaluate(results):
    """Every target the results allow judging, in the report's order.

    The earlier target "(c) rerun of 1,000 users: time beyond (e) within 2x of (d)" is retired (issue 11):
    it measured Ansible's fixed cost of one task, which no module can avoid (one ping task costs more).
    """
    runs = results.runs
    targets = []
    for latency in sorted({run.latency for run in runs if run.phase != "ratelimit"}):
        targets += _rerun(runs, 1000, latency) + _speedups(runs, 300, latency) + _create(runs, 1000, latency)
    return targets + _memory(runs) + _scaling(results.scaling) + _pacing(results.pacing)


def _pages(n):
    return math.ceil(n / 100) + 1


def _rerun(runs, n, latency):
    c = find(runs, ROSTER.name, n, latency, "rerun")
    if not c:
        return []
    return [Target("(c) idempotent rerun of %d users: at most %d requests (%d ms)" % (n, _pages(n), latency),
                   "%d requests" % c.requests, c.requests <= _pages(n))]


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


def _scaling(scale_runs):
    targets = []
    for operation in scaling.OPERATIONS:
        runs = sorted((run for run in scale_runs if run.operation == operation.key), key=lambda run: run.tenant)
        if runs:
            targets.append(Target(
                "%s: at most %d requests at every T (%s)" % (operation.name, operation.target, _tenants(runs)),
                ", ".join("%d" % run.requests for run in runs), all(run.requests <= operation.target for run in runs)))
    return targets


def _tenants(runs):
    return "T = " + ", ".join("{:,}".format(run.tenant) for run in runs)


def _pacing(pace_runs):
    if not pace_runs:
        return []
    clean = [run for run in pace_runs if not (run.status_429 or run.lost or run.rc)]
    targets = [Target("pacing at %d requests a minute: no 429 and no lost user in any of the %d runs (every limiter)"
                      % (pacing.RATE, len(pace_runs)),
                      "%d of %d: %d 429s, %d lost users" % (len(clean), len(pace_runs), sum(run.status_429 for run in pace_runs),
                                                            sum(run.lost for run in pace_runs)),
                      len(clean) == len(pace_runs))]
    long_runs = [run for run in pace_runs if run.long]
    if long_runs:
        within = [run for run in long_runs if run.span <= 1.10 * run.least_time]
        slowest = max(long_runs, key=lambda run: run.span / run.least_time)
        targets.append(Target(
            "pacing at %d requests a minute: first to last request within 10%% of requests / rate" % pacing.RATE,
            "%d of %d; the slowest %.1f s for %d requests, requests / rate = %.1f s (%+.1f%%)"
            % (len(within), len(long_runs), slowest.span, slowest.requests, slowest.least_time,
               100 * (slowest.span - slowest.least_time) / slowest.least_time),
            len(within) == len(long_runs)))
    short = next((run for run in pace_runs if run.case == pacing.SHORT), None)
    if short:
        targets.append(Target(
            "pacing: a run of %d requests is not slowed (first to last request under %.0f s)" % (short.requests, pacing.NOT_SLOWED),
            "%.2f s (requests / rate = %.1f s)" % (short.span, short.least_time), short.span < pacing.NOT_SLOWED))
    return targets
