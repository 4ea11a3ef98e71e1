#!/usr/bin/env bash
# `make docs`: the collection's documentation site as HTML, built offline.
#
#   docs/_build/html/index.html   the site: the guides (docs/docsite/rst, listed in
#                                 docs/docsite/extra-docs.yml), every module and role
#   docs/_build/site/             what `antsibull-docs sphinx-init` generated (conf.py,
#                                 antsibull-docs.cfg) and the RST it rendered
#   docs/_build/sphinx-warnings.log
#
# Steps: antsibull-docs sphinx-init sets up a Sphinx project for scimops.totango;
# antsibull-docs renders the module and role documentation plus the guides into
# RST (it picks up docs/docsite itself); sphinx-build makes the HTML. Sphinx's
# warnings are then sorted by tools/docs-warnings.py: those only caused by having
# no network (intersphinx inventories that cannot be fetched, and the links into
# docs.ansible.com they would have resolved) are reported and tolerated, every
# other warning fails the build.
#
# ANSIBLE_COLLECTIONS_PATH: where to find ansible_collections/scimops/totango
# (default: .build/collections, the symlink `tools/collection-tree.py link` makes).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$root/.venv/bin:$PATH"
collection=scimops.totango

if [[ -z "${ANSIBLE_COLLECTIONS_PATH:-}" ]]; then
    python "$root/tools/collection-tree.py" link >/dev/null
    export ANSIBLE_COLLECTIONS_PATH="$root/.build/collections"
fi

build="$root/docs/_build"
site="$build/site"
html="$build/html"
warnings="$build/sphinx-warnings.log"
rm -rf "$site" "$html" "$warnings"
mkdir -p "$build"
# antsibull-docs only writes into directories that nobody else can write to
mkdir -m 700 "$site"

echo "docs: sphinx-init"
antsibull-docs sphinx-init --use-current --squash-hierarchy --fail-on-error \
    --dest-dir "$site" \
    --project "$collection" \
    --copyright "scimops.totango contributors" \
    --title "scimops.totango: Totango users and teams with Ansible" \
    --html-short-title "scimops.totango" \
    "$collection" >/dev/null
# Without network each intersphinx fetch fails fast on DNS; where connections
# hang instead, give up after a few seconds rather than stalling the build.
printf '\n# Added by tools/build-docs.sh: offline builds must not stall on intersphinx.\nintersphinx_timeout = 5\n' \
    >>"$site/conf.py"

echo "docs: rendering module, role and guide pages (antsibull-docs)"
chmod 700 "$site/rst"  # sphinx-init made it, with its placeholder index.rst
antsibull-docs --config-file "$site/antsibull-docs.cfg" collection \
    --use-current --squash-hierarchy --fail-on-error --cleanup everything \
    --dest-dir "$site/rst" "$collection"

echo "docs: building HTML (sphinx-build)"
rc=0
sphinx-build -b html -c "$site" --keep-going -q -w "$warnings" "$site/rst" "$html" 2>"$build/sphinx-stderr.log" || rc=$?
if [[ $rc -ne 0 ]]; then
    # an error, not a warning (an exception in an extension, a broken conf.py...)
    cat "$build/sphinx-stderr.log" >&2
    echo "docs: FAILED: sphinx-build exited with $rc" >&2
    exit "$rc"
fi
python "$root/tools/docs-warnings.py" --source-root "$site/rst" "$warnings"
echo "docs: open ${html#"$root"/}/index.html"
