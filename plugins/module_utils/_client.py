# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one HTTP client every module shares: session, auth, pacing, retries, pagination, errors.

Private to this collection: the interface may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import random
import re
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor

try:
    import requests
    from requests.adapters import HTTPAdapter
except ImportError:  # the modules report missing_required_lib('requests')
    requests = None
    HTTPAdapter = object

from ansible.module_utils.six.moves.urllib.parse import urlsplit, urlunsplit

from ansible_collections.scimops.totango.plugins.module_utils._dialect import PatchDialects
from ansible_collections.scimops.totango.plugins.module_utils._errors import (
    ScimAmbiguousWriteError,
    ScimConnectionError,
    ScimError,
)
from ansible_collections.scimops.totango.plugins.module_utils._pacer import (
    RATE_LIMIT_WAIT_BUDGET,
    WINDOW,
    RequestPacer,
    named_wait,
    retry_delay,
)

PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
# Retried up to max_retries; a 429 is waited out apart from them (_rate_limit_wait).
RETRY_STATUSES = frozenset((502, 503, 504))
# Idempotent: sending one again after a lost answer cannot do more than the first did.
RETRYABLE_METHODS = frozenset(("GET", "PUT", "PATCH"))
USER_AGENT = "scimops.totango/0.2.0"
# A refused or unresolvable connection is retried this often, at most REFUSED_BACKOFF_MAX seconds apart.
REFUSED_RETRIES = 2
REFUSED_BACKOFF_MAX = 1.0
# OpenSSL's words for an answer that is not TLS at all, e.g. from a plain-HTTP port.
TLS_PROTOCOL_MARKERS = ("WRONG_VERSION_NUMBER", "wrong version number", "RECORD_LAYER_FAILURE",
                        "record layer failure", "packet length too long", "UNKNOWN_PROTOCOL", "HTTP_REQUEST")
PAGE_SIZE = 100

CREDENTIAL_HELP = (
    "SCIM APIs must be enabled for User Management in Totango's settings, "
    "and the token must belong to a global admin"
)


SCIM_URL_SHAPE = "https://app.totango.com/{site}/{domain}/api/v2/scim/services/{service-id}"
TOKEN_URL_SHAPE = "https://app.totango.com/{site}/{domain}/oauth2/api/v1/token"
TOKEN_URL_NEEDED = ("no token URL can be derived from scim_url %s, which lacks the /{site}/{domain} of "
                    "app.totango.com URLs; give token_url, e.g. " + TOKEN_URL_SHAPE)
SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


def derive_token_url(scim_url):
    """{scheme}://{host}/{site}/{domain}/oauth2/api/v1/token beside a scim_url of the documented shape, else None.

    Tenants are also served as https://api.totango.com/api/v2/scim/services/{id} (and api-eu1): there the
    path tells no site and domain, and a guessed token URL would only fail later with a puzzling 404.
    """
    parts = urlsplit(scim_url or "")
    marker = parts.path.find("/api/v2/scim")
    if marker < 0:
        return None
    prefix = [segment for segment in parts.path[:marker].split("/") if segment]
    if len(prefix) != 2:
        return None
    return urlunsplit((parts.scheme, parts.netloc, "/%s/%s/oauth2/api/v1/token" % tuple(prefix), "", ""))


def _lower_keys(data):
    # Totango documents the token response once with "Access_token"/"Expires_in" and once lower-case.
    return dict((str(k).lower(), v) for k, v in data.items()) if isinstance(data, dict) else {}


def error_from_response(response, action):
    """Turns an error response into ScimError, reading the SCIM error body when there is one."""
    status = response.status_code
    scim_type = None
    detail = None
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        scim_type = body.get("scimType")
        detail = body.get("detail")
    if not detail:
        detail = (response.reason or "").strip() or "no detail in the response"
    return ScimError(status=status, scim_type=scim_type, detail=detail, action=action)


