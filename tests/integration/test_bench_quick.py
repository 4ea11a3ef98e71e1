# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""`tests/bench/bench.py --quick`: every tool of `make bench` runs at tiny N, so the benchmark cannot rot."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench.py"


def test_bench_quick_runs_every_tool(tmp_path):
    report, runs = tmp_path / "performance.md", tmp_path / "runs.json"
    proc = subprocess.run([sys.executable, str(BENCH), "--quick", "--out", str(report), "--json", str(runs)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    measured = json.loads(runs.read_text(encoding="utf-8"))["runs"]
    assert {run["tool"] for run in measured} == {"uri_loop", "user_loop", "roster", "floor", "empty", "ping"}
    by_phase = {(run["tool"], run["phase"]): run for run in measured}
    # Each tool created its users, and its rerun wrote nothing; roster read one page and wrote one request per user.
    for tool in ("uri_loop", "user_loop", "roster", "floor"):
        assert by_phase[(tool, "create")]["writes"] == by_phase[(tool, "create")]["n"]
        assert by_phase[(tool, "rerun")]["writes"] == 0
    assert by_phase[("roster", "rerun")]["reads"] == 1
    assert by_phase[("roster", "create")]["module_rss_mb"] > 0
    assert by_phase[("roster", "ratelimit")]["status_429"] == 0
    text = report.read_text(encoding="utf-8")
    assert "## Targets" in text and "| (c) totango_users | 20 | 0 ms | rerun |" in text
    assert "| (f) one ping task | 20 | 0 ms | empty |" in text
