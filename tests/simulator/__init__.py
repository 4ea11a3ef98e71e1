# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A Totango SCIM 2.0 API simulator: a real HTTP(S) server for the scimops.totango tests.

It implements what Totango's "Manage Totango users via API" article documents (app-token and OAuth
bearer auth, the token endpoint, Users and Groups, the documented errors, one-field filters,
pagination) plus Totango's rate limit, reproducible fault injection and a request log that tests read.
Only the Python standard library is used, and nothing from plugins/: it is the oracle the client is
tested against.

In-process use::

    from tests.simulator import TotangoSimulator
    with TotangoSimulator(app_token="T", admin_user="a@x.example", admin_password="P") as sim:
        requests.get(sim.scim_url + "/Users", headers={"app-token": "T"})
        assert sim.writes() == []

Command line::

    python tests/simulator/totango_sim.py --port 8080 --app-token T \\
        --admin-user admin@example.com --admin-password P [--rate-limit 100] [--tls] [--config JSON]

Control endpoints live under ``/_sim/`` (no auth, never logged, never faulted); see control.py.
Config keys, one file a concern, and how to add a fault: README.md in this directory.
"""

from tests.simulator.simulator import TotangoSimulator  # noqa: F401

__all__ = ["TotangoSimulator"]