class ScimClient:
    """A SCIM 2.0 client for Totango: one requests.Session per module run."""

    def __init__(self, scim_url, app_token=None, access_token=None, username=None, password=None,
                 token_url=None, validate_certs=True, timeout=30, max_retries=5,
                 requests_per_minute=100, pool_size=10, backoff_base=0.5):
        if requests is None:
            raise RuntimeError("the requests library is required")
        self.scim_url = (scim_url or "").rstrip("/")  # totango_token may have only a token_url
        self.token_url = token_url or derive_token_url(self.scim_url)
        self._token_url_derived = not token_url
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.pacer = RequestPacer(requests_per_minute, tenant=self.scim_url or self.token_url)
        self._app_token = app_token
        self._access_token = access_token
        self._username = username
        self._password = password
        self._token_lock = threading.Lock()
        self._counter_lock = threading.Lock()
        self.request_count = 0
        self._answered = False  # any SCIM request answered without error: scim_url leads to a SCIM API
        self.notes = []  # what the module should warn about: a dialect learned, a value the server kept otherwise
        self.dialects = PatchDialects(self.note)
        self.validate_certs = validate_certs
        self.session = requests.Session()
        self.session.verify = validate_certs
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(pool_size, 1))
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers.update({
            "Accept": "application/scim+json, application/json",
            "User-Agent": USER_AGENT,
        })

    # -- authentication -------------------------------------------------

    @property
    def credential_name(self):
        if self._app_token:
            return "app_token"
        if self._access_token:
            return "access_token"
        return "bearer token obtained for username"

    def fetch_token(self):
        """Obtains a bearer token with Basic auth; returns the token response with lower-case keys."""
        if not self.token_url:
            raise ScimError(detail=TOKEN_URL_NEEDED % self.scim_url, action="requesting a bearer token")
        action = "requesting a bearer token from %s" % self.token_url
        response = self._send("POST", self.token_url, action, params={"grant_type": "client_credentials"},
                              auth=(self._username, self._password), retry_ambiguous=True)
        if response.status_code >= 400:
            raise self._token_error(response, action)
        token = _lower_keys(self._json(response, action))
        if not token.get("access_token"):
            raise ScimError(status=response.status_code, detail="the token response carries no access_token", action=action)
        return token

    def _token_error(self, response, action):
        error = error_from_response(response, action)
        if response.status_code in (401, 403):
            error.detail = "the username and password were refused (%s); %s" % (error.detail, CREDENTIAL_HELP)
        elif response.status_code in (404, 405):
            error.detail = "no token endpoint answers at %s (%s); check token_url%s: it is shaped like %s" % (
                self.token_url, error.detail, " (derived from scim_url)" if self._token_url_derived else "",
                TOKEN_URL_SHAPE)
        return error

    def _auth_headers(self):
        if self._app_token:
            return {"app-token": self._app_token}
        if not self._access_token and self._username:
            with self._token_lock:
                if not self._access_token:
                    self._access_token = self.fetch_token()["access_token"]
        return {"Authorization": "Bearer %s" % self._access_token}

    def _can_refresh_token(self):
        return bool(self._username and self._password)

    def note(self, sentence):
        with self._counter_lock:
            if sentence not in self.notes:
                self.notes.append(sentence)

    # -- transport ------------------------------------------------------

    def _count(self):
        with self._counter_lock:
            self.request_count += 1

    def _option_for(self, url):
        return "token_url" if url == self.token_url else "scim_url"

    def _unreachable(self, exc, url, attempts):
        if not _refused_before_sending(exc):
            return "%s, after %d attempts" % (_describe_transport_error(exc, self.timeout), attempts)
        return "could not connect to %s port %s (%s), after %d attempts; check the host and port of %s" % (
            _host_and_port(url) + (_refusal_reason(exc), attempts, self._option_for(url)))

    def _send(self, method, url, action, retry_ambiguous, **kwargs):
        """One request with pacing and retries; returns the final response (any status) or raises ScimConnectionError.

        A 429 is waited out without counting against max_retries, for up to RATE_LIMIT_WAIT_BUDGET
        seconds in all: a rate limiter slows a run, it does not fail it (see _rate_limit_wait).
        """
        attempt = unnamed = 0
        rate_limit_waited = 0.0
        while True:
            response = failure = None
            turn = self.pacer.acquire()
            self._count()
            try:
                # verify per request: requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override session.verify=False.
                response = self.session.request(method, url, timeout=self.timeout, verify=self.validate_certs, **kwargs)
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                    requests.exceptions.ChunkedEncodingError) as exc:  # the last: the body was cut off
                failure = exc
            finally:
                self.pacer.release(turn, response, arrived=failure is None or _may_have_arrived(failure))
            if isinstance(failure, requests.exceptions.SSLError):
                raise ScimConnectionError(detail=describe_tls_error(failure, url, self._option_for(url),
                                                                    self.validate_certs), action=action)
            if failure is not None:
                if _may_have_arrived(failure) and not retry_ambiguous:
                    raise ScimAmbiguousWriteError(detail=_describe_transport_error(failure, self.timeout), action=action)
                # Nothing listens there, or the name does not resolve: a server restarting is back within a
                # second or two, a wrong host or port never is, so waiting out every retry only hides the typo.
                refused = _refused_before_sending(failure)
                retries = min(self.max_retries, REFUSED_RETRIES) if refused else self.max_retries
                if attempt >= retries:
                    raise ScimConnectionError(detail=self._unreachable(failure, url, attempt + 1), action=action)
                time.sleep(retry_delay(None, attempt, self.backoff_base, REFUSED_BACKOFF_MAX if refused else 30.0))
                attempt += 1
                continue
            if response.status_code == 429:
                wait, unnamed = self._rate_limit_wait(response, unnamed)
                # Each wait costs at least a second of the budget, so "Retry-After: 0" cannot loop for ever.
                rate_limit_waited += max(wait, 1.0)
                if rate_limit_waited > RATE_LIMIT_WAIT_BUDGET:
                    raise ScimError(status=429, action=action, detail=self._rate_limited_detail(wait, unnamed))
                self.pacer.pause_for(wait + random.uniform(0, 0.25))
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.max_retries:
                time.sleep(retry_delay(response, attempt, self.backoff_base))
                attempt += 1
                continue
            return response

    @staticmethod
    def _rate_limit_wait(response, unnamed):
        """(seconds to wait after this 429, how many 429s of this request said no wait so far).

        A 429 that names no wait comes from a limiter stricter than requests_per_minute (or from another
        client spending the same budget). Its window is at most WINDOW long, so waits that double up to one
        window get through it; like named waits they spend the time budget, not max_retries.
        """
        wait = named_wait(response)
        if wait is not None:
            return wait, unnamed
        return min(WINDOW, 2.0 ** (unnamed + 1)), unnamed + 1

    def _rate_limited_detail(self, wait, unnamed):
        if unnamed:
            advice = ("it allows fewer than requests_per_minute=%d requests a minute: lower requests_per_minute"
                      % self.pacer.limit if self.pacer.limit else
                      "set requests_per_minute (pacing is off) to the rate it allows")
            return ("rate limited: the server kept refusing requests for %d seconds without saying when to come "
                    "back; %s" % (RATE_LIMIT_WAIT_BUDGET, advice))
        return ("rate limited: the server asks to wait %d more seconds, past the %d seconds a request may wait "
                "for rate limits" % (wait, RATE_LIMIT_WAIT_BUDGET))

    def _json(self, response, action):
        if not response.content or not response.content.strip():
            return None
        try:
            return response.json()
        except ValueError:
            raise ScimError(status=response.status_code, scim_type="invalidResponse",
                            detail="the server answered with a body that is not valid JSON", action=action)

    def request(self, method, path, action, body=None, params=None, missing_ok=False):
        """Sends one SCIM request and returns the decoded body (None when empty); raises ScimError on failure.

        missing_ok: a 404 for the resource at path returns None, unless it says scim_url is wrong.
        """
        url = path if path.startswith("http") else self.scim_url + path
        kwargs = {"params": params}
        if body is not None:
            kwargs["json"] = body
        refreshed = False
        malformed_retries = 0
        while True:
            headers = self._auth_headers()
            if body is not None:
                headers["Content-Type"] = "application/scim+json"
            response = self._send(method, url, action, retry_ambiguous=method in RETRYABLE_METHODS,
                                  headers=headers, **kwargs)
            if response.status_code == 401 and not refreshed and self._can_refresh_token():
                self._forget_refused_token(headers)
                refreshed = True
                continue
            if response.status_code == 404 and missing_ok and not self._wrong_base(response, path):
                return None
            self._raise_for_status(response, path, url, action)
            try:
                return self._json(response, action)
            except ScimError as error:
                if method not in RETRYABLE_METHODS:
                    # The POST may have been applied: like a lost answer, the caller must read before writing again.
                    raise ScimAmbiguousWriteError(detail="%s, so whether the write was applied is unknown" % error.detail,
                                                  status=error.status, scim_type=error.scim_type, action=action)
                if malformed_retries >= self.max_retries:
                    raise
                malformed_retries += 1

    def _forget_refused_token(self, headers):
        # The bearer token may have expired during a long run: get a new one once. Only the
        # refused token is forgotten, so workers refused together share one new token.
        with self._token_lock:
            if headers.get("Authorization") == "Bearer %s" % self._access_token:
                self._access_token = None

    def _raise_for_status(self, response, path, url, action):
        if response.status_code in (401, 403):
            raise self._auth_error(response, action)
        if response.status_code == 404 and self._wrong_base(response, path):
            raise self._wrong_base_error(response, url, action)
        if response.status_code >= 400:
            raise error_from_response(response, action)
        self._answered = True

    def _wrong_base(self, response, path):
        """Whether a 404 means no SCIM API lives at scim_url, rather than that one resource is missing.

        A SCIM API always has /Users and /Groups; before anything has answered, a 404 that is not a SCIM
        error (a web server's "File not found") cannot come from the API either.
        """
        if path.split("?")[0].strip("/") in ("Users", "Groups"):
            return True
        return not self._answered and not _is_scim_error(response)

    def _wrong_base_error(self, response, url, action):
        error = error_from_response(response, action)
        advice = "check scim_url (%s): it must be the SCIM base URL from Totango's SCIM settings, shaped like %s" % (
            self.scim_url, SCIM_URL_SHAPE)
        endpoint = self.scim_url.rsplit("/", 1)[-1]
        if endpoint in ("Users", "Groups"):
            advice += ", without the trailing /%s" % endpoint
        error.detail = "no SCIM API answers at %s (%s); %s" % (url, error.detail, advice)
        return error

    def _auth_error(self, response, action):
        error = error_from_response(response, action)
        if response.status_code == 401:
            error.detail = "the %s was refused (%s); %s" % (self.credential_name, error.detail, CREDENTIAL_HELP)
        else:
            # A 403 may be about the credential, or about the user it was asked to change: Totango refuses
            # changes to global admins unless its SCIM settings allow them, whatever the token.
            error.detail = "Totango refused this with the %s (%s); %s, and changes to global admin users need " \
                           "'operations with global admin users via SCIM API' enabled in the SCIM settings" % (
                               self.credential_name, error.detail, CREDENTIAL_HELP)
        return error

    # -- verbs ----------------------------------------------------------

    def get(self, path, action, params=None):
        return self.request("GET", path, action, params=params)

    def get_if_exists(self, path, action):
        """The resource at path, or None when the server answers that it does not exist (404)."""
        return self.request("GET", path, action, missing_ok=True)

    def post(self, path, body, action):
        return self.request("POST", path, action, body=body)

    def put(self, path, body, action):
        return self.request("PUT", path, action, body=body)

    def patch(self, path, operations, action):
        return self.request("PATCH", path, action, body={"schemas": [PATCH_OP_SCHEMA], "Operations": operations})

    def list_page(self, path, action, params=None, start=1, page_size=PAGE_SIZE):
        """One page of a listing: (resources, totalResults or None)."""
        query = dict(params or {}, startIndex=start, count=page_size)
        return _list_page(self.get(path, action, params=query) or {}, action)

    def iter_resources(self, path, action, params=None, page_size=PAGE_SIZE, parallel=1, first_page=None):
        """Follows every page of a ListResponse, however the server sizes its pages.

        With parallel > 1, once the first page has told the total and the server's page size, the
        other pages are read on that many threads: 50 pages cost about 50 / parallel round trips.
        Pages are handed on as they arrive, a few ahead at most, so a caller that keeps only part of
        each resource never holds the whole tenant. first_page: (resources, total) already read.
        """
        seen = set()

        def read(start):
            return self.list_page(path, action, params, start, page_size)

        def fresh(found, start):
            # Totango's document says nothing of paging: a server that ignores startIndex would repeat its
            # first page forever, or make a listing look complete when it is not. Either is an error.
            ids = [resource.get("id") for resource in found]
            if found and all(i is not None and i in seen for i in ids):
                raise ScimError(scim_type="invalidResponse", action=action,
                                detail="the page at startIndex=%d repeats resources already listed, so the "
                                       "server does not page as SCIM asks; the listing would be incomplete" % start)
            seen.update(ids)
            return found

        resources, total = first_page if first_page is not None else read(1)
        yield from fresh(resources, 1)
        start = 1 + len(resources)
        if parallel > 1 and resources and total is not None and start <= total:
            starts = list(range(start, total + 1, len(resources)))
            last = resources, total
            for page_start, last in zip(starts, _read_ahead(read, starts, parallel)):
                yield from fresh(last[0], page_start)
            start, total = starts[-1] + len(last[0]), last[1]
        # Resources added meanwhile, or a server that gives no total, are picked up one page at a time.
        while resources and (total is None or start <= total):
            resources, total = read(start)
            yield from fresh(resources, start)
            start += len(resources)

    def close(self):
        self.session.close()


