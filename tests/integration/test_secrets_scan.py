# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Secrets stay out of output: -vvv runs of every module, and proof that the suite-wide scan works.

The scan itself is the pytest plugin tests/integration/secrets_scan.py and runs on every ansible-playbook
and ansible-runner run of the integration suite. These tests add what the other suites do not exercise:
every module at -vvv with --diff in each way of authenticating, credentials given as module options (right
and wrong), failures (refused credentials, a server error, exhausted retries), and deliberate leaks that the
scan must catch, in each way a test can run a playbook, so that a silent scanner cannot pass for a clean suite.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.integration.harness import REPO_ROOT, ansible_bin, run_playbook
from tests.simulator.defaults import SIM_ADMIN_PASSWORD, SIM_ADMIN_USER, SIM_APP_TOKEN, TEST_SECRETS

HERE = Path(__file__).resolve().parent
PLAYBOOKS = HERE / "playbooks" / "reliability"
# Where a test may start ansible-playbook or ansible-runner: the harness, which hands every run to the scan.
RUNS_START_IN = {HERE / "harness.py"}
WRONG_PASSWORD = "wrong-pass-Hj27bN"
WRONG_APP_TOKEN = "wrong-app-token-Pd64sM"

LEAKY = """
- name: A playbook that leaks on purpose
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Print the bearer token from the environment
      ansible.builtin.debug:
        msg: "token={{ lookup('ansible.builtin.env', 'TOTANGO_ACCESS_TOKEN') }}"

    - name: Print the admin password given as an extra var
      ansible.builtin.debug:
        msg: "password={{ leaked }}"
"""


def everything(result):
    return result.stdout + result.stderr + repr(result.tasks)


def test_the_scan_catches_a_leak(sim, tmp_path, secrets_scanner, request):
    runs_before = secrets_scanner.runs
    result = run_playbook(LEAKY, sim, auth="access_token", verbosity=3, tmp_path=tmp_path,
                          extra_vars={"leaked": SIM_ADMIN_PASSWORD})
    assert result.rc == 0, result.summary()
    assert secrets_scanner.runs == runs_before + 1, "run_playbook hands every run to the scanner"
    found = secrets_scanner.take(request.node.nodeid)  # taken: this test's leaks are the expected ones
    places = {(f["what"], f["where"]) for f in found}
    assert ("a bearer token issued by the simulator", "stdout") in places
    assert ("a bearer token issued by the simulator", "result of task 'Print the bearer token from the environment'") in places
    assert ("the test admin password", "stdout") in places
    assert ("the test admin password", "result of task 'Print the admin password given as an extra var'") in places
    assert all("<SECRET>" in f["context"] and SIM_ADMIN_PASSWORD not in f["context"] for f in found), \
        "a finding shows where the secret was, never the secret"


def leaks_found(secrets_scanner, request):
    """(what, where) of this test's findings, taken: they are the expected ones."""
    return {(f["what"], f["where"]) for f in secrets_scanner.take(request.node.nodeid)}


def test_the_scan_catches_a_leak_in_a_run_the_test_started(playbook, secrets_scanner, request):
    run = playbook.start(LEAKY, auth="access_token", extra_vars={"leaked": SIM_ADMIN_PASSWORD})
    result = run.finish(timeout=300)
    assert result.rc == 0, result.summary()
    places = leaks_found(secrets_scanner, request)
    assert ("a bearer token issued by the simulator", "stdout") in places
    assert ("the test admin password", "result of task 'Print the admin password given as an extra var'") in places


