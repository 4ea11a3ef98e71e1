# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A secrets scan over every ansible-playbook run of the integration suite.

Every PlaybookResult that tests/integration/harness.py produces (run_playbook, and runs a test starts
itself and hands to harness.observe) is searched, as soon as it finishes, for:

- the TEST secrets (the simulator's app token and the admin password), which must appear nowhere;
- every bearer token the simulator has issued (to the harness for access_token runs, or to a module
  logging in with username/password), which must appear nowhere either, except where the run's purpose
  is to return one: the access_token a totango_token task returned.

Searched: stdout and stderr (so -vvv logs, diffs and failure messages as Ansible prints them) and every
task's full result as the callback recorded it (return values, diffs, msg, invocation). A test whose
runs leaked fails at teardown, naming the run, where the secret was found and a few characters of context
(with the secret masked). The counts are printed at the end of the session.
"""

from __future__ import annotations

import json

import pytest

from tests.integration import harness

SECRET_NAMES = {harness.SIM_APP_TOKEN: "the test app token", harness.SIM_ADMIN_PASSWORD: "the test admin password"}
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
        command = _mask(" ".join(result.command[3:]), secrets)  # extra vars may carry a secret on purpose
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


SCANNER = SecretsScanner()


def pytest_configure(config):  # pylint: disable=unused-argument
    if SCANNER not in harness.RUN_OBSERVERS:
        harness.RUN_OBSERVERS.append(SCANNER)


@pytest.fixture
def secrets_scanner():
    """The scanner, for tests that prove it catches a leak (they take() their expected findings)."""
    return SCANNER


@pytest.fixture(autouse=True)
def _scan_runs_for_secrets(request):
    SCANNER.current_test = request.node.nodeid
    yield
    found = SCANNER.take(request.node.nodeid)
    SCANNER.current_test = None
    if found:
        lines = ["%s in %s of `ansible-playbook %s`: ...%s..." % (f["what"], f["where"], f["command"], f["context"])
                 for f in found]
        pytest.fail("secrets leaked into ansible-playbook output:\n" + "\n".join(lines), pytrace=False)


def pytest_sessionfinish(session):
    counts = {"runs": SCANNER.runs, "verbose_runs": SCANNER.verbose_runs, "bytes": SCANNER.bytes_scanned}
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller adds the workers' counts up
        workeroutput["secrets_scan"] = counts


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
        totals = {"runs": SCANNER.runs, "verbose_runs": SCANNER.verbose_runs, "bytes": SCANNER.bytes_scanned}
    if totals["runs"]:
        terminalreporter.write_line(
            "secrets scan: %(runs)d ansible-playbook runs scanned (%(verbose_runs)d with -vvv, %(bytes)d characters "
            "of output and results); a leak fails its test" % totals)
