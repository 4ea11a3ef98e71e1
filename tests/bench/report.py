# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""docs/performance.md from the measured runs and the judged targets."""

from __future__ import annotations

from tests.bench import pacing, scaling
from tests.bench.plan import BASELINE_REPEATS
from tests.bench.runner import PARALLEL
from tests.bench.runs import baseline_wall, find, ping_beyond_empty, ratio
from tests.bench.tools import FLOOR, LOOPS, ROSTER, TOOLS, URI_LOOP, USER_LOOP

INTRO = [
    "# Performance",
    "",
    "<!-- Written by `make bench` (tests/bench/bench.py); edit the generator, not this page. -->",
    "",
    "What reconciling a roster costs with each way of doing it, measured by `make bench` against the",
    "Totango simulator over real HTTP. The page is the output of one run, all numbers from that run.",
    "",
    "- (a) a hand-written `ansible.builtin.uri` loop: per user a GET by filter, then a POST or a PATCH;",
    "- (b) a loop over `scimops.totango.totango_user`;",
    "- (c) `scimops.totango.totango_users`, the whole roster in one task (`parallel: %d`);" % PARALLEL,
    "- (d) the floor: a plain Python script making the minimal requests, one at a time, over one `requests.Session`;",
    "- (e) an empty playbook: Ansible's fixed cost (start-up and loading the roster variables);",
    "- (f) for reference, one `ansible.builtin.ping` task: the least any module task costs beyond (e).",
    "",
    "(e) and (f) are each the median of %d runs, as every other cost is measured beyond them." % BASELINE_REPEATS,
    "",
    "Each tool runs on an empty tenant twice: *create* (the N users are created) and *rerun* (the",
    "idempotent rerun: nothing to do). Latency is the simulator's `latency_ms`, added to every request.",
    "Client-side pacing is off (`requests_per_minute: 0`) except in the pacing table.",
    "The loops (a) and (b) cost a third to a half second per task and user, so by default (to keep",
    "`make bench` under 15 minutes on 2 cores) they create and rerun at N=100 at 0 ms, and rerun alone,",
    "on a tenant seeded with the roster, at N=300 (0 ms) and N=100 (50 ms); `--full` runs them in full",
    "at N=100, 300 and 1,000 at every latency, and (c), (d) at N=5,000 at 50 ms too.",
    "*Wall* and *CPU* are of the whole process tree; *peak RSS* is that of the largest single process",
    "in the tree (`getrusage(RUSAGE_CHILDREN).ru_maxrss`), and for (c) also that of the module process",
    "alone. Requests are counted by the simulator.",
    "",
    "Two tables follow the runs: *Tenant scaling*, what the roles and (c) cost for a few people in a tenant",
    "of T users, and *Pacing*, (c) at Totango's 100 requests a minute against each rate limiter the",
    "simulator has.",
]


def markdown(results, targets, meta):
    runs = results.runs
    lines = INTRO + [
        "",
        "## Environment",
        "",
        "- %s; %d CPUs; Python %s; ansible-core %s" % (meta["platform"], meta["cpus"], meta["python"], meta["ansible"]),
        "- load average before / after the run: %.2f / %.2f (other work on the machine inflates wall times;"
        % (meta["load_before"], meta["load_after"]) + " CPU seconds are steadier)",
        "- run finished %s, took %.0f s%s" % (meta["finished"], meta["elapsed"], " (--full)" if meta["full"] else ""),
    ] + _left_out_lines(meta.get("left_out")) + [
        "",
        "## Targets",
        "",
        "| target | measured | |",
        "|---|---|---|",
    ]
    lines += ["| %s | %s | %s |" % (target.name, target.measured, target.verdict) for target in targets]
    lines += ["", "The earlier target \"(c) rerun of 1000 users: time beyond (e) within 2x of (d)\" is retired: it",
              "measures Ansible's fixed cost of one task, which no module can avoid (the ratios below show (c)",
              "beyond (e) and beyond one `ansible.builtin.ping` task)."]
    lines += _not_met_lines(targets) + _run_lines(runs) + _ratio_lines(runs) + _per_user_lines(runs)
    lines += _scaling_lines(results.scaling) + _pacing_lines(results.pacing) + _notes()
    return "\n".join(lines) + "\n"


def _left_out_lines(left_out):
    """What `--tools` left out of the run: the page has no rows, ratios or targets of theirs."""
    if not left_out:
        return []
    return ["- left out of this run (`--tools`): %s; the page has no rows, ratios or targets of theirs"
            % ", ".join(_run_title(name) for name in left_out),
            "  (`git log -p docs/performance.md` shows the last run that had them)"]


