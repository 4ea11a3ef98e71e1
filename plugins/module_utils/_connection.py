# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The connection options every module shares, and the client they build. Private to this collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.six.moves.urllib.parse import urlsplit

from ansible_collections.scimops.totango.plugins.module_utils._client import TOKEN_URL_NEEDED, derive_token_url
from ansible_collections.scimops.totango.plugins.module_utils._errors import OptionError

AUTH_METHODS = (
    ("app_token", ("app_token",)),
    ("access_token", ("access_token",)),
    ("username/password", ("username", "password")),
)
ENV_NAMES = {
    "scim_url": "TOTANGO_SCIM_URL", "app_token": "TOTANGO_APP_TOKEN", "access_token": "TOTANGO_ACCESS_TOKEN",
    "username": "TOTANGO_USERNAME", "password": "TOTANGO_PASSWORD", "token_url": "TOTANGO_TOKEN_URL",
}


def connection_argument_spec():
    """A fresh copy of the connection options, to be merged into each module's own argument spec."""
    def env(name, **extra):
        spec = dict(type="str", fallback=(env_fallback, [ENV_NAMES[name]]))
        spec.update(extra)
        return spec
    return dict(
        scim_url=env("scim_url"),
        app_token=env("app_token", no_log=True),
        access_token=env("access_token", no_log=True),
        username=env("username"),
        password=env("password", no_log=True),
        token_url=env("token_url", no_log=False),
        validate_certs=dict(type="bool", default=True),
        timeout=dict(type="float", default=30),
        max_retries=dict(type="int", default=5),
        requests_per_minute=dict(type="int", default=100),
    )


def check_connection_options(params, scim_url_required=True):
    """Raises OptionError unless scim_url is a usable URL and exactly one way of authenticating is given.

    A way of authenticating set on the task beats others that come only from TOTANGO_* variables, which
    are then dropped from params: AWX injects those into every task, and a play that fetched a token
    with totango_token must be able to pass it on.
    """
    _check_url(params, "scim_url", required=scim_url_required)
    _check_url(params, "token_url", required=False)
    given = [name for name, keys in AUTH_METHODS if any(params.get(k) for k in keys)]
    if len(given) > 1:
        explicit = [name for name, keys in AUTH_METHODS if name in given and not _from_environment(params, keys)]
        if len(explicit) == 1:
            for name, keys in AUTH_METHODS:
                if name != explicit[0]:
                    params.update(dict.fromkeys(keys))
            given = explicit
    if not given:
        raise OptionError("app_token", "no credentials: give one of app_token, access_token, or username and password "
                                       "(or set TOTANGO_APP_TOKEN, TOTANGO_ACCESS_TOKEN, or TOTANGO_USERNAME and TOTANGO_PASSWORD)")
    if len(given) > 1:
        raise OptionError(given[0], "give exactly one way of authenticating, not %s (the TOTANGO_* environment "
                                    "variables count too)" % " and ".join(given))
    if given[0] == "username/password" and not (params.get("username") and params.get("password")):
        missing = "password" if params.get("username") else "username"
        raise OptionError(missing, "username and password must be given together")
    if given[0] == "username/password" and not params.get("token_url") and not derive_token_url(params.get("scim_url")):
        raise OptionError("token_url", TOKEN_URL_NEEDED % params.get("scim_url"))
    for name, minimum in (("timeout", 0.001), ("max_retries", 0), ("requests_per_minute", 0)):
        if params.get(name) is not None and params[name] < minimum:
            raise OptionError(name, "must be at least %s" % minimum)


def _from_environment(params, keys):
    """True when every value given for these options is the one its TOTANGO_* variable holds."""
    values = [(key, params.get(key)) for key in keys if params.get(key)]
    return bool(values) and all(os.environ.get(ENV_NAMES[key]) == value for key, value in values)


def _check_url(params, name, required):
    value = params.get(name)
    if not value:
        if required:
            raise OptionError(name, "is required (or set %s), e.g. https://app.totango.com/t01/on/api/v2/scim/services/235"
                              % ENV_NAMES[name])
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise OptionError(name, "must be an absolute http:// or https:// URL, got %r" % value)


def client_options(params):
    """The ScimClient keyword arguments from module parameters."""
    return dict(
        scim_url=params["scim_url"], app_token=params.get("app_token"), access_token=params.get("access_token"),
        username=params.get("username"), password=params.get("password"), token_url=params.get("token_url"),
        validate_certs=params["validate_certs"], timeout=params["timeout"], max_retries=params["max_retries"],
        requests_per_minute=params["requests_per_minute"],
    )
