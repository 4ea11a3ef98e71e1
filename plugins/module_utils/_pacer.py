# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One request budget per tenant, shared by the threads, tasks and forks that spend it.

Private to this collection: the interface may change without notice.

The budget keeps two rules at once, because a server may count either way:

- a token bucket (burst BURST, refill a little under requests_per_minute), so a token-bucket
  limiter never runs dry;
- at most requests_per_minute in any WINDOW seconds, so a fixed-window limiter, whatever its
  alignment, never sees more than its limit in one window.

Both rules count a request at the moment its answer came back (the latest moment the server can
have counted it), and count a request in flight everywhere. The server counts a request when it
arrives, which lies between its send and its answer; so latency, jitter and bunching on a slow
machine can only make the client more careful, never let it outrun the server.

The budget lives in a small JSON file (mode 0600, in a 0700 directory) named by a digest of the
tenant's host and path, under $XDG_CACHE_HOME/scimops.totango/pacing (default ~/.cache), else under
the system temp directory. It holds times and counts only: no URL, no credential. A missing,
unreadable or corrupt file is an unspent budget; a directory that cannot be written leaves the
run paced on its own, in memory.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import errno
import hashlib
import json
import math
import os
import random
import stat
import tempfile
import threading
import time

try:
    import fcntl
except ImportError:  # not POSIX: pacing stays within the process
    fcntl = None

from ansible.module_utils.six.moves.urllib.parse import urlsplit

BURST = 10               # Totango-like token buckets hold 10; a run of 10 requests goes at once
RATE_SHARE = 0.98        # the bucket refills a little slower than the server's, against clock drift
WINDOW = 61.0            # seconds; a fixed window of 60 plus one for servers that reset on whole seconds
RATE_LIMIT_WAIT_BUDGET = 300.0   # seconds one request may wait for 429s that say when to come back
MAX_PAUSE = RATE_LIMIT_WAIT_BUDGET
MAX_SLEEP = 5.0          # long waits are slept in steps, so a pause set by another task is seen
POLL = 0.05              # how soon to look again while the budget waits only for answers in flight
IN_FLIGHT_EXPIRY = 900.0  # a request this old has surely ended, even if its process died unannounced
EPSILON = 1e-6
STATE_VERSION = 1


def tenant_key(url):
    """The budget's name: a digest of the URL's host and path (never the credentials, never the query)."""
    parts = urlsplit(url or "")
    host = (parts.hostname or "").lower()
    if parts.port:
        host = "%s:%d" % (host, parts.port)
    return hashlib.sha256(("%s%s" % (host, parts.path.rstrip("/"))).encode("utf-8")).hexdigest()[:32]


# -- what the server says ---------------------------------------------------------------------

def seconds_from_header(value, now=None):
    """Retry-After is seconds or an HTTP date; RateLimit-Reset is seconds (or, from some servers, an epoch)."""
    if value is None:
        return None
    value = str(value).strip()
    try:
        seconds = float(value)
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        seconds = email.utils.mktime_tz(parsed) - (now or time.time())
    else:
        if math.isnan(seconds):
            return None
        if seconds > 1e9:
            seconds -= now or time.time()
    return max(0.0, seconds)


def named_wait(response):
    """Seconds a response says to wait before coming back (Retry-After, else RateLimit-Reset), or None."""
    headers = getattr(response, "headers", None) or {}
    for header in ("Retry-After", "RateLimit-Reset"):
        seconds = seconds_from_header(headers.get(header))
        if seconds is not None:
            return seconds
    return None


def retry_delay(response, attempt, backoff_base=0.5, backoff_max=30.0):
    """How long to wait before the next attempt: the server's headers first, else capped exponential backoff with jitter."""
    seconds = named_wait(response)
    if seconds is not None:
        return min(seconds + random.uniform(0, 0.25), 120.0)
    return min(backoff_max, backoff_base * (2 ** attempt)) * random.uniform(0.5, 1.0)


# -- the budget ---------------------------------------------------------------------------------

