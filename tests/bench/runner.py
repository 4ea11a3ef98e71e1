# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Running the plan: the simulator, a scratch directory, and one measured process per run.

Every run is a fresh process under a small wrapper that reports its wall time, CPU time and the peak
RSS of the largest process it started (getrusage(RUSAGE_CHILDREN).ru_maxrss); requests are counted by
the simulator's own log. Each process gets a cache directory of its own, so the pacing budget that
the modules keep there (plugins/module_utils/_pacer.py) never carries one run's requests into the next.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.bench.runs import RERUN, Run
from tests.bench.tools import BASELINES, FLOOR, ROSTER
from tests.integration.harness import ansible_bin, ansible_env, collections_root, sim_credentials
from tests.simulator.defaults import SIM_ADMIN_PASSWORD, SIM_ADMIN_USER, SIM_APP_TOKEN
from tests.simulator.totango_sim import TotangoSimulator

HERE = Path(__file__).resolve().parent
PARALLEL = 8

# Runs the command given after the output path; writes its wall time, CPU time and peak RSS as JSON.
# ru_maxrss of RUSAGE_CHILDREN is the peak RSS of the largest single process of the tree (in KiB on Linux).
MEASURE = r"""
import json, resource, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
start = time.monotonic()
rc = subprocess.call(cmd)
wall = time.monotonic() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(out, "w") as handle:
    json.dump({"rc": rc, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kb": usage.ru_maxrss}, handle)
"""

# An interpreter for ansible-playbook to run modules with: runs the real Python, then appends the module
# process's own wall time, CPU time and peak RSS, as a JSON line, to the file named by SCIMOPS_BENCH_MODULE.
INTERPRETER = """#!{python}
import json, os, resource, subprocess, sys, time
start = time.monotonic()
rc = subprocess.call([{python!r}] + sys.argv[1:])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(os.environ["SCIMOPS_BENCH_MODULE"], "a") as handle:
    handle.write(json.dumps({{"wall": time.monotonic() - start, "cpu": usage.ru_utime + usage.ru_stime,
                             "maxrss_kb": usage.ru_maxrss}}) + "\\n")
sys.exit(rc)
"""


@dataclass
class Process:
    """A started, measured process: its label and the files of its result, output, module stats and cache."""

    label: str
    popen: subprocess.Popen
    files: dict


