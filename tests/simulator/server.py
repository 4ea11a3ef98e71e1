# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The HTTP(S) side: a threading server, keep-alive, request bodies in, replies (or a dropped connection) out."""

from __future__ import annotations

import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.simulator.dispatch import serve
from tests.simulator.faults import DROP
from tests.simulator.replies import ScimError, error_reply, syntax_error


class Server(ThreadingHTTPServer):
    """One simulator (`sim`, a SimState) on one socket; `ssl_context` set for HTTPS."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    sim = None
    ssl_context = None

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], OSError):
            return  # client went away, TLS handshake failed, timeouts: not worth a traceback
        super().handle_error(request, client_address)


class Server6(Server):
    """The same on IPv6."""

    address_family = socket.AF_INET6


class Handler(BaseHTTPRequestHandler):
    """Reads a request, hands it to dispatch.serve, writes the answer."""

    protocol_version = "HTTP/1.1"
    server_version = "TotangoSim/1.0"
    timeout = 120

    def version_string(self):
        return self.server_version

    def setup(self):
        try:
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        ctx = self.server.ssl_context
        if ctx is not None:
            self.request.settimeout(self.timeout)
            self.request = ctx.wrap_socket(self.request, server_side=True)
        super().setup()

    def finish(self):
        try:
            super().finish()
        finally:
            if self.server.ssl_context is not None:
                try:
                    self.connection.close()
                except OSError:
                    pass

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        return

    def do_GET(self):  # noqa: N802 - http.server naming
        self._dispatch("GET")

    def do_POST(self):  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self):  # noqa: N802
        self._dispatch("PUT")

    def do_PATCH(self):  # noqa: N802
        self._dispatch("PATCH")

    def do_DELETE(self):  # noqa: N802
        self._dispatch("DELETE")

    def _read_body(self):
        length = self.headers.get("Content-Length")
        if length is not None:
            try:
                size = int(length)
            except ValueError:
                size = -1
            if size < 0:
                raise syntax_error("bad Content-Length")
            return self.rfile.read(size) if size else b""
        if (self.headers.get("Transfer-Encoding") or "").lower() == "chunked":
            return self._read_chunks()
        return b""

    def _read_chunks(self):
        chunks = []
        while True:
            line = self.rfile.readline(65537)
            size = int(line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(65537)

    def _dispatch(self, method):
        split = urlsplit(self.path)
        try:
            body = self._read_body()
        except (ScimError, ValueError) as exc:
            self.close_connection = True
            self._send(exc.reply() if isinstance(exc, ScimError) else error_reply(400, "invalidSyntax", "bad chunked body"))
            return
        reply = serve(self.server.sim, method, split.path, split.query, body, self.headers)
        if reply is DROP:
            self._drop()
        else:
            self._send(reply)

    def _drop(self):
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass

    def _send(self, reply):
        data = reply.data()
        self.send_response(reply.status)
        if reply.status != 204:
            if data:
                self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(data)))
        for key, value in reply.headers.items():
            self.send_header(key, str(value))
        self.end_headers()
        if data and reply.status != 204:
            self.wfile.write(data)
