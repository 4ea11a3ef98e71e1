#!/usr/bin/env python
# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""`make matrix`: unit, integration and sanity tests on every supported ansible-core minor release.

Each release gets its own virtual environment, .venv-matrix/<minor>, on a controller Python it
supports, with only what the tests need (ansible-core, pytest, pytest-xdist, hypothesis, requests,
ansible-runner; the versions requirements-dev.txt pins). The modules also run on target Pythons
other than the controller's (TARGETS: the collection's minimum, 3.9, and the newest, 3.13), each
from .venv-matrix/target-<python> holding requirements.txt (requests). A summary table ends the run.
Integration runs the files an ansible-core release can affect (INTEGRATION_PER_RELEASE); `make test`
runs the rest (volume, timing, faults, other servers) on the pinned release; sanity runs on the release's controller Python (`make sanity`
covers every target Python on the pinned release).

    tools/matrix.py                       # everything
    tools/matrix.py 2.16 2.21             # some releases (their target runs too)
    tools/matrix.py --except-pinned       # all but requirements-dev.txt's release, which `make test` ran
    MATRIX_STEPS=unit,sanity tools/matrix.py    # some steps (the target Pythons run with integration)

Exit status: 0 when every step passed; 1 when one failed. A release or target whose Python is not
on this machine is "not run", never passed, and fails the run too unless MATRIX_ALLOW_MISSING=1.
Logs: .build/matrix/<release>-<step>.log (the end of a failing one is printed).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pythons  # noqa: E402  (tools/pythons.py)

ROOT = Path(__file__).resolve().parent.parent
VENVS = ROOT / ".venv-matrix"
LOGS = ROOT / ".build" / "matrix"

# (ansible-core release, controller Python). Each is the newest patch release PyPI serves for its
# minor; the Python is one its controller supports (2.16, 2.17: 3.10-3.12; 2.18, 2.19: 3.11-3.13;
# 2.20, 2.21: 3.12-3.14), spread so that each supported controller Python from 3.11 up is used.
# meta/runtime.yml's requires_ansible states this range; check_runtime_range() keeps them in step.
RELEASES = (
    ("2.16.19", "3.12"),
    ("2.17.14", "3.12"),
    ("2.18.19", "3.11"),
    ("2.19.14", "3.13"),
    ("2.20.10", "3.13"),
    ("2.21.5", "3.12"),
)

# (ansible-core minor, target Python, integration tests): the modules run with
# ansible_python_interpreter set to that Python (tests/integration/harness.py reads
# SCIMOPS_TARGET_PYTHON). 3.9 is the collection's minimum (tests/config.yml), 3.13 the newest here.
TARGET_TESTS = ["tests/integration/test_target_python.py", "tests/integration/test_totango_user.py",
                "tests/integration/test_totango_users.py",
                "tests/integration/test_totango_group_members.py", "tests/integration/test_totango_token.py",
                "tests/integration/test_totango_user_info.py", "tests/integration/test_totango_team_info.py"]
TARGETS = (
    ("2.21", "3.9"),
    ("2.21", "3.13"),
)

# The integration files each release runs: every module's own file, both roles, the AWX/ansible-runner
# jobs, the secrets scan, bad inputs and the reviewed plans - what an ansible-core release can change
# (argument specs, no_log, check and diff mode, invocation, role argument specs, set_stats, runner events).
# The others measure volume, time, faults or other servers with the same modules; `make test` runs them on
# the pinned release, and the summary names them, so six releases fit CI's budget.
INTEGRATION_PER_RELEASE = (
    "tests/integration/test_totango_user.py",
    "tests/integration/test_totango_users.py",
    "tests/integration/test_totango_group_members.py",
    "tests/integration/test_totango_token.py",
    "tests/integration/test_totango_user_info.py",
    "tests/integration/test_totango_team_info.py",
    "tests/integration/test_roles.py",
    "tests/integration/test_awx_runner.py",
    "tests/integration/test_plan_id.py",
    "tests/integration/test_secrets_scan.py",
    "tests/integration/test_bad_inputs.py",
    "tests/integration/test_docs.py",  # the guides' scenarios, invocation with and without INJECT_INVOCATION
)


