# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment:
    """The connection options every module of scimops.totango takes."""

    DOCUMENTATION = r"""
options:
  scim_url:
    description:
      - The SCIM base URL of your Totango service, up to the service id.
      - For example V(https://app.totango.com/t01/on/api/v2/scim/services/235).
      - If not set, the environment variable E(TOTANGO_SCIM_URL) is used.
      - Required, from the option or the environment (M(scimops.totango.totango_token) needs it only when
        O(token_url) is not given).
    type: str
  app_token:
    description:
      - A Totango app token (Profile > Integrations), sent as the C(app-token) header.
      - If not set, the environment variable E(TOTANGO_APP_TOKEN) is used.
      - Give exactly one of O(app_token), O(access_token), or O(username) with O(password). One given on the task
        wins over others that come only from the environment, so a token from M(scimops.totango.totango_token)
        can be used where AWX injects E(TOTANGO_USERNAME) and E(TOTANGO_PASSWORD).
      - The token must belong to a global admin, and SCIM must be enabled in Totango's settings.
    type: str
  access_token:
    description:
      - "An OAuth bearer token, for example from M(scimops.totango.totango_token), sent as C(Authorization: Bearer)."
      - If not set, the environment variable E(TOTANGO_ACCESS_TOKEN) is used.
    type: str
  username:
    description:
      - The e-mail of a Totango global admin. With O(password), the module obtains a bearer token itself
        from O(token_url) and reuses it for every request of the run, getting a new one if it expires.
      - If not set, the environment variable E(TOTANGO_USERNAME) is used.
    type: str
  password:
    description:
      - The password of O(username).
      - If not set, the environment variable E(TOTANGO_PASSWORD) is used.
    type: str
  token_url:
    description:
      - The OAuth token endpoint.
      - If not set, the environment variable E(TOTANGO_TOKEN_URL) is used, and else it is derived from O(scim_url)
        as C({scheme}://{host}/{site}/{domain}/oauth2/api/v1/token).
      - Required with O(username) and O(password) when O(scim_url) has no C(/{site}/{domain}) before
        C(/api/v2/scim), as in C(https://api.totango.com/api/v2/scim/services/{id}); the module does not guess.
    type: str
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Set to V(false) only for a test server.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each answer before the request counts as failed.
    type: float
    default: 30
  max_retries:
    description:
      - How many times a request is retried after HTTP 502, 503, 504 or a connection error, with exponential
        backoff (or as the server's C(Retry-After) header says).
      - A 429 is not counted here. One that says when to come back (C(Retry-After) or C(RateLimit-Reset)) is
        waited out; one that does not is waited out too, with waits that double up to one minute (the server
        allows fewer requests than O(requests_per_minute)). Up to 300 seconds of such waits per request; past
        that the request fails, saying to lower O(requests_per_minute).
      - A create whose answer was lost is never repeated blindly; the user is looked up first.
    type: int
    default: 5
  requests_per_minute:
    description:
      - Client-side pacing, so a run keeps to Totango's documented limit of 100 API requests a minute.
      - The pacer never sends more than this many requests in any 61 seconds, nor more than 10 at once, and
        refills at 98% of this rate, so neither a fixed-window nor a token-bucket limiter at this rate refuses a
        request. Runs of up to 10 requests are not slowed; long runs take about requests divided by this rate.
      - The budget is shared by every task, fork and parallel worker on the host that runs the modules against
        the same O(scim_url) (host and path). It is kept in a small file (mode 0600) under
        C($XDG_CACHE_HOME/scimops.totango/pacing), by default C(~/.cache/scimops.totango/pacing), else in the
        system temp directory; it holds times and counts, never a URL or a credential. When no directory can be
        written, each task paces on its own.
      - V(0) turns pacing off; the server's rate-limit headers are still obeyed.
    type: int
    default: 100
notes:
  - Tokens and passwords are never returned, shown in diffs, or written to logs.
requirements:
  - python >= 3.9
  - requests
"""

    ATTRIBUTES = r"""
attributes:
  action_group:
    description: Use C(group/scimops.totango.totango) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - scimops.totango.totango
"""