def _run_title(name):
    return TOOLS[name].title if name in TOOLS else "the %s table" % name


def _run_lines(runs):
    lines = ["", "## Every run", "",
             "| tool | N | latency | run | wall s | CPU s | reads | writes | requests/user | 429s | peak RSS MB |",
             "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for run in runs:
        rss = "%.0f" % run.rss_mb + ("" if run.module_rss_mb is None else " (module %.0f)" % run.module_rss_mb)
        lines.append("| %s | %d | %d ms | %s | %.2f | %.2f | %d | %d | %.3f | %d | %s |"
                     % (run.title, run.n, run.latency, run.phase, run.wall, run.cpu, run.reads,
                        run.writes, run.per_user, run.status_429, rss))
    return lines


def _not_met_lines(targets):
    missed = [target for target in targets if not target.met]
    if not missed:
        return []
    return ["", "Not met (a time is as measured on the machine above, at the load it had; request counts are not):", ""] + [
        "- %s: see the tables below." % target.name for target in missed]


def _ratio_lines(runs):
    lines = ["", "## Ratios", "",
             "(c) against the floor (d) and the loops, same N, latency and run:", "",
             "*(c) - (e)* splits into the module process (from its start to its exit) and Ansible's work",
             "for one task on the controller (building and shipping the module, the worker process, templating",
             "the roster into the module's arguments and reading its result back). *(c) - (f)* is what (c)",
             "costs beyond one `ansible.builtin.ping` task, the least any module task costs.", "",
             "| N | latency | run | (c) s | (c) - (e) s | module process s | Ansible task s | (c) - (f) s | (d) s "
             "| ((c) - (e)) / (d) | ((c) - (f)) / (d) | (a) / (c) | (b) / (c) | (d) / (c) |",
             "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for c in [run for run in runs if run.tool == ROSTER.name and run.phase in ("create", "rerun")]:
        d, a, b = (find(runs, tool.name, c.n, c.latency, c.phase) for tool in (FLOOR, URI_LOOP, USER_LOOP))
        beyond = c.wall - baseline_wall(runs, c.n)
        ping = ping_beyond_empty(runs, c.n)
        beyond_ping = None if ping is None else beyond - ping
        task = None if c.module_wall is None else beyond - c.module_wall
        lines.append("| %d | %d ms | %s | %.2f | %.2f | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            c.n, c.latency, c.phase, c.wall, beyond, _num(c.module_wall), _num(task), _num(beyond_ping),
            _num(d and d.wall), _x(d and ratio(beyond, d.wall)),
            _x(d and beyond_ping is not None and ratio(beyond_ping, d.wall)),
            _x(a and ratio(a.wall, c.wall)), _x(b and ratio(b.wall, c.wall)), _x(d and ratio(d.wall, c.wall))))
    return lines


def _per_user_lines(runs):
    loops = [tool.name for tool in LOOPS]
    if not any(run.tool in loops for run in runs):
        return []
    lines = ["", "## Cost per user of the loops", "",
             "Wall time beyond the empty playbook (e) loading the same roster, divided by N",
             "(\"-\": not run; by default the loops rerun alone on a seeded tenant at N=300 and at 50 ms):", "",
             "| tool | N | latency | create ms/user | rerun ms/user |", "|---|---:|---:|---|---|"]
    seen = []
    for run in runs:
        key = (run.tool, run.n, run.latency)
        if run.tool not in loops or key in seen:
            continue
        seen.append(key)
        empty = baseline_wall(runs, run.n)
        cost = [find(runs, run.tool, run.n, run.latency, phase) for phase in ("create", "rerun")]
        lines.append("| %s | %d | %d ms | %s | %s |" % ((run.title, run.n, run.latency) + tuple(
            _num(r and 1000 * (r.wall - empty) / r.n, "%.0f") for r in cost)))
    return lines


def _notes():
    return ["", "## Reading the numbers", "",
            "- A loop pays Ansible's per-task cost for every user (a fork, the module shipped and started, its",
            "  result sent back); (a) pays it twice per user and makes a request per user even when nothing",
            "  changes. (c) pays it once for the whole roster and reads one page per 100 users.",
            "- (c)'s time beyond (e) is one task's fixed cost (building and starting the module, importing",
            "  ansible's module_utils and requests), checking the options of every user, the reads, and",
            "  planning every user; at 0 ms latency the floor (d) is little more than starting Python, so",
            "  the fixed cost of one task weighs most there.",
            "- (c) reads the pages after the first, and sends its writes, on `parallel` workers that share one",
            "  connection pool and one pacer; with real latency that is where its speed comes from.",
            "- Against Totango itself the limit of 100 requests a minute dominates everything: creating 1,000",
            "  users takes at least ten minutes whatever the tool, and (c) keeps to the limit without a 429.",
            "- Against a tenant, requests are time: at 100 a minute each costs 0.6 s. The roles and (c) without",
            "  `disable_unlisted` read the first page, then look up each listed person or read the remaining pages,",
            "  whichever is fewer, so a few people cost the same in 1,000 users as in 30,000.",
            "- The pacing runs create N users with `requests_per_minute: %d`; each simulator serves 429 above" % pacing.RATE,
            "  its limit. requests / rate is the least time the limit allows.",
            ""]


def _scaling_lines(scale_runs):
    if not scale_runs:
        return []
    tenants = sorted({run.tenant for run in scale_runs})
    by_cell = {(run.operation, run.tenant): run for run in scale_runs}
    head = " | ".join("T={:,}".format(tenant) for tenant in tenants)
    lines = ["", "## Tenant scaling", "",
             "Each operation on a freshly seeded tenant of T users: T - %d generated users, each in one of %d teams,"
             % (scaling.COLLEAGUES, scaling.TEAMS),
             "and %d colleagues at the end of the listing, each in 1 to 3 of the first 10 teams (the leavers); the"
             % scaling.COLLEAGUES,
             "hires join one team named by name. Requests are counted by the simulator: *requests (reads + writes)*.",
             "*minimum* is what the work itself needs: its writes, and the fewer of a lookup per person and the pages",
             "of the tenant (for hires, one read of the teams too). The counts do not depend on the machine.", "",
             "| operation | %s | minimum at T={:,} | target: at most |".format(tenants[-1]) % head,
             "|---|" + "---:|" * (len(tenants) + 2)]
    for operation in scaling.OPERATIONS:
        cells = [by_cell.get((operation.key, tenant)) for tenant in tenants]
        lines.append("| %s | %s | %s | %d |" % (operation.name, " | ".join(
            "-" if run is None else "%d (%d + %d)" % (run.requests, run.reads, run.writes) for run in cells),
            _num(cells[-1] and cells[-1].minimum, "%d"), operation.target))
    lines += ["", "Wall seconds of the same runs (ansible-playbook from start to exit, 0 ms latency), and what the",
              "requests use of Totango's limit of 100 a minute (0.6 s each):", "",
              "| operation | %s | of the limit, T={:,} |".format(tenants[-1]) % head,
              "|---|" + "---:|" * (len(tenants) + 1)]
    for operation in scaling.OPERATIONS:
        cells = [by_cell.get((operation.key, tenant)) for tenant in tenants]
        lines.append("| %s | %s | %s |" % (operation.name, " | ".join(_num(run and run.wall) for run in cells),
                                           _num(cells[-1] and cells[-1].requests * 0.6, "%.1f s")))
    return lines


def _pacing_lines(pace_runs):
    if not pace_runs:
        return []
    names = {case.key: case.name for case in pacing.CASES}
    lines = ["", "## Pacing", "",
             "(c) creates N users at `requests_per_minute: %d` and `parallel: %d`; each limiter, in a simulator of its"
             % (pacing.RATE, pacing.PARALLEL),
             "own, allows %d requests per %d s (the token bucket: a burst of %d, refilled at %d a minute). The runs go"
             % (pacing.RATE, pacing.WINDOW, pacing.BURST, pacing.RATE),
             "at the same time: each waits a minute on its limit and uses little CPU, but their start-ups share the",
             "CPU, so *paced s* is taken from the simulator's log: from the first request's arrival to the last's.",
             "*wall s* is the whole ansible-playbook process. A lost user is one not in the tenant as the roster",
             "says after the run.", "",
             "| limiter | N | requests | 429s | lost users | rc | wall s | paced s | requests / rate s | paced vs requests / rate |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for run in pace_runs:
        lines.append("| %s | %d | %d | %d | %d | %d | %.1f | %.1f | %.1f | %+.1f%% |" % (
            names.get(run.case, run.case), run.n, run.requests, run.status_429, run.lost, run.rc, run.wall, run.span,
            run.least_time, 100 * (run.span - run.least_time) / run.least_time))
    return lines


def _num(value, fmt="%.2f"):
    return "-" if value is None or value is False else fmt % value


def _x(value):
    return "-" if value is None or value is False else "%.1fx" % value
