# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""tools/release.sh on a copy of the repository: a bump reaches every file that quotes the version,
a bad version changes nothing, and --check catches what a release would get wrong."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = (ROOT / "tools" / "release.sh").read_text(encoding="utf-8")
VERSIONED = re.search(r"^VERSIONED=\(([^)]*)\)", SCRIPT, re.M).group(1).replace('"$ee"', "execution-environment.yml")
VERSIONED = VERSIONED.split()
# what a release names after its version, as the files quote it
SEMVER = r"(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]*[0-9A-Za-z])?)"
QUOTES = re.compile(r"scimops-totango-%s\.tar\.gz|scimops-totango-ee:%s|\"scimops\.totango/%s\"" % (SEMVER, SEMVER, SEMVER))


@pytest.fixture()
def repo(tmp_path):
    for name in ["tools/release.sh", "galaxy.yml", "requirements-dev.txt", "changelogs"] + VERSIONED:
        source, target = ROOT / name, tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, target)
    return tmp_path


def release(repo, *args):
    return subprocess.run(["bash", "tools/release.sh"] + list(args), cwd=str(repo), capture_output=True, text=True,
                          check=False)


def quoted_versions(repo):
    """{file: the set of versions it quotes}."""
    found = {}
    for name in VERSIONED:
        for match in QUOTES.finditer((repo / name).read_text(encoding="utf-8")):
            found.setdefault(name, set()).add(next(group for group in match.groups() if group))
    return found


def test_every_versioned_file_quotes_the_version_and_the_repository_is_in_step():
    found = quoted_versions(ROOT)
    assert set(found) == set(VERSIONED), "a VERSIONED file quotes no version: %s" % (set(VERSIONED) - set(found))
    version = re.search(r"^version: (\S+)", (ROOT / "galaxy.yml").read_text(encoding="utf-8"), re.M).group(1)
    assert all(versions == {version} for versions in found.values()), found


def test_a_bump_through_a_pre_release_reaches_every_file(repo):
    for version in ("0.9.0-rc.1", "0.9.0"):
        bumped = release(repo, version)
        assert bumped.returncode == 0, bumped.stderr
        assert set().union(*quoted_versions(repo).values()) == {version}
    assert "version: 0.9.0\n" in (repo / "galaxy.yml").read_text(encoding="utf-8")
    assert release(repo, "--check").returncode == 0


@pytest.mark.parametrize("version", ["1.2.3/", "1.2", "1.2.3 ", "01.2.3x"])
def test_a_bad_version_changes_nothing(repo, version):
    before = {name: (repo / name).read_text(encoding="utf-8") for name in VERSIONED + ["galaxy.yml"]}
    bumped = release(repo, version)
    assert bumped.returncode == 2 and "is not a version" in bumped.stderr, bumped.stderr
    assert before == {name: (repo / name).read_text(encoding="utf-8") for name in before}


def test_check_names_a_file_out_of_step(repo):
    client = repo / "plugins/module_utils/_client.py"
    client.write_text(re.sub(r'"scimops\.totango/[^"]+"', '"scimops.totango/0.0.1"', client.read_text("utf-8")),
                      encoding="utf-8")
    checked = release(repo, "--check")
    assert checked.returncode == 1 and "plugins/module_utils/_client.py is out of step" in checked.stderr


def test_check_refuses_new_fragments_under_a_released_version(repo):
    assert release(repo, "--check").returncode == 0
    (repo / "changelogs/fragments/late-fix.yml").write_text("---\nbugfixes:\n  - a fix after the release.\n",
                                                            encoding="utf-8")
    checked = release(repo, "--check")
    assert checked.returncode == 1 and "late-fix.yml" in checked.stderr and "bump the version" in checked.stderr
    assert release(repo, "0.9.0").returncode == 0  # the next version is not released yet: fragments may wait
    assert release(repo, "--check").returncode == 0