def test_the_scan_catches_a_leak_in_an_ansible_runner_job(sim, tmp_path, playbook, secrets_scanner, request):
    project, data_dir = tmp_path / "project", tmp_path / "job"
    project.mkdir()
    (project / "leaky.yml").write_text(LEAKY, encoding="utf-8")
    (data_dir / "inventory").mkdir(parents=True)
    (data_dir / "inventory" / "hosts").write_text("localhost ansible_connection=local\n", encoding="utf-8")
    runner = playbook.runner(private_data_dir=data_dir, project_dir=project, playbook="leaky.yml",
                             envvars={"TOTANGO_ACCESS_TOKEN": sim.issue_token(),
                                      "PATH": str(Path(ansible_bin()).parent) + os.pathsep + os.environ["PATH"]},
                             extravars={"leaked": SIM_ADMIN_PASSWORD})
    assert runner.status == "successful", runner.stdout.read()[-4000:]
    places = leaks_found(secrets_scanner, request)
    for where in ("stdout", "job events", "result of task 'Print the bearer token from the environment'"):
        assert ("a bearer token issued by the simulator", where) in places
    assert ("the test admin password", "job events") in places


LEAKING_TEST = '''
from tests.integration.harness import run_playbook
from tests.simulator import TotangoSimulator
from tests.simulator.defaults import SIM_ADMIN_PASSWORD, SIM_ADMIN_USER, SIM_APP_TOKEN

LEAKY = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: Print the app token
      ansible.builtin.debug:
        msg: "token={{ lookup('ansible.builtin.env', 'TOTANGO_APP_TOKEN') }}"
"""


def test_a_leaking_run(tmp_path):
    with TotangoSimulator(app_token=SIM_APP_TOKEN, admin_user=SIM_ADMIN_USER, admin_password=SIM_ADMIN_PASSWORD) as sim:
        assert run_playbook(LEAKY, sim, tmp_path=tmp_path).rc == 0
'''


def test_a_test_whose_run_leaked_fails_and_the_session_counts_its_runs(tmp_path):
    """The plugin on its own, in a pytest of its own: the leaking test passes its asserts, then fails at teardown."""
    (tmp_path / "test_leak.py").write_text(LEAKING_TEST, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.integration.secrets_scan", "-p", "no:cacheprovider",
                           "-p", "no:xdist", "--rootdir", str(tmp_path), str(tmp_path / "test_leak.py")],
                          cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "1 passed, 1 error" in output, output
    assert "secrets leaked into ansible-playbook output:\nthe test app token in stdout of `ansible-playbook" in output, output
    assert SIM_APP_TOKEN not in output, "the failure names the place, never the secret"
    assert "secrets scan: 1 ansible-playbook runs scanned (0 with -vvv" in output, output


