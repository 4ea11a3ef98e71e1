# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One request from arrival to answer: control endpoints, log, rate limit, faults, latency, the API.

`serve` returns a Reply, or faults.DROP when the connection is to close without one. It knows nothing
of sockets, so tests can drive it directly.
"""

from __future__ import annotations

import re
import traceback

from tests.simulator.auth import auth_kind
from tests.simulator.control import control
from tests.simulator.defaults import CONTROL_PREFIX, SCIM_PREFIX, TOKEN_PATH, WRITE_METHODS
from tests.simulator.faults import BY_NAME, DROP
from tests.simulator.ratelimit import answer_headers, retry_after
from tests.simulator.replies import error_reply
from tests.simulator.routes import handle

RESOURCE_RE = re.compile(r"^/(Users|Groups)(/|$)")


class RequestContext:
    """What faults see of a request: the rate-limit headers of its answer (they may set them) and Retry-After."""

    def __init__(self, sim, decision):
        self.sim = sim
        self.decision = decision
        self.rate_headers = answer_headers(sim.config, decision)

    def retry_after(self, headers):
        """Retry-After for a 429 with these RateLimit-* headers, as the config asks, or None."""
        return retry_after(self.sim.config, headers.get("RateLimit-Reset", "1"))


def classify(path):
    """(kind, path relative to its endpoint): kind is control, token, scim or other."""
    if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
        return "control", path[len(CONTROL_PREFIX):]
    if path == TOKEN_PATH:
        return "token", "token"
    if path == SCIM_PREFIX or path.startswith(SCIM_PREFIX + "/"):
        return "scim", path[len(SCIM_PREFIX):] or "/"
    return "other", path


def _begin(sim, method, rel, query, is_write, headers):
    """Log the request, count it against the limit, pick its fault, under the lock."""
    with sim.lock:
        entry = sim.requests.begin(method, rel, query, is_write, auth_kind(headers))
        decision = sim.limiter.admit(sim.clock())
        limited = decision.refused
        fault = None if limited else sim.faults.choose(method, rel, is_write)
        if fault is not None:
            entry["fault"] = fault["name"]
        delay = float(sim.config.get("latency_ms") or 0) / 1000.0 + sim.faults.latency_seconds()
        if fault is not None:
            delay += BY_NAME[fault["fault"]].delay(fault, sim.faults.faults)
        return entry, fault, RequestContext(sim, decision), limited, delay


def _finish(sim, entry, status):
    with sim.lock:
        sim.requests.finish(entry, status)


def _limited_reply(ctx):
    reply = error_reply(429, None, "rate limit exceeded: %s requests per minute" % ctx.decision.headers.get("RateLimit-Limit"))
    retry = retry_after(ctx.sim.config, ctx.decision.retry_seconds)
    if retry is not None:
        reply.headers["Retry-After"] = retry
    return reply


def _answer(sim, kind, method, rel, query, body, headers):
    try:
        return handle(sim, kind, method, rel, query, body, headers)
    except Exception as exc:  # pylint: disable=broad-except  # a simulator bug: answer 500 rather than hang the client
        traceback.print_exc()
        return error_reply(500, None, "internal simulator error: %s" % exc)


def serve(sim, method, path, query, body, headers):
    """The answer to one request (Reply or DROP)."""
    kind, rel = classify(path)
    if kind == "control":
        return control(sim, method, rel, body)
    is_write = kind == "scim" and method in WRITE_METHODS and bool(RESOURCE_RE.match(rel))
    entry, fault, ctx, limited, delay = _begin(sim, method, rel, query, is_write, headers)
    if delay > 0:
        sim.sleep(delay)
    effect = BY_NAME[fault["fault"]] if fault else None
    if limited:
        reply = _limited_reply(ctx)
    else:
        reply = effect.replace(fault, ctx) if effect else None
        if reply is DROP:
            _finish(sim, entry, None)
            return DROP
        if reply is None:
            reply = _answer(sim, kind, method, rel, query, body, headers)
    reply.headers.update(ctx.rate_headers)
    status = reply.status
    if effect and not limited:
        reply = effect.after(fault, reply)
    _finish(sim, entry, status if reply is DROP else reply.status)
    return reply
