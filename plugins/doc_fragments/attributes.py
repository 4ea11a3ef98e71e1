# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    """Check mode and diff mode support, shared by the modules."""

    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying the target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
"""

    WRITES = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: Check mode sends no write request (no POST, PUT or PATCH) and predicts the same result as a real run.
  diff_mode:
    support: full
"""

    READ_ONLY = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: This module only reads, so it runs normally in check mode.
  diff_mode:
    support: N/A
    details: This module never changes anything.
"""