def _starts_a_run(node):
    """What in a test's source would start ansible-playbook or ansible-runner outside the harness."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        modules = [alias.name for alias in node.names] + [getattr(node, "module", None) or ""]
        return "imports ansible_runner" if any(m.split(".")[0] == "ansible_runner" for m in modules) else None
    if isinstance(node, ast.Call) and ast.unparse(node.func) in ("subprocess.Popen", "Popen", "os.system", "os.popen"):
        return "calls %s" % ast.unparse(node.func)
    if isinstance(node, ast.List) and node.elts and _names_a_playbook_program(node.elts[0]):
        return "builds an ansible-playbook or ansible-runner command"
    return None


def _names_a_playbook_program(node):
    """ansible_bin() or ansible_bin("ansible-playbook"), or the name itself (the first word of a command)."""
    if isinstance(node, ast.Constant):
        return node.value in ("ansible-playbook", "ansible-runner")
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "ansible_bin":
        return [ast.unparse(arg) for arg in node.args] in ([], ["'ansible-playbook'"])
    return False


def test_no_test_starts_a_run_the_scan_cannot_see():
    """Runs start in the harness only (run_playbook, the `playbook` fixture), which hands each one to the scan."""
    offenders = []
    for path in sorted(HERE.rglob("*.py")):
        if path in RUNS_START_IN or "callback_plugins" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            found = _starts_a_run(node)
            if found:
                offenders.append("%s:%d %s" % (path.relative_to(REPO_ROOT), node.lineno, found))
    assert offenders == [], "run it through the `playbook` fixture instead:\n" + "\n".join(offenders)


def test_the_source_check_sees_each_way_of_starting_a_run():
    starts = textwrap.dedent("""
        import ansible_runner
        from ansible_runner import run
        subprocess.Popen(command)
        proc = subprocess.run([ansible_bin(), "-i", "localhost,", "site.yml"])
        subprocess.run(["ansible-playbook", "site.yml"])
    """)
    harmless = textwrap.dedent("""
        subprocess.run([ansible_bin("ansible-doc"), "-l"])
        subprocess.run([sys.executable, "bench.py"])
        env = {"PATH": str(Path(ansible_bin()).parent)}
    """)
    found = [_starts_a_run(node) for node in ast.walk(ast.parse(starts))]
    assert sorted(f for f in found if f) == sorted([
        "imports ansible_runner", "imports ansible_runner", "calls subprocess.Popen",
        "builds an ansible-playbook or ansible-runner command", "builds an ansible-playbook or ansible-runner command"])
    assert [node for node in ast.walk(ast.parse(harmless)) if _starts_a_run(node)] == []


def test_every_module_logged_in_with_username_and_password(sim, tmp_path):
    sim.add_team("Sales")
    result = run_playbook(PLAYBOOKS / "secrets_login.yml", sim, auth="password", diff=True, verbosity=3,
                          tmp_path=tmp_path, extra_vars={"sim_control": sim.base_url + "/_sim"})
    assert result.rc == 0, result.summary()
    assert result.task("Create a user")["changed"]
    assert result.task("Replace the user's display name (a PUT)")["action"] == "put"
    assert result.task("Reconcile a roster")["counts"]["created"] == 2
    assert result.task("Put the roster in the team")["changed"]
    assert result.task("Get a token")["access_token"]
    assert result.record("Create a user while the service fails")["failed"]
    assert "HTTP 500" in result.task("Create a user while the service fails")["msg"]
    assert result.record("Read a user while the service is unavailable")["failed"]
    assert "HTTP 503" in result.task("Read a user while the service is unavailable")["msg"]
    assert "<<< " in result.stdout or "ESTABLISH LOCAL CONNECTION" in result.stdout, "really -vvv"
    assert len(sim.issued_tokens()) >= 2, "modules logged in, and the scan looked for those tokens too"
    output = everything(result)
    for secret in TEST_SECRETS:
        assert secret not in output


def test_credentials_given_as_options_right_and_wrong(sim, tmp_path):
    result = run_playbook(PLAYBOOKS / "secrets_explicit.yml", sim, auth=None, verbosity=3, tmp_path=tmp_path,
                          extra_vars={"scim_url": sim.scim_url, "app_token": SIM_APP_TOKEN,
                                      "admin_user": SIM_ADMIN_USER, "admin_password": SIM_ADMIN_PASSWORD,
                                      "wrong_password": WRONG_PASSWORD, "wrong_app_token": WRONG_APP_TOKEN})
    assert result.rc == 0, result.summary()
    assert result.task("Create a user with an app token option")["changed"]
    assert result.task("Update the user with username and password options")["changed"]
    wrong_password = result.task("Log in with a wrong password")["msg"]
    assert "HTTP 401" in wrong_password and "username and password were refused" in wrong_password
    wrong_token = result.task("Read with a wrong app token")["msg"]
    assert "HTTP 401" in wrong_token and "app_token was refused" in wrong_token
    output = everything(result)
    for secret in TEST_SECRETS + [WRONG_PASSWORD, WRONG_APP_TOKEN]:
        assert secret not in output, "a credential, even a wrong one, must not show"


def test_every_write_module_with_a_bearer_token(sim, tmp_path):
    sim.add_team("Sales")
    sim.seed_users([{"userName": "leaver@example.com", "name": {"givenName": "Lea", "familyName": "Ver"},
                     "active": True}])
    result = run_playbook(PLAYBOOKS / "secrets_bearer.yml", sim, auth="access_token", diff=True, verbosity=3,
                          tmp_path=tmp_path)
    assert result.rc == 0, result.summary()
    assert result.task("Reconcile a roster, disabling the unlisted")["counts"]["disabled"] == 1
    assert result.task("Make the team hold exactly one member")["changed"]
    assert result.task("Disable a user")["changed"]
    token = sim.issued_tokens()[0]
    assert {e["auth"] for e in sim.log()} == {"bearer"}
    assert token not in everything(result)
