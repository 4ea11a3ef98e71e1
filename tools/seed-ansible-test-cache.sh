#!/usr/bin/env bash
# Seed ansible-test's pip bootstrap cache so `ansible-test sanity --venv`
# works without reaching ci-files.testing.ansible.com (not reachable here).
#
# ansible-test bootstraps each sanity virtual environment with
#   python ~/.ansible/test/cache/get_pip_<X_Y>.py <pip options> pip==<X.Y>
# downloading the script from ci-files.testing.ansible.com when it is not
# cached. We write a stand-in script that installs that pip release from a
# pip wheel fetched from PyPI (which is reachable) into the same cache dir.
#
# Usage: tools/seed-ansible-test-cache.sh [PYTHON]
#   PYTHON: the interpreter that has ansible-test installed (default .venv/bin/python)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
python=${1:-$root/.venv/bin/python}

# The pip version ansible-test pins for its bootstrap (24.2 for ansible-core 2.19).
pip_version=$("$python" - <<'EOF'
import inspect, re
from ansible_test._internal import python_requirements as pr
src = inspect.getsource(pr.get_venv_packages)
print(re.search(r"pip='([^']+)'", src).group(1))
EOF
)
cache_dir=${ANSIBLE_TEST_CACHE_DIR:-$HOME/.ansible/test/cache}
script="$cache_dir/get_pip_${pip_version//./_}.py"
wheel="$cache_dir/pip-${pip_version}-py3-none-any.whl"

mkdir -p "$cache_dir"

if [[ ! -s "$wheel" ]]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    "$python" -m pip download --quiet --no-deps --only-binary=:all: \
        --dest "$tmp" "pip==$pip_version"
    mv "$tmp/pip-${pip_version}-py3-none-any.whl" "$wheel"
fi

# Rewrite the stand-in each time: cheap, and it keeps the script in step
# with this file.
cat > "$script.tmp" <<EOF
# Stand-in for get-pip.py ${pip_version}, written by tools/seed-ansible-test-cache.sh.
# Installs pip ${pip_version} from the wheel beside this file; arguments are
# passed on to 'pip install' like get-pip.py does.
import os
import sys

WHEEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pip-${pip_version}-py3-none-any.whl")


def main():
    args = sys.argv[1:]
    # get-pip.py's own flags; no setuptools or wheel is installed either way
    args = [a for a in args if a not in ("--no-setuptools", "--no-wheel")]
    sys.path.insert(0, WHEEL)
    from pip._internal.cli.main import main as pip_main
    return pip_main(["install", "--upgrade", "--force-reinstall", "--no-index",
                     "--find-links", os.path.dirname(WHEEL)] + args)


if __name__ == "__main__":
    sys.exit(main())
EOF
mv "$script.tmp" "$script"
echo "seeded $script"