class Bench:
    """The simulator, a scratch directory, and the runs measured so far."""

    def __init__(self, workdir, verbose=True):
        self.workdir = Path(workdir)
        self.verbose = verbose
        self.runs = []
        self.problems = []
        self._serial = itertools.count(1)
        self.sim = TotangoSimulator(app_token=SIM_APP_TOKEN, admin_user=SIM_ADMIN_USER,
                                    admin_password=SIM_ADMIN_PASSWORD).start()
        self.interpreter = self.workdir / "python-rss"
        self.interpreter.write_text(INTERPRETER.format(python=sys.executable), encoding="utf-8")
        self.interpreter.chmod(0o755)
        collections_root()

    def close(self):
        self.sim.stop()

    # -- inputs ----------------------------------------------------------------------

    def users_file(self, n):
        path = self.workdir / ("users_%d.json" % n)
        if not path.exists():
            roster = [{"user_name": "bench%05d@example.com" % i, "given_name": "Bench", "family_name": "User%d" % i,
                       "title": "Engineer"} for i in range(n)]
            path.write_text(json.dumps({"roster": roster}), encoding="utf-8")
        return path

    def roster(self, n):
        return json.loads(self.users_file(n).read_text(encoding="utf-8"))["roster"]

    def env(self, cache_dir, module_rss_file=None, sim=None):
        sim = sim or self.sim
        env = ansible_env(sim.scim_url, sim_credentials(sim))
        # The result-dump callback is for tests; the bench measures Ansible as users run it.
        env.pop("ANSIBLE_CALLBACKS_ENABLED", None)
        env.pop("ANSIBLE_CALLBACK_PLUGINS", None)
        env["XDG_CACHE_HOME"] = str(cache_dir)
        if module_rss_file is not None:
            env["ANSIBLE_PYTHON_INTERPRETER"] = str(self.interpreter)
            env["SCIMOPS_BENCH_MODULE"] = str(module_rss_file)
        return env

    def vars_file(self, name, data):
        path = self.workdir / ("%s.json" % name)
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    def command(self, tool, vars_file, extra_vars=None):
        if tool is FLOOR:
            return [sys.executable, str(HERE / "floor.py"), str(vars_file)]
        return self.playbook_command(tool.playbook_path, vars_file, extra_vars)

    @staticmethod
    def playbook_command(playbook, vars_file, extra_vars=None):
        command = [ansible_bin(), "-i", "localhost,", "-c", "local", str(playbook), "-e", "@%s" % vars_file]
        if extra_vars:
            command += ["-e", json.dumps(extra_vars)]
        return command

    # -- measuring -------------------------------------------------------------------

    def process(self, label, command, module_rss=False):
        """Runs one command under the wrapper on a fresh cache directory; returns (measured, module) dicts."""
        self.sim.clear_log()
        return self.finish(self.start(label, command, self.sim, module_rss))

    def start(self, label, command, sim, module_rss=False):
        """Starts one command under the wrapper, against `sim`, on a fresh cache directory; returns its Process."""
        label = "%03d-%s" % (next(self._serial), label)
        files = {suffix: self.workdir / (label + suffix) for suffix in (".json", ".log", ".module", ".cache")}
        files[".cache"].mkdir()
        env = self.env(files[".cache"], files[".module"] if module_rss else None, sim)
        with open(files[".log"], "w", encoding="utf-8") as log:
            popen = subprocess.Popen([sys.executable, "-c", MEASURE, str(files[".json"])] + command, env=env, stdout=log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=str(self.workdir))
        return Process(label, popen, files)

    def finish(self, process):
        """Waits for a started Process; returns its (measured, module) dicts."""
        process.popen.wait()
        measured = json.loads(process.files[".json"].read_text(encoding="utf-8"))
        module = None
        if process.files[".module"].exists():
            module = json.loads(process.files[".module"].read_text(encoding="utf-8").splitlines()[-1])
        if measured["rc"] != 0:
            tail = process.files[".log"].read_text(encoding="utf-8", errors="replace")[-3000:]
            self.problem("%s exited %d; the end of its output:\n%s" % (process.label, measured["rc"], tail))
        return measured, module

    def measure(self, tool, n, latency, phase, extra_vars=None):
        label = "%s-%s-%d-%dms" % (tool.name, phase, n, latency)
        measured, module = self.process(label, self.command(tool, self.users_file(n), extra_vars), tool is ROSTER)
        run = Run.measured(tool.name, n, latency, phase, measured, self.sim.stats(), module)
        self.runs.append(run)
        module_text = "" if module is None else " (module %.2f s, %.2f s cpu, %.1f MB)" % (
            module["wall"], module["cpu"], module["maxrss_kb"] / 1024.0)
        self.say("  %-18s %-6s N=%-5d %3d ms  %7.2f s wall %6.2f s cpu  %5d reads %5d writes %3d x429  %6.1f MB%s"
                 % (tool.label, phase, n, latency, run.wall, run.cpu, run.reads, run.writes, run.status_429,
                    run.rss_mb, module_text))
        return run

    def problem(self, text):
        self.problems.append(text)
        self.say("PROBLEM: " + text)

    def say(self, text):
        if self.verbose:
            print(text, flush=True)

    # -- scenarios -------------------------------------------------------------------

    def fresh_tenant(self, latency, **config):
        self.sim.reset()
        self.sim.configure(latency_ms=latency, **config)

    def create_then_rerun(self, tool, n, latency):
        """First run on an empty tenant (creates N users), then the idempotent rerun."""
        self.fresh_tenant(latency)
        created = self.measure(tool, n, latency, "create", self.extra_vars(tool))
        if created.writes != n or len(self.sim.users()) != n:
            self.problem("%s created %d users with %d writes; expected %d and %d"
                         % (tool.title, len(self.sim.users()), created.writes, n, n))
        return created, self.rerun(tool, n, latency)

    def rerun_only(self, tool, n, latency):
        """The idempotent rerun alone, on a tenant seeded with the roster as a first run would leave it."""
        self.fresh_tenant(latency)
        self.sim.seed_users([{"userName": u["user_name"], "title": u["title"],
                              "name": {"givenName": u["given_name"], "familyName": u["family_name"]}} for u in self.roster(n)])
        return self.rerun(tool, n, latency)

    def rerun(self, tool, n, latency):
        run = self.measure(tool, n, latency, "rerun", self.extra_vars(tool))
        if run.writes:
            self.problem("%s rerun made %d writes; expected none" % (tool.title, run.writes))
        return run

    @staticmethod
    def extra_vars(tool):
        return {"bench_parallel": PARALLEL} if tool is ROSTER else None

    def baseline(self, tool, latency, n, repeat):
        """EMPTY or PING: no request made, so the tenant does not matter; the same roster vars are loaded.

        Every other tool's cost is measured beyond these baselines, so each is the median of `repeat` runs:
        one run of a one-second process can be a third off on a busy machine.
        """
        self.fresh_tenant(latency)
        runs = [self.measure(tool, n, latency, "empty") for _repeat in range(repeat)]
        for run in runs:
            self.runs.remove(run)
        median = sorted(runs, key=lambda run: run.wall)[len(runs) // 2]
        self.runs.append(median)
        return median

    def run_steps(self, steps):
        """Every step of the plan, in order."""
        for step in steps:
            if step.tool in BASELINES:
                self.baseline(step.tool, step.latency, step.n, step.repeat)
            elif step.what == RERUN:
                self.rerun_only(step.tool, step.n, step.latency)
            else:
                self.create_then_rerun(step.tool, step.n, step.latency)
