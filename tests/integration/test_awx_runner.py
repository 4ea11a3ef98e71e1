# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The roles run through ansible-runner the way an AWX job template runs them, against the simulator.

What AWX does, and this test does too:
- the credential of the type in awx/credential_type.yml is injected as environment variables, rendered
  from its `injectors` with the credential's inputs (a Jinja sandbox; inputs left empty render as "");
- the survey answers (awx/survey-*.json) arrive as extra vars;
- the project is this repository, the playbook one of docs/examples/awx-*.yml, the inventory AWX's usual
  localhost (connection local, the playbook's own Python);
- job events and stdout are what AWX stores, so the secrets must appear in neither.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import requests
import yaml
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from tests.integration.harness import (
    REPO_ROOT,
    ansible_bin,
    collections_root,
)
from tests.simulator.defaults import TEST_SECRETS

CREDENTIAL_TYPE = REPO_ROOT / "awx" / "credential_type.yml"
ONBOARDING_SURVEY = REPO_ROOT / "awx" / "survey-onboarding.json"
OFFBOARDING_SURVEY = REPO_ROOT / "awx" / "survey-offboarding.json"
ONBOARDING_PLAYBOOK = "docs/examples/awx-onboarding.yml"
OFFBOARDING_PLAYBOOK = "docs/examples/awx-offboarding.yml"
# AWX's usual inventory for API automation: localhost, run with the Python that runs ansible-playbook.
INVENTORY = 'localhost ansible_connection=local ansible_python_interpreter="{{ ansible_playbook_python }}"\n'
EXPECTED_ENV = {"TOTANGO_SCIM_URL", "TOTANGO_APP_TOKEN", "TOTANGO_ACCESS_TOKEN", "TOTANGO_USERNAME",
                "TOTANGO_PASSWORD", "TOTANGO_TOKEN_URL"}
MASK = "**********"  # what AWX stores in place of a secret input
EXT = "urn:ietf:params:scim:schemas:totango:1.0:User"


def load_credential_type():
    with open(CREDENTIAL_TYPE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def load_survey(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def inject_credential(credential_type, inputs):
    """The env AWX gives the job, and the env it stores (secrets masked), for a credential with these inputs.

    As AWX's CredentialType.inject_credential: only inputs with a value are in the template namespace,
    and each env injector is rendered in an immutable Jinja sandbox.
    """
    sandbox = ImmutableSandboxedEnvironment()
    secret_fields = {field["id"] for field in credential_type["inputs"]["fields"] if field.get("secret")}
    namespace = {key: value for key, value in inputs.items() if value}
    safe_namespace = {key: (MASK if key in secret_fields else value) for key, value in namespace.items()}
    env, safe_env = {}, {}
    for name, template in credential_type["injectors"]["env"].items():
        env[name] = sandbox.from_string(template).render(**namespace)
        safe_env[name] = sandbox.from_string(template).render(**safe_namespace)
    return env, safe_env


def survey_answers(survey, answers):
    """The extra vars AWX sends for these answers: every answer is a survey question, every required one answered."""
    questions = {question["variable"]: question for question in survey["spec"]}
    unknown = set(answers) - set(questions)
    assert not unknown, f"answers to questions the survey does not ask: {sorted(unknown)}"
    for variable, question in questions.items():
        if question["required"]:
            assert answers.get(variable), f"the survey requires {variable}"
        if question["type"] == "multiplechoice" and variable in answers:
            assert answers[variable] in question["choices"]
        if variable in answers and "max" in question:
            assert len(answers[variable]) <= question["max"]
    # A question left as it is sends its default, as AWX does.
    defaults = {variable: q["default"] for variable, q in questions.items() if q.get("default") is not None}
    return dict(defaults, **answers)


def credential_inputs(sim, kind):
    inputs = {"scim_url": sim.scim_url}
    if kind == "app_token":
        inputs["app_token"] = sim.app_token
    else:
        inputs.update(username=sim.admin_user, password=sim.admin_password)
    return inputs


def run_job(playbook, tmp_path, name, playbook_path, credential_env, extra_vars):
    """One AWX job through the `playbook` fixture: a fresh private data dir, the repository as the project."""
    private_data_dir = tmp_path / name
    (private_data_dir / "inventory").mkdir(parents=True)
    (private_data_dir / "inventory" / "hosts").write_text(INVENTORY, encoding="utf-8")
    envvars = dict(credential_env)
    envvars.update({
        # what the execution environment provides: the collection installed where Ansible finds it
        "ANSIBLE_COLLECTIONS_PATH": str(collections_root()),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_LOCALHOST_WARNING": "False",
        # ansible-playbook of this venv first, as the execution environment's own is
        "PATH": str(Path(ansible_bin()).parent) + os.pathsep + os.environ.get("PATH", ""),
    })
    runner = playbook.runner(private_data_dir=private_data_dir, project_dir=REPO_ROOT, playbook=playbook_path,
                             envvars=envvars, extravars=extra_vars)
    stdout = runner.stdout.read()
    events = list(runner.events)
    assert runner.status == "successful" and runner.rc == 0, stdout[-4000:]
    # the job events AWX would store: one per task result, and the recap
    assert {"runner_on_ok", "playbook_on_stats"} <= {event["event"] for event in events}
    return runner, stdout, events, private_data_dir


def assert_no_secrets(stdout, events, private_data_dir):
    """What AWX shows and stores of a job (its stdout and job events) holds no secret.

    (The runner's own `command` artifact records the job's environment, credential included; AWX keeps
    only its masked copy of that environment, so that file is not what AWX stores.)
    """
    stored = [stdout, json.dumps(events, default=str)]
    for path in (private_data_dir / "artifacts").rglob("*"):
        if path.is_file() and (path.name == "stdout" or path.parent.name == "job_events"):
            stored.append(path.read_text(encoding="utf-8", errors="replace"))
    for text in stored:
        for secret in TEST_SECRETS:
            assert secret not in text


def changed_count(runner):
    return runner.stats["changed"].get("localhost", 0)


def scim_user(sim, user_name):
    response = requests.get(sim.scim_url + "/Users", params={"filter": f'userName eq "{user_name}"'},
                            headers={"app-token": sim.app_token}, timeout=10)
    response.raise_for_status()
    found = response.json()["Resources"]
    assert len(found) == 1, found
    return found[0]


# -- the credential type ------------------------------------------------------------------

def test_credential_type_injects_the_totango_environment():
    credential_type = load_credential_type()
    assert credential_type["kind"] == "cloud"  # the kind AWX allows for custom credential types
    fields = {field["id"]: field for field in credential_type["inputs"]["fields"]}
    assert credential_type["inputs"]["required"] == ["scim_url"]
    assert {name for name, field in fields.items() if field.get("secret")} == {"app_token", "access_token", "password"}
    assert all(field["type"] == "string" for field in fields.values())
    env = credential_type["injectors"]["env"]
    assert set(env) == EXPECTED_ENV
    assert not any(name.startswith("ANSIBLE_") for name in env)  # AWX refuses to inject ANSIBLE_* variables
    assert set(credential_type["injectors"]) == {"env"}  # not extra_vars: those would show in job events
    sandbox = ImmutableSandboxedEnvironment()
    for name, template in env.items():
        used = meta.find_undeclared_variables(sandbox.parse(template))
        assert used == {name[len("TOTANGO_"):].lower()}, (name, used)
        assert used <= set(fields)


def test_credential_injection_masks_secrets_in_what_awx_stores():
    inputs = {"scim_url": "https://app.totango.com/t01/on/api/v2/scim/services/235", "app_token": "s3cret"}
    env, safe_env = inject_credential(load_credential_type(), inputs)
    assert env["TOTANGO_SCIM_URL"] == inputs["scim_url"] and env["TOTANGO_APP_TOKEN"] == "s3cret"
    # inputs left empty are injected empty, which the modules treat as not given
    assert env["TOTANGO_USERNAME"] == env["TOTANGO_PASSWORD"] == env["TOTANGO_ACCESS_TOKEN"] == ""
    assert safe_env["TOTANGO_APP_TOKEN"] == MASK and "s3cret" not in json.dumps(safe_env)


def test_surveys_ask_what_the_playbooks_use():
    onboarding = {q["variable"] for q in load_survey(ONBOARDING_SURVEY)["spec"]}
    text = (REPO_ROOT / ONBOARDING_PLAYBOOK).read_text(encoding="utf-8")
    for variable in onboarding:
        assert variable in text, variable
    offboarding = load_survey(OFFBOARDING_SURVEY)["spec"]
    assert [q["variable"] for q in offboarding] == ["offboarding_users"]  # the role's own variable


# -- the jobs -----------------------------------------------------------------------------

def test_the_onboarding_survey_left_at_its_defaults_changes_only_what_was_answered(sim, tmp_path, monkeypatch, playbook):
    for name in EXPECTED_ENV:
        monkeypatch.delenv(name, raising=False)
    sim.add_team("Support")
    sim.seed_users([{"userName": "grace.hopper@example.com", "name": {"givenName": "Grace", "familyName": "Hopper"},
                     "title": "VP", EXT: {"license": ["spark"]}}])
    credential_env, _safe_env = inject_credential(load_credential_type(), credential_inputs(sim, "app_token"))
    answers = survey_answers(load_survey(ONBOARDING_SURVEY), {"new_user_email": "grace.hopper@example.com",
                                                              "new_user_teams": "Support"})
    sim.clear_log()
    job, stdout, events, data_dir = run_job(playbook, tmp_path, "onboard-defaults", ONBOARDING_PLAYBOOK, credential_env, answers)
    assert changed_count(job) == 1
    grace = scim_user(sim, "grace.hopper@example.com")
    assert grace[EXT]["license"] == ["spark"] and grace["title"] == "VP", "unanswered questions change nothing"
    assert [g["display"] for g in grace["groups"]] == ["Support"]
    assert_no_secrets(stdout, events, data_dir)


@pytest.mark.parametrize("credential_kind", ["app_token", "username_password"])
def test_awx_jobs_run_the_roles(sim, tmp_path, monkeypatch, credential_kind, playbook):
    for name in EXPECTED_ENV:
        monkeypatch.delenv(name, raising=False)  # only the credential may set them
    support = sim.add_team("Support")
    sim.add_team("Customer Success")
    credential_env, _safe_env = inject_credential(load_credential_type(), credential_inputs(sim, credential_kind))
    onboarding_vars = survey_answers(load_survey(ONBOARDING_SURVEY), {
        "new_user_email": "Ada.Lovelace@Example.com",
        "new_user_given_name": "Ada",
        "new_user_family_name": "Lovelace",
        "new_user_title": "",
        "new_user_license": "Contributor",  # Totango's current name; the API value is zoe
        "new_user_manager_email": "grace.hopper@example.com",
        "new_user_teams": "Support, Customer Success",
        "new_user_team_role": "Team Admin",
    })

    # onboarding, twice
    first, stdout, events, data_dir = run_job(playbook, tmp_path, "onboard-1", ONBOARDING_PLAYBOOK, credential_env, onboarding_vars)
    assert changed_count(first) == 1
    assert [(e["method"], e["path"]) for e in sim.writes()] == [("POST", "/Users")]
    assert_no_secrets(stdout, events, data_dir)
    ada = scim_user(sim, "ada.lovelace@example.com")
    assert ada["active"] is True and ada[EXT]["license"] == ["zoe"]
    assert ada[EXT]["managerEmail"] == "grace.hopper@example.com"
    assert "title" not in ada  # an empty answer manages nothing
    assert sorted((g["display"], g["teamrole"]) for g in ada["groups"]) == [
        ("Customer Success", "Team Admin"), ("Support", "Team Admin")]

    sim.clear_log()
    second, stdout, events, data_dir = run_job(playbook, tmp_path, "onboard-2", ONBOARDING_PLAYBOOK, credential_env, onboarding_vars)
    assert changed_count(second) == 0
    assert sim.writes() == []
    assert_no_secrets(stdout, events, data_dir)

    # offboarding, twice; the survey's textarea answer goes to the role as it is
    offboarding_vars = survey_answers(load_survey(OFFBOARDING_SURVEY), {
        "offboarding_users": "ada.lovelace@example.com\nnobody@example.com\n"})
    sim.clear_log()
    first, stdout, events, data_dir = run_job(playbook, tmp_path, "offboard-1", OFFBOARDING_PLAYBOOK, credential_env, offboarding_vars)
    assert changed_count(first) == 1  # one task: disabled, and taken out of her teams
    assert len(sim.writes()) == 3  # the user, and each of her two teams
    assert_no_secrets(stdout, events, data_dir)
    ada = scim_user(sim, "ada.lovelace@example.com")
    assert ada["active"] is False and not ada.get("groups")
    assert ada["id"] not in [m["value"] for m in sim.team(support)["members"]]

    sim.clear_log()
    second, stdout, events, data_dir = run_job(playbook, tmp_path, "offboard-2", OFFBOARDING_PLAYBOOK, credential_env, offboarding_vars)
    assert changed_count(second) == 0
    assert sim.writes() == []
    assert_no_secrets(stdout, events, data_dir)

    # the job really authenticated the way the credential says
    expected = {"app-token"} if credential_kind == "app_token" else {"basic", "bearer"}  # token request, then SCIM
    assert {entry["auth"] for entry in sim.log()} == expected