class _Budget:
    """What has been spent: the bucket's level, answered requests of the last WINDOW, requests in flight, a pause."""

    def __init__(self, now):
        self.level = float(BURST)
        self.level_at = now
        self.answered = []
        self.in_flight = {}
        self.paused_until = 0.0

    @classmethod
    def from_data(cls, data, now):
        """The budget a state file holds; an unspent one when it holds nothing valid."""
        budget = cls(now)
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            return budget
        try:
            budget.level = min(float(BURST), float(data["level"]))
            budget.level_at = _not_far_ahead(float(data["level_at"]), now)
            budget.answered = sorted(_not_far_ahead(float(at), now) for at in data["answered"] if float(at) > now - WINDOW)
            budget.paused_until = min(now + MAX_PAUSE, float(data["paused_until"]))
            for turn, (pid, sent) in dict(data["in_flight"]).items():
                if int(pid) > 0 and float(sent) > now - IN_FLIGHT_EXPIRY and _alive(int(pid)):
                    budget.in_flight[str(turn)] = [int(pid), _not_far_ahead(float(sent), now)]
        except (TypeError, ValueError, KeyError, AttributeError, OverflowError):
            return cls(now)
        return budget

    def as_data(self):
        return {"version": STATE_VERSION, "level": self.level, "level_at": self.level_at,
                "answered": self.answered, "in_flight": self.in_flight, "paused_until": self.paused_until}

    def _level_at(self, now, rate):
        return min(float(BURST), self.level + rate * max(0.0, now - self.level_at))

    def delay(self, now, limit, rate):
        """Seconds until one more request may go (0: now)."""
        delay = max(0.0, self.paused_until - now)
        if limit <= 0:
            return delay
        wanted = len(self.in_flight) + 1
        if wanted > min(BURST, limit):
            return max(delay, POLL)  # only an answer frees a place
        level = self._level_at(now, rate)
        if level < wanted - EPSILON:
            delay = max(delay, (wanted - level) / rate)
        recent = [at for at in self.answered if at > now - WINDOW]
        excess = len(recent) + wanted - limit
        if excess > 0:
            delay = max(delay, recent[excess - 1] + WINDOW - now)
        return delay

    def send(self, now, ticket):
        self.in_flight[ticket] = [os.getpid(), now]

    def answer(self, now, ticket, counted, rate):
        self.in_flight.pop(ticket, None)
        if counted:
            self.level = self._level_at(now, rate) - 1.0
            self.level_at = max(self.level_at, now)
            self.answered.append(now)
        self.answered = [at for at in self.answered if at > now - WINDOW]

    def pause(self, until):
        self.paused_until = max(self.paused_until, until)


def _not_far_ahead(at, now):
    # A clock set back must not leave the budget waiting for times far ahead; a time a little ahead is
    # kept, as moving it back would refill the bucket twice over the same seconds.
    return now if at > now + WINDOW else at


def _alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


# -- where the budget is kept -------------------------------------------------------------------

class _MemoryStore:
    """The budget of this process only."""

    def __init__(self, data=None):
        self.data = data

    def update(self, clock, change):
        now = clock()
        budget = _Budget.from_data(self.data, now)
        result = change(now, budget)
        self.data = budget.as_data()
        return result


class _FileStore:
    """The budget in a JSON file, locked with flock against other processes (the pacer's lock serves threads)."""

    def __init__(self, path):
        self.path = path
        self._fd = _open_private_file(path)
        self.data = None

    def update(self, clock, change):
        """Reads the budget, applies change(now, budget), writes it back, all under the lock; returns what change returned.

        The clock is read under the lock: a time read before it could be older than what another process
        wrote meanwhile, and a budget moved back in time would refill twice.
        """
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            self.data = _read_json(self._fd)
            now = clock()
            budget = _Budget.from_data(self.data, now)
            result = change(now, budget)
            data = budget.as_data()
            text = json.dumps(data, separators=(",", ":")).encode("utf-8")
            os.lseek(self._fd, 0, os.SEEK_SET)
            os.ftruncate(self._fd, 0)
            os.write(self._fd, text)
            self.data = data
            return result
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self):
        os.close(self._fd)


