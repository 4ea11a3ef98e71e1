# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""scim2-server (an independent RFC 7643/7644 implementation from PyPI) on loopback, for the integration tests.

    with Scim2Server() as server:
        run_playbook(PLAY, server, auth="access_token", tmp_path=tmp_path)
        assert server.writes() == []

The server is scim2-server's own WSGI application and in-memory storage, unchanged, serving the schemas
and resource types of RFC 7643 with the Totango extension schema
(urn:ietf:params:scim:schemas:totango:1.0:User) registered on User. It authenticates with its own
static bearer-token check, so the collection reaches it with an access_token; it does not know
Totango's app-token header and refuses it (401).

What tests/integration/harness.py needs of a "simulator" is here: scim_url, the credentials
(app_token, issue_token(), issued_tokens() for the secrets scan) and a request log
(log, writes, reads, clear_log), kept by a WSGI middleware around the application. Test data is
seeded in-process through the same application, so it is validated like any request but never
logged and never crosses the network.
"""

from __future__ import annotations

import io
import json
import threading
from socketserver import ThreadingMixIn
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from scim2_models import ResourceType, Schema, ScimProvider
from scim2_server.memory import InMemoryStorage
from scim2_server.requests import ScimRequest
from scim2_server.service import ScimService
from scim2_server.testserver.application import BEARER_TOKEN_SCHEME, BearerTokenApplication
from scim2_server.utils import load_default_resource_types, load_default_schemas, load_default_service_provider_config

from tests.simulator.defaults import SIM_APP_TOKEN
from tests.simulator.launcher import LoggedRequests, ServedInThread

CORE_USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
TOTANGO_SCHEMA = "urn:ietf:params:scim:schemas:totango:1.0:User"
BULK_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
VERSION_PREFIX = "/v2"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PAGE_SIZE = 50

# A TEST secret (not a real credential): the one bearer token the server accepts. The secrets scan of
# tests/integration/secrets_scan.py greps every run's output for it through issued_tokens().
BEARER_TOKEN = "scim2-bearer-Hn52tQ"

# The Totango extension as the vendor's document shows it on a User (isActive, license as a list, isAdmin,
# managerEmail, managerExternalId); every attribute optional and readWrite, none case-exact.
_TOTANGO_ATTRIBUTES = (("isActive", "boolean", False), ("license", "string", True), ("isAdmin", "boolean", False),
                       ("managerEmail", "string", False), ("managerExternalId", "string", False))


def totango_schema():
    """The Totango extension schema, in RFC 7643 section 7's form."""
    return Schema.model_validate({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": TOTANGO_SCHEMA,
        "name": "TotangoUser",
        "description": "Totango's extension of the User",
        "attributes": [{"name": name, "type": kind, "multiValued": multi, "required": False, "caseExact": False,
                        "mutability": "readWrite", "returned": "default", "uniqueness": "none"}
                       for name, kind, multi in _TOTANGO_ATTRIBUTES],
        "meta": {"resourceType": "Schema", "location": "/v2/Schemas/" + TOTANGO_SCHEMA},
    })


def totango_provider():
    """RFC 7643's schemas and resource types (User, Group), with the Totango extension registered on User.

    scim2-server's default configuration otherwise (PATCH, bulk, filter, sort, ETags), plus its bearer-token
    scheme and pages of at most PAGE_SIZE resources.
    """
    resource_types = load_default_resource_types()
    user = resource_types["User"].model_dump()
    user["schemaExtensions"] = [*(user.get("schemaExtensions") or []), {"schema": TOTANGO_SCHEMA, "required": False}]
    resource_types["User"] = ResourceType.model_validate(user)
    config = load_default_service_provider_config()
    # Pages of the server's choosing, smaller than the 100 the client asks for: listings must follow them.
    config.filter.max_results = PAGE_SIZE
    config.authentication_schemes = [*(config.authentication_schemes or []), BEARER_TOKEN_SCHEME]
    return ScimProvider.from_discovery([*load_default_schemas().values(), totango_schema()],
                                       resource_types.values(), config=config)