# What each controller venv needs from requirements-dev.txt (pinned there), besides ansible-core.
# The target venvs get requirements.txt, as users' hosts do.
CONTROLLER_PACKAGES = ("pytest", "pytest-xdist", "hypothesis", "requests", "ansible-runner")

STEPS = ("unit", "integration", "sanity")
PASSED, FAILED, NOT_RUN = "passed", "FAILED", "not run"


def pins(names):
    """name==version lines for `names`, from requirements-dev.txt (one place for every version)."""
    found = {}
    for line in (ROOT / "requirements-dev.txt").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if match:
            found[match.group(1).lower()] = match.group(0)
    missing = [name for name in names if name not in found]
    if missing:
        sys.exit("matrix: requirements-dev.txt pins no version of %s" % ", ".join(missing))
    return [found[name] for name in names]


def target_requirements():
    """What a user installs on the host that runs the modules: requirements.txt (not the dev pins)."""
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def minor(release):
    return ".".join(release.split(".")[:2])


def check_runtime_range():
    """meta/runtime.yml must claim exactly the minors this matrix tests."""
    text = (ROOT / "meta" / "runtime.yml").read_text(encoding="utf-8")
    match = re.search(r"^requires_ansible:\s*['\"]?([^'\"\n]+)", text, re.M)
    low, high = minor(RELEASES[0][0]), minor(RELEASES[-1][0])
    major, last = high.split(".")
    wanted = ">=%s.0,<%s.%d" % (low, major, int(last) + 1)
    if not match or match.group(1).strip() != wanted:
        sys.exit("matrix: meta/runtime.yml requires_ansible should be %r, the range this matrix tests" % wanted)


class Runner:
    """Runs commands with their output in a log file; prints one line per step."""

    def __init__(self):
        LOGS.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def cpu_seconds():
        """CPU time of every finished child: on a shared machine, a fairer measure than the wall clock."""
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def run(self, label, log_name, command, env=None, cwd=ROOT):
        log = LOGS / (log_name + ".log")
        start = time.monotonic()
        with open(log, "w", encoding="utf-8") as handle:
            handle.write("$ %s\n" % " ".join(str(part) for part in command))
            handle.flush()
            proc = subprocess.run([str(part) for part in command], cwd=str(cwd), env=env, stdout=handle,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False)
        seconds = time.monotonic() - start
        status = PASSED if proc.returncode == 0 else FAILED
        print("matrix: %-28s %-7s %5.0fs  (%s)" % (label, status, seconds, log.relative_to(ROOT)), flush=True)
        if status == FAILED:
            tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-40:]
            print("\n".join("    | " + line for line in tail), flush=True)
        return status, seconds


def make_venv(runner, name, python, requirements):
    """.venv-matrix/<name> on `python` with `requirements`; reused while both stay the same."""
    venv = VENVS / name
    stamp = venv / ".installed"
    wanted = "%s\n%s\n" % (python, "\n".join(requirements))
    if stamp.exists() and stamp.read_text(encoding="utf-8") == wanted:
        return PASSED, 0.0
    if venv.exists():
        shutil.rmtree(venv)
    command = ["bash", "-c", '"$0" -m venv "$1" && "$1/bin/python" -m pip install --quiet '
               '--disable-pip-version-check "${@:2}"', python, venv] + list(requirements)
    status, seconds = runner.run("%s venv" % name, "%s-venv" % name, command)
    if status == PASSED:
        stamp.write_text(wanted, encoding="utf-8")
    return status, seconds


