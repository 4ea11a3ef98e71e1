# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The records of the bench: a step of the plan, a measured run, and all the results of one bench run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Optional

from tests.bench.pacing import PaceRun
from tests.bench.scaling import ScaleRun
from tests.bench.tools import EMPTY, LETTERS, PING, Tool, tool

CREATE_AND_RERUN = "both"  # a step's `what`: create on an empty tenant, then the idempotent rerun
RERUN = "rerun"  # the rerun alone, on a tenant seeded with the roster


@dataclass(frozen=True)
class Step:
    """One step of the plan: a tool at N users and a latency."""

    tool: Tool
    n: int
    latency: int
    what: str = CREATE_AND_RERUN
    repeat: int = 1  # a baseline's: the median of this many runs


@dataclass
class Run:
    """One measured process: what it was, and what it cost (requests as the simulator counted them)."""

    tool: str  # a tool's name
    n: int
    latency: int
    phase: str  # "create", "rerun", "empty" or "ratelimit"
    rc: int
    wall: float
    cpu: float
    rss_mb: float
    reads: int = 0
    writes: int = 0
    status_429: int = 0
    # ROSTER only: the module process itself, from its start to its exit.
    module_wall: Optional[float] = None
    module_cpu: Optional[float] = None
    module_rss_mb: Optional[float] = None

    @classmethod
    def measured(cls, tool_name, n, latency, phase, measured, stats, module=None):
        """From the measuring wrapper's JSON, the simulator's stats, and the module process's JSON line."""
        return cls(tool_name, n, latency, phase, rc=measured["rc"], wall=measured["wall"], cpu=measured["cpu"],
                   rss_mb=measured["maxrss_kb"] / 1024.0, reads=stats.get("reads", 0), writes=stats.get("writes", 0),
                   status_429=stats.get("status_429", 0),
                   module_wall=module["wall"] if module else None, module_cpu=module["cpu"] if module else None,
                   module_rss_mb=module["maxrss_kb"] / 1024.0 if module else None)

    @property
    def requests(self):
        return self.reads + self.writes

    @property
    def per_user(self):
        return self.requests / self.n if self.n else 0.0

    @property
    def title(self):
        return tool(self.tool).title

    def as_dict(self):
        return dict(asdict(self), requests=self.requests, per_user=self.per_user)

    @classmethod
    def from_dict(cls, data):
        """From as_dict(), also of an earlier bench that named the tools by letter."""
        known = {field.name for field in fields(cls)}
        run = cls(**{key: value for key, value in data.items() if key in known})
        run.tool = LETTERS.get(run.tool, run.tool)
        return run


def find(runs, tool_name, n=None, latency=None, phase=None):
    """The first run of a tool matching what is given, or None."""
    for run in runs:
        if run.tool == tool_name and n in (None, run.n) and latency in (None, run.latency) and phase in (None, run.phase):
            return run
    return None


def baseline_wall(runs, n, tool_name=EMPTY.name):
    """The wall time of a baseline (EMPTY, or PING) loading the same roster: the nearest N measured; 0 if none."""
    baselines = [run for run in runs if run.tool == tool_name]
    if not baselines:
        return 0.0
    return min(baselines, key=lambda run: abs(run.n - n)).wall


def ping_beyond_empty(runs, n):
    """What one module task that does nothing costs beyond EMPTY, or None when PING was not run."""
    if not any(run.tool == PING.name for run in runs):
        return None
    return baseline_wall(runs, n, PING.name) - baseline_wall(runs, n)


def ratio(numerator, denominator):
    return numerator / denominator if denominator else float("inf")


@dataclass
class Results:
    """Everything one bench run measured: the tools' runs, the scaling table's and the pacing table's."""

    runs: list
    scaling: list
    pacing: list

    def as_dict(self):
        return {"runs": [run.as_dict() for run in self.runs], "scaling": [run.as_dict() for run in self.scaling],
                "pacing": [run.as_dict() for run in self.pacing]}

    @classmethod
    def from_dict(cls, data):
        """From as_dict(); a file of an earlier bench has runs only."""
        return cls([Run.from_dict(run) for run in data["runs"]],
                   [ScaleRun.from_dict(run) for run in data.get("scaling", [])],
                   [PaceRun.from_dict(run) for run in data.get("pacing", [])])
