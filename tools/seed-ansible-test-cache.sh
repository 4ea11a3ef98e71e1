#!/usr/bin/env bash
# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Seed ansible-test's pip bootstrap cache so `ansible-test sanity --venv`
# works without reaching ci-files.testing.ansible.com (not reachable here).
#
# ansible-test bootstraps each sanity virtual environment with
#   python ~/.ansible/test/cache/get_pip_<X_Y>.py <pip options> pip==<X.Y> [setuptools==.. wheel==..]
# downloading the script from ci-files.testing.ansible.com when it is not
# cached. We write a stand-in script that installs those releases from wheels
# fetched from PyPI (which is reachable) into the same cache dir, never from an
# index. Works for every ansible-core of `make matrix` (2.16 to 2.21).
#
# Usage: tools/seed-ansible-test-cache.sh [PYTHON]
#   PYTHON: the interpreter that has ansible-test installed (default .venv/bin/python)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
python=${1:-$root/.venv/bin/python}

# What this ansible-test pins for its bootstrap, for each Python the collection
# supports (3.9 to 3.13, tests/config.yml), one name==version a line: pip alone
# from ansible-core 2.18 (24.2; 25.2 from 2.20); pip, setuptools and wheel in
# 2.16 and 2.17 (23.1.2, 67.7.2, 0.37.1).
packages=$("$python" - <<'EOF'
import types
from ansible_test._internal import python_requirements as pr
wanted = set()
for minor in range(9, 14):
    wanted.update(pr.get_venv_packages(types.SimpleNamespace(version="3.%d" % minor)).items())
for name, version in sorted(wanted):
    print("%s==%s" % (name, version))
EOF
)
# ansible-test looks only here (a fixed path in every release of the matrix)
cache_dir=$HOME/.ansible/test/cache
mkdir -p "$cache_dir"

# The wheels, from PyPI, once.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for package in $packages; do
    name=${package%%==*}
    version=${package#*==}
    if ! compgen -G "$cache_dir/${name}-${version}-*.whl" >/dev/null; then
        "$python" -m pip download --quiet --no-deps --only-binary=:all: --dest "$tmp" "$package"
        mv "$tmp/${name}-${version}"-*.whl "$cache_dir/"
    fi
done

# One stand-in per pip version, rewritten each time: cheap, and it keeps the
# script in step with this file.
for package in $packages; do
    [[ "$package" == pip==* ]] || continue
    pip_version=${package#pip==}
    script="$cache_dir/get_pip_${pip_version//./_}.py"
    cat > "$script.tmp" <<EOF
# Stand-in for get-pip.py ${pip_version}, written by tools/seed-ansible-test-cache.sh.
# Installs what it is asked for (pip ${pip_version}; setuptools and wheel too for
# ansible-core 2.16 and 2.17) from the wheels beside this file, never from an
# index; arguments are passed on to 'pip install' like get-pip.py does.
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WHEEL = os.path.join(HERE, "pip-${pip_version}-py3-none-any.whl")


def main():
    # get-pip.py's own flags: setuptools and wheel come only when asked for by name
    args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
    sys.path.insert(0, WHEEL)
    from pip._internal.cli.main import main as pip_main
    return pip_main(["install", "--upgrade", "--force-reinstall", "--no-index", "--find-links", HERE] + args)


if __name__ == "__main__":
    sys.exit(main())
EOF
    mv "$script.tmp" "$script"
    echo "seeded $script (wheels: $(echo "$packages" | tr '\n' ' '))"
done
