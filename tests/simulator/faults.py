# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fault injection: a registry with one entry per fault, drawn at random or scripted.

Config key ``faults`` (an object):

- ``seed``: seeds the random draws. Each fault draws from its own stream,
  ``random.Random("<seed>:<fault name>")``, once per request while its probability is set, so adding
  or configuring one fault leaves every other fault's draws unchanged. When several draw a hit on one
  request, the first in FAULTS wins.
- ``latency_ms``: added to every SCIM and token request.
- each fault's probability key (``p_drop_before``, ``p_503`` with ``p_5xx_codes``, ``p_429``,
  ``p_drop_after``, ``p_malformed``, ``p_slow`` with ``slow_seconds``).
- ``script``: [{fault, method, path (a regex), times, ...}], taken before any random draw by the next
  matching requests. ``fault`` is a fault name or a 5xx status; extra keys: ``status`` (5xx),
  ``retry_after`` (429), ``seconds`` (slow), ``ms`` (latency).

A fault acts in up to three places (see tests.simulator.dispatch): ``delay`` before the request is
answered, ``replace`` instead of answering it (a reply, or DROP: close without an answer), ``after``
on the answer of a request that was applied. A new fault is one class and one line in FAULTS.
"""

from __future__ import annotations

import copy
import random
import re

from tests.simulator.replies import Reply, error_reply

DROP = object()  # close the connection without an answer
DEFAULT_SLOW_SECONDS = 2.0
SIMULATED_RATE_HEADERS = {"RateLimit-Limit": "100", "RateLimit-Remaining": "0", "RateLimit-Reset": "60"}


class Fault:
    """A fault that does nothing; subclasses override what they need."""

    name = ""
    probability = None   # config key of its random rate; None: script only
    keys = ()            # further config keys it reads

    def applies(self, method, is_write):  # pylint: disable=unused-argument
        """Whether a random draw can hit this request."""
        return True

    def draw(self, rng, faults):  # pylint: disable=unused-argument
        """Parameters of a random hit (drawn from its own stream)."""
        return {}

    def validate(self, faults):
        """Check its config keys (ValueError)."""

    def script_entry(self, item):
        """A script entry for this fault, normalized."""
        return item

    def log_name(self, fault):  # pylint: disable=unused-argument
        """What the request log's "fault" says."""
        return self.name

    def delay(self, fault, faults):  # pylint: disable=unused-argument
        """Seconds to wait before answering."""
        return 0.0

    def replace(self, fault, ctx):  # pylint: disable=unused-argument
        """A reply (or DROP) instead of handling the request; None: handle it."""
        return None

    def after(self, fault, reply):  # pylint: disable=unused-argument
        """The answer (or DROP) after the request was handled."""
        return reply


class DropBefore(Fault):
    """The connection closes without an answer; the request was not applied."""

    name, probability = "drop_before", "p_drop_before"

    def replace(self, fault, ctx):
        return DROP


class ServerError(Fault):
    """A SCIM error body with a 5xx status."""

    name, probability, keys = "5xx", "p_503", ("p_5xx_codes",)

    def validate(self, faults):
        codes = faults.get("p_5xx_codes", [503])
        if not isinstance(codes, list) or not codes or not all(isinstance(c, int) and 500 <= c <= 599 for c in codes):
            raise ValueError("p_5xx_codes must be a non-empty list of 5xx status codes")

    def draw(self, rng, faults):
        codes = faults.get("p_5xx_codes") or [503]
        return {"status": codes[min(len(codes) - 1, int(rng.random() * len(codes)))]}

    def script_entry(self, item):
        item["status"] = int(item.get("status", 503))
        if not 500 <= item["status"] <= 599:
            raise ValueError("script fault status %s is not a 5xx" % item["status"])
        return item

    def log_name(self, fault):
        return str(fault["status"])

    def replace(self, fault, ctx):
        code = int(fault.get("status", 503))
        return error_reply(code, None, "simulated %d failure" % code)


class TooManyRequests(Fault):
    """429 with RateLimit-* headers (the limiter's, or a full window's) and, when asked, Retry-After."""

    name, probability = "429", "p_429"

    def replace(self, fault, ctx):
        reply = error_reply(429, None, "rate limit exceeded (simulated)")
        ctx.rate_headers = ctx.rate_headers or dict(SIMULATED_RATE_HEADERS)
        retry = fault.get("retry_after", ctx.retry_after(ctx.rate_headers))
        if retry is not None:
            reply.headers["Retry-After"] = str(retry)
        return reply


