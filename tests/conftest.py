# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared pytest fixtures: one Totango SCIM simulator per session, reset for every test.

The secrets scan of every ansible-playbook / ansible-runner run (and the `playbook` fixture) is the
plugin tests/integration/secrets_scan.py, registered here: pytest takes pytest_plugins only from a
conftest it reads before collecting, which this one always is.
"""

from __future__ import annotations

import os
import sys

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

pytest_plugins = ["tests.integration.secrets_scan"]


@pytest.fixture(autouse=True)
def pacing_state(tmp_path_factory, monkeypatch):
    """Each test keeps its pacing budgets (plugins/module_utils/_pacer.py) in its own cache directory.

    One simulator serves the whole session at one URL, so a budget kept in ~/.cache would carry one
    test's requests into the next; ansible-playbook and its modules inherit the variable.
    """
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache / "scimops.totango" / "pacing"


@pytest.fixture(scope="session")
def sim_server():
    """One simulator for the whole session, with the TEST secrets from tests/simulator/defaults.py."""
    from tests.simulator.defaults import SIM_ADMIN_PASSWORD, SIM_ADMIN_USER, SIM_APP_TOKEN
    from tests.simulator.totango_sim import TotangoSimulator

    server = TotangoSimulator(app_token=SIM_APP_TOKEN, admin_user=SIM_ADMIN_USER, admin_password=SIM_ADMIN_PASSWORD)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sim(sim_server):  # pylint: disable=redefined-outer-name
    """The shared simulator, reset (users, teams, log, config) before the test."""
    sim_server.reset()
    yield sim_server
