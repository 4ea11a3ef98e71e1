# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run real ansible-playbook (or ansible-runner) against a SCIM server and read back every task result.

    result = run_playbook(PLAYBOOK_YAML, sim, tmp_path=tmp_path, check=True, diff=True)
    assert result.rc == 0, result.summary()
    assert result.task("create eric")["changed"]
    assert sim.writes() == []

The layers of test support, lowest first:
- tests/simulator/: the simulator, its defaults and its TEST credentials (tests/simulator/defaults.py);
- this module: the collection laid out by tools/collection-tree.py, the environment of a run
  (`ansible_env(scim_url, credentials)`), the runs themselves and their results;
- tests/integration/secrets_scan.py: a pytest plugin that scans every run finished here for secrets
  (it registers in RUN_OBSERVERS) and gives tests the `playbook` fixture;
- tests/integration/phases.py: check mode, the real run and the rerun of one task.

A "sim" is anything with scim_url and the credentials attributes `sim_credentials` reads
(tests.simulator.TotangoSimulator, or tests/integration/scim2_launcher.Scim2Server).
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CALLBACK_DIR = Path(__file__).resolve().parent / "callback_plugins"
CALLBACK_NAME = "scimops_result_dump"
COLLECTION_TREE_TOOL = REPO_ROOT / "tools" / "collection-tree.py"

AUTH_MODES = ("app_token", "access_token", "password", None)
# The collection's credential options, each also read from TOTANGO_<OPTION> (as AWX's credential type injects them).
CREDENTIAL_OPTIONS = ("app_token", "access_token", "username", "password", "token_url")
_INHERITED_NEVER = tuple("TOTANGO_" + option.upper() for option in CREDENTIAL_OPTIONS + ("scim_url",))
_COUNTER = itertools.count(1)

# Callables observer(result, sim), called with every PlaybookResult a run of this module finishes with
# (run_playbook, PlaybookProcess.finish, run_runner). tests/integration/secrets_scan.py is the one observer.
RUN_OBSERVERS = []

# One localhost play: no facts, no pacing (one simulator serves the suite; a test counts requests, not time).
_PLAY_HEADER = """\
- {name}hosts: localhost
  gather_facts: false
  module_defaults:
    group/scimops.totango.totango:
      requests_per_minute: 0
  tasks:
"""


# -- the collection and the environment -------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _collection_tree():
    spec = importlib.util.spec_from_file_location("scimops_collection_tree", COLLECTION_TREE_TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def collections_root(root=REPO_ROOT):
    """The directory for ANSIBLE_COLLECTIONS_PATH, after `tools/collection-tree.py link` has laid `root` out in it.

    The tool's own link mode, so the tree is the same whoever made it: a symlink
    <root>/.build/collections/ansible_collections/scimops/totango -> <root>, which replaces whatever stood
    there (a stale link, a file, a real directory).
    """
    tool = _collection_tree()
    root = Path(root).resolve()
    link = tool.build_link(root, *tool.read_galaxy(root))
    return link.parents[2]


def sim_credentials(sim, auth="app_token"):
    """The credential options that authenticate to `sim` by `auth`, for ansible_env.

    auth: "app_token", "access_token" (a bearer token issued by the simulator), "password" (username and
    password; the token URL is left to be derived from the SCIM URL) or None (no credentials at all).
    """
    if auth not in AUTH_MODES:
        raise ValueError("auth must be one of %r" % (AUTH_MODES,))
    if auth == "app_token":
        return {"app_token": sim.app_token}
    if auth == "access_token":
        return {"access_token": sim.issue_token()}
    if auth == "password":
        return {"username": sim.admin_user, "password": sim.admin_password}
    return {}


def ansible_env(scim_url, credentials=None, extra=None):
    """Environment for ansible-playbook against `scim_url` (None: none set), with these credentials.

    credentials: credential options by name ({"app_token": ...}), set as TOTANGO_<OPTION>; no TOTANGO_*
    variable is inherited from this process. extra: more variables (None removes one).
    """
    unknown = set(credentials or {}) - set(CREDENTIAL_OPTIONS)
    if unknown:
        raise ValueError("unknown credential options %s; known: %s" % (sorted(unknown), ", ".join(CREDENTIAL_OPTIONS)))
    env = {key: value for key, value in os.environ.items() if key not in _INHERITED_NEVER}
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
    })
    if scim_url is not None:
        env["TOTANGO_SCIM_URL"] = scim_url
    env.update(("TOTANGO_" + option.upper(), str(value)) for option, value in (credentials or {}).items())
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


