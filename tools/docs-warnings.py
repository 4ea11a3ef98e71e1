#!/usr/bin/env python
# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sort sphinx-build's warnings into those caused by having no network, and real ones.

Usage: docs-warnings.py [--source-root RST_DIR] WARNINGS_FILE

Exit status 0 when every warning is network-only (they are listed, as a note),
1 when any real warning is left (they are printed).

Network-only means:

- "failed to reach any of the inventories ..." and the "intersphinx inventory ...
  not fetchable/readable" lines under it: an intersphinx inventory could not be
  downloaded;
- while that happened, a reference that Sphinx could not resolve in a page that
  antsibull-docs generated (a module or role page, an index), to a label outside
  this collection's own ``ansible_collections.scimops.totango.`` namespace: such
  labels (``common_return_values``, ``ansible_configuration_settings``...) live
  in the intersphinx inventories that could not be fetched.

Everything else is real, in particular any unresolved reference in a guide
(``docsite/`` pages, which must link only to pages of this site or by URL) and any
unresolved label of this collection.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

OWN_LABEL_PREFIX = "ansible_collections.scimops.totango."
GUIDES_DIR = "docsite/"

INVENTORY_FAILED = re.compile(
    r"failed to reach any of the inventories|intersphinx inventory .* not (fetchable|readable)"
)
INVENTORY_DETAIL = re.compile(r"^\s*intersphinx inventory ")
UNRESOLVED = re.compile(
    r"^(?P<file>[^:]+\.rst):\d+: WARNING: (?:undefined label: '(?P<label>[^']+)'"
    r"|[\w:]+ reference target not found: (?P<target>\S+))"
)


def read_warnings(path: Path) -> list[str]:
    """One string per warning; continuation lines (not starting a new warning) join the one above."""
    warnings: list[str] = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        if warnings and (INVENTORY_DETAIL.match(line) or line.startswith((" ", "\t"))):
            warnings[-1] += "\n" + line
        else:
            warnings.append(line)
    return warnings


def relative(file_name: str, source_root: Path | None) -> str:
    if source_root is None:
        return file_name
    try:
        return Path(file_name).resolve().relative_to(source_root.resolve()).as_posix()
    except ValueError:
        return file_name


def classify(warnings: list[str], source_root: Path | None) -> tuple[list[str], list[str]]:
    """(network_only, real)."""
    offline = any(INVENTORY_FAILED.search(w) for w in warnings)
    network_only, real = [], []
    for warning in warnings:
        if INVENTORY_FAILED.search(warning):
            network_only.append(warning)
            continue
        match = UNRESOLVED.match(warning)
        if offline and match:
            target = match.group("label") or match.group("target") or ""
            in_guide = relative(match.group("file"), source_root).startswith(GUIDES_DIR)
            if not in_guide and not target.startswith(OWN_LABEL_PREFIX):
                network_only.append(warning)
                continue
        real.append(warning)
    return network_only, real


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("warnings_file", type=Path)
    parser.add_argument("--source-root", type=Path, help="the RST directory sphinx-build read")
    args = parser.parse_args()
    if not args.warnings_file.exists():
        return 0
    network_only, real = classify(read_warnings(args.warnings_file), args.source_root)
    if network_only:
        inventories = sum(1 for w in network_only if INVENTORY_FAILED.search(w))
        print("docs: %d intersphinx inventories unreachable (no network); %d links into them left unresolved"
              % (inventories, len(network_only) - inventories))
    if real:
        print("docs: FAILED: %d Sphinx warnings:" % len(real), file=sys.stderr)
        for warning in real:
            print("  " + warning.replace("\n", "\n  "), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