class RequestLog:
    """A WSGI middleware that records every request to the application it wraps, as the simulator's log does."""

    def __init__(self):
        self.application = None
        self.lock = threading.Lock()
        self.entries = []

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        path = environ.get("PATH_INFO", "")
        method = environ["REQUEST_METHOD"]
        entry = {"method": method, "path": path[len(VERSION_PREFIX):] if path.startswith(VERSION_PREFIX) else path,
                 "query": dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)),
                 "body": _json_or_text(body), "status": None, "write": method in WRITE_METHODS}
        with self.lock:
            entry["seq"] = len(self.entries) + 1
            self.entries.append(entry)

        def record_status(status, headers, exc_info=None):
            entry["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        return self.application(environ, record_status)

    def copy(self):
        with self.lock:
            return [dict(entry) for entry in self.entries]

    def clear(self):
        with self.lock:
            self.entries = []


def _json_or_text(body):
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass


class Scim2Server(ServedInThread, LoggedRequests):
    """scim2-server on 127.0.0.1 and a free port, in a thread; start()/stop() or a context manager."""

    poll_interval = 0.1

    app_token = SIM_APP_TOKEN  # what an app_token run sends; this server refuses it (it knows bearer tokens only)
    admin_user = admin_password = None  # no token endpoint: username/password cannot be used here

    def __init__(self):
        self.provider = totango_provider()
        self.service = ScimService(self.provider)
        self.requests = RequestLog()
        self.application = None
        self.reset()

    # -- lifecycle (start, stop and the context manager: ServedInThread) -----------------------

    def _bind(self):
        return make_server("127.0.0.1", 0, self.requests, server_class=_Server, handler_class=_QuietHandler)

    def reset(self):
        """An empty storage and an empty log (the provider and the socket stay)."""
        self.application = BearerTokenApplication(InMemoryStorage(), self.provider, service=self.service,
                                                  bearer_tokens=[BEARER_TOKEN])
        self.requests.application = self.application
        self.requests.clear()

    @property
    def scim_url(self):
        return "http://127.0.0.1:%d%s" % (self._server.server_address[1], VERSION_PREFIX)

    # -- credentials ---------------------------------------------------------------------------

    def issue_token(self):
        return BEARER_TOKEN

    def issued_tokens(self):
        return [BEARER_TOKEN]

    # -- the request log (writes and reads: LoggedRequests) ------------------------------------

    def log(self):
        """Every request so far: dicts of method, path (under /v2), query, body, status, write, seq."""
        return self.requests.copy()

    def clear_log(self):
        self.requests.clear()

    # -- data, in-process and not logged -------------------------------------------------------

    def call(self, method, path, body=None, query=None):
        """(status, body) of one request served by the application in-process, authenticated, not logged."""
        request = ScimRequest(method=method, base_url=self.scim_url if self._server else "http://127.0.0.1/v2",
                              path=path, query=query or {},
                              headers={"Authorization": "Bearer " + BEARER_TOKEN,
                                       "Content-Type": "application/scim+json"},
                              body=json.dumps(body).encode() if body is not None else b"")
        response = self.application.serve(request)
        return int(response.status), response.body

    def _ok(self, method, path, body=None, query=None):
        status, answer = self.call(method, path, body, query)
        if status >= 300:
            raise AssertionError("seeding %s %s failed: %s %s" % (method, path, status, answer))
        return answer

    def seed_users(self, bodies):
        """Create users from SCIM bodies (schemas added) in one bulk request; returns {userName: id}."""
        operations = [{"method": "POST", "path": "/Users", "bulkId": "u%d" % n,
                       "data": dict({"schemas": [CORE_USER_SCHEMA, TOTANGO_SCHEMA]}, **body)}
                      for n, body in enumerate(bodies)]
        answer = self._ok("POST", "/Bulk", {"schemas": [BULK_SCHEMA], "Operations": operations})
        failed = [op for op in answer["Operations"] if not str(op.get("status")).startswith("2")]
        if failed:
            raise AssertionError("seeding users failed: %r" % failed[:3])
        ids = [op["location"].rstrip("/").rsplit("/", 1)[-1] for op in answer["Operations"]]
        return {body["userName"]: user_id for body, user_id in zip(bodies, ids)}

    def add_team(self, name, member_ids=()):
        """Create a Group; returns its id."""
        body = {"schemas": [GROUP_SCHEMA], "displayName": name, "members": [{"value": i} for i in member_ids]}
        return self._ok("POST", "/Groups", body)["id"]

    def user(self, user_name):
        """The User resource with this userName (compared as the server compares it), or None."""
        found = self._ok("GET", "/Users", query={"filter": 'userName eq "%s"' % user_name}).get("Resources") or []
        return found[0] if found else None

    def team_member_ids(self, team_id):
        return sorted(member["value"] for member in self._ok("GET", "/Groups/" + team_id).get("members") or [])

    def user_schema(self):
        """The core User schema as the server describes it (its /Schemas endpoint)."""
        return self._ok("GET", "/Schemas/" + CORE_USER_SCHEMA)
