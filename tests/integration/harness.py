# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run real ansible-playbook against the Totango simulator and read back every task result.

    result = run_playbook(PLAYBOOK_YAML, sim, tmp_path=tmp_path, check=True, diff=True)
    assert result.rc == 0, result.summary()
    assert result.task("create eric")["changed"]
    assert sim.writes() == []
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

# The simulator's TEST secrets, re-exported: they belong to the simulator package.
from tests.simulator.defaults import SIM_ADMIN_PASSWORD, SIM_ADMIN_USER, SIM_APP_TOKEN, TEST_SECRETS  # noqa: F401  # pylint: disable=unused-import

REPO_ROOT = Path(__file__).resolve().parents[2]
CALLBACK_DIR = Path(__file__).resolve().parent / "callback_plugins"
CALLBACK_NAME = "scimops_result_dump"


AUTH_MODES = ("app_token", "access_token", "password", None)
_CREDENTIAL_VARS = ("TOTANGO_APP_TOKEN", "TOTANGO_ACCESS_TOKEN", "TOTANGO_USERNAME", "TOTANGO_PASSWORD",
                    "TOTANGO_TOKEN_URL", "TOTANGO_SCIM_URL")
_COUNTER = itertools.count(1)

# Callables observer(result, sim), called with every PlaybookResult run_playbook returns (and with any run a
# test starts itself and hands to observe()). tests/integration/conftest.py scans each one for secrets.
RUN_OBSERVERS = []


def collections_root():
    """Make <repo>/.build/collections/ansible_collections/scimops/totango -> <repo>; return <repo>/.build/collections."""
    root = REPO_ROOT / ".build" / "collections"
    namespace = root / "ansible_collections" / "scimops"
    namespace.mkdir(parents=True, exist_ok=True)
    link = namespace / "totango"
    if link.is_symlink():
        if Path(os.readlink(link)) == REPO_ROOT or link.resolve() == REPO_ROOT:
            return root
        link.unlink()
    elif link.exists():
        raise RuntimeError("%s exists and is not a symlink to the repository" % link)
    try:
        link.symlink_to(os.path.relpath(REPO_ROOT, namespace), target_is_directory=True)
    except FileExistsError:  # another worker made it meanwhile
        pass
    return root


def ansible_env(sim, auth="app_token", extra=None):
    """Environment for ansible-playbook against `sim`, authenticating by `auth`.

    auth: "app_token" (TOTANGO_APP_TOKEN), "access_token" (a bearer token issued by the simulator),
    "password" (TOTANGO_USERNAME/TOTANGO_PASSWORD; the token URL is left to be derived from the SCIM URL)
    or None (no credentials at all).
    """
    if auth not in AUTH_MODES:
        raise ValueError("auth must be one of %r" % (AUTH_MODES,))
    env = {key: value for key, value in os.environ.items() if key not in _CREDENTIAL_VARS}
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": str(collections_root()),
        "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACK_DIR),
        "ANSIBLE_CALLBACKS_ENABLED": CALLBACK_NAME,
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_LOCALHOST_WARNING": "False",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        # the modules run on this Python; tools/matrix.py sets SCIMOPS_TARGET_PYTHON to run them on others
        "ANSIBLE_PYTHON_INTERPRETER": os.environ.get("SCIMOPS_TARGET_PYTHON") or sys.executable,
        "TOTANGO_SCIM_URL": sim.scim_url,
    })
    if auth == "app_token":
        env["TOTANGO_APP_TOKEN"] = sim.app_token
    elif auth == "access_token":
        env["TOTANGO_ACCESS_TOKEN"] = sim.issue_token()
    elif auth == "password":
        env["TOTANGO_USERNAME"] = sim.admin_user
        env["TOTANGO_PASSWORD"] = sim.admin_password
    for key, value in (extra or {}).items():
        if value is None:
            env.pop(key, None)  # None removes a variable, e.g. TOTANGO_SCIM_URL to prove it is required
        else:
            env[key] = str(value)
    return env


