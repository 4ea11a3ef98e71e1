#!/usr/bin/env bash
# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The release's version lives in galaxy.yml; everything else is derived from it here.
#
#   tools/release.sh 0.3.0          bump galaxy.yml and sync the files below
#   tools/release.sh --sync         sync the files below with galaxy.yml and requirements-dev.txt
#   tools/release.sh --check        fail when one disagrees with them, or when galaxy.yml's version is
#                                   already released while fragments are in no release (make test)
#   tools/release.sh --changelog    sync, then fold the changelog fragments into galaxy.yml's
#                                   version (tools/release-changelog.sh): the release commit's content
#
# Synced: the collection tarball's name and the image tag wherever they are quoted (VERSIONED), the
# User-Agent the modules send, and in execution-environment.yml the ansible-core and ansible-runner
# that `make test` uses (requirements-dev.txt), so an image holds what was tested.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ee=execution-environment.yml
VERSIONED=("$ee" README.md awx/README.md docs/docsite/rst/guide_awx.rst docs/docsite/rst/guide_getting_started.rst
           plugins/module_utils/_client.py)
# semantic versioning, as Galaxy requires: 1.2.3, 1.2.3-rc.1
SEMVER='[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]*[0-9A-Za-z])?'

galaxy_version() {
    sed -n 's/^version: *["'\'']\{0,1\}\([^"'\'' ]*\).*/\1/p' galaxy.yml | head -n 1
}

pin() {  # the exact version requirements-dev.txt pins for $1
    sed -n "s/^$1==\([^ ]*\).*/\1/p" requirements-dev.txt | head -n 1
}

# file $1 as it should be, on stdout
synced() {
    local version core runner
    version=$(galaxy_version)
    core=$(pin ansible-core)
    runner=$(pin ansible-runner)
    [[ "$version" =~ ^$SEMVER$ && -n "$core" && -n "$runner" ]] || {
        echo "release: galaxy.yml's version ('$version') is not x.y.z, or requirements-dev.txt pins no ansible-core or ansible-runner" >&2
        exit 2
    }
    sed -E -e "s/scimops-totango-$SEMVER\.tar\.gz/scimops-totango-$version.tar.gz/g" \
        -e "s/scimops-totango-ee:$SEMVER/scimops-totango-ee:$version/g" \
        -e "s|\"scimops\.totango/$SEMVER\"|\"scimops.totango/$version\"|" \
        -e "s/package_pip: ansible-core[^ ]*$/package_pip: ansible-core==$core/" \
        -e "s/package_pip: ansible-runner[^ ]*$/package_pip: ansible-runner==$runner/" "$1"
}

sync() {
    local file
    for file in "${VERSIONED[@]}"; do
        synced "$file" >"$file.tmp"
        mv "$file.tmp" "$file"
    done
}

# fragments (file names) that no release in changelogs/changelog.yaml lists
unreleased_fragments() {
    local fragment
    for fragment in changelogs/fragments/*.yml changelogs/fragments/*.yaml; do
        [[ -e "$fragment" ]] || continue
        grep -q -- "- $(basename "$fragment")\$" changelogs/changelog.yaml || basename "$fragment"
    done
}

check() {
    local file failed=0 version unreleased
    for file in "${VERSIONED[@]}"; do
        diff -u "$file" <(synced "$file") || { echo "release: $file is out of step" >&2; failed=1; }
    done
    version=$(galaxy_version)
    unreleased=$(unreleased_fragments | tr '\n' ' ')
    if grep -q "^  *'\{0,1\}$version'\{0,1\}:" changelogs/changelog.yaml && [[ -n "$unreleased" ]]; then
        echo "release: galaxy.yml's $version is released (changelogs/changelog.yaml) but these fragments are in" \
             "no release: $unreleased- bump the version first (tools/release.sh x.y.z)" >&2
        failed=1
    fi
    if [[ "$failed" != 0 ]]; then
        echo "release: run tools/release.sh --sync (or bump the version) and commit the result" >&2
        exit 1
    fi
    echo "release: ${VERSIONED[*]} match galaxy.yml $version and requirements-dev.txt"
}

case "${1:-}" in
    --check)
        check
        ;;
    --sync)
        sync
        ;;
    --changelog)
        sync
        bash tools/release-changelog.sh "$(galaxy_version)"
        ;;
    [0-9]*)
        [[ "$1" =~ ^$SEMVER$ ]] || { echo "release: '$1' is not a version (x.y.z or x.y.z-pre)" >&2; exit 2; }
        sed -i "s/^version: .*/version: $1/" galaxy.yml
        sync
        echo "release: galaxy.yml and ${VERSIONED[*]} now say $1; when every fragment is in: tools/release.sh --changelog"
        ;;
    *)
        sed -n '6,13p' "$0" >&2
        exit 2
        ;;
esac
