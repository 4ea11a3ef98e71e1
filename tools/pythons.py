#!/usr/bin/env python
# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Find the CPython 3.X interpreters on this machine, and lay them out for ansible-test.

    tools/pythons.py find 3.12          # the path of a working python3.12, or exit 1
    tools/pythons.py link DIR 3.9 ...   # DIR/python3.9 ... -> each one found; prints the versions linked

pyenv's interpreters come first ($PYENV_ROOT/versions/3.X.*, newest patch), then python3.X on PATH.
A candidate counts only when it runs and reports that version: pyenv puts a python3.X shim on PATH
for every version it has, and the shim fails unless that version is selected. ansible-test finds
its target Pythons as python3.X on PATH, so `make sanity` puts DIR first on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def _pyenv_candidates(version):
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    if not root.is_dir():
        return []

    def patch(path):
        tail = path.name[len(version) + 1:]
        return int(tail) if tail.isdigit() else -1

    builds = [path for path in root.glob(version + ".*") if patch(path) >= 0]
    return [path / "bin" / ("python" + version) for path in sorted(builds, key=patch, reverse=True)]


def _reports(candidate, version):
    try:
        out = subprocess.run([str(candidate), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return False
    return out.returncode == 0 and out.stdout.strip() == version


def find(version):
    """The path of an interpreter for Python `version` ("3.12"), or None."""
    candidates = _pyenv_candidates(version)
    on_path = shutil.which("python" + version)
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.exists() and _reports(candidate, version):
            return str(candidate)
    return None


def link(directory, versions):
    """Symlink directory/python3.X to each version found; return the versions linked."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    linked = []
    for version in versions:
        target = directory / ("python" + version)
        if target.is_symlink() or target.exists():
            target.unlink()
        found = find(version)
        if found:
            target.symlink_to(found)
            linked.append(version)
    return linked


def main(argv):
    if len(argv) >= 2 and argv[0] == "find":
        found = find(argv[1])
        if not found:
            return 1
        print(found)
        return 0
    if len(argv) >= 3 and argv[0] == "link":
        print(" ".join(link(argv[1], argv[2:])))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
