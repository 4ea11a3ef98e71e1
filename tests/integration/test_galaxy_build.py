# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Galaxy artifact: `ansible-galaxy collection build` ships the collection and no development files,
and the tarball, installed with `ansible-galaxy collection install` into a fresh path, runs the demo.

The demo runs from the installed copy only: ANSIBLE_COLLECTIONS_PATH points at the fresh path (and
PYTHONPATH, which `make` points at the repository's collection tree, is removed), and the -vvv output
must name the installed module files and never the repository's.
"""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.integration.harness import REPO_ROOT, ansible_bin, ansible_env, run_playbook

COLLECTION_SUBPATH = Path("ansible_collections", "scimops", "totango")
# How make and the harness point Ansible and Python at the repository's collection tree.
DEV_COLLECTION_VARS = ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS", "PYTHONPATH")

# Paths (relative to the collection root) that must never be in the artifact.
DEV_PREFIXES = ("tests/", "tools/", ".ci/", ".build/", ".venv", ".git", "docs/_build/", ".pytest_cache/",
                ".ruff_cache/", ".hypothesis/", ".benchmarks/", ".ansible/", ".cache/", ".tox/")
DEV_FILES = {"Makefile", "requirements-dev.txt", ".pre-commit-config.yaml", ".ansible-lint", ".yamllint",
             "ruff.toml", ".gitignore", "changelogs/.plugin-cache.yaml"}
DEV_SUFFIXES = (".pyc", ".pyo", ".tar.gz")

# Repository directories whose every file must be in the artifact.
SHIPPED_TREES = ("plugins", "roles", "meta", "docs/docsite", "docs/examples")
SHIPPED_FILES = ("README.md", "LICENSE", "requirements.txt", "MANIFEST.json", "FILES.json")


def run(command, env=None, cwd=None):
    proc = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    shown = " ".join(map(str, command))
    message = "%s failed (rc=%s):\n%s\n%s" % (shown, proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:])
    assert proc.returncode == 0, message
    return proc


def install(tarball, dest):
    """`ansible-galaxy collection install` into dest, as on a machine where the collection is not installed.

    Without --force, ansible-galaxy would find the repository's copy through an inherited
    ANSIBLE_COLLECTIONS_PATH (make and the harness set it) and install nothing.
    """
    env = {key: value for key, value in os.environ.items() if key not in DEV_COLLECTION_VARS}
    run([ansible_bin("ansible-galaxy"), "collection", "install", "--offline", "--force", str(tarball), "-p", str(dest)],
        env=env)
    installed = Path(dest) / COLLECTION_SUBPATH
    assert (installed / "MANIFEST.json").is_file(), "nothing installed in %s" % dest
    return installed


def galaxy_version():
    for line in (REPO_ROOT / "galaxy.yml").read_text(encoding="utf-8").splitlines():
        if line.startswith("version:"):
            return line.split(":", 1)[1].strip().strip("'\"")
    raise AssertionError("galaxy.yml has no version")


def repo_files(tree):
    """Files under a repository directory, as collection-relative paths (caches left out)."""
    base = REPO_ROOT / tree
    return {path.relative_to(REPO_ROOT).as_posix() for path in base.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith(DEV_SUFFIXES)}


def is_dev_file(name):
    return (name in DEV_FILES or name.startswith(DEV_PREFIXES) or name.endswith(DEV_SUFFIXES)
            or "/__pycache__/" in "/" + name + "/")


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    """The artifact, built from the repository into a temporary directory."""
    dist = tmp_path_factory.mktemp("dist")
    run([ansible_bin("ansible-galaxy"), "collection", "build", "--output-path", str(dist), str(REPO_ROOT)])
    built = list(dist.glob("scimops-totango-*.tar.gz"))
    assert len(built) == 1, built
    return built[0]


def test_tarball_holds_the_collection_and_no_development_files(tarball):
    assert tarball.name == "scimops-totango-%s.tar.gz" % galaxy_version()
    with tarfile.open(tarball) as archive:
        members = archive.getmembers()
        manifest = json.load(archive.extractfile("MANIFEST.json"))
    files = {m.name for m in members if m.isfile()}
    names = {m.name.rstrip("/") for m in members}

    leaked = sorted(name for name in names if is_dev_file(name) or is_dev_file(name + "/"))
    assert leaked == [], "%d development files in the artifact (see build_ignore in galaxy.yml), e.g. %s" % (
        len(leaked), leaked[:12])

    expected = set(SHIPPED_FILES)
    for tree in SHIPPED_TREES:
        tree_files = repo_files(tree)
        assert tree_files, "%s is empty in the repository" % tree
        expected |= tree_files
    missing = sorted(expected - files)
    assert missing == [], "missing from the artifact: %s" % missing

    modules = {Path(name).stem for name in files if name.startswith("plugins/modules/") and name.endswith(".py")}
    assert {"totango_user", "totango_users", "totango_token"} <= modules
    info = manifest["collection_info"]
    assert (info["namespace"], info["name"], info["version"]) == ("scimops", "totango", galaxy_version())


def test_installed_tarball_runs_the_demo(tarball, sim, tmp_path):
    installed_root = tmp_path / "installed"
    installed = install(tarball, installed_root)
    assert not (installed / "tests").exists() and not (installed / "tools").exists()

    # Only the fresh path: not the repository's tree (make's PYTHONPATH, the harness's default collections path).
    only_installed = {"ANSIBLE_COLLECTIONS_PATH": str(installed_root), "PYTHONPATH": None}
    env = ansible_env(sim.scim_url, extra=only_installed)
    listing = run([ansible_bin("ansible-galaxy"), "collection", "list", "scimops.totango", "--format", "json"],
                  env=env, cwd=str(tmp_path)).stdout
    assert json.loads(listing) == {str(installed_root / "ansible_collections"): {
        "scimops.totango": {"version": galaxy_version()}}}

    for team in ("Customer Success", "Support"):  # the teams docs/examples/vars/demo-people.yml uses
        sim.add_team(team)
    demo = installed / "docs" / "examples" / "demo.yml"
    result = run_playbook(demo, sim, diff=True, verbosity=3, extra_vars={"demo_requests_per_minute": 0},
                          env=only_installed, tmp_path=tmp_path / "run1")
    assert result.rc == 0, result.summary()

    used = module_files(result.stdout)
    assert used, "no 'Using module file' lines in the -vvv output"
    assert all(path.startswith(str(installed) + "/") for path in used), used
    assert str(REPO_ROOT / "plugins") not in result.stdout
    # both roles reconcile through totango_users (offboarding's team removals included)
    assert {Path(path).stem for path in used} == {"totango_users"}

    # the demo's outcome, read from the simulator: three people onboarded, one of them offboarded
    assert sim.user("grace.hopper@example.com")["active"] is True
    assert sim.user("ada.lovelace@example.com")["active"] is True
    alan = sim.user("alan.turing@example.com")
    assert alan["active"] is False and not alan.get("groups")
    # one changed task per role: onboarding's roster, offboarding's disabling with its team removals
    assert result.stats["localhost"]["changed"] == 2 and result.stats["localhost"]["failed"] == 0

    # and the installed copy is idempotent: offboarding (the demo's last step) again changes nothing.
    # (Not demo.yml as a whole: its onboarding step lists the leaver, so it re-activates him.)
    sim.clear_log()
    again = run_playbook(demo.with_name("demo-offboarding.yml"), sim, extra_vars={"demo_requests_per_minute": 0},
                         env=only_installed, tmp_path=tmp_path / "run2")
    assert again.rc == 0, again.summary()
    assert again.stats["localhost"]["changed"] == 0 and sim.writes() == []


def test_installed_copy_documents_its_modules_and_roles(tarball, tmp_path):
    installed_root = tmp_path / "installed"
    install(tarball, installed_root)
    env = {"ANSIBLE_COLLECTIONS_PATH": str(installed_root), "PATH": str(Path(ansible_bin()).parent) + ":/usr/bin:/bin",
           "ANSIBLE_NOCOLOR": "1", "HOME": str(tmp_path)}
    listing = json.loads(run([ansible_bin("ansible-doc"), "-t", "module", "-l", "scimops.totango", "--json"],
                             env=env).stdout)
    shipped = {"scimops.totango." + Path(name).stem for name in repo_files("plugins/modules")}
    assert set(listing) == shipped
    for role in ("onboarding", "offboarding"):
        doc = json.loads(run([ansible_bin("ansible-doc"), "-t", "role", "--json", "scimops.totango." + role],
                             env=env).stdout)
        assert doc["scimops.totango." + role]["path"].startswith(str(installed_root)), doc


def module_files(stdout):
    """The module files ansible-playbook -vvv says it used."""
    prefix = "Using module file "
    return sorted({line.split(prefix, 1)[1].strip() for line in stdout.splitlines() if prefix in line})
