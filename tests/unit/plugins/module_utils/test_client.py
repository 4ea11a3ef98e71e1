# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""ScimClient over real HTTP, against a tiny local server that answers from a script.

Each test scripts the exact answers it needs (a 429 then a 200, a dropped connection, a body
that is not JSON...) and then reads what the server received. No part of requests is mocked.
"""

import base64
import email.utils
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from ansible_collections.scimops.totango.plugins.module_utils import _client
from ansible_collections.scimops.totango.plugins.module_utils._client import ScimClient, derive_token_url
from ansible_collections.scimops.totango.plugins.module_utils._errors import (
    ScimAmbiguousWriteError,
    ScimConnectionError,
    ScimError,
)
from ansible_collections.scimops.totango.plugins.module_utils._pacer import WINDOW, RequestPacer

SCIM_PATH = "/t01/on/api/v2/scim/services/235"
TOKEN_PATH = "/t01/on/oauth2/api/v1/token"
APP_TOKEN = "app-token-secret-4f9a"
PASSWORD = "admin-password-secret-77"
USERNAME = "admin@example.com"


# -- the scripted server --------------------------------------------------------

def answer(status=200, body=None, headers=None, raw=None, delay=0.0, truncate=False):
    """One scripted answer: a JSON body (or raw bytes), extra headers, an optional delay before it.

    truncate: announce a longer body than is sent, then close the connection half-way through.
    """
    return {"status": status, "body": body, "headers": headers or {}, "raw": raw, "delay": delay,
            "truncate": truncate}


DROP = {"drop": True}  # read the request, then close the connection without answering


class Recorded:
    def __init__(self, method, path, query, headers, body):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.time = time.monotonic()

    def json(self):
        return json.loads(self.body)


class ScriptedServer:
    """Answers requests in order from a script; a route-specific script wins over the default one."""

    def __init__(self):
        self.requests = []
        self._scripts = {}
        self._lock = threading.Lock()
        self.responder = None  # answers whatever no script covers: a function of the Recorded request
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                record = Recorded(self.command, parts.path, parse_qs(parts.query), dict(self.headers), body)
                step = server._next(record)
                if step.get("drop"):
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if step["delay"]:
                    time.sleep(step["delay"])
                payload = step["raw"] if step["raw"] is not None else (
                    b"" if step["body"] is None else json.dumps(step["body"]).encode())
                self.send_response(step["status"])
                for key, value in step["headers"].items():
                    self.send_header(key, value)
                if payload:
                    self.send_header("Content-Type", "application/scim+json")
                self.send_header("Content-Length", str(len(payload) + (100 if step["truncate"] else 0)))
                self.end_headers()
                self.wfile.write(payload)
                if step["truncate"]:
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.base = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.scim_url = self.base + SCIM_PATH
        self.token_url = self.base + TOKEN_PATH
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def script(self, *steps, path=None):
        """Queues answers for requests to path (relative to the SCIM base, or the token path), or for any path."""
        with self._lock:
            self._scripts.setdefault(path, []).extend(steps)

    def _next(self, record):
        with self._lock:
            self.requests.append(record)
            relative = record.path.removeprefix(SCIM_PATH)
            for key in (relative, None):
                if self._scripts.get(key):
                    return self._scripts[key].pop(0)
            responder = self.responder
        if responder is not None:
            return responder(record)
        return answer(500, {"detail": "no scripted answer for %s %s" % (record.method, record.path)})

    def to(self, relative):
        return [r for r in self.requests if r.path == SCIM_PATH + relative]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    srv = ScriptedServer()
    yield srv
    srv.close()


def make_client(server, **kwargs):
    options = {"app_token": APP_TOKEN, "max_retries": 3, "requests_per_minute": 0, "backoff_base": 0.01, "timeout": 5}
    options.update(kwargs)
    return ScimClient(server.scim_url, **options)


def user(n):
    return {"id": "u%d" % n, "userName": "user%d@example.com" % n}


def list_response(resources, total=None, start=1):
    page = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "Resources": resources, "startIndex": start, "itemsPerPage": len(resources)}
    if total is not None:
        page["totalResults"] = total
    return page


# -- requests as sent -------------------------------------------------------------

def test_app_token_is_sent_as_its_own_header_and_bodies_as_scim_json(server):
    server.script(answer(204))
    client = make_client(server)
    ops = [{"op": "replace", "path": "title", "value": "CSM"}]
    assert client.patch("/Users/u1", ops, "updating user u1") is None
    sent = server.requests[0]
    assert sent.method == "PATCH" and sent.path == SCIM_PATH + "/Users/u1"
    assert sent.headers["app-token"] == APP_TOKEN
    assert "Authorization" not in sent.headers
    assert sent.headers["Content-Type"] == "application/scim+json"
    assert sent.json() == {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops}
    assert client.request_count == 1


def test_access_token_is_sent_as_bearer(server):
    server.script(answer(200, user(1)))
    client = make_client(server, app_token=None, access_token="bearer-secret")
    assert client.get("/Users/u1", "reading user u1") == user(1)
    assert server.requests[0].headers["Authorization"] == "Bearer bearer-secret"
    assert "app-token" not in server.requests[0].headers


# -- retries ------------------------------------------------------------------------

def test_429_waits_for_ratelimit_reset_then_succeeds(server):
    server.script(answer(429, {"detail": "rate limit"}, {"RateLimit-Limit": "100", "RateLimit-Remaining": "0",
                                                         "RateLimit-Reset": "1"}),
                  answer(200, user(1)))
    client = make_client(server)
    assert client.get("/Users/u1", "reading user u1") == user(1)
    first, second = server.requests
    assert second.time - first.time >= 0.95, "the retry came before RateLimit-Reset said the window reopens"
    assert client.request_count == 2


def test_429_pauses_every_thread_through_the_shared_pacer(server):
    # The pause goes through the pacer, so workers sharing the client all hold back, not just this one.
    clock = FakeClock()
    server.script(answer(429, headers={"RateLimit-Reset": "7"}), answer(200, user(1)))
    client = make_client(server)
    client.pacer = RequestPacer(0, clock=clock.now, sleep=clock.sleep)
    client.get("/Users/u1", "reading user u1")
    assert 7.0 <= clock.t <= 7.3
    assert all(s <= 5.0 for s in clock.sleeps)


def test_remaining_zero_on_a_success_pauses_before_the_next_request(server):
    clock = FakeClock()
    server.script(answer(200, user(1), {"RateLimit-Remaining": "0", "RateLimit-Reset": "4"}), answer(200, user(2)))
    client = make_client(server)
    client.pacer = RequestPacer(0, clock=clock.now, sleep=clock.sleep)
    client.get("/Users/u1", "reading user u1")
    assert clock.t == 0
    client.get("/Users/u2", "reading user u2")
    assert clock.t >= 4.0


def test_503_then_200_is_retried_honouring_retry_after_seconds(server):
    server.script(answer(503, headers={"Retry-After": "1"}), answer(200, user(1)))
    client = make_client(server)
    assert client.get("/Users/u1", "reading user u1") == user(1)
    first, second = server.requests
    assert second.time - first.time >= 0.95


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_are_retried_for_writes_too(server, status):
    # A 5xx came from the server, so the write was answered: repeating it is safe.
    server.script(answer(status), answer(201, user(1)))
    client = make_client(server)
    assert client.post("/Users", {"userName": "user1@example.com"}, "creating user user1") == user(1)
    assert [r.method for r in server.requests] == ["POST", "POST"]


def test_429s_that_say_when_to_come_back_do_not_count_against_max_retries(server):
    # A limiter slows a run, it does not lose a user: eight named waits with max_retries 1, then success.
    clock = FakeClock()
    server.script(*[answer(429, headers={"Retry-After": "30"})] * 4,
                  *[answer(429, headers={"RateLimit-Remaining": "0", "RateLimit-Reset": "20"})] * 4,
                  answer(200, user(1)))
    client = make_client(server, max_retries=1)
    client.pacer = RequestPacer(0, clock=clock.now, sleep=clock.sleep)
    assert client.get("/Users/u1", "reading user u1") == user(1)
    assert len(server.requests) == 9
    assert 4 * 30 + 4 * 20 <= clock.t <= 4 * 30 + 4 * 20 + 8 * 0.25


def test_named_429_waits_stop_at_the_time_budget(server):
    clock = FakeClock()
    server.script(*[answer(429, {"detail": "slow down"}, {"Retry-After": "100"})] * 5)
    client = make_client(server, max_retries=5)
    client.pacer = RequestPacer(0, clock=clock.now, sleep=clock.sleep)
    with pytest.raises(ScimError) as caught:
        client.get("/Users/u1", "reading user u1")
    assert caught.value.status == 429
    assert "300 seconds" in str(caught.value)
    assert len(server.requests) == 4, "three waits of 100 s fit the budget of 300, the fourth does not"
    assert clock.t <= 300 + 3 * 0.25


def test_retry_after_zero_cannot_loop_for_ever(server):
    clock = FakeClock()
    server.script(*[answer(429, headers={"Retry-After": "0"})] * 400)
    client = make_client(server, max_retries=0)
    client.pacer = RequestPacer(0, clock=clock.now, sleep=clock.sleep)
    with pytest.raises(ScimError):
        client.get("/Users/u1", "reading user u1")
    assert len(server.requests) == 301  # each wait costs at least one second of the budget


def test_429s_without_headers_are_waited_out_up_to_a_window_not_counted_against_max_retries(server):
    # A server stricter than requests_per_minute, saying nothing of when to come back: waits double up to
    # one window (2, 4, ... 61 s) and the request gets through with max_retries 1.
    clock = FakeClock()
    server.script(*[answer(429, {"detail": "rate limit"})] * 7, answer(200, user(1)))
    client = make_client(server, max_retries=1)
    client.pacer = RequestPacer(0, clock=clock.now, sleep=clock.sleep)
    assert client.get("/Users/u1", "reading user u1") == user(1)
    assert len(server.requests) == 8
    waits = 2 + 4 + 8 + 16 + 32 + 61 + 61
    assert waits <= clock.t <= waits + 7 * 0.25


def test_429s_without_headers_stop_at_the_time_budget_and_say_to_lower_the_rate(server, tmp_path):
    clock = FakeClock()
    server.script(*[answer(429, {"detail": "rate limit"})] * 20)
    client = make_client(server, max_retries=5)
    client.pacer = RequestPacer(40, tenant="http://sim", clock=clock.now, sleep=clock.sleep, state_dir=str(tmp_path))
    with pytest.raises(ScimError) as caught:
        client.get("/Users/u1", "reading user u1")
    assert caught.value.status == 429
    assert "lower requests_per_minute" in str(caught.value) and "requests_per_minute=40" in str(caught.value)
    assert len(server.requests) == 9, "2+4+8+16+32+61+61+61 = 245 s fit the budget of 300, one more window does not"
    assert clock.t <= 300 + 8 * 0.25


def test_a_429_spends_nothing_of_the_budget(server):
    # Two a minute: after a refused attempt and its retry, one more request still goes without waiting.
    clock = FakeClock()
    server.script(answer(429, headers={"Retry-After": "1"}), answer(200, user(1)), answer(200, user(2)))
    client = make_client(server)
    client.pacer = RequestPacer(2, clock=clock.now, sleep=clock.sleep)
    client.get("/Users/u1", "reading user u1")
    client.get("/Users/u2", "reading user u2")
    assert len(server.requests) == 3
    assert clock.t < 2


def test_retries_stop_after_max_retries_with_the_last_status(server):
    server.script(*[answer(503, {"detail": "maintenance"})] * 5)
    client = make_client(server, max_retries=2)
    with pytest.raises(ScimError) as caught:
        client.get("/Users", "listing users")
    assert len(server.requests) == 3
    assert caught.value.status == 503
    assert str(caught.value) == "Listing users failed: HTTP 503 error: maintenance"


def test_retry_after_date_over_http(server):
    # An HTTP date one second ahead (dates have whole-second precision) still makes the client wait.
    server.script(answer(503, headers={"Retry-After": email.utils.formatdate(time.time() + 2, usegmt=True)}),
                  answer(200, user(1)))
    client = make_client(server)
    assert client.get("/Users/u1", "reading user u1") == user(1)
    first, second = server.requests
    assert second.time - first.time >= 0.9


# -- lost answers -------------------------------------------------------------------

def test_a_post_whose_connection_drops_is_never_repeated(server):
    server.script(DROP, answer(201, user(1)))
    client = make_client(server)
    with pytest.raises(ScimAmbiguousWriteError) as caught:
        client.post("/Users", {"userName": "user1@example.com"}, "creating user user1@example.com")
    assert [r.method for r in server.requests] == ["POST"], "a POST whose answer was lost was sent again"
    assert str(caught.value).startswith("Creating user user1@example.com failed: ")
    assert "dropped" in str(caught.value)


def test_a_post_that_times_out_is_ambiguous_and_says_the_timeout(server):
    server.script(answer(201, user(1), delay=1.0))
    client = make_client(server, timeout=0.2)
    with pytest.raises(ScimAmbiguousWriteError) as caught:
        client.post("/Users", {"userName": "user1@example.com"}, "creating user user1")
    assert len(server.requests) == 1
    assert "timeout of 0.2 seconds" in str(caught.value)


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH"])
def test_a_dropped_idempotent_request_is_retried(server, method):
    server.script(DROP, answer(200, user(1)))
    client = make_client(server)
    body = None if method == "GET" else {"userName": "user1@example.com"}
    assert client.request(method, "/Users/u1", "touching user u1", body=body) == user(1)
    assert [r.method for r in server.requests] == [method, method]


def test_a_get_whose_body_is_cut_off_is_retried(server):
    server.script(answer(200, list_response([user(1), user(2)], total=2), truncate=True),
                  answer(200, list_response([user(1), user(2)], total=2)))
    users = list(make_client(server).iter_resources("/Users", "listing users"))
    assert [u["id"] for u in users] == ["u1", "u2"]
    assert len(server.requests) == 2


def test_a_post_whose_answer_is_cut_off_is_ambiguous_not_a_traceback(server):
    server.script(answer(201, user(1), truncate=True), answer(201, user(1)))
    client = make_client(server)
    with pytest.raises(ScimAmbiguousWriteError) as caught:
        client.post("/Users", {"userName": "user1@example.com"}, "creating user user1")
    assert len(server.requests) == 1
    assert "dropped" in str(caught.value)


def test_a_read_timeout_ends_in_a_connection_error_naming_the_timeout(server):
    server.script(*[answer(200, user(1), delay=1.0)] * 3)
    client = make_client(server, timeout=0.2, max_retries=1)
    started = time.monotonic()
    with pytest.raises(ScimConnectionError) as caught:
        client.get("/Users/u1", "reading user u1")
    assert not isinstance(caught.value, ScimAmbiguousWriteError)
    assert str(caught.value) == ("Reading user u1 failed: no answer within the timeout of 0.2 seconds, "
                                 "after 2 attempts")
    assert len(server.requests) == 2
    assert time.monotonic() - started < 3


def test_a_refused_connection_is_retried_even_for_a_post_and_then_reported():
    # Nothing reached a server, so repeating the POST cannot create a duplicate.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    client = ScimClient("http://127.0.0.1:%d%s" % (port, SCIM_PATH), app_token=APP_TOKEN, max_retries=2,
                        requests_per_minute=0, backoff_base=0.01, timeout=2)
    with pytest.raises(ScimConnectionError) as caught:
        client.post("/Users", {"userName": "a@example.com"}, "creating user a@example.com")
    assert not isinstance(caught.value, ScimAmbiguousWriteError)
    assert client.request_count == 3
    assert "could not connect" in str(caught.value) and "after 3 attempts" in str(caught.value)


# -- bodies and errors --------------------------------------------------------------

def test_scim_error_body_is_parsed_into_status_type_and_detail(server):
    server.script(answer(409, {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                               "scimType": "uniqueness", "detail": "user already exists", "status": "409"}))
    client = make_client(server)
    with pytest.raises(ScimError) as caught:
        client.post("/Users", {"userName": "x@example.com"}, "creating user x@example.com")
    error = caught.value
    assert (error.status, error.scim_type, error.detail) == (409, "uniqueness", "user already exists")
    assert str(error) == "Creating user x@example.com failed: HTTP 409 uniqueness: user already exists"
    assert error.as_result() == {"status": 409, "scim_type": "uniqueness", "detail": "user already exists"}
    assert len(server.requests) == 1


def test_an_error_without_a_scim_body_falls_back_to_the_reason(server):
    server.script(answer(400, raw=b"<html>oops</html>"))
    client = make_client(server)
    with pytest.raises(ScimError) as caught:
        client.get("/Users", "listing users")
    assert str(caught.value) == "Listing users failed: HTTP 400 error: Bad Request"


def test_malformed_json_is_a_clear_scim_error(server):
    server.script(*[answer(200, raw=b'{"Resources": [')] * 4)
    client = make_client(server, max_retries=1)
    with pytest.raises(ScimError) as caught:
        client.get("/Users", "listing users")
    assert "not valid JSON" in str(caught.value)
    assert str(caught.value).startswith("Listing users failed: ")
    assert caught.value.scim_type == "invalidResponse"


def test_malformed_json_on_a_write_is_not_repeated(server):
    server.script(answer(201, raw=b"{nope"), answer(201, user(1)))
    client = make_client(server)
    with pytest.raises(ScimError) as caught:
        client.post("/Users", {"userName": "user1@example.com"}, "creating user user1")
    assert "not valid JSON" in str(caught.value)
    assert len(server.requests) == 1


@pytest.mark.parametrize("page", [[user(1)], "a string", 42])
def test_a_list_page_that_is_not_an_object_is_a_clear_error(server, page):
    server.script(answer(200, page))
    client = make_client(server)
    with pytest.raises(ScimError) as caught:
        list(client.iter_resources("/Users", "listing users"))
    assert str(caught.value).startswith("Listing users failed: ")
    assert "ListResponse" in str(caught.value)


def test_an_empty_success_body_is_none(server):
    server.script(answer(204), answer(200, raw=b"  \n"))
    client = make_client(server)
    assert client.put("/Users/u1", {"userName": "a@example.com"}, "replacing user") is None
    assert client.patch("/Users/u1", [], "updating user") is None


# -- authentication -----------------------------------------------------------------

@pytest.mark.parametrize("status, phrase", [(401, "was refused"), (403, "global admin users need")])
@pytest.mark.parametrize("auth", ["app_token", "access_token"])
def test_auth_failures_name_the_credential_and_what_totango_needs(server, status, phrase, auth):
    server.script(answer(status, {"detail": "invalid token"}))
    client = make_client(server, **{"app_token": None, auth: APP_TOKEN})
    with pytest.raises(ScimError) as caught:
        client.get("/Users", "listing users")
    message = str(caught.value)
    assert caught.value.status == status
    assert "the %s" % auth in message and phrase in message
    assert "SCIM APIs must be enabled" in message and "global admin" in message
    assert "invalid token" in message
    assert APP_TOKEN not in message
    assert len(server.requests) == 1, "a static token was retried after %d" % status


def token_answer(token, style="vendor"):
    if style == "vendor":  # the vendor's first sample: capitalised keys
        return answer(200, {"Access_token": token, "token_type": "Bearer", "Expires_in": 86400, "Scope": ""})
    return answer(200, {"access_token": token, "token_type": "Bearer", "expires_in": 86400, "scope": ""})


def password_client(server, **kwargs):
    return make_client(server, app_token=None, username=USERNAME, password=PASSWORD,
                       token_url=server.token_url, **kwargs)


@pytest.mark.parametrize("style", ["vendor", "lower"])
def test_bearer_token_is_fetched_once_with_basic_auth_and_reused(server, style):
    server.script(token_answer("tok-1", style), path=TOKEN_PATH)
    server.script(answer(200, user(1)), answer(200, user(2)), answer(200, user(3)))
    client = password_client(server)
    for n in (1, 2, 3):
        assert client.get("/Users/u%d" % n, "reading user") == user(n)
    token_requests = [r for r in server.requests if r.path == TOKEN_PATH]
    assert len(token_requests) == 1
    fetch = token_requests[0]
    assert fetch.method == "POST"
    assert fetch.query == {"grant_type": ["client_credentials"]}
    expected = base64.b64encode(("%s:%s" % (USERNAME, PASSWORD)).encode()).decode()
    assert fetch.headers["Authorization"] == "Basic " + expected
    api_requests = [r for r in server.requests if r.path != TOKEN_PATH]
    assert [r.headers["Authorization"] for r in api_requests] == ["Bearer tok-1"] * 3


def test_fetch_token_returns_lower_case_keys(server):
    server.script(token_answer("tok-9", "vendor"), path=TOKEN_PATH)
    token = password_client(server).fetch_token()
    assert token["access_token"] == "tok-9" and token["expires_in"] == 86400


def test_token_url_is_derived_from_the_scim_url_by_default(server):
    server.script(token_answer("tok-1"), path=TOKEN_PATH)
    server.script(answer(200, user(1)))
    client = make_client(server, app_token=None, username=USERNAME, password=PASSWORD)
    assert client.token_url == server.token_url
    client.get("/Users/u1", "reading user")
    assert server.requests[0].path == TOKEN_PATH


def test_an_expired_bearer_token_is_refreshed_once(server):
    server.script(token_answer("tok-1"), token_answer("tok-2"), path=TOKEN_PATH)
    server.script(answer(200, user(1)), answer(401, {"detail": "token expired"}), answer(200, user(2)))
    client = password_client(server)
    client.get("/Users/u1", "reading user")
    assert client.get("/Users/u2", "reading user") == user(2)
    api_auth = [r.headers["Authorization"] for r in server.requests if r.path != TOKEN_PATH]
    assert api_auth == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]
    assert len([r for r in server.requests if r.path == TOKEN_PATH]) == 2


def test_workers_that_meet_an_expired_token_together_refresh_it_once(server):
    # The roster module's workers share one client: eight 401s at once must cost one new token, not eight.
    issued = []
    valid = {"tok-1"}

    def respond(record):
        if record.path == TOKEN_PATH:
            issued.append("tok-%d" % (len(issued) + 1))
            valid.add(issued[-1])
            return token_answer(issued[-1])
        token = record.headers.get("Authorization", "").replace("Bearer ", "")
        return answer(200, user(1)) if token in valid else answer(401, {"detail": "token expired"}, delay=0.1)

    server.responder = respond
    client = password_client(server)
    client.get("/Users/u1", "reading user")
    valid.discard("tok-1")  # it expires
    start = threading.Barrier(8)
    failures = []

    def worker():
        start.wait()
        try:
            client.get("/Users/u1", "reading user")
        except ScimError as error:
            failures.append(error)

    workers = [threading.Thread(target=worker) for _worker in range(8)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert failures == []
    assert issued == ["tok-1", "tok-2"]


def test_a_refused_fresh_token_is_an_error_not_a_loop(server):
    server.script(token_answer("tok-1"), token_answer("tok-2"), token_answer("tok-3"), path=TOKEN_PATH)
    server.script(*[answer(401, {"detail": "nope"})] * 4)
    client = password_client(server)
    with pytest.raises(ScimError) as caught:
        client.get("/Users", "listing users")
    assert caught.value.status == 401
    assert len([r for r in server.requests if r.path == TOKEN_PATH]) == 2
    assert "SCIM APIs must be enabled" in str(caught.value)
    assert "tok-" not in str(caught.value)


def test_refused_username_and_password_say_so_without_the_password(server):
    server.script(answer(401, {"error": "invalid_client"}), path=TOKEN_PATH)
    client = password_client(server)
    with pytest.raises(ScimError) as caught:
        client.get("/Users", "listing users")
    message = str(caught.value)
    assert caught.value.status == 401
    assert "username and password were refused" in message
    assert "global admin" in message and "SCIM APIs must be enabled" in message
    assert PASSWORD not in message
    assert [r.path for r in server.requests] == [TOKEN_PATH]


def test_a_token_response_without_a_token_is_an_error(server):
    server.script(answer(200, {"token_type": "Bearer"}), path=TOKEN_PATH)
    with pytest.raises(ScimError) as caught:
        password_client(server).fetch_token()
    assert "no access_token" in str(caught.value)


@pytest.mark.parametrize("scim_url, token_url", [
    ("https://app.totango.com/t01/on/api/v2/scim/services/235",
     "https://app.totango.com/t01/on/oauth2/api/v1/token"),
    ("https://app.totango.com/t11/acme/api/v2/scim/services/9/",
     "https://app.totango.com/t11/acme/oauth2/api/v1/token"),
    ("http://127.0.0.1:8080/t01/on/api/v2/scim/services/235",
     "http://127.0.0.1:8080/t01/on/oauth2/api/v1/token"),
])
def test_derive_token_url_follows_the_documented_shape(scim_url, token_url):
    assert derive_token_url(scim_url) == token_url


# -- pagination ---------------------------------------------------------------------

def test_pagination_follows_three_pages_of_short_pages(server):
    # The server pages by 2 although the client asks for 100.
    server.script(answer(200, list_response([user(1), user(2)], total=5, start=1)),
                  answer(200, list_response([user(3), user(4)], total=5, start=3)),
                  answer(200, list_response([user(5)], total=5, start=5)))
    client = make_client(server)
    users = list(client.iter_resources("/Users", "listing users", params={"filter": 'userName eq "x"'}))
    assert [u["id"] for u in users] == ["u1", "u2", "u3", "u4", "u5"]
    assert [r.query["startIndex"] for r in server.requests] == [["1"], ["3"], ["5"]]
    assert all(r.query["filter"] == ['userName eq "x"'] for r in server.requests)
    assert all(r.query["count"] == ["100"] for r in server.requests)


def test_pagination_without_total_results_stops_at_the_empty_page(server):
    server.script(answer(200, list_response([user(1), user(2)])),
                  answer(200, list_response([user(3), user(4)])),
                  answer(200, list_response([user(5)])),
                  answer(200, list_response([])))
    client = make_client(server)
    users = list(client.iter_resources("/Users", "listing users", page_size=2))
    assert [u["id"] for u in users] == ["u1", "u2", "u3", "u4", "u5"]
    assert [r.query["startIndex"] for r in server.requests] == [["1"], ["3"], ["5"], ["6"]]


@pytest.mark.parametrize("total", [None, 150])
def test_a_server_that_ignores_start_index_is_an_error_not_an_endless_or_short_listing(server, total):
    page = answer(200, list_response([user(i) for i in range(1, 51)], total=total))
    server.script(page, page, page)
    with pytest.raises(ScimError) as caught:
        list(make_client(server).iter_resources("/Users", "listing users"))
    assert caught.value.scim_type == "invalidResponse" and "startIndex=51" in caught.value.detail
    assert len(server.requests) == 2


def test_pagination_of_an_empty_list_is_one_request(server):
    server.script(answer(200, list_response([], total=0)))
    assert list(make_client(server).iter_resources("/Groups", "listing teams")) == []
    assert len(server.requests) == 1


def test_pagination_retries_a_page_that_failed(server):
    server.script(answer(200, list_response([user(1)], total=2)), answer(503),
                  answer(200, list_response([user(2)], total=2, start=2)))
    users = list(make_client(server).iter_resources("/Users", "listing users"))
    assert [u["id"] for u in users] == ["u1", "u2"]


# -- the pacer ----------------------------------------------------------------------

class FakeClock:
    """A clock that moves only when someone sleeps; shared safely by threads."""

    def __init__(self):
        self.t = 0.0
        self.sleeps = []
        self._lock = threading.Lock()

    def now(self):
        with self._lock:
            return self.t

    def sleep(self, seconds):
        assert seconds > 0
        with self._lock:
            self.sleeps.append(seconds)
            self.t += seconds


def test_client_paces_real_requests(server):
    clock = FakeClock()
    server.script(*[answer(200, user(1))] * 4)
    client = make_client(server)
    client.pacer = RequestPacer(2, clock=clock.now, sleep=clock.sleep)
    for _turn in range(4):
        client.get("/Users/u1", "reading user")
    assert len(server.requests) == 4
    # Two a minute: the third waits until the first two answers are a window (61 s) old.
    assert clock.t == pytest.approx(WINDOW)


# -- errors that name the thing to fix --------------------------------------------------

def closed_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def test_a_404_from_a_web_server_on_the_first_request_names_scim_url_and_its_shape(server):
    server.script(answer(404, raw=b"File not found"))
    client = make_client(server)
    with pytest.raises(ScimError) as caught:
        client.get_if_exists("/Groups/7", "reading team 7")  # not taken for a missing team
    message = str(caught.value)
    assert "check scim_url (%s)" % server.scim_url in message
    assert "/{site}/{domain}/api/v2/scim/services/{service-id}" in message and "HTTP 404" in message


def test_a_404_for_a_collection_names_scim_url_even_with_a_scim_body(server):
    server.script(answer(200, user(1)),
                  answer(404, {"schemas": [_client.SCIM_ERROR_SCHEMA], "detail": "no such endpoint", "status": "404"}))
    client = ScimClient(server.scim_url + "/Users", app_token=APP_TOKEN, requests_per_minute=0)
    client.get("/Users/u1", "reading user")
    with pytest.raises(ScimError) as caught:
        client.get("/Users", "listing users", params={"filter": 'userName eq "a@example.com"'})
    assert "check scim_url" in str(caught.value) and "without the trailing /Users" in str(caught.value)


def test_a_scim_404_for_one_resource_is_none_and_any_later_404_is_the_resource_missing(server):
    not_found = answer(404, {"schemas": [_client.SCIM_ERROR_SCHEMA], "detail": "group 7 not found", "status": "404"})
    server.script(not_found, answer(200, user(1)), answer(404, raw=b"gone"))
    client = make_client(server)
    assert client.get_if_exists("/Groups/7", "reading team 7") is None
    client.get("/Users/u1", "reading user")
    assert client.get_if_exists("/Users/u2", "reading user u2") is None  # the API has answered: not scim_url


def test_a_404_from_the_token_endpoint_names_token_url_and_its_shape(server):
    server.script(answer(404, raw=b"File not found"), path=TOKEN_PATH)
    with pytest.raises(ScimError) as caught:
        password_client(server).fetch_token()
    message = str(caught.value)
    assert "check token_url" in message and "/{site}/{domain}/oauth2/api/v1/token" in message
    assert PASSWORD not in message


def test_a_refused_connection_names_host_and_port_and_gives_up_after_a_short_bounded_retry(monkeypatch):
    slept = []
    monkeypatch.setattr(_client.time, "sleep", slept.append)
    port = closed_port()
    client = ScimClient("http://127.0.0.1:%d%s" % (port, SCIM_PATH), app_token=APP_TOKEN, max_retries=5,
                        requests_per_minute=0, timeout=2)
    with pytest.raises(ScimConnectionError) as caught:
        client.get("/Users", "listing users")
    message = str(caught.value)
    assert "could not connect to 127.0.0.1 port %d (connection refused)" % port in message
    assert "check the host and port of scim_url" in message
    assert client.request_count == _client.REFUSED_RETRIES + 1 < 5 + 1
    assert len(slept) == _client.REFUSED_RETRIES and sum(slept) <= _client.REFUSED_RETRIES * _client.REFUSED_BACKOFF_MAX


def test_a_refused_token_endpoint_names_token_url(monkeypatch):
    monkeypatch.setattr(_client.time, "sleep", lambda seconds: None)
    port = closed_port()
    client = ScimClient("http://127.0.0.1:%d%s" % (port, SCIM_PATH), username=USERNAME, password=PASSWORD,
                        requests_per_minute=0)
    with pytest.raises(ScimConnectionError) as caught:
        client.get("/Users", "listing users")
    assert "port %d" % port in str(caught.value) and "of token_url" in str(caught.value)


@pytest.mark.parametrize("validate_certs", [True, False])
def test_https_to_a_plain_http_port_is_reported_as_such_not_as_a_certificate_problem(server, validate_certs):
    client = ScimClient(server.scim_url.replace("http://", "https://"), app_token=APP_TOKEN,
                        validate_certs=validate_certs, requests_per_minute=0, max_retries=3)
    with pytest.raises(ScimConnectionError) as caught:
        client.get("/Users", "listing users")
    message = str(caught.value)
    assert "did not answer in TLS" in message and "write scim_url with http://" in message
    assert "127.0.0.1 port %s" % server.base.rsplit(":", 1)[1] in message
    assert "certificate" not in message and "validate_certs" not in message
    assert client.request_count == 1  # a protocol mismatch does not go away by asking again


def test_a_certificate_failure_suggests_validate_certs_only_when_it_is_on():
    failure = "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)"
    url = "https://scim.example.com/t01/on/api/v2/scim/services/235/Users"
    on = _client.describe_tls_error(Exception(failure), url, "scim_url", validate_certs=True)
    assert "certificate verification failed for %s ([SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: " \
           "self-signed certificate);" % url in on and "validate_certs: false" in on
    off = _client.describe_tls_error(Exception("[SSL: SSLV3_ALERT_HANDSHAKE_FAILURE] sslv3 alert handshake failure"),
                                     url, "scim_url", validate_certs=False)
    assert "TLS handshake with scim.example.com port 443 failed" in off and "validate_certs" not in off


@pytest.mark.parametrize("scim_url", [
    "https://api.totango.com/api/v2/scim/services/235",
    "https://api-eu1.totango.com/api/v2/scim/services/235",
    "https://app.totango.com/t01/scim",
    "https://app.totango.com/t01/on/extra/api/v2/scim/services/235",
])
def test_no_token_url_is_guessed_where_the_path_does_not_tell_site_and_domain(scim_url):
    assert derive_token_url(scim_url) is None
    client = ScimClient(scim_url, username=USERNAME, password=PASSWORD, requests_per_minute=0)
    with pytest.raises(ScimError) as caught:
        client.fetch_token()
    assert "give token_url" in str(caught.value) and client.request_count == 0


# -- dialects over HTTP ----------------------------------------------------------------------------

def test_a_patch_refused_for_its_form_is_resent_once_in_the_rfc_form_and_the_next_goes_rfc_first(server):
    from ansible_collections.scimops.totango.plugins.module_utils._dialect import send_patch
    from ansible_collections.scimops.totango.plugins.module_utils._user_api import user_patch_forms

    refused = answer(400, {"schemas": [_client.SCIM_ERROR_SCHEMA], "scimType": "invalidPath",
                           "detail": "'managerEmail' is not an attribute of the schema", "status": "400"})
    server.script(refused, answer(204), answer(204))
    client = make_client(server)
    change = user_patch_forms({"manager_email": (None, "boss@example.com")})
    send_patch(client, "/Users/u1", change, "updating user u1")
    send_patch(client, "/Users/u2", change, "updating user u2")
    paths = [(r.path.rsplit("/", 1)[-1], r.json()["Operations"][0]["path"]) for r in server.requests]
    urn = "urn:ietf:params:scim:schemas:totango:1.0:User:managerEmail"
    assert paths == [("u1", "managerEmail"), ("u1", urn), ("u2", urn)]
    assert client.request_count == 3 and len(client.notes) == 1 and "invalidPath" in client.notes[0]
