# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A pytest plugin: a secrets scan over every ansible-playbook and ansible-runner run of the integration suite.

Registered by tests/integration/conftest.py (pytest_plugins). Every run that tests/integration/harness.py
finishes (run_playbook, start_playbook(...).finish(), run_runner, and so the `playbook` fixture below) is
searched, as soon as it finishes, for:

- the TEST secrets (the simulator's app token and the admin password), which must appear nowhere;
- every bearer token the server has issued (to the harness for access_token runs, or to a module
  logging in with username/password), which must appear nowhere either, except where the run's purpose
  is to return one: the access_token a totango_token task returned.

Searched: stdout and stderr (so -vvv logs, diffs and failure messages as Ansible prints them), every
task's full result as the callback recorded it (return values, diffs, msg, invocation), and an
ansible-runner job's events. A test whose runs leaked fails at teardown, naming the run, where the secret
was found and a few characters of context (with the secret masked). The counts are printed at the end of
the session.

Tests run playbooks with the `playbook` fixture (or harness.run_playbook); a test never starts
ansible-playbook or ansible-runner itself (tests/integration/test_secrets_scan.py checks the sources).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration import harness
from tests.simulator.defaults import SIM_ADMIN_PASSWORD, SIM_APP_TOKEN

SECRET_NAMES = {SIM_APP_TOKEN: "the test app token", SIM_ADMIN_PASSWORD: "the test admin password"}
TOKEN_MODULES = ("scimops.totango.totango_token", "totango_token")


class SecretsScanner:
    """Scans each run; keeps findings per test and counts for the session."""

    def __init__(self):
        self.runs = 0
        self.verbose_runs = 0
        self.bytes_scanned = 0
        self.findings = []
        self.current_test = None

    def __call__(self, result, sim):
        self.runs += 1
        if any(arg.startswith("-vvv") for arg in result.command):
            self.verbose_runs += 1
        secrets = dict(SECRET_NAMES)
        returned = _returned_tokens(result.tasks)
        for token in _issued_tokens(sim):
            if token not in returned:
                secrets[token] = "a bearer token issued by the simulator"
        # the program's name, then its arguments (extra vars may carry a secret on purpose)
        command = _mask(" ".join([Path(result.command[0]).name] + list(result.command[1:])), secrets)
        for place, text in _places(result):
            self.bytes_scanned += len(text)
            for secret, what in secrets.items():
                at = text.find(secret)
                if at >= 0:
                    context = _mask(text[max(0, at - 60):at + len(secret) + 60], secrets)
                    self.findings.append({"test": self.current_test, "what": what, "where": place,
                                          "command": command, "context": context})

    def take(self, test):
        """The findings of one test, forgotten afterwards."""
        mine = [f for f in self.findings if f["test"] == test]
        self.findings = [f for f in self.findings if f["test"] != test]
        return mine

    def counts(self):
        return {"runs": self.runs, "verbose_runs": self.verbose_runs, "bytes": self.bytes_scanned}


def _mask(text, secrets):
    for secret in secrets:
        text = text.replace(secret, "<SECRET>")
    return text


def _issued_tokens(sim):
    issued = getattr(sim, "issued_tokens", None)
    return issued() if issued else []


def _returned_tokens(tasks):
    """Tokens a totango_token task returned on purpose (its result is the token)."""
    return set(rec["result"].get("access_token") for rec in tasks
               if rec.get("action") in TOKEN_MODULES and isinstance(rec.get("result"), dict)
               and rec["result"].get("access_token"))


def _places(result):
    yield "stdout", result.stdout or ""
    yield "stderr", result.stderr or ""
    for rec in result.tasks:
        yield "result of task %r" % rec.get("task"), json.dumps(rec.get("result"), default=str)
    if result.events is not None:
        yield "job events", json.dumps(result.events, default=str)


SCANNER = SecretsScanner()


class Playbooks:
    """The `playbook` fixture: runs against the test's simulator (or the `sim` given), each one scanned.

        result = playbook(PLAYBOOK_YAML, check=True, diff=True)     # harness.run_playbook
        run = playbook.start(PATH, start_new_session=True)            # harness.start_playbook; run.finish()
        runner = playbook.runner(private_data_dir=..., playbook=...)  # harness.run_runner (ansible-runner)

    tmp_path defaults to the test's own.
    """

    def __init__(self, request, tmp_path):
        self._request = request
        self._tmp_path = tmp_path

    def _sim(self, sim):
        return sim if sim is not None else self._request.getfixturevalue("sim")

    def __call__(self, playbook, sim=None, **options):
        options.setdefault("tmp_path", self._tmp_path)
        return harness.run_playbook(playbook, self._sim(sim), **options)

    def start(self, playbook, sim=None, **options):
        options.setdefault("tmp_path", self._tmp_path)
        return harness.start_playbook(playbook, self._sim(sim), **options)

    def runner(self, sim=None, **options):
        return harness.run_runner(self._sim(sim), **options)


@pytest.fixture
def playbook(request, tmp_path):
    """Runs ansible-playbook or ansible-runner against the simulator; every run is scanned for secrets."""
    return Playbooks(request, tmp_path)


@pytest.fixture
def secrets_scanner():
    """The scanner, for tests that prove it catches a leak (they take() their expected findings)."""
    return SCANNER


def pytest_configure(config):  # pylint: disable=unused-argument
    if SCANNER not in harness.RUN_OBSERVERS:
        harness.RUN_OBSERVERS.append(SCANNER)


@pytest.fixture(autouse=True)
def _scan_runs_for_secrets(request):
    SCANNER.current_test = request.node.nodeid
    yield
    found = SCANNER.take(request.node.nodeid)
    SCANNER.current_test = None
    if found:
        lines = ["%s in %s of `%s`: ...%s..." % (f["what"], f["where"], f["command"], f["context"]) for f in found]
        pytest.fail("secrets leaked into ansible-playbook output:\n" + "\n".join(lines), pytrace=False)


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller adds the workers' counts up
        workeroutput["secrets_scan"] = SCANNER.counts()


_TOTALS = {"runs": 0, "verbose_runs": 0, "bytes": 0}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):  # pylint: disable=unused-argument
    for key, value in getattr(node, "workeroutput", {}).get("secrets_scan", {}).items():
        _TOTALS[key] += value


def pytest_terminal_summary(terminalreporter, config):
    if getattr(config, "workeroutput", None) is not None:
        return
    totals = dict(_TOTALS)
    if not totals["runs"]:
        totals = SCANNER.counts()
    if totals["runs"]:
        terminalreporter.write_line(
            "secrets scan: %(runs)d ansible-playbook runs scanned (%(verbose_runs)d with -vvv, %(bytes)d characters "
            "of output and results); a leak fails its test" % totals)
