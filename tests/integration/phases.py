# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Check mode, the real run and the rerun of one task, each proven from the simulator's request log.

    phases = check_apply_rerun(sim, tmp_path, playbook_text, "Task name")
    phases.predicted  # check mode's result (no write was sent)
    phases.result     # the real run's result
    phases.writes     # [(method, path)] the real run sent
    phases.log        # the real run's whole request log
"""

from __future__ import annotations

from collections import namedtuple

from tests.integration.harness import run_playbook

Phases = namedtuple("Phases", "predicted result writes log rerun")


def write_pairs(sim):
    return [(entry["method"], entry["path"]) for entry in sim.writes()]


def run_task(sim, tmp_path, playbook, task, **kwargs):
    """(run, the task's result) with a clean request log before the run."""
    sim.clear_log()
    run = run_playbook(playbook, sim, tmp_path=tmp_path, **kwargs)
    return run, run.task(task)


def check_apply_rerun(sim, tmp_path, playbook, task, extra_vars=None, failing=False):
    """The three phases of a change. failing=True: the task is expected to fail in check mode and in the real run
    (some entry refused), the other entries applied; the rerun then fails the same way without a write."""
    check, predicted = run_task(sim, tmp_path, playbook, task, check=True, diff=True, extra_vars=extra_vars)
    assert (check.rc != 0) == failing, check.summary()
    assert sim.writes() == [], "check mode must not write"

    real, result = run_task(sim, tmp_path, playbook, task, diff=True, extra_vars=extra_vars)
    assert (real.rc != 0) == failing, real.summary()
    writes, log = write_pairs(sim), sim.log()

    again, rerun = run_task(sim, tmp_path, playbook, task, diff=True, extra_vars=extra_vars)
    assert (again.rc != 0) == failing, again.summary()
    assert rerun["changed"] is False, rerun
    assert sim.writes() == [], "the rerun must not write: %r" % write_pairs(sim)
    return Phases(predicted, result, writes, log, rerun)