def _read_ahead(read, starts, parallel):
    """read(start) of every start, in order, on `parallel` threads that run at most 2 x parallel pages ahead."""
    with ThreadPoolExecutor(max_workers=min(parallel, len(starts))) as pool:
        pending = deque()
        for start in starts:
            pending.append(pool.submit(read, start))
            if len(pending) >= 2 * parallel:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _list_page(page, action):
    """(Resources, totalResults or None) of one ListResponse page; a page of another shape is a ScimError, not a traceback."""
    resources = (page.get("Resources") or []) if isinstance(page, dict) else None
    total = page.get("totalResults") if isinstance(page, dict) else None
    try:
        total = None if total is None else int(total)
    except (TypeError, ValueError):
        resources = None
    if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
        raise ScimError(scim_type="invalidResponse", action=action,
                        detail="the server answered with something that is not a SCIM ListResponse")
    return resources, total


def _is_scim_error(response):
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and SCIM_ERROR_SCHEMA in (body.get("schemas") or [])


def _host_and_port(url):
    parts = urlsplit(url)
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def describe_tls_error(exc, url, option, validate_certs):
    """What went wrong in a TLS handshake, and what to change: the URL's scheme, the certificate, or neither."""
    text = str(exc)
    reason = _tls_reason(text)
    where = "%s port %s" % _host_and_port(url)
    if any(marker in text for marker in TLS_PROTOCOL_MARKERS):
        # The most common cause: https:// in front of a port that speaks plain HTTP.
        return ("%s did not answer in TLS (%s): if that port serves plain HTTP, write %s with http://, "
                "else check its port" % (where, reason, option))
    if validate_certs and ("CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text):
        return ("TLS certificate verification failed for %s (%s); use a trusted certificate (or point "
                "REQUESTS_CA_BUNDLE at your CA), or validate_certs: false for a test server only" % (url, reason))
    return "the TLS handshake with %s failed (%s)" % (where, reason)


def _tls_reason(text):
    # OpenSSL's own words, e.g. "[SSL: WRONG_VERSION_NUMBER] wrong version number", without the URL wrapping.
    found = re.search(r"\[SSL[^\]]*\][^(')\"]*|certificate verify failed[^(')\"]*", text)
    return found.group(0).strip() if found else "SSLError"


def _may_have_arrived(exc):
    return not isinstance(exc, requests.exceptions.ConnectTimeout) and not _refused_before_sending(exc)


def _refused_before_sending(exc):
    # A refused or unresolvable connection never reached the server, so even a POST is safe to retry.
    text = repr(exc)
    return any(marker in text for marker in ("Connection refused", "NewConnectionError", "Name or service not known",
                                             "nodename nor servname", "Failed to resolve"))


def _refusal_reason(exc):
    text = repr(exc)
    if "refused" in text:
        return "connection refused"
    if any(marker in text for marker in ("Name or service not known", "nodename nor servname", "Failed to resolve")):
        return "the host name does not resolve"
    return type(exc).__name__


def _describe_transport_error(exc, timeout):
    if isinstance(exc, requests.exceptions.Timeout):
        return "no answer within the timeout of %s seconds" % timeout
    if _refused_before_sending(exc):
        return "could not connect to the server (%s)" % type(exc).__name__
    return "the connection was dropped before an answer arrived (%s)" % type(exc).__name__