def ansible_bin(name="ansible-playbook"):
    """The Ansible executable beside the running Python (same venv), else from PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError("%s not found beside %s nor on PATH" % (name, sys.executable))
    return found


class PlaybookResult:
    """rc, stdout, stderr, tasks (per-task records from the callback), stats (per-host recap)."""

    def __init__(self, rc, stdout, stderr, tasks, stats, command):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.tasks = tasks
        self.stats = stats
        self.command = command

    @property
    def ok(self):
        """True when ansible-playbook exited 0."""
        return self.rc == 0

    def record(self, name):
        """The last callback record (task, action, changed, failed, skipped, check_mode, host, result) for a task name."""
        for rec in reversed(self.tasks):
            if rec["task"] == name:
                return rec
        raise KeyError("no task named %r; tasks run: %r" % (name, [rec["task"] for rec in self.tasks]))

    def task(self, name):
        """The module result dict of the last task with this name (changed, failed, diff, return values...)."""
        return self.record(name)["result"]

    def changed_tasks(self):
        """Names of tasks that reported changed."""
        return [rec["task"] for rec in self.tasks if rec["changed"]]

    def failed_tasks(self):
        """Names of tasks that failed (ignored failures included)."""
        return [rec["task"] for rec in self.tasks if rec["failed"]]

    def summary(self, tail=4000):
        """Text for assertion messages: rc, command, the end of stdout and stderr."""
        return "rc=%s\ncmd=%s\n--- stdout (tail) ---\n%s\n--- stderr (tail) ---\n%s" % (
            self.rc, " ".join(self.command), self.stdout[-tail:], self.stderr[-tail:])

    def __repr__(self):
        return "PlaybookResult(rc=%r, tasks=%d, stats=%r)" % (self.rc, len(self.tasks), self.stats)


def run_playbook(playbook, sim, *, check=False, diff=False, extra_vars=None, verbosity=0, auth="app_token", env=None,
                 tmp_path, timeout=600, extra_args=()):
    """Run ansible-playbook (inventory localhost, connection local) against the simulator.

    playbook: a path to a playbook file, or the playbook's YAML text (written into tmp_path).
    env: extra environment variables (None removes one). extra_args: more ansible-playbook arguments
    (e.g. --start-at-task NAME). Returns a PlaybookResult, after every
    RUN_OBSERVERS callable has seen it.
    """
    tmp_path = Path(tmp_path)
    tmp_path.mkdir(parents=True, exist_ok=True)
    run_id = next(_COUNTER)
    if isinstance(playbook, Path) or ("\n" not in str(playbook) and Path(str(playbook)).is_file()):
        playbook_path = Path(playbook).resolve()
    else:
        playbook_path = tmp_path / ("playbook_%d.yml" % run_id)
        playbook_path.write_text(str(playbook), encoding="utf-8")
    result_file = tmp_path / ("results_%d.json" % run_id)
    if result_file.exists():
        result_file.unlink()
    command = [ansible_bin(), "-i", "localhost,", "-c", "local", str(playbook_path)]
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    if extra_vars:
        command.extend(["-e", json.dumps(extra_vars)])
    if verbosity:
        command.append("-" + "v" * int(verbosity))
    command.extend(extra_args)
    run_env = ansible_env(sim, auth=auth, extra=env)
    run_env["SCIMOPS_RESULT_FILE"] = str(result_file)
    proc = subprocess.run(command, cwd=str(tmp_path), env=run_env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout, check=False)
    tasks, stats = read_results(result_file)
    return observe(PlaybookResult(proc.returncode, proc.stdout, proc.stderr, tasks, stats, command), sim)


def read_results(result_file):
    """(tasks, stats) from the callback's JSON file; ([], {}) when the run wrote none."""
    result_file = Path(result_file)
    if not result_file.exists():
        return [], {}
    data = json.loads(result_file.read_text(encoding="utf-8"))
    return data.get("tasks", []), data.get("stats", {})


def observe(result, sim):
    """Hand a finished run to every RUN_OBSERVERS callable; returns the result."""
    for observer in list(RUN_OBSERVERS):
        observer(result, sim)
    return result
