# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Planning and applying one user: the requests each case costs, in order.

Most tests drive ensure_user with a fake client that records every call and answers from a
script, so the exact sequence (write, read, write...) is asserted. The last ones run the same
cases against the Totango simulator over HTTP.
"""

from urllib.parse import parse_qs

import pytest
from ansible_collections.scimops.totango.plugins.module_utils._client import ScimClient
from ansible_collections.scimops.totango.plugins.module_utils._dialect import (
    USER_GROUPS_IGNORED,
    PatchDialects,
    UserGroups,
)
from ansible_collections.scimops.totango.plugins.module_utils._errors import (
    OptionError,
    ScimAmbiguousWriteError,
    ScimError,
)
from ansible_collections.scimops.totango.plugins.module_utils._teams import (
    TeamDirectory,
)
from ansible_collections.scimops.totango.plugins.module_utils._user_api import find_user
from ansible_collections.scimops.totango.plugins.module_utils._user_model import (
    CORE_SCHEMA,
    TOTANGO_SCHEMA,
    validate_user_options,
)
from ansible_collections.scimops.totango.plugins.module_utils._user_sync import (
    ensure_user,
    plan_user,
)

EMAIL = "new.hire@example.com"
TEAMS = [{"id": "1000", "displayName": "Default Team"}, {"id": "2694", "displayName": "Global Team"}]


def existing_user(**changes):
    resource = {
        "schemas": [CORE_SCHEMA, TOTANGO_SCHEMA], "id": "100001", "userName": EMAIL,
        "name": {"givenName": "New", "familyName": "Hire"}, "displayName": "Hire New", "active": True,
        "groups": [{"value": "1000", "display": "Default Team", "teamrole": "Member"}],
        TOTANGO_SCHEMA: {"license": ["spark"], "isAdmin": False},
    }
    resource.update(changes)
    return resource


class RecordingClient:
    """Records every call; answers writes from `answers` (a value, or an exception to raise) and reads from `users`."""

    def __init__(self, answers=None, users=None, teams=None):
        self.calls = []
        self.answers = list(answers or [])
        self.users = users if users is not None else []
        self.teams = teams if teams is not None else TEAMS
        self.notes = []
        self.dialects = PatchDialects(self.note)

    def note(self, sentence):
        self.notes.append(sentence)

    def _write(self, method, path, body):
        self.calls.append((method, path, body))
        if not self.answers:
            return None
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def post(self, path, body, action):
        return self._write("POST", path, body)

    def put(self, path, body, action):
        return self._write("PUT", path, body)

    def patch(self, path, operations, action):
        return self._write("PATCH", path, operations)

    def get(self, path, action, params=None):
        self.calls.append(("GET", path, params))
        raise AssertionError("unexpected single GET %s" % path)

    def iter_resources(self, path, action, params=None, parallel=1):
        self.calls.append(("LIST", path, params))
        if path == "/Groups":
            return iter(self.teams)
        users = self.users() if callable(self.users) else self.users
        return iter(users)

    def methods(self):
        return [call[0] for call in self.calls]


def new_hire(**options):
    return dict({"user_name": EMAIL, "given_name": "New", "family_name": "Hire"}, **options)


def run(client, options, **kwargs):
    return ensure_user(client, options, TeamDirectory(client), **kwargs)


def conflict():
    return ScimError(status=409, scim_type="uniqueness", detail="user already exists", action="creating user")


def lost():
    return ScimAmbiguousWriteError(detail="the connection was dropped", action="creating user")


# -- creating ------------------------------------------------------------------------

def test_a_minimal_201_without_id_is_read_back_once():
    created = existing_user()
    minimal = {"schemas": [CORE_SCHEMA, TOTANGO_SCHEMA], "meta": {"resourceType": "User"}, "userName": EMAIL}
    client = RecordingClient(answers=[minimal], users=[created])
    plan, resource = run(client, new_hire())
    assert client.methods() == ["POST", "LIST"]
    assert client.calls[1][2] == {"filter": 'userName eq "%s"' % EMAIL}
    assert resource["id"] == "100001"
    assert plan.action == "create" and plan.before == {}


def test_a_201_with_an_id_is_not_read_back():
    client = RecordingClient(answers=[existing_user()])
    _plan, resource = run(client, new_hire(title="Engineer"))
    assert client.methods() == ["POST"]
    assert resource["id"] == "100001"
    body = client.calls[0][2]
    assert body["userName"] == EMAIL and body["title"] == "Engineer"
    assert body["name"] == {"givenName": "New", "familyName": "Hire"}


def test_create_needs_given_and_family_name_before_any_request():
    client = RecordingClient()
    with pytest.raises(OptionError) as caught:
        run(client, {"user_name": EMAIL, "given_name": "New"}, prefix="users[4].")
    assert caught.value.option == "users[4].family_name"
    assert client.calls == []


def test_an_unknown_team_fails_before_any_write():
    client = RecordingClient()
    with pytest.raises(OptionError) as caught:
        run(client, new_hire(teams=[{"name": "Nope"}]))
    assert caught.value.option == "teams[0]"
    assert "no team with name 'Nope'" in caught.value.rule
    assert client.methods() == ["LIST"]


def test_a_team_name_several_teams_share_is_refused_not_guessed():
    client = RecordingClient()
    client.teams = client.teams + [{"id": "2699", "displayName": "GLOBAL TEAM"}]
    with pytest.raises(OptionError) as caught:
        run(client, new_hire(teams=[{"name": "global team"}]), prefix="users[2].")
    assert caught.value.option == "users[2].teams[0]"
    assert "several teams" in caught.value.rule and "2699" in caught.value.rule
    assert client.methods() == ["LIST"]
    # The exact name still picks its one team.
    plan, _resource = run(RecordingClient(), new_hire(teams=[{"name": "Global Team"}]), check_mode=True)
    assert plan.after["teams"][0]["name"] == "Global Team"


def test_a_team_name_matches_the_users_own_team_exactly_and_costs_no_listing():
    current = existing_user(groups=[{"value": "2694", "display": "Global Team", "teamrole": "Member"}])
    client = RecordingClient()
    plan = plan_user({"user_name": EMAIL, "teams": [{"name": "Global Team"}]}, current, TeamDirectory(client))
    assert not plan.changed and client.calls == []


def test_a_user_in_the_case_twin_of_the_team_asked_for_is_moved():
    # Totango's team names are case-sensitive: being in "global team" is not being in "Global Team".
    teams = TEAMS + [{"id": "2603", "displayName": "global team"}]
    current = existing_user(groups=[{"value": "2603", "display": "global team", "teamrole": "Member"}])
    client = RecordingClient(teams=teams)
    plan = plan_user({"user_name": EMAIL, "teams": [{"name": "Global Team"}]}, current, TeamDirectory(client))
    assert plan.action == "patch"
    assert [team["id"] for team in plan.after["teams"]] == ["2694"]
    assert client.methods() == ["LIST"]


def test_a_name_in_another_case_is_looked_up_even_when_the_user_holds_a_team_so_named():
    # "GLOBAL TEAM" matches the user's own "global team" only case-insensitively; the list decides.
    teams = TEAMS + [{"id": "2603", "displayName": "global team"}]
    current = existing_user(groups=[{"value": "2603", "display": "global team", "teamrole": "Member"}])
    with pytest.raises(OptionError, match="several teams"):
        plan_user({"user_name": EMAIL, "teams": [{"name": "GLOBAL TEAM"}]}, current,
                  TeamDirectory(RecordingClient(teams=teams)))
    unique = plan_user({"user_name": EMAIL, "teams": [{"name": "DEFAULT TEAM"}]}, current,
                       TeamDirectory(RecordingClient(teams=teams)))
    assert [team["id"] for team in unique.after["teams"]] == ["1000"]


def test_case_twins_can_both_be_listed():
    teams = TEAMS + [{"id": "2603", "displayName": "global team"}]
    current = existing_user(groups=[{"value": "2603", "display": "global team", "teamrole": "Member"}])
    options = {"user_name": EMAIL, "teams": [{"name": "global team"}, {"name": "Global Team"}]}
    validate_user_options(options)
    plan = plan_user(options, current, TeamDirectory(RecordingClient(teams=teams)))
    assert [team["id"] for team in plan.after["teams"]] == ["2603", "2694"]


def test_two_names_of_one_team_are_listed_twice():
    # Only "Global Team" exists, so "GLOBAL TEAM" is that team again: refused once resolved.
    with pytest.raises(OptionError) as caught:
        plan_user(new_hire(teams=[{"name": "Global Team"}, {"name": "GLOBAL TEAM"}]), None,
                  TeamDirectory(RecordingClient()))
    assert caught.value.option == "teams[1]" and "listed twice" in caught.value.rule


@pytest.mark.parametrize("option, value, rule", [
    ("user_name", "new.hire@example.com\nother@example.com", "e-mail"),
    ("manager_email", "boss@example.com\nx", "e-mail"),
    ("display_name", "", "empty"),
])
def test_values_that_would_never_converge_are_refused(option, value, rule):
    with pytest.raises(OptionError) as caught:
        validate_user_options(dict(new_hire(), **{option: value}))
    assert caught.value.option == option and rule in caught.value.rule


@pytest.mark.parametrize("spelling", ["New.Hire@Example.com ", " new.hire@example.com\n", "\tNEW.HIRE@EXAMPLE.COM"])
def test_surrounding_whitespace_of_an_e_mail_is_trimmed_and_converges(spelling):
    validate_user_options(new_hire(user_name=spelling, manager_email=" Boss@Example.com "))
    plan, _resource = run(RecordingClient(), new_hire(user_name=spelling, manager_email=" Boss@Example.com "),
                          check_mode=True)
    assert plan.after["user_name"] == "new.hire@example.com" and plan.after["manager_email"] == "boss@example.com"
    assert plan.predicted["userName"] == "new.hire@example.com"
    rerun = plan_user(new_hire(user_name=spelling, manager_email=" Boss@Example.com "), plan.predicted,
                      TeamDirectory(RecordingClient()))
    assert rerun.action == "none", rerun.changes


def test_an_apostrophe_in_an_e_mail_is_accepted():
    validate_user_options(new_hire(user_name="o'brien@example.com", manager_email="d'arcy@example.com"))
    client = RecordingClient()
    plan, _resource = run(client, new_hire(user_name="o'brien@example.com"), check_mode=True)
    assert plan.action == "create" and plan.after["user_name"] == "o'brien@example.com"


def test_check_mode_predicts_without_writing():
    client = RecordingClient()
    plan, resource = run(client, new_hire(teams=[{"name": "global team", "role": "Team Admin"}]), check_mode=True)
    assert client.methods() == ["LIST"]  # the team directory, to resolve the name
    assert plan.changed and plan.action == "create"
    assert resource["groups"] == [{"value": "2694", "teamrole": "Team Admin", "display": "Global Team"}]
    assert plan.diff["after"]["teams"] == [{"id": "2694", "name": "Global Team", "role": "Team Admin"}]


# -- conflicts and lost answers -----------------------------------------------------------

def test_409_adopts_the_existing_user_and_patches_only_the_difference():
    client = RecordingClient(answers=[conflict(), None], users=[existing_user()])
    plan, resource = run(client, new_hire(title="Engineer"))
    assert client.methods() == ["POST", "LIST", "PATCH"]
    assert client.calls[2] == ("PATCH", "/Users/100001", [{"op": "replace", "path": "title", "value": "Engineer"}])
    assert resource["title"] == "Engineer"
    assert plan.before == {}, "an adopted user is reported as created by this run"


def test_409_adopts_an_identical_user_without_writing_again():
    client = RecordingClient(answers=[conflict()], users=[existing_user()])
    plan, resource = run(client, new_hire())
    assert client.methods() == ["POST", "LIST"]
    assert resource["id"] == "100001"
    assert plan.changed


def test_409_for_someone_the_lookup_cannot_find_reports_the_conflict():
    # e.g. "Validate External ID Uniqueness": the 409 is about another user's externalId.
    error = ScimError(status=409, scim_type="uniqueness", detail="externalId already exists", action="creating user")
    client = RecordingClient(answers=[error, error, error], users=[])
    with pytest.raises(ScimError) as caught:
        run(client, new_hire(external_id="E1"))
    assert caught.value.status == 409 and caught.value.detail == "externalId already exists"
    assert client.methods() == ["POST", "LIST"], "the same POST was repeated after a 409"


def test_a_lost_post_is_followed_by_a_read_before_any_retry():
    # The POST landed: the read finds the user and no second POST is sent.
    client = RecordingClient(answers=[lost()], users=[existing_user()])
    _plan, resource = run(client, new_hire())
    assert client.methods() == ["POST", "LIST"]
    assert resource["id"] == "100001"


def test_a_lost_post_that_did_not_land_is_sent_again_after_the_read():
    client = RecordingClient(answers=[lost(), existing_user()], users=[])
    _plan, resource = run(client, new_hire())
    assert client.methods() == ["POST", "LIST", "POST"]
    assert client.calls[0][2] == client.calls[2][2]
    assert resource["id"] == "100001"


def test_a_lost_post_then_a_409_adopts_whoever_created_the_user_meanwhile():
    reads = iter([[], [existing_user()]])
    client = RecordingClient(answers=[lost(), conflict()], users=lambda: next(reads))
    _plan, resource = run(client, new_hire())
    assert client.methods() == ["POST", "LIST", "POST", "LIST"]
    assert resource["id"] == "100001"


def test_a_minimal_201_is_not_read_back_when_the_caller_needs_no_id():
    client = RecordingClient(answers=[{"userName": EMAIL}], users=[existing_user()])
    _plan, resource = ensure_user(client, new_hire(), TeamDirectory(client), read_back=False)
    assert client.methods() == ["POST"]
    assert resource["userName"] == EMAIL


def test_lost_posts_give_up_after_three_attempts_reading_before_each_retry():
    client = RecordingClient(answers=[lost(), lost(), lost(), lost()], users=[])
    with pytest.raises(ScimError) as caught:
        run(client, new_hire())
    assert client.methods() == ["POST", "LIST", "POST", "LIST", "POST", "LIST"]
    assert "could not be created after 3 attempts" in str(caught.value)


def test_a_lost_patch_is_not_turned_into_something_else():
    error = ScimAmbiguousWriteError(detail="dropped", action="updating user")
    client = RecordingClient(answers=[error])
    with pytest.raises(ScimAmbiguousWriteError):
        run(client, new_hire(title="Engineer"), current=existing_user())
    assert client.methods() == ["PATCH"]


def test_other_errors_on_create_are_not_retried():
    error = ScimError(status=400, scim_type="invalidValue", detail="userName must be an email", action="creating")
    client = RecordingClient(answers=[error])
    with pytest.raises(ScimError) as caught:
        run(client, new_hire())
    assert caught.value is error
    assert client.methods() == ["POST"]


# -- updating and disabling ---------------------------------------------------------------

def test_disabled_on_a_missing_user_does_nothing():
    client = RecordingClient()
    plan, resource = run(client, {"user_name": EMAIL}, state="disabled")
    assert client.calls == []
    assert not plan.changed and resource is None


def test_disabled_patches_active_false_once():
    client = RecordingClient(answers=[None])
    plan, resource = run(client, {"user_name": EMAIL}, state="disabled", current=existing_user())
    assert client.calls == [("PATCH", "/Users/100001", [{"op": "replace", "path": "active", "value": False}])]
    assert resource["active"] is False
    assert plan.diff["before"]["active"] is True
    assert plan.diff["after"] == dict(plan.diff["before"], active=False)


def test_disabled_on_a_disabled_user_does_nothing():
    client = RecordingClient()
    plan, _resource = run(client, {"user_name": EMAIL}, state="disabled", current=existing_user(active=False))
    assert client.calls == [] and not plan.changed


def test_an_unchanged_user_costs_nothing():
    client = RecordingClient()
    plan, resource = run(client, new_hire(user_name=EMAIL.upper(), teams=[{"id": "1000"}]), current=existing_user())
    assert client.calls == [] and not plan.changed
    assert resource == existing_user()


def test_display_name_needs_a_put_that_keeps_the_rest():
    client = RecordingClient(answers=[None])
    plan, resource = run(client, new_hire(display_name="N. Hire"), current=existing_user())
    assert plan.action == "put"
    method, path, body = client.calls[0]
    assert (method, path) == ("PUT", "/Users/100001")
    assert body["displayName"] == "N. Hire"
    assert body["groups"] == [{"value": "1000", "teamrole": "Member", "display": "Default Team"}]
    assert body[TOTANGO_SCHEMA]["license"] == ["spark"]
    assert resource == body


def test_plan_refuses_a_paid_user_to_viewer():
    with pytest.raises(OptionError) as caught:
        plan_user({"user_name": EMAIL, "license": "viewer"}, existing_user(), TeamDirectory(RecordingClient()))
    assert caught.value.option == "license"


# -- the same against the simulator over HTTP ----------------------------------------------

def sim_client(sim):
    from tests.simulator.defaults import SIM_APP_TOKEN
    return ScimClient(sim.scim_url, app_token=SIM_APP_TOKEN, requests_per_minute=0, backoff_base=0.01,
                      timeout=5, max_retries=3)


def user_body(email=EMAIL, **extra):
    body = {"schemas": [CORE_SCHEMA, TOTANGO_SCHEMA], "userName": email,
            "name": {"givenName": "New", "familyName": "Hire"}}
    body.update(extra)
    return body


def scim_log(sim):
    return [(e["method"], e["path"], parse_qs(e["query"] or "").get("filter", [None])[0]) for e in sim.log()
            if e["path"] != "token"]


def test_sim_minimal_create_reads_back_once(sim):
    sim.configure(create_response="minimal")
    client = sim_client(sim)
    _plan, resource = ensure_user(client, new_hire(), TeamDirectory(client))
    assert scim_log(sim) == [("POST", "/Users", None), ("GET", "/Users", 'userName eq "%s"' % EMAIL)]
    assert resource["id"] and resource["userName"] == EMAIL


def test_sim_lost_post_is_read_before_retrying_and_creates_no_duplicate(sim):
    sim.configure(faults={"script": [{"fault": "drop_after", "method": "POST", "path": "^/Users$"}]})
    client = sim_client(sim)
    _plan, resource = ensure_user(client, new_hire(), TeamDirectory(client))
    assert scim_log(sim) == [("POST", "/Users", None), ("GET", "/Users", 'userName eq "%s"' % EMAIL)]
    assert [u["userName"] for u in sim.users()].count(EMAIL) == 1
    assert resource["id"] == sim.user(EMAIL)["id"]


def test_sim_409_adopts_and_converges(sim):
    sim.seed_users([user_body(EMAIL.upper(), title="Intern")])
    client = sim_client(sim)
    _plan, resource = ensure_user(client, new_hire(title="Engineer"), TeamDirectory(client))
    methods = [(m, p) for m, p, _f in scim_log(sim)]
    assert methods[:2] == [("POST", "/Users"), ("GET", "/Users")]
    assert methods[2][0] == "PATCH" and len(methods) == 3
    assert sim.user(EMAIL)["title"] == "Engineer"
    assert resource["title"] == "Engineer"


def test_sim_disabled_on_missing_user_sends_nothing(sim):
    client = sim_client(sim)
    plan, _resource = ensure_user(client, {"user_name": EMAIL}, TeamDirectory(client), state="disabled")
    assert not plan.changed
    assert sim.log() == []


def test_one_team_given_by_id_and_by_name_is_listed_twice():
    # Validation cannot see this before the names are resolved; the plan must, before any write.
    client = RecordingClient()
    with pytest.raises(OptionError) as caught:
        run(client, new_hire(teams=[{"id": "2694", "role": "Member"}, {"name": "global team"}]))
    assert caught.value.option == "teams[1]"
    assert "listed twice" in caught.value.rule
    assert "POST" not in client.methods()


def test_a_lookup_by_e_mail_asks_in_lower_case_as_totango_stores_it():
    client = RecordingClient(users=[existing_user()])
    assert find_user(client, " " + EMAIL.upper() + " ")["id"] == "100001"
    assert client.calls == [("LIST", "/Users", {"filter": 'userName eq "%s"' % EMAIL.lower()})]


# -- the result is what the server kept ----------------------------------------------------------

def test_a_patch_answered_with_a_resource_reports_what_it_kept():
    kept = existing_user(title="engineer")  # a server that lower-cases titles
    client = RecordingClient(answers=[kept])
    plan, resource = run(client, new_hire(title="Engineer"), current=existing_user(title="Intern"), prefix="users[2].")
    assert resource == kept and plan.diff["after"]["title"] == "engineer"
    assert client.notes == ["users[2].title: the server kept 'engineer' where 'Engineer' was asked"]


def test_values_the_server_normalises_as_the_next_run_compares_them_are_no_difference():
    # E-mails and licenses are compared case-insensitively, so a server lower-casing them converges.
    kept = existing_user(**{TOTANGO_SCHEMA: {"license": ["ZOE"], "managerEmail": "Boss@Example.com", "isAdmin": False}})
    client = RecordingClient(answers=[kept])
    plan, _resource = run(client, new_hire(license="zoe", manager_email="boss@example.com"), current=existing_user())
    assert client.methods() == ["PATCH"] and client.notes == []
    assert plan.after["license"] == "zoe" and plan.after["manager_email"] == "boss@example.com"


def test_a_204_keeps_the_prediction():
    client = RecordingClient(answers=[None])
    plan, resource = run(client, new_hire(title="Engineer"), current=existing_user(title="Intern"))
    assert resource["title"] == "Engineer" and plan.after["title"] == "Engineer" and client.notes == []


def test_a_server_refusing_teams_on_the_user_says_where_teams_go_instead():
    refusal = ScimError(status=400, scim_type="mutability", detail="'groups' is read-only", action="updating user")
    client = RecordingClient(answers=[refusal])
    with pytest.raises(ScimError) as caught:
        run(client, new_hire(teams=[{"id": "2694"}]), current=existing_user())
    assert "'groups' is read-only; this server keeps no teams on its users" in str(caught.value)
    assert "totango_group_members" in str(caught.value) and client.methods() == ["LIST", "PATCH"]


# -- teams a server did not keep from the user write go through /Groups ---------------------------
# A server that ignores User.groups (RFC 7643's readOnly) costs one PATCH of /Groups per team joined or
# left; one that keeps them costs what it did before, plus at most one read per run when no answer so
# far showed which it is.

IN_DEFAULT = [{"value": "1000", "display": "Default Team", "teamrole": "Member"}]
IN_GLOBAL = [{"value": "2694", "display": "Global Team", "teamrole": "Member"}]


def calls(client):
    """(method, path) of every call; a LIST of /Users is the filter read of one user."""
    return [(method, path) for method, path, _body in client.calls]


def ops(client, index):
    return client.calls[index][2]


def add_op(user_id="100001"):
    return [{"op": "add", "path": "members", "value": [{"value": user_id}]}]


def remove_op(user_id="100001"):
    return [{"op": "remove", "path": "members", "value": [{"value": user_id}]}]


def test_a_create_answered_without_the_team_joins_it_through_groups_and_leaves_the_default_team():
    kept = existing_user(title="Engineer")  # a readOnly-groups server put the new user in its default team
    client = RecordingClient(answers=[kept])
    plan, resource = run(client, new_hire(title="Engineer", teams=[{"name": "Global Team"}]))
    assert calls(client) == [("LIST", "/Groups"), ("POST", "/Users"), ("PATCH", "/Groups/2694"),
                             ("PATCH", "/Groups/1000")]
    assert ops(client, 2) == add_op() and ops(client, 3) == remove_op()
    assert plan.after["teams"] == [{"id": "2694", "name": "Global Team", "role": None}]
    assert [g["value"] for g in resource["groups"]] == ["2694"] and resource["id"] == "100001"
    assert client.notes == [USER_GROUPS_IGNORED], "one warning naming teams, no 'kept otherwise' for them"
    assert client.dialects.user_groups.ignored


def test_a_role_cannot_go_through_groups_and_is_said_so():
    client = RecordingClient(answers=[existing_user(groups=[])])
    plan, _resource = run(client, new_hire(teams=[{"name": "Global Team", "role": "Team Admin"}]), prefix="users[3].")
    assert calls(client)[-1] == ("PATCH", "/Groups/2694")
    assert plan.after["teams"] == [{"id": "2694", "name": "Global Team", "role": None}]
    assert client.notes[0] == USER_GROUPS_IGNORED
    assert client.notes[1].startswith("users[3].teams: /Groups holds no team role: Global Team joined without the "
                                      "role asked (Team Admin)")


def test_a_patch_answered_204_is_checked_once_per_run_by_reading_the_user():
    # The server ignored groups: the read shows the user still in the default team.
    current = existing_user(title="Intern")
    client = RecordingClient(answers=[None], users=[existing_user(title="Engineer")])
    plan, resource = run(client, new_hire(title="Engineer", teams=[{"id": "2694"}]), current=current)
    assert calls(client) == [("LIST", "/Groups"), ("PATCH", "/Users/100001"), ("LIST", "/Users"),
                             ("PATCH", "/Groups/2694"), ("PATCH", "/Groups/1000")]
    assert [op["path"] for op in ops(client, 1)] == ["groups", "title"], "the first write still carries the teams"
    assert plan.diff["after"]["teams"] == [{"id": "2694", "name": "Global Team"}]
    assert resource["title"] == "Engineer" and [g["value"] for g in resource["groups"]] == ["2694"]
    assert client.notes == [USER_GROUPS_IGNORED]

    # The next user of the same run: no check, no groups on the user, teams through /Groups.
    client.calls = []
    other = existing_user(id="100002", userName="other@example.com", title="Intern")
    plan, _resource = run(client, dict(new_hire(title="Boss", teams=[{"id": "2694"}]), user_name="other@example.com"),
                          current=other)
    assert calls(client) == [("LIST", "/Groups"), ("PATCH", "/Users/100002"), ("PATCH", "/Groups/2694"),
                             ("PATCH", "/Groups/1000")]
    assert [op["path"] for op in ops(client, 1)] == ["title"]
    assert ops(client, 2) == add_op("100002")

    # A change of teams only costs no user write at all.
    client.calls = []
    plan, _resource = run(client, dict(new_hire(teams=[{"id": "2694"}]), user_name="other@example.com"),
                          current=other)
    assert calls(client) == [("LIST", "/Groups"), ("PATCH", "/Groups/2694"), ("PATCH", "/Groups/1000")]
    assert plan.changed and plan.after["teams"][0]["id"] == "2694"
    assert client.notes == [USER_GROUPS_IGNORED], "told once per run"


def test_a_server_that_keeps_groups_pays_one_check_per_run_and_no_more():
    current = existing_user()
    client = RecordingClient(answers=[None, None], users=[existing_user(groups=IN_GLOBAL)])
    _plan, resource = run(client, new_hire(teams=[{"id": "2694"}]), current=current)
    assert calls(client) == [("LIST", "/Groups"), ("PATCH", "/Users/100001"), ("LIST", "/Users")]
    assert [g["value"] for g in resource["groups"]] == ["2694"] and client.notes == []
    client.calls = []
    run(client, new_hire(teams=[{"id": "1000"}]), current=existing_user(groups=IN_GLOBAL))
    assert calls(client) == [("LIST", "/Groups"), ("PATCH", "/Users/100001")], "known: no second check"


def test_a_create_answered_with_the_teams_costs_no_check_for_the_rest_of_the_run():
    client = RecordingClient(answers=[existing_user(groups=IN_GLOBAL), None])
    run(client, new_hire(teams=[{"id": "2694"}]))
    run(client, new_hire(teams=[{"id": "1000"}]), current=existing_user(groups=IN_GLOBAL))
    assert calls(client) == [("LIST", "/Groups"), ("POST", "/Users"), ("LIST", "/Groups"), ("PATCH", "/Users/100001")]
    assert client.dialects.user_groups.known and not client.dialects.user_groups.ignored


def test_a_write_without_teams_is_never_checked():
    client = RecordingClient(answers=[None])
    run(client, new_hire(title="Engineer"), current=existing_user())
    assert calls(client) == [("PATCH", "/Users/100001")]
    assert not client.dialects.user_groups.known


def test_a_roster_create_without_id_is_read_for_the_check_and_for_the_id():
    minimal = {"schemas": [], "userName": EMAIL}
    client = RecordingClient(answers=[minimal], users=[existing_user()])
    _plan, resource = run(client, new_hire(teams=[{"id": "2694"}]), read_back=False)
    assert calls(client) == [("LIST", "/Groups"), ("POST", "/Users"), ("LIST", "/Users"), ("PATCH", "/Groups/2694"),
                             ("PATCH", "/Groups/1000")]
    assert resource["id"] == "100001"


def test_check_mode_predicts_the_teams_and_sends_nothing():
    client = RecordingClient()
    client.dialects.user_groups.learn(False)
    plan, resource = run(client, new_hire(teams=[{"id": "2694"}]), current=existing_user(), check_mode=True)
    assert calls(client) == [("LIST", "/Groups")]
    assert plan.diff["after"]["teams"] == [{"id": "2694", "name": "Global Team"}]
    assert [g["value"] for g in resource["groups"]] == ["2694"]


def test_the_verdict_sticks_once_ignored_and_is_told_once():
    told = []
    groups = UserGroups(told.append)
    assert not groups.known
    groups.learn(True)
    assert groups.known and not groups.ignored
    groups.learn(False)
    groups.learn(True)
    groups.learn(False)
    assert groups.ignored and told == [USER_GROUPS_IGNORED]


def test_a_failed_team_write_after_a_create_is_no_reason_to_adopt_or_post_again():
    refusal = ScimError(status=409, scim_type="uniqueness", detail="busy", action="adding 1 members to team Global Team")
    client = RecordingClient(answers=[existing_user(), refusal])
    with pytest.raises(ScimError) as caught:
        run(client, new_hire(teams=[{"id": "2694"}]))
    assert calls(client) == [("LIST", "/Groups"), ("POST", "/Users"), ("PATCH", "/Groups/2694")]
    assert caught.value.status == 409 and "user %s was written" % EMAIL in str(caught.value)
