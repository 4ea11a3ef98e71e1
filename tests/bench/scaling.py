# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tenant scaling: what the roles and totango_users cost for a small piece of work in a tenant of T users.

A tenant of T is T - 10 generated users spread over 20 teams ("Team 1" .. "Team 20", tests/simulator/seeding.py)
and 10 colleagues seeded at the end of the listing, the j-th in 1 to 3 of the first 10 teams. Each operation
runs once on a freshly seeded tenant; its requests come from the simulator's log, and what it did is checked
in the simulator's data afterwards. Cost follows the work when the counts stay the same as T grows.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.bench.records import CountedRequests
from tests.bench.tools import PLAYBOOKS

TEAMS = 20
COLLEAGUES = 10  # the leavers: seeded in several teams each
TENANTS = (100, 1000, 10000, 30000)
QUICK_TENANTS = (200, 2400)
HIRE_TEAM = "Team 3"


@dataclass(frozen=True)
class Tenant:
    size: int
    team_ids: tuple  # "Team 1" .. "Team 20"
    colleagues: tuple  # e-mails of the COLLEAGUES
    others: tuple  # e-mails of 5 generated users spread over the listing


@dataclass(frozen=True)
class Operation:
    """A piece of work: whom it is about, its playbook's variables, its minimum, and whether it was done."""

    key: str
    name: str
    count: int  # the people it is about
    target: int  # at most this many requests at any T (issue 11)
    playbook_name = ""
    reads_beyond_lookups = 0  # reads the work needs besides finding its people

    @property
    def playbook(self):
        return PLAYBOOKS / self.playbook_name

    def minimum(self, sim, tenant):
        """The fewest requests the work needs: its writes, and its reads: the fewer of a lookup per person
        and the pages of the whole tenant (as it stood before the run), and any other read it needs."""
        return min(self.count, -(-tenant.size // 100)) + self.reads_beyond_lookups + self.writes(sim, tenant)

    def not_done(self, sim, tenant):
        """The people for whom the simulator does not show the work done."""
        return [email for email in self.people(tenant) if not self.done(sim.user(email))]

    def people(self, tenant):
        raise NotImplementedError

    def extra_vars(self, tenant):
        raise NotImplementedError

    def writes(self, sim, tenant):
        raise NotImplementedError

    def done(self, user):
        raise NotImplementedError


class Hires(Operation):
    """The onboarding role creating new people, each in one team named by name."""

    playbook_name = "onboarding.yml"
    reads_beyond_lookups = 1  # the teams, to find the team named by name

    def people(self, tenant):
        return ["hire%02d@example.com" % i for i in range(self.count)]

    def extra_vars(self, tenant):
        return {"people": [{"user_name": email, "given_name": "New", "family_name": "Hire%d" % i,
                            "teams": [{"name": HIRE_TEAM, "role": "Member"}]} for i, email in enumerate(self.people(tenant))]}

    def writes(self, sim, tenant):
        return self.count  # a POST each

    def done(self, user):
        return user is not None and user.get("active") is not False \
            and [group["display"] for group in user.get("groups") or []] == [HIRE_TEAM]


class Leavers(Operation):
    """The offboarding role disabling colleagues and taking them out of their teams."""

    playbook_name = "offboarding.yml"

    def people(self, tenant):
        return list(tenant.colleagues[2:3] if self.count == 1 else tenant.colleagues[:self.count])  # #2: in 3 teams

    def extra_vars(self, tenant):
        return {"leavers": self.people(tenant)}

    def writes(self, sim, tenant):
        teams = {group["value"] for email in self.people(tenant) for group in sim.user(email).get("groups") or []}
        return self.count + len(teams)  # a disabling PATCH each, a PATCH per team that loses one

    def done(self, user):
        return user is not None and user.get("active") is False and not user.get("groups")


class Updates(Operation):
    """totango_users changing one field of users spread over the listing, without disable_unlisted."""

    playbook_name = "roster.yml"

    def people(self, tenant):
        return list(tenant.others[:self.count])

    def extra_vars(self, tenant):
        return {"roster": [{"user_name": email, "title": "Lead"} for email in self.people(tenant)], "bench_parallel": 8}

    def writes(self, sim, tenant):
        return self.count  # a PATCH each

    def done(self, user):
        return user is not None and user.get("title") == "Lead"


OPERATIONS = (
    Hires("hire_1", "onboarding role, 1 hire", 1, 3),
    Hires("hire_5", "onboarding role, 5 hires", 5, 12),
    Leavers("leave_1", "offboarding role, 1 leaver", 1, 6),
    Leavers("leave_10", "offboarding role, 10 leavers", 10, 32),
    Updates("update_5", "totango_users, 5 updates, no disable_unlisted", 5, 11),
)


@dataclass
class ScaleRun(CountedRequests):
    """One operation in a tenant of `tenant` users: its requests, the minimum, and its time."""

    operation: str  # an Operation's key
    tenant: int
    rc: int
    wall: float
    cpu: float
    reads: int
    writes: int
    minimum: int
    status_429: int = 0


def seed(sim, size):
    """A fresh tenant of `size` users (at least COLLEAGUES + 5)."""
    sim.reset()
    generated = size - COLLEAGUES
    team_ids = tuple(team["id"] for team in sim.seed_generated(generated, teams=TEAMS)["teams"])
    colleagues = tuple("colleague%02d@example.com" % j for j in range(COLLEAGUES))
    sim.seed_users([{"userName": email, "name": {"givenName": "Col", "familyName": "League%d" % j}, "title": "Analyst",
                     "active": True, "groups": [{"value": team_ids[(j + k) % 10]} for k in range(1 + j % 3)]}
                    for j, email in enumerate(colleagues)])
    others = tuple("user%05d@example.com" % (1 + generated * (2 * j + 1) // 10) for j in range(5))
    return Tenant(size, team_ids, colleagues, others)


def measure(bench, operation, size):
    """Runs `operation` on a fresh tenant of `size`; checks what it did; returns a ScaleRun."""
    tenant = seed(bench.sim, size)
    minimum = operation.minimum(bench.sim, tenant)
    vars_file = bench.vars_file("scaling-%s-%d" % (operation.key, size), operation.extra_vars(tenant))
    measured, _module = bench.process("%s-T%d" % (operation.key, size), bench.playbook_command(operation.playbook, vars_file))
    stats = bench.sim.stats()
    run = ScaleRun(operation.key, size, measured["rc"], measured["wall"], measured["cpu"], stats["reads"], stats["writes"],
                   minimum, stats["status_429"])
    missing = operation.not_done(bench.sim, tenant)
    if missing:
        bench.problem("%s at T=%d left %d of %d people undone: %s"
                      % (operation.name, size, len(missing), operation.count, ", ".join(missing)))
    bench.say("  %-46s T=%-6d %7.2f s wall %6.2f s cpu  %3d reads %3d writes (minimum %d)"
              % (operation.name, size, run.wall, run.cpu, run.reads, run.writes, minimum))
    return run


def measure_all(bench, sizes):
    return [measure(bench, operation, size) for size in sizes for operation in OPERATIONS]
