# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The modules run on the Python the tests ask for: `make matrix` runs the module tests on target
Pythons other than the controller's (SCIMOPS_TARGET_PYTHON, see tests/integration/harness.py), and
this proves that they really ran there, not on the controller's Python."""

from __future__ import annotations

import os
import sys

from tests.integration.harness import run_playbook

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: facts
      ansible.builtin.setup:
        gather_subset: ["!all", "!min", "python"]  # not "env": it holds the test token
    - name: teams
      scimops.totango.totango_team_info:
"""


def test_modules_run_on_the_target_python(sim, tmp_path):
    sim.add_team("Support")
    result = run_playbook(PLAYBOOK, sim, tmp_path=tmp_path)
    assert result.rc == 0, result.summary()
    python = result.task("facts")["ansible_facts"]["ansible_python"]
    wanted = os.environ.get("SCIMOPS_TARGET_PYTHON") or sys.executable
    assert python["executable"] == wanted
    assert "Support" in [team["displayName"] for team in result.task("teams")["teams"]]
    assert [entry["path"] for entry in sim.log()] == ["/Groups"]
