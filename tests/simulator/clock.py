# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A clock for tests: TotangoSimulator(clock=FakeClock()) runs its rate limiter on time the test moves."""

from __future__ import annotations


class FakeClock:
    """Monotonic seconds that change only when the test sets or advances `now`."""

    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        """Move time forward."""
        self.now += seconds