def test_env(venv, extra=None):
    collections = str(ROOT / ".build" / "collections")
    env = dict(os.environ)
    env.update({
        "PATH": "%s:%s" % (venv / "bin", os.environ.get("PATH", "")),
        "ANSIBLE_COLLECTIONS_PATH": collections,
        "PYTHONPATH": collections,
        "PYTEST": "%s -m pytest" % (venv / "bin" / "python"),
        "VIRTUAL_ENV": str(venv),
    })
    env.update(extra or {})
    return env


def pytest(venv, tests, *args):
    # pytest itself, not tools/run-pytest.sh: here no test collected (exit 5) is a failure, never a pass
    return [venv / "bin" / "python", "-m", "pytest"] + list(tests) + ["-p", "no:cacheprovider"] + list(args)


def run_release(runner, release, python_version, steps):
    """{step: (status, seconds)} for one ansible-core release."""
    name = minor(release)
    python = pythons.find(python_version)
    if python is None:
        return {step: ("%s (no python%s)" % (NOT_RUN, python_version), 0.0) for step in ("venv",) + steps}
    results = {"venv": make_venv(runner, name, python, ["ansible-core==%s" % release] + pins(CONTROLLER_PACKAGES))}
    venv = VENVS / name
    for step in steps:
        if results["venv"][0] != PASSED:
            results[step] = (NOT_RUN + " (no venv)", 0.0)
        elif step == "unit":
            results[step] = runner.run("%s unit" % name, "%s-unit" % name, pytest(venv, ["tests/unit"], "-q"),
                                       env=test_env(venv))
        elif step == "integration":
            results[step] = runner.run("%s integration" % name, "%s-integration" % name,
                                       pytest(venv, per_release_files(), "-q", "-n", "2"), env=test_env(venv))
        elif step == "sanity":
            results[step] = run_sanity(runner, name, venv, python_version)
    return results


def per_release_files():
    missing = [path for path in INTEGRATION_PER_RELEASE if not (ROOT / path).is_file()]
    if missing:
        sys.exit("matrix: INTEGRATION_PER_RELEASE names files that do not exist: %s" % ", ".join(missing))
    return list(INTEGRATION_PER_RELEASE)


def left_to_make_test():
    every = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "tests" / "integration").glob("test_*.py"))
    return [path for path in every if path not in INTEGRATION_PER_RELEASE]


def run_sanity(runner, name, venv, python_version):
    copy = ROOT / ".build" / "sanity" / "ansible_collections" / "scimops" / "totango"
    script = ('"$0" tools/collection-tree.py copy >/dev/null && bash tools/seed-ansible-test-cache.sh "$0" && '
              'cd "$1" && ansible-test sanity --venv --python "$2" --color no')
    return runner.run("%s sanity" % name, "%s-sanity" % name,
                      ["bash", "-c", script, venv / "bin" / "python", copy, python_version], env=test_env(venv))


def run_target(runner, core_minor, target_python, controller_ok):
    """(status, seconds) of the module tests with the modules on `target_python`."""
    label = "%s target %s" % (core_minor, target_python)
    if not controller_ok:
        return NOT_RUN + " (no %s venv)" % core_minor, 0.0
    python = pythons.find(target_python)
    if python is None:
        return "%s (no python%s)" % (NOT_RUN, target_python), 0.0
    name = "target-%s" % target_python
    status, seconds = make_venv(runner, name, python, target_requirements())
    if status != PASSED:
        return status, seconds
    interpreter = VENVS / name / "bin" / "python"
    venv = VENVS / core_minor
    status, spent = runner.run(label, "%s-target-%s" % (core_minor, target_python),
                               pytest(venv, TARGET_TESTS, "-q", "-n", "2"),
                               env=test_env(venv, {"SCIMOPS_TARGET_PYTHON": str(interpreter)}))
    return status, seconds + spent


def table(rows, header):
    widths = [max(len(str(row[i])) for row in [header] + rows) for i in range(len(header))]
    line = "  ".join("-" * width for width in widths)
    out = [line, "  ".join(str(cell).ljust(width) for cell, width in zip(header, widths)), line]
    out += ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)) for row in rows]
    out.append(line)
    return "\n".join(out)