def _read_json(fd):
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    try:
        data = json.loads(b"".join(chunks).decode("utf-8"))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def state_dirs():
    """Where a budget may be kept, in order of preference."""
    cache = os.environ.get("XDG_CACHE_HOME") or ""
    if not os.path.isabs(cache):
        cache = os.path.join(os.path.expanduser("~"), ".cache")
    if os.path.isabs(cache):
        yield os.path.join(cache, "scimops.totango", "pacing")
    yield os.path.join(tempfile.gettempdir(), "scimops.totango-pacing-%d" % os.getuid())


def _private_dir(path):
    """Makes path a directory only this user can enter; refuses one that someone else owns or a symlink."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise OSError(errno.EPERM, "not a private directory", path)
    if stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(path, 0o700)


def _open_private_file(path):
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
            raise OSError(errno.EPERM, "not a private file", path)
        if stat.S_IMODE(info.st_mode) != 0o600:
            os.fchmod(fd, 0o600)
    except OSError:
        os.close(fd)
        raise
    return fd


def open_store(tenant, state_dir=None):
    """The budget file of a tenant, or an in-memory budget when no directory can hold it."""
    if fcntl is None or not tenant:
        return _MemoryStore()
    for directory in ([state_dir] if state_dir else state_dirs()):
        try:
            _private_dir(directory)
            return _FileStore(os.path.join(directory, tenant_key(tenant) + ".json"))
        except OSError:
            continue
    return _MemoryStore()


# -- the pacer -------------------------------------------------------------------------------------

class RequestPacer:
    """Spends a tenant's requests_per_minute budget for every thread of a run; 0 turns pacing off.

    turn = pacer.acquire() before each request, pacer.release(turn, response) after it (response None
    when no answer came). A 429 is released uncounted: the server refused it, it spent nothing.
    """

    def __init__(self, requests_per_minute, tenant=None, clock=time.time, sleep=time.sleep, state_dir=None):
        self.limit = int(requests_per_minute or 0)
        self.rate = self.limit * RATE_SHARE / 60.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._store = open_store(tenant, state_dir) if self.limit > 0 else _MemoryStore()

    @property
    def shared(self):
        """True while the budget is kept in a file that other tasks and processes share."""
        return isinstance(self._store, _FileStore)

    def _update(self, change):
        with self._lock:
            try:
                return self._store.update(self._clock, change)
            except OSError:
                # The file can no longer be read or written: carry on from what it held, in this process only.
                self._store = _MemoryStore(self._store.data)
                return self._store.update(self._clock, change)

    def try_acquire(self):
        """(a turn, 0) when a request may go now, else (None, seconds to wait)."""
        def take(now, budget):
            delay = budget.delay(now, self.limit, self.rate)
            if delay > EPSILON:
                return None, delay
            turn = "%d-%s" % (os.getpid(), os.urandom(6).hex())
            if self.limit > 0:
                budget.send(now, turn)
            return turn, 0.0
        return self._update(take)

    def acquire(self):
        """Waits until the budget lets one more request go; returns its turn for release()."""
        while True:
            turn, delay = self.try_acquire()
            if turn is not None:
                return turn
            self._sleep(min(delay, MAX_SLEEP))

    def release(self, turn, response=None, arrived=True):
        """The request of this turn has ended: response is its answer (None when none came); arrived=False when
        it surely never reached the server (connection refused). Neither a 429 nor that spent anything."""
        uncounted = getattr(response, "status_code", None) == 429 or not arrived

        def settle(now, budget):
            if self.limit > 0:
                budget.answer(now, turn, counted=not uncounted, rate=self.rate)
            if arrived and _spent(response):
                # The server says its window is spent: wait for its reset rather than earn a 429.
                reset = seconds_from_header(response.headers.get("RateLimit-Reset")) or 0.0
                budget.pause(now + min(MAX_PAUSE, reset))
        self._update(settle)

    def pause_for(self, seconds):
        """No request of this tenant goes for that long (capped at MAX_PAUSE)."""
        self._update(lambda now, budget: budget.pause(now + min(MAX_PAUSE, max(0.0, seconds))))


def _spent(response):
    headers = getattr(response, "headers", None)
    remaining = headers.get("RateLimit-Remaining") if headers else None
    return remaining is not None and str(remaining).strip() == "0"
