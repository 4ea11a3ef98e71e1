# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The connection options every module shares: their spec and their checks."""

import pytest
from ansible_collections.scimops.totango.plugins.module_utils._connection import (
    check_connection_options,
    client_options,
    connection_argument_spec,
)
from ansible_collections.scimops.totango.plugins.module_utils._errors import OptionError

SCIM_URL = "https://app.totango.com/t01/on/api/v2/scim/services/235"


def params(**overrides):
    base = {"scim_url": SCIM_URL, "app_token": None, "access_token": None, "username": None, "password": None,
            "token_url": None, "validate_certs": True, "timeout": 30, "max_retries": 5, "requests_per_minute": 100}
    base.update(overrides)
    return base


def rejected(**overrides):
    with pytest.raises(OptionError) as caught:
        check_connection_options(params(**overrides))
    return caught.value


@pytest.mark.parametrize("auth", [
    {"app_token": "t"}, {"access_token": "t"}, {"username": "admin@example.com", "password": "p"},
])
def test_each_single_way_of_authenticating_is_accepted(auth):
    check_connection_options(params(**auth))


def test_no_credentials_names_every_way_and_the_environment():
    error = rejected()
    assert error.option == "app_token"
    for name in ("app_token", "access_token", "username and password", "TOTANGO_APP_TOKEN"):
        assert name in error.rule


@pytest.mark.parametrize("auth, option, both", [
    ({"app_token": "t", "access_token": "a"}, "app_token", "app_token and access_token"),
    ({"app_token": "t", "username": "u", "password": "p"}, "app_token", "app_token and username/password"),
    ({"access_token": "a", "password": "p"}, "access_token", "access_token and username/password"),
])
def test_two_ways_of_authenticating_are_refused(auth, option, both):
    error = rejected(**auth)
    assert error.option == option
    assert "exactly one way of authenticating" in error.rule and both in error.rule
    assert "TOTANGO_" in error.rule  # an environment variable may be the second one


def test_a_way_set_on_the_task_wins_over_one_from_the_environment(monkeypatch):
    # AWX injects TOTANGO_USERNAME and TOTANGO_PASSWORD; the play passes a token from totango_token.
    monkeypatch.setenv("TOTANGO_USERNAME", "admin@example.com")
    monkeypatch.setenv("TOTANGO_PASSWORD", "p")
    given = params(username="admin@example.com", password="p", access_token="fetched")
    check_connection_options(given)
    assert (given["access_token"], given["username"], given["password"]) == ("fetched", None, None)
    assert client_options(given)["username"] is None


def test_two_ways_both_from_the_environment_or_both_from_the_task_are_refused(monkeypatch):
    monkeypatch.setenv("TOTANGO_APP_TOKEN", "t")
    monkeypatch.setenv("TOTANGO_ACCESS_TOKEN", "a")
    assert "exactly one way" in rejected(app_token="t", access_token="a").rule
    monkeypatch.delenv("TOTANGO_ACCESS_TOKEN")
    monkeypatch.delenv("TOTANGO_APP_TOKEN")
    assert "exactly one way" in rejected(app_token="t", access_token="a").rule


def test_totango_token_needs_no_scim_url_when_a_token_url_is_given():
    check_connection_options(params(scim_url=None, username="u@example.com", password="p",
                                    token_url="https://app.totango.com/t01/on/oauth2/api/v1/token"),
                             scim_url_required=False)


@pytest.mark.parametrize("auth, missing", [({"username": "admin@example.com"}, "password"),
                                           ({"password": "p"}, "username")])
def test_username_and_password_go_together(auth, missing):
    error = rejected(**auth)
    assert error.option == missing
    assert "username and password must be given together" in error.rule


@pytest.mark.parametrize("url", ["app.totango.com/t01/on/api/v2/scim/services/235", "ftp://app.totango.com/x",
                                 "https://", "just words"])
def test_scim_url_must_be_an_absolute_http_url(url):
    error = rejected(scim_url=url, app_token="t")
    assert error.option == "scim_url"
    assert "must be an absolute http:// or https:// URL" in error.rule and url in error.rule


@pytest.mark.parametrize("url", [None, ""])
def test_scim_url_is_required(url):
    error = rejected(scim_url=url, app_token="t")
    assert error.option == "scim_url"
    assert "is required" in error.rule and "TOTANGO_SCIM_URL" in error.rule


def test_scim_url_is_checked_before_credentials():
    assert rejected(scim_url="nope").option == "scim_url"


def test_token_url_is_optional_but_must_be_a_url():
    check_connection_options(params(username="u", password="p", token_url="https://app.totango.com/t01/on/oauth2/api/v1/token"))
    assert rejected(app_token="t", token_url="app.totango.com/token").option == "token_url"


@pytest.mark.parametrize("name, value", [("timeout", 0), ("timeout", -1), ("max_retries", -1),
                                         ("requests_per_minute", -5)])
def test_numbers_must_be_in_range(name, value):
    error = rejected(app_token="t", **{name: value})
    assert error.option == name and "must be at least" in error.rule


def test_zero_retries_and_no_pacing_are_allowed():
    check_connection_options(params(app_token="t", max_retries=0, requests_per_minute=0))


def test_the_spec_hides_every_secret_and_reads_the_environment():
    spec = connection_argument_spec()
    assert {name for name, option in spec.items() if option.get("no_log")} == {"app_token", "access_token", "password"}
    for name, env in (("scim_url", "TOTANGO_SCIM_URL"), ("app_token", "TOTANGO_APP_TOKEN"),
                      ("access_token", "TOTANGO_ACCESS_TOKEN"), ("username", "TOTANGO_USERNAME"),
                      ("password", "TOTANGO_PASSWORD"), ("token_url", "TOTANGO_TOKEN_URL")):
        assert spec[name]["fallback"][1] == [env]
    assert spec["validate_certs"]["default"] is True
    assert (spec["timeout"]["default"], spec["max_retries"]["default"], spec["requests_per_minute"]["default"]) == (30, 5, 100)


def test_the_spec_is_a_fresh_copy_each_time():
    first = connection_argument_spec()
    first["timeout"]["default"] = 1
    assert connection_argument_spec()["timeout"]["default"] == 30


def test_client_options_carry_every_connection_option():
    options = client_options(params(username="u", password="p", timeout=7.5, validate_certs=False))
    assert options == {"scim_url": SCIM_URL, "app_token": None, "access_token": None, "username": "u", "password": "p",
                       "token_url": None, "validate_certs": False, "timeout": 7.5, "max_retries": 5, "requests_per_minute": 100}


@pytest.mark.parametrize("scim_url", ["https://api.totango.com/api/v2/scim/services/235",
                                      "https://api-eu1.totango.com/api/v2/scim/services/235"])
def test_username_and_password_need_token_url_where_scim_url_cannot_tell_it(scim_url):
    error = rejected(scim_url=scim_url, username="admin@example.com", password="p")
    assert error.option == "token_url" and scim_url in error.rule and "give token_url" in error.rule
    check_connection_options(params(scim_url=scim_url, username="admin@example.com", password="p",
                                    token_url="https://app.totango.com/t01/on/oauth2/api/v1/token"))
    check_connection_options(params(scim_url=scim_url, app_token="t"))  # a token needs no token URL
