#!/usr/bin/env python
# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Lay the repository out as ansible_collections/scimops/totango.

The repository root is the collection root, but ansible-playbook,
ansible-test, ansible-lint and antsibull-docs want to find the collection
at ``<dir>/ansible_collections/<namespace>/<name>``.  This script builds:

``link`` (default for ansible-playbook, the demo, integration tests)
    ``.build/collections/ansible_collections/scimops/totango`` -> repo root,
    a symlink, so edits are seen at once.  Use
    ``ANSIBLE_COLLECTIONS_PATH=<repo>/.build/collections``.

``copy`` (for ansible-test sanity, ansible-lint, antsibull-docs)
    ``.build/sanity/ansible_collections/scimops/totango``, a real copy of
    the files git would commit (tracked plus untracked-but-not-ignored,
    ``git ls-files -co --exclude-standard``), rebuilt from scratch each time.
    ansible-test resolves real paths and, finding the outer repository's
    ``.git`` (where ``.build/`` is ignored), would otherwise see no files;
    so the copy gets its own ``git init`` and ansible-test lists its files
    with ``git ls-files --cached --others --exclude-standard``.

Prints the path of the collection directory it built.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Never copied, whatever git says.
EXCLUDE_TOP = {".venv", ".build", ".git", ".ansible", ".pytest_cache", ".ruff_cache",
               ".hypothesis", ".cache", ".tox"}
EXCLUDE_ANY_DIR = {"__pycache__", ".pytest_cache", ".hypothesis"}
EXCLUDE_PREFIXES = ("tests/output/", "docs/_build/")
EXCLUDE_SUFFIXES = (".pyc", ".pyo", ".retry", ".tar.gz")


def read_galaxy(root: Path) -> tuple[str, str]:
    """Return (namespace, name) from galaxy.yml without needing PyYAML."""
    namespace = name = None
    with open(root / "galaxy.yml", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("namespace:"):
                namespace = line.split(":", 1)[1].strip().strip("'\"")
            elif line.startswith("name:"):
                name = line.split(":", 1)[1].strip().strip("'\"")
    if not namespace or not name:
        sys.exit("collection-tree: galaxy.yml lacks namespace or name")
    return namespace, name


def excluded(rel: str) -> bool:
    parts = rel.split("/")
    if parts[0] in EXCLUDE_TOP or parts[0].startswith(".venv"):
        return True
    if any(part in EXCLUDE_ANY_DIR for part in parts[:-1]):
        return True
    return rel.startswith(EXCLUDE_PREFIXES) or rel.endswith(EXCLUDE_SUFFIXES)


def list_files(root: Path) -> list[str]:
    """Files that belong to the collection, relative to root."""
    if (root / ".git").exists():
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root, check=True, stdout=subprocess.PIPE,
        ).stdout.decode("utf-8", "surrogateescape")
        files = [f for f in out.split("\0") if f]
    else:  # not a git checkout (e.g. an unpacked tarball): walk the tree
        files = []
        for dirpath, dirnames, filenames in os.walk(root):
            rel_dir = os.path.relpath(dirpath, root)
            rel_dir = "" if rel_dir == "." else rel_dir + "/"
            dirnames[:] = [d for d in dirnames if not excluded(rel_dir + d + "/x")]
            files.extend(rel_dir + f for f in filenames)
    # a tracked file deleted from the work tree is still listed by --cached
    return sorted(f for f in set(files)
                  if not excluded(f) and os.path.lexists(root / f))


def build_link(root: Path, namespace: str, name: str) -> Path:
    parent = root / ".build" / "collections" / "ansible_collections" / namespace
    parent.mkdir(parents=True, exist_ok=True)
    link = parent / name
    target = os.path.relpath(root, parent)
    if link.is_symlink() and os.readlink(link) == target:
        return link
    if link.is_symlink() or link.is_file():
        link.unlink()
    elif link.exists():
        shutil.rmtree(link)
    try:
        link.symlink_to(target, target_is_directory=True)
    except FileExistsError:  # a concurrent run made it meanwhile
        if not (link.is_symlink() and os.readlink(link) == target):
            raise
    return link


def build_copy(root: Path, namespace: str, name: str) -> Path:
    dest = root / ".build" / "sanity" / "ansible_collections" / namespace / name
    if dest.exists() or dest.is_symlink():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for rel in list_files(root):
        src = root / rel
        dst = dest / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), dst)
        else:
            shutil.copy2(src, dst)
    # ansible-test: give the copy its own repository (see module docstring).
    # Nothing is committed: ansible-test also lists untracked files.
    subprocess.run(["git", "init", "-q", str(dest)], check=True)
    return dest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("mode", nargs="?", choices=("link", "copy"), default="link")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="collection source root (default: this repository)")
    args = parser.parse_args()
    root = args.root.resolve()
    namespace, name = read_galaxy(root)
    path = build_link(root, namespace, name) if args.mode == "link" else build_copy(root, namespace, name)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
