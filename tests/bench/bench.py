# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""`make bench`: what a roster costs with each way of reconciling it, against the simulator over HTTP.

    python tests/bench/bench.py            # the default run (under 15 minutes on 2 cores); writes docs/performance.md
    python tests/bench/bench.py --full     # adds the loops at N=1000 and roster, floor at N=5000 with 50 ms latency
    python tests/bench/bench.py --quick    # a smoke run of every code path at tiny N (the test suite runs it)

Tools (tests/bench/tools.py): uri_loop (a hand-written ansible.builtin.uri loop), user_loop (a loop over
totango_user), roster (totango_users), floor (a plain Python script making the minimal requests over one
Session), empty (an empty playbook: Ansible's fixed cost) and ping (one ansible.builtin.ping task: the least
any module task costs). Each of the first four runs twice on an empty tenant, at each latency: the first
run creates the N users, the second (the idempotent rerun) finds nothing to do. Then two tables: scaling
(the roles and totango_users for a few people in tenants of up to 30,000 users, tests/bench/scaling.py) and
pacing (totango_users at Totango's 100 requests a minute against each limiter, tests/bench/pacing.py).
tests/bench/runner.py measures, tests/bench/targets.py judges, tests/bench/report.py writes the page.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.bench import pacing, scaling  # noqa: E402 - the repository root goes on sys.path first
from tests.bench.plan import plan  # noqa: E402
from tests.bench.report import markdown  # noqa: E402
from tests.bench.runner import Bench  # noqa: E402
from tests.bench.runs import Results  # noqa: E402
from tests.bench.targets import evaluate  # noqa: E402
from tests.bench.tools import RUNS, selected  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="smoke run at tiny N (seconds); for the test suite")
    parser.add_argument("--full", action="store_true", help="add the loops at N=1000 and roster, floor at 5,000 with latency")
    parser.add_argument("--latencies", default="0,50", help="simulated latencies in ms (default 0,50)")
    parser.add_argument("--cd-sizes", default="100,300,1000,5000", help="N for roster and floor")
    parser.add_argument("--ab-sizes", default="100,300", help="N for the loops (uri_loop, user_loop)")
    parser.add_argument("--tenants", default=None, help="T for the scaling table (default %s; --quick: %s)"
                        % (",".join(map(str, scaling.TENANTS)), ",".join(map(str, scaling.QUICK_TENANTS))))
    parser.add_argument("--pacing-users", type=int, default=None,
                        help="N of the pacing table (default %d; --quick: %d)" % (pacing.USERS, pacing.QUICK_USERS))
    parser.add_argument("--tools", default=",".join(RUNS),
                        help="which to run, separated by commas, of: %s (default all; the old letters abcdefr still work)"
                        % ", ".join(RUNS))
    parser.add_argument("--out", default=None, help="Markdown report (default docs/performance.md; none for --quick)")
    parser.add_argument("--json", default=None, help="also write every run as JSON here")
    parser.add_argument("--from-json", default=None, help="no run: write the report from a --json file of an earlier run")
    args = parser.parse_args(argv)
    args.latencies = _numbers(args.latencies)
    args.cd_sizes = _numbers(args.cd_sizes)
    args.ab_sizes = _numbers(args.ab_sizes)
    args.tenants = tuple(_numbers(args.tenants)) if args.tenants else None
    try:
        args.tools = selected(args.tools)
    except ValueError as error:
        parser.error(str(error))
    if args.out is None and not args.quick:
        args.out = str(REPO / "docs" / "performance.md")
    return args


def _numbers(text):
    return [int(value) for value in text.split(",") if value.strip()]


def _ansible_version():
    try:
        from ansible.release import __version__
    except ImportError:
        return "unknown"
    return __version__


def environment(args, load_before, elapsed):
    return {"platform": platform.platform(), "cpus": os.cpu_count() or 0, "python": platform.python_version(),
            "ansible": _ansible_version(), "load_before": load_before, "load_after": os.getloadavg()[0],
            "elapsed": elapsed, "finished": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "full": args.full,
            "left_out": [name for name in RUNS if name not in args.tools]}


def measure_all(args):
    """Runs the plan; returns (results, meta, problems)."""
    load_before = os.getloadavg()[0]
    chosen = plan(args)
    with tempfile.TemporaryDirectory(prefix="scimops-bench-") as workdir:
        bench = Bench(workdir)
        started = time.monotonic()
        try:
            bench.run_steps(chosen.steps)
            if chosen.tenants:
                bench.say("Tenant scaling, T = %s:" % ", ".join(str(size) for size in chosen.tenants))
            scale_runs = scaling.measure_all(bench, chosen.tenants)
            if chosen.pacing_users:
                bench.say("Pacing, N=%d, every limiter at once:" % chosen.pacing_users)
            pace_runs = pacing.measure_all(bench, chosen.pacing_users) if chosen.pacing_users else []
        finally:
            bench.close()
    results = Results(bench.runs, scale_runs, pace_runs)
    return results, environment(args, load_before, time.monotonic() - started), bench.problems


def main(argv=None):
    args = parse_args(argv)
    if args.from_json:
        data = json.loads(Path(args.from_json).read_text(encoding="utf-8"))
        results, meta, problems = Results.from_dict(data), data["meta"], []
    else:
        results, meta, problems = measure_all(args)
    targets = evaluate(results)
    print("\nTargets:")
    for target in targets:
        print("  %-80s %s -> %s" % (target.name, target.measured, target.verdict.strip("*")))
    if args.out:
        Path(args.out).write_text(markdown(results, targets, meta), encoding="utf-8")
        print("wrote %s" % args.out)
    if args.json:
        Path(args.json).write_text(json.dumps(dict(results.as_dict(), meta=meta), indent=1), encoding="utf-8")
    if problems:
        print("\n%d run(s) did not do what they should (see PROBLEM above)" % len(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
