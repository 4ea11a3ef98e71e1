# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""TotangoSimulator: the public, in-process API (start/stop, URLs, log, config, data)."""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import tempfile

from tests.simulator.defaults import DEFAULT_ADMIN_PASSWORD, DEFAULT_ADMIN_USER, DEFAULT_APP_TOKEN, SCIM_PREFIX, TOKEN_PATH
from tests.simulator.server import Handler, Server, Server6
from tests.simulator.launcher import LoggedRequests, ServedInThread
from tests.simulator.state import SimState


class TotangoSimulator(ServedInThread, LoggedRequests):
    """A Totango SCIM simulator on a real socket; start()/stop() or use as a context manager.

    `clock` (monotonic seconds) and `sleep` replace time.monotonic and time.sleep for the rate limiter
    and the added latency, so tests need no wall-clock luck. Other keyword arguments are config keys.
    """

    def __init__(self, host="127.0.0.1", port=0, app_token=DEFAULT_APP_TOKEN, admin_user=DEFAULT_ADMIN_USER,
                 admin_password=DEFAULT_ADMIN_PASSWORD, tls=False, clock=None, sleep=None, **config):
        self.host, self.port, self.tls = host, port, tls
        self.app_token, self.admin_user, self.admin_password = app_token, admin_user, admin_password
        self.cert_path = self.key_path = None
        self.state = SimState(app_token, admin_user, admin_password, config, clock=clock, sleep=sleep)
        self._tmpdir = None

    # -- lifecycle (start, stop and the context manager: ServedInThread) -----------------------

    def _bind(self):
        server_cls = Server6 if ":" in self.host else Server
        server = server_cls((self.host, self.port), Handler)
        server.sim = self.state
        if self.tls:
            try:
                server.ssl_context = self._make_tls_context()
            except Exception:
                server.server_close()
                raise
        self.port = server.server_address[1]
        self.state.scim_url = self.scim_url
        return server

    def thread_name(self):
        return "totango-sim-%d" % self.port

    def _stopped(self):
        """Release the TLS temp dir."""
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def _make_tls_context(self):
        self._tmpdir = tempfile.mkdtemp(prefix="totango-sim-tls-")
        self.cert_path = os.path.join(self._tmpdir, "cert.pem")
        self.key_path = os.path.join(self._tmpdir, "key.pem")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
             "-keyout", self.key_path, "-out", self.cert_path, "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
             "-addext", "basicConstraints=critical,CA:TRUE"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert_path, self.key_path)
        return ctx

    # -- URLs -------------------------------------------------------------------

    @property
    def base_url(self):
        """scheme://host:port"""
        host = self.host
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = "[%s]" % host
        return "%s://%s:%d" % ("https" if self.tls else "http", host, self.port)

    @property
    def scim_url(self):
        """The SCIM base URL (up to the service id)."""
        return self.base_url + SCIM_PREFIX

    @property
    def token_url(self):
        """The OAuth token endpoint."""
        return self.base_url + TOKEN_PATH

    # -- log (writes and reads: LoggedRequests) and config ------------------------------

    def log(self):
        """Every SCIM/token request so far (dicts: seq, ts, method, path, query, status, fault, auth, write)."""
        return self.state.log()

    def clear_log(self):
        """Forget the log and counters."""
        self.state.clear_log()

    def stats(self):
        """{"reads", "writes", "token", "total", "status_429"}"""
        return self.state.stats()

    def reset(self):
        """Users/teams back to the default team, log cleared, config/accounts/tokens to their start values."""
        self.state.reset()

    def configure(self, **changes):
        """Merge config keys; returns the whole config."""
        return self.state.configure(changes)

    @property
    def config(self):
        """A copy of the current config."""
        return self.state.config_copy()

    # -- data -------------------------------------------------------------------------

    def add_team(self, name, team_id=None):
        """Create a team; returns its id."""
        return self.state.add_team(name, team_id)

    def seed_users(self, bodies):
        """Create users from SCIM bodies (validated like POST; no auth; not logged); returns resources."""
        return self.state.seed_users(bodies)

    def seed_generated(self, users, teams=0, **spec):
        """Generate `users` users spread over `teams` new teams, fast (30,000 in a second or two, no per-user validation).

        Further keys: team_ids (existing teams instead), team_prefix, start, prefix, domain,
        external_ids, active (see tests.simulator.seeding). Not logged. Returns
        {"users", "first_id", "last_id", "teams": [{id, displayName, members}]}.
        """
        return self.state.seed_generated(dict(spec, users=users, teams=teams))

    def user(self, email):
        """The user resource for an e-mail (case-insensitive) or id, or None."""
        return self.state.user(email)

    def users(self):
        """All user resources."""
        return self.state.users()

    def team(self, id_or_name):
        """The group resource for a team id or display name, or None."""
        return self.state.team(id_or_name)

    def teams(self):
        """All group resources."""
        return self.state.teams()

    def add_account(self, email, password, admin=True):
        """An account for the token endpoint."""
        self.state.add_account(email, password, admin)

    def add_app_token(self, token, admin=True):
        """Another accepted app-token."""
        self.state.add_app_token(token, admin)

    def issue_token(self, email=None, ttl=None):
        """A bearer token for an account (default: the admin), without a token request."""
        return self.state.issue_token(email, ttl)

    def issued_tokens(self):
        """Every bearer token issued since the last reset, so tests can grep output for them."""
        return self.state.issued_tokens()

    def snapshot(self):
        """Users, groups and config (what GET /_sim/state returns)."""
        return self.state.state()
