# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test-only callback: dump every task result and the play recap as JSON for tests/integration/harness.py."""

from __future__ import annotations

import json
import os

from ansible import context
from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: scimops_result_dump
type: aggregate
short_description: Write every task result and the final stats as JSON (scimops.totango tests)
description:
  - Used by the scimops.totango integration test harness (C(tests/integration/harness.py)).
  - Records, for every task result, the task name, action, host, changed/failed/skipped/unreachable flags,
    the effective check mode and the full result dictionary (including C(diff)), plus the per-host recap.
  - The JSON document is written to the file named by the E(SCIMOPS_RESULT_FILE) environment variable;
    without it the callback does nothing.
author: scimops.totango contributors
requirements:
  - Enabled through C(ANSIBLE_CALLBACKS_ENABLED=scimops_result_dump).
"""

RESULT_FILE_ENV = "SCIMOPS_RESULT_FILE"


class CallbackModule(CallbackBase):
    """Aggregate callback collecting task results for the test harness."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "scimops_result_dump"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._path = os.environ.get(RESULT_FILE_ENV)
        self._tasks = []
        self._stats = {}
        self._play = None

    def _check_mode(self, task):
        if getattr(task, "check_mode", None) is not None:
            return bool(task.check_mode)
        try:
            return bool(context.CLIARGS.get("check", False))
        except AttributeError:
            return False

    def _record(self, result, status, ignored=False):
        task = result._task  # pylint: disable=protected-access
        data = dict(result._result)  # pylint: disable=protected-access
        self._tasks.append({
            "task": task.get_name(),
            "action": task.action,
            "host": result._host.get_name(),  # pylint: disable=protected-access
            "play": self._play,
            "status": status,
            "changed": bool(data.get("changed", False)),
            "failed": status == "failed" or bool(data.get("failed", False)),
            "skipped": status == "skipped" or bool(data.get("skipped", False)),
            "unreachable": status == "unreachable",
            "ignored": bool(ignored),
            "check_mode": self._check_mode(task),
            "result": data,
        })
        self._write()

    def _write(self):
        if not self._path:
            return
        tmp = self._path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump({"tasks": self._tasks, "stats": self._stats}, handle, default=str, indent=1)
        os.replace(tmp, self._path)

    def v2_playbook_on_play_start(self, play):
        self._play = play.get_name()

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed", ignored=ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        for host in sorted(stats.processed):
            summary = stats.summarize(host)
            self._stats[host] = {
                "ok": summary.get("ok", 0),
                "changed": summary.get("changed", 0),
                "failed": summary.get("failures", 0),
                "unreachable": summary.get("unreachable", 0),
                "skipped": summary.get("skipped", 0),
                "rescued": summary.get("rescued", 0),
                "ignored": summary.get("ignored", 0),
            }
        self._write()
