# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""`tests/bench/bench.py --quick`: every tool and table of `make bench` runs at tiny N, so the benchmark cannot rot."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench.py"
OPERATIONS = ("hire_1", "hire_5", "leave_1", "leave_10", "update_5")


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """One `bench.py --quick` run: (its JSON results, its Markdown page)."""
    out = tmp_path_factory.mktemp("bench")
    report, runs = out / "performance.md", out / "runs.json"
    proc = subprocess.run([sys.executable, str(BENCH), "--quick", "--out", str(report), "--json", str(runs)],
                          capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return json.loads(runs.read_text(encoding="utf-8")), report.read_text(encoding="utf-8")


def test_bench_quick_runs_every_tool_and_table(quick):
    results, text = quick
    measured = results["runs"]
    assert {run["tool"] for run in measured} == {"uri_loop", "user_loop", "roster", "floor", "empty", "ping"}
    by_phase = {(run["tool"], run["phase"]): run for run in measured}
    # Each tool created its users, and its rerun wrote nothing; roster read one page and wrote one request per user.
    for tool in ("uri_loop", "user_loop", "roster", "floor"):
        assert by_phase[(tool, "create")]["writes"] == by_phase[(tool, "create")]["n"]
        assert by_phase[(tool, "rerun")]["writes"] == 0
    assert by_phase[("roster", "rerun")]["reads"] == 1
    assert by_phase[("roster", "create")]["module_rss_mb"] > 0
    # Every limiter: no 429 and every user created.
    assert len(results["pacing"]) == 7
    assert all(run["status_429"] == 0 and run["lost"] == 0 and run["rc"] == 0 for run in results["pacing"])
    assert "## Targets" in text and "| (c) totango_users | 20 | 0 ms | rerun |" in text
    assert "| (f) one ping task | 20 | 0 ms | empty |" in text
    assert "## Tenant scaling" in text and "## Pacing" in text


def test_the_scaling_table_counts_follow_the_work_not_the_tenant(quick):
    """At T=200 and T=2,400 (the quick sizes): the counts of the simulator's log (the bench checked each
    operation's work in the simulator's data, or exited non-zero)."""
    cells = {(run["operation"], run["tenant"]): run for run in quick[0]["scaling"]}
    assert sorted(cells) == sorted((operation, tenant) for operation in OPERATIONS for tenant in (200, 2400))
    for tenant in (200, 2400):
        # One hire: a lookup, one read of the teams, the POST. One leaver in 3 teams: a lookup, the disable, 3 PATCHes.
        assert (cells[("hire_1", tenant)]["reads"], cells[("hire_1", tenant)]["writes"]) == (2, 1)
        assert (cells[("leave_1", tenant)]["reads"], cells[("leave_1", tenant)]["writes"]) == (1, 4)
        assert all(run["rc"] == 0 and run["status_429"] == 0 for run in cells.values())
    # In 2,400 users: the first page, then a lookup per person (fewer than the 23 remaining pages).
    assert cells[("hire_5", 2400)]["requests"] == 1 + 5 + 1 + 5
    assert cells[("leave_10", 2400)]["requests"] == 1 + 10 + 10 + 10  # the 10 leavers share 10 teams
    assert cells[("update_5", 2400)]["requests"] == 1 + 5 + 5
    # In 200 users the remaining page costs less than the lookups: 2 pages.
    assert cells[("update_5", 200)]["requests"] == 2 + 5 == cells[("update_5", 200)]["minimum"]
    assert all(run["requests"] <= run["minimum"] + 1 for run in cells.values()), "at most the first page beyond the work"
