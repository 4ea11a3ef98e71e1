# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The simulator's entry point: ``python tests/simulator/totango_sim.py --port 8080 ...``.

Kept so the command line, tools/demo.sh and ``from tests.simulator.totango_sim import ...`` keep
working; the simulator itself is the package tests.simulator (see its README.md).
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    # Run as a script: import the package from the repository root, not this directory.
    _HERE = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
    sys.path.insert(0, os.path.dirname(os.path.dirname(_HERE)))

# pylint: disable=wrong-import-position,unused-import
from tests.simulator.cli import main  # noqa: E402
from tests.simulator.defaults import (  # noqa: E402,F401
    CONTROL_PREFIX,
    DEFAULT_ADMIN_PASSWORD,
    DEFAULT_ADMIN_USER,
    DEFAULT_APP_TOKEN,
    SCHEMA_GROUP,
    SCHEMA_PATCH,
    SCHEMA_TOTANGO,
    SCHEMA_USER,
    SCIM_PREFIX,
    TOKEN_PATH,
)
from tests.simulator.simulator import TotangoSimulator  # noqa: E402,F401

if __name__ == "__main__":
    sys.exit(main())
