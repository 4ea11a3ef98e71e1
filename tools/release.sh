#!/usr/bin/env bash
# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The release's version lives in galaxy.yml; everything else is derived from it here.
#
#   tools/release.sh 0.3.0          bump galaxy.yml and sync execution-environment.yml
#   tools/release.sh --sync         sync execution-environment.yml with galaxy.yml and requirements-dev.txt
#   tools/release.sh --check        fail when execution-environment.yml disagrees with them (make test)
#   tools/release.sh --changelog    sync, then fold the changelog fragments into galaxy.yml's
#                                   version (tools/release-changelog.sh): the release commit's content
#
# execution-environment.yml gets: the collection tarball's name and the image tag from galaxy.yml's
# version, and the ansible-core and ansible-runner that `make test` uses (requirements-dev.txt), so an
# image holds what was tested.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
ee=execution-environment.yml

galaxy_version() {
    sed -n 's/^version: *["'\'']\{0,1\}\([^"'\'' ]*\).*/\1/p' galaxy.yml | head -n 1
}

pin() {  # the exact version requirements-dev.txt pins for $1
    sed -n "s/^$1==\([^ ]*\).*/\1/p" requirements-dev.txt | head -n 1
}

# execution-environment.yml as it should be, on stdout
synced_ee() {
    local version core runner
    version=$(galaxy_version)
    core=$(pin ansible-core)
    runner=$(pin ansible-runner)
    [[ -n "$version" && -n "$core" && -n "$runner" ]] || {
        echo "release: galaxy.yml version or a requirements-dev.txt pin (ansible-core, ansible-runner) is missing" >&2
        exit 2
    }
    sed -e "s/scimops-totango-[0-9][0-9.]*[0-9]\.tar\.gz/scimops-totango-$version.tar.gz/g" \
        -e "s/scimops-totango-ee:[0-9][0-9.]*[0-9]/scimops-totango-ee:$version/g" \
        -e "s/package_pip: ansible-core[^ ]*$/package_pip: ansible-core==$core/" \
        -e "s/package_pip: ansible-runner[^ ]*$/package_pip: ansible-runner==$runner/" "$ee"
}

sync() {
    synced_ee >"$ee.tmp"
    mv "$ee.tmp" "$ee"
}

case "${1:-}" in
    --check)
        if ! diff -u "$ee" <(synced_ee); then
            echo "release: $ee is out of step with galaxy.yml / requirements-dev.txt; run tools/release.sh --sync" >&2
            exit 1
        fi
        echo "release: $ee matches galaxy.yml $(galaxy_version) and requirements-dev.txt"
        ;;
    --sync)
        sync
        ;;
    --changelog)
        sync
        bash tools/release-changelog.sh "$(galaxy_version)"
        ;;
    [0-9]*.[0-9]*.[0-9]*)
        sed -i "s/^version: .*/version: $1/" galaxy.yml
        sync
        echo "release: galaxy.yml and $ee now say $1; when every fragment is in: tools/release.sh --changelog"
        ;;
    *)
        sed -n '5,15p' "$0" >&2
        exit 2
        ;;
esac