def task_playbook(tasks, name=None):
    """The YAML of one localhost play (no facts, requests_per_minute: 0 for the collection) running `tasks`.

    tasks: the YAML of the task list, at any indentation ("- name: ...").
    """
    body = textwrap.indent(textwrap.dedent(tasks).strip("\n"), "    ")
    return _PLAY_HEADER.format(name="name: %s\n  " % name if name else "") + body + "\n"


# -- results ----------------------------------------------------------------------------------------

class PlaybookResult:
    """rc, stdout, stderr, tasks (per-task records from the callback), stats (per-host recap).

    events: an ansible-runner job's events (None for an ansible-playbook run).
    """

    def __init__(self, rc, stdout, stderr, tasks, stats, command, events=None):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.tasks = tasks
        self.stats = stats
        self.command = command
        self.events = events

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


# -- ansible-playbook -------------------------------------------------------------------------------

class PlaybookProcess:
    """An ansible-playbook run under way (start_playbook): `proc` is its Popen; finish() ends it."""

    def __init__(self, proc, command, result_file, sim):
        self.proc = proc
        self.command = command
        self.result_file = result_file
        self.sim = sim

    def finish(self, timeout=None):
        """Wait for the run (killed after `timeout` seconds, then TimeoutExpired) and return its PlaybookResult,
        after every RUN_OBSERVERS callable has seen it."""
        try:
            stdout, stderr = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
            raise
        tasks, stats = read_results(self.result_file)
        return observe(PlaybookResult(self.proc.returncode, stdout, stderr, tasks, stats, self.command), self.sim)


def start_playbook(playbook, sim, *, check=False, diff=False, extra_vars=None, verbosity=0, auth="app_token",
                   env=None, tmp_path, extra_args=(), **popen_args):
    """Start ansible-playbook (inventory localhost, connection local) against the simulator; a PlaybookProcess.

    The arguments are run_playbook's; popen_args go to subprocess.Popen (e.g. start_new_session=True).
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
    run_env = ansible_env(sim.scim_url, sim_credentials(sim, auth), extra=env)
    run_env["SCIMOPS_RESULT_FILE"] = str(result_file)
    proc = subprocess.Popen(command, cwd=str(tmp_path), env=run_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **popen_args)
    return PlaybookProcess(proc, command, result_file, sim)


def run_playbook(playbook, sim, *, check=False, diff=False, extra_vars=None, verbosity=0, auth="app_token", env=None,
                 tmp_path, timeout=600, extra_args=()):
    """Run ansible-playbook (inventory localhost, connection local) against the simulator.

    playbook: a path to a playbook file, or the playbook's YAML text (written into tmp_path).
    env: extra environment variables (None removes one). extra_args: more ansible-playbook arguments
    (e.g. --start-at-task NAME). Returns a PlaybookResult, after every
    RUN_OBSERVERS callable has seen it.
    """
    return start_playbook(playbook, sim, check=check, diff=diff, extra_vars=extra_vars, verbosity=verbosity,
                          auth=auth, env=env, tmp_path=tmp_path, extra_args=extra_args).finish(timeout)


# -- ansible-runner ---------------------------------------------------------------------------------

def run_runner(sim, *, private_data_dir, playbook, project_dir=REPO_ROOT, envvars=None, extravars=None):
    """One ansible-runner job, as AWX runs one: ansible_runner.run(...) quietly; returns the runner.

    Its stdout and job events (what AWX stores) are handed to every RUN_OBSERVERS callable first, as a
    PlaybookResult whose tasks are the events' task results.
    """
    import ansible_runner  # pylint: disable=import-outside-toplevel  # only the runner tests need it

    runner = ansible_runner.run(private_data_dir=str(private_data_dir), project_dir=str(project_dir),
                                playbook=playbook, envvars=envvars, extravars=extravars, quiet=True)
    events = list(runner.events)
    tasks = [{"task": event["event_data"].get("task"), "action": event["event_data"].get("task_action"),
              "result": event["event_data"]["res"]} for event in events if "res" in event.get("event_data", {})]
    command = ["ansible-runner", "run", str(private_data_dir), "-p", str(playbook)]
    with runner.stdout as stdout:
        observe(PlaybookResult(runner.rc, stdout.read(), "", tasks, runner.stats or {}, command, events=events), sim)
    return runner
