# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a bench run measures: the steps in order, from the command line's options."""

from __future__ import annotations

from dataclasses import dataclass

from tests.bench import pacing, scaling
from tests.bench.runs import CREATE_AND_RERUN, RERUN, Step
from tests.bench.tools import BASELINES, FLOOR, LOOPS, PACING, ROSTER, SCALING

QUICK_USERS, QUICK_LOOP_USERS = 20, 3
BASELINE_REPEATS = 3  # --quick: 1


@dataclass(frozen=True)
class Plan:
    steps: list
    tenants: tuple = ()  # the tenant sizes of the scaling table; none: no scaling table
    pacing_users: int = 0  # N of the pacing table; 0: no pacing table


def plan(args):
    """The plan for `args` (quick, full, latencies, cd_sizes, ab_sizes, tenants, tools: a set of names)."""
    steps = _quick_steps() if args.quick else _steps(args)
    tenants = args.tenants or (scaling.QUICK_TENANTS if args.quick else scaling.TENANTS)
    if SCALING not in args.tools:
        tenants = ()
    pacing_users = args.pacing_users or (pacing.QUICK_USERS if args.quick else pacing.USERS)
    if PACING not in args.tools:
        pacing_users = 0
    return Plan([step for step in steps if step.tool.name in args.tools], tenants, pacing_users)


def _quick_steps():
    return ([Step(tool, QUICK_USERS, 0) for tool in BASELINES] + [Step(tool, QUICK_LOOP_USERS, 0) for tool in LOOPS]
            + [Step(tool, QUICK_USERS, 0) for tool in (ROSTER, FLOOR)])


def _steps(args):
    """The loops cost a third to a half second per task and user on 2 cores, so by default they create
    and rerun at N=100 at 0 ms, and rerun alone at N=300 (0 ms) and N=100 (50 ms): the per-user cost of
    a create is the N=100 one. --full runs them in full at N=100, 300 and 1,000 at every latency.
    """
    loop_sizes = sorted(set(args.ab_sizes + ([1000] if args.full else [])))
    # The baselines make no request, so latency does not matter; they load the same roster vars as the others.
    steps = [Step(tool, n, 0, repeat=BASELINE_REPEATS) for n in sorted(set(args.cd_sizes + loop_sizes)) for tool in BASELINES]
    for index, latency in enumerate(args.latencies):
        for n in args.cd_sizes:
            if n > 1000 and latency > 0 and not args.full:
                continue  # the floor alone would take 5,000 x 50 ms; memory at 5,000 is measured at 0 ms
            steps += [Step(ROSTER, n, latency), Step(FLOOR, n, latency)]
        for n in loop_sizes:
            if args.full or (index == 0 and n == loop_sizes[0]):
                what = CREATE_AND_RERUN
            elif index == 0 or n == loop_sizes[0]:
                what = RERUN
            else:
                continue
            steps += [Step(tool, n, latency, what) for tool in LOOPS]
    return steps
