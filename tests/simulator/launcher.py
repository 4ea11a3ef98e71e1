# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a test needs of a launched SCIM server: serving from a thread, and the request log's views.

The simulator (simulator.py) and tests/integration/scim2_launcher.py are both launched this way.
"""

from __future__ import annotations

import threading


class ServedInThread:
    """start()/stop(), or a context manager, around the server that `_bind()` returns.

    A subclass gives `_bind()` (a bound socketserver, not yet serving) and may set `poll_interval`,
    override `thread_name()` and `_stopped()` (called after every stop(), to release more).
    """

    poll_interval = 0.2
    _server = None
    _thread = None

    def _bind(self):
        raise NotImplementedError

    def thread_name(self):
        return type(self).__name__

    def _stopped(self):
        pass

    def start(self):
        """Bind and serve in a background thread; returns self (already serving: nothing more)."""
        if self._server is None:
            self._server = self._bind()
            self._thread = threading.Thread(target=self._server.serve_forever,
                                            kwargs={"poll_interval": self.poll_interval},
                                            name=self.thread_name(), daemon=True)
            self._thread.start()
        return self

    def stop(self):
        """Stop serving, wait for the serving thread (5 s at most) and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = self._thread = None
        self._stopped()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


class LoggedRequests:
    """writes() and reads(), from the `log()` a subclass gives (entries with "write" and "path")."""

    def log(self):
        raise NotImplementedError

    def writes(self):
        """Logged write requests (POST/PUT/PATCH/DELETE on Users/Groups)."""
        return [entry for entry in self.log() if entry["write"]]

    def reads(self):
        """Logged SCIM requests that are not writes (token requests excluded)."""
        return [entry for entry in self.log() if not entry["write"] and entry["path"] != "token"]