def pinned_release():
    """The ansible-core release `make test` runs (requirements-dev.txt's pin)."""
    return pins(["ansible-core"])[0].split("==", 1)[1]


def main(argv):
    check_runtime_range()
    except_pinned = "--except-pinned" in argv
    wanted = set(argv) - {"--except-pinned"}
    unknown = wanted - {minor(release) for release, _python in RELEASES}
    if unknown:
        sys.exit("matrix: not in the matrix: %s (it has %s)" % (
            ", ".join(sorted(unknown)), ", ".join(minor(release) for release, _python in RELEASES)))
    steps = tuple(step for step in os.environ.get("MATRIX_STEPS", ",".join(STEPS)).split(",") if step)
    bad = [step for step in steps if step not in STEPS]
    if bad or not steps:
        sys.exit("matrix: MATRIX_STEPS: %s (steps: %s)" % (
            "unknown step " + ", ".join(bad) if bad else "names no step", ", ".join(STEPS)))

    runner = Runner()
    started = time.monotonic()
    subprocess.run([sys.executable, str(ROOT / "tools" / "collection-tree.py"), "link"], check=True,
                   stdout=subprocess.DEVNULL)
    rows, statuses, controller_ok = [], [], {}
    skipped = None
    for release, python_version in RELEASES:
        if wanted and minor(release) not in wanted:
            continue
        if except_pinned and release == pinned_release():
            skipped = release  # CI runs the matrix after `make test` passed: the same tests on the same release
            continue
        results = run_release(runner, release, python_version, steps)
        controller_ok[minor(release)] = results["venv"][0] == PASSED
        minutes = sum(seconds for _status, seconds in results.values()) / 60
        rows.append([release, python_version] + [results[step][0] for step in ("venv",) + steps]
                    + ["%.1f" % minutes])
        statuses += [status for status, _seconds in results.values()]

    target_rows = []
    for core_minor, target_python in TARGETS:
        if core_minor not in controller_ok or "integration" not in steps:  # the module runs are integration tests
            continue
        status, seconds = run_target(runner, core_minor, target_python, controller_ok[core_minor])
        release = dict((minor(r), r) for r, _p in RELEASES)[core_minor]
        target_rows.append([release, target_python, status, "%.1f" % (seconds / 60)])
        statuses.append(status)

    print("\nmatrix: ansible-core releases (controller Python; unit, integration, sanity)")
    print(table(rows, ["ansible-core", "python", "venv"] + list(steps) + ["minutes"]))
    if skipped:
        print("matrix: %s not run here (--except-pinned): it is requirements-dev.txt's release, which `make test` "
              "runs in full (every test file, sanity on every target Python)" % skipped)
    print("\nmatrix: integration ran %d files on each release; `make test` runs these on the pinned release only:"
          % len(INTEGRATION_PER_RELEASE))
    print("  " + ", ".join(Path(path).name for path in left_to_make_test()))
    if target_rows:
        print("\nmatrix: modules on target Pythons (%d integration test files)" % len(TARGET_TESTS))
        print(table(target_rows, ["ansible-core", "target python", "module tests", "minutes"]))
    print("\nmatrix: %.1f minutes in all (wall clock), %.1f CPU minutes" % (
        (time.monotonic() - started) / 60, Runner.cpu_seconds() / 60))

    if not statuses:
        print("matrix: nothing was run: that is no pass")
        return 1
    if any(status == FAILED for status in statuses):
        print("matrix: FAILED")
        return 1
    if any(status.startswith(NOT_RUN) for status in statuses):
        if os.environ.get("MATRIX_ALLOW_MISSING") == "1":
            print("matrix: passed, but some of it was not run (MATRIX_ALLOW_MISSING=1)")
            return 0
        print("matrix: some of it was not run: that is no pass (MATRIX_ALLOW_MISSING=1 accepts it)")
        return 1
    print("matrix: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
