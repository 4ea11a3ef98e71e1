#!/usr/bin/env bash
# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Make the changelog for a release: changelogs/changelog.yaml gets a section for
# the version, built from changelogs/fragments/*.yml (kept in the tree:
# keep_fragments in changelogs/config.yaml) and the modules and roles new in it
# (their version_added), and CHANGELOG.rst and CHANGELOG.md are regenerated.
#
#   tools/release-changelog.sh            # the version in galaxy.yml
#   tools/release-changelog.sh 0.2.0      # another one (galaxy.yml must say the same)
#   (tools/release.sh --changelog runs this after syncing execution-environment.yml)
#
# A release needs a summary: when changelogs/fragments/<version>.yml is missing, this
# writes changelogs/fragments/<version>.yml with RELEASE_SUMMARY (or a default).
# Run it on a clean tree, review the diff, and commit it with the version bump.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/.venv/bin:$PATH"

galaxy_version=$(sed -n 's/^version: *["'\'']\{0,1\}\([^"'\'' ]*\).*/\1/p' galaxy.yml | head -n 1)
version=${1:-$galaxy_version}
if [[ "$version" != "$galaxy_version" ]]; then
    echo "release-changelog: galaxy.yml says version $galaxy_version, not $version; bump it first" >&2
    exit 2
fi
if grep -q "^  *'\{0,1\}$version'\{0,1\}:" changelogs/changelog.yaml; then
    echo "release-changelog: changelogs/changelog.yaml already has a $version release" >&2
    exit 2
fi

# (fragments are kept after a release: only a summary named after this version counts)
if [[ ! -e "changelogs/fragments/$version.yml" ]]; then
    summary=${RELEASE_SUMMARY:-"Release $version of scimops.totango."}
    if [[ -z "${RELEASE_SUMMARY:-}" && "$version" == 0.1.0 ]]; then
        summary="First release of scimops.totango: modules that manage Totango users and teams through SCIM 2.0 with honest check mode and diffs, a roster module with a safety threshold, onboarding and offboarding roles, and an AWX credential type."
    fi
    printf -- '---\nrelease_summary: >-\n  %s\n' "$summary" >"changelogs/fragments/$version.yml"
    echo "release-changelog: wrote changelogs/fragments/$version.yml (release summary)"
fi

antsibull-changelog lint
antsibull-changelog release --version "$version"
antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
echo "release-changelog: changelogs/changelog.yaml, CHANGELOG.rst and CHANGELOG.md now have $version"
