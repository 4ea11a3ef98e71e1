# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The ways of reconciling a roster that `make bench` compares, and the runs it makes besides them.

A tool is known by its name (`--tools uri_loop,roster`); the report calls it by its letter and label,
"(a) uri loop", as docs/performance.md always has.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PLAYBOOKS = Path(__file__).resolve().parent / "playbooks"


@dataclass(frozen=True)
class Tool:
    name: str  # what --tools and the JSON of the runs call it
    letter: str  # what the report calls it: "(a)"
    label: str
    playbook: str = ""  # under playbooks/; none for the floor, a plain Python script

    @property
    def title(self):
        return "(%s) %s" % (self.letter, self.label)

    @property
    def playbook_path(self):
        return PLAYBOOKS / self.playbook


URI_LOOP = Tool("uri_loop", "a", "uri loop", "uri_loop.yml")
USER_LOOP = Tool("user_loop", "b", "totango_user loop", "user_loop.yml")
ROSTER = Tool("roster", "c", "totango_users", "roster.yml")
FLOOR = Tool("floor", "d", "Python floor")
EMPTY = Tool("empty", "e", "empty playbook", "empty.yml")
PING = Tool("ping", "f", "one ping task", "ping.yml")

TOOLS = {tool.name: tool for tool in (URI_LOOP, USER_LOOP, ROSTER, FLOOR, EMPTY, PING)}
LOOPS = (URI_LOOP, USER_LOOP)
BASELINES = (EMPTY, PING)  # no request made: Ansible's fixed cost, every other cost is measured beyond them

# The tables that are not a tool's: the roles and ROSTER in large tenants, and ROSTER against each rate limiter.
SCALING = "scaling"
PACING = "pacing"
RUNS = tuple(TOOLS) + (SCALING, PACING)

# The letters --tools took before the tools had names ("r" was the rate-limit run, now the pacing table).
LETTERS = dict({tool.letter: tool.name for tool in TOOLS.values()}, r=PACING)


def tool(name):
    """The tool of a name, or of the letter it had."""
    return TOOLS[LETTERS.get(name, name)]


def selected(text):
    """--tools: names separated by commas (or the old letters run together, "abcdefr"); returns a set of names."""
    words = [word.strip() for word in text.split(",") if word.strip()]
    if len(words) == 1 and words[0] not in RUNS and set(words[0]) <= set(LETTERS):
        words = list(words[0])
    names = {LETTERS.get(word, word) for word in words}
    unknown = sorted(names - set(RUNS))
    if unknown:
        raise ValueError("unknown in --tools: %s (known: %s)" % (", ".join(unknown), ", ".join(RUNS)))
    return names