class DropAfter(Fault):
    """The write is applied, then the connection closes without an answer."""

    name, probability = "drop_after", "p_drop_after"

    def applies(self, method, is_write):
        return is_write

    def after(self, fault, reply):
        return DROP


class Malformed(Fault):
    """Status 200 with the first half of the body: not valid JSON."""

    name, probability = "malformed", "p_malformed"

    def applies(self, method, is_write):
        return method == "GET"

    def after(self, fault, reply):
        data = reply.data() or b'{"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "Resources": []}'
        return Reply(200, data[:max(1, len(data) // 2)], reply.headers, reply.content_type)


class Slow(Fault):
    """The answer comes after `slow_seconds` (or the script entry's `seconds`)."""

    name, probability, keys = "slow", "p_slow", ("slow_seconds",)

    def draw(self, rng, faults):
        return {"seconds": faults.get("slow_seconds", DEFAULT_SLOW_SECONDS)}

    def delay(self, fault, faults):
        return float(fault.get("seconds", faults.get("slow_seconds", DEFAULT_SLOW_SECONDS)))


class Latency(Fault):
    """Scripted only: this request answers `ms` (default 500) milliseconds later."""

    name = "latency"

    def delay(self, fault, faults):
        return float(fault.get("ms", fault.get("latency_ms", 500))) / 1000.0


# In the order random hits win.
FAULTS = (DropBefore(), ServerError(), TooManyRequests(), DropAfter(), Malformed(), Slow(), Latency())
BY_NAME = {fault.name: fault for fault in FAULTS}
FAULT_KEYS = frozenset(["seed", "latency_ms", "script"] + [f.probability for f in FAULTS if f.probability]
                       + [key for f in FAULTS for key in f.keys])


def validate_faults(faults):
    """Check and normalize the `faults` config; returns a copy."""
    if faults is None:
        return {}
    if not isinstance(faults, dict):
        raise ValueError("faults must be an object")
    unknown = set(faults) - FAULT_KEYS
    if unknown:
        raise ValueError("unknown fault keys: %s (known: %s)" % (", ".join(sorted(unknown)), ", ".join(sorted(FAULT_KEYS))))
    faults = copy.deepcopy(faults)
    for fault in FAULTS:
        fault.validate(faults)
    script = faults.get("script") or []
    if not isinstance(script, list):
        raise ValueError("faults.script must be a list")
    faults["script"] = [_script_entry(item) for item in script]
    return faults


def _script_entry(item):
    if not isinstance(item, dict) or "fault" not in item:
        raise ValueError("each faults.script entry needs a 'fault'")
    item = dict(item)
    name = str(item["fault"])
    if name.isdigit() and name not in BY_NAME:
        item["fault"], item["status"] = "5xx", int(name)
    elif name not in BY_NAME:
        raise ValueError("unknown script fault %r (known: %s, or a 5xx status)" % (name, ", ".join(sorted(BY_NAME))))
    if item.get("path"):
        re.compile(item["path"])
    item["times"] = int(item.get("times", 1))
    return BY_NAME[item["fault"]].script_entry(item)


class FaultPlan:
    """The faults to come: the script's remaining entries and one random stream per fault."""

    def __init__(self, faults):
        self.faults = faults or {}
        self._script = copy.deepcopy(self.faults.get("script") or [])
        seed = self.faults.get("seed", 0)
        self._random = [(fault, float(self.faults.get(fault.probability) or 0), random.Random("%s:%s" % (seed, fault.name)))
                        for fault in FAULTS if fault.probability and self.faults.get(fault.probability)]

    def choose(self, method, rel, is_write):
        """The fault for this request, {"fault": name, "name": log name, ...}, or None."""
        fault = self._scripted(method, rel) or self._drawn(method, is_write)
        if fault is not None:
            fault["name"] = BY_NAME[fault["fault"]].log_name(fault)
        return fault

    def _scripted(self, method, rel):
        for index, item in enumerate(self._script):
            if item.get("method") and str(item["method"]).upper() != method:
                continue
            if item.get("path") and not re.search(item["path"], rel):
                continue
            item["times"] -= 1
            if item["times"] <= 0:
                del self._script[index]
            return dict(item)
        return None

    def _drawn(self, method, is_write):
        chosen = None
        for fault, rate, rng in self._random:
            hit = rng.random() < rate and fault.applies(method, is_write)
            params = fault.draw(rng, self.faults) if hit else None
            if hit and chosen is None:
                chosen = dict(params, fault=fault.name)
        return chosen

    def latency_seconds(self):
        """The faults' latency_ms, in seconds."""
        return float(self.faults.get("latency_ms") or 0) / 1000.0
