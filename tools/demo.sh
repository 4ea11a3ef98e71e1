#!/usr/bin/env bash
# The demo: onboarding three people, then offboarding one of them, each shown
# first with --check --diff (nothing is written), then for real, then again
# (changed=0, nothing written). Ends with the people read back from the API.
#
#   make demo              (builds .venv first), or: bash tools/demo.sh
#
# By default it starts the Totango SCIM simulator (tests/simulator/totango_sim.py)
# on a free local port, seeds the teams the demo uses, checks every step against
# the simulator's request counters, and stops the simulator on exit.
#
# Against a real Totango: set TOTANGO_SCIM_URL and one way of authenticating
# (TOTANGO_APP_TOKEN, or TOTANGO_ACCESS_TOKEN, or TOTANGO_USERNAME and
# TOTANGO_PASSWORD); no simulator is started. The demo then creates and
# changes real users, so it asks first (or set DEMO_CONFIRM=yes). The teams
# "Customer Success" and "Support" must exist, or give your own people and
# teams with DEMO_VARS=path/to/vars.yml (shaped like docs/examples/vars/demo-people.yml).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
examples=docs/examples

# --- environment: .venv, and the collection where ansible-playbook finds it --------

if [[ ! -x "$root/.venv/bin/ansible-playbook" ]]; then
    echo "== preparing .venv (make venv)"
    make -C "$root" venv
fi
export PATH="$root/.venv/bin:$PATH"
python="$root/.venv/bin/python"
"$python" tools/collection-tree.py link >/dev/null
export ANSIBLE_COLLECTIONS_PATH="$root/.build/collections"
export ANSIBLE_PYTHON_INTERPRETER="$python"
export ANSIBLE_NOCOLOR=${ANSIBLE_NOCOLOR:-1}
export ANSIBLE_FORCE_COLOR=${ANSIBLE_FORCE_COLOR:-0}
export ANSIBLE_LOCALHOST_WARNING=False
export ANSIBLE_INVENTORY_UNPARSED_WARNING=False
export ANSIBLE_RETRY_FILES_ENABLED=False
# Results and diffs as YAML, which reads better than JSON.
export ANSIBLE_CALLBACK_RESULT_FORMAT=${ANSIBLE_CALLBACK_RESULT_FORMAT:-yaml}
export ANSIBLE_DISPLAY_SKIPPED_HOSTS=${ANSIBLE_DISPLAY_SKIPPED_HOSTS:-False}

extra_args=(-i 'localhost,' -c local)
if [[ -n "${DEMO_VARS:-}" ]]; then
    extra_args+=(-e "@$DEMO_VARS")
fi

workdir=$(mktemp -d)
sim_pid=
cleanup() {
    if [[ -n "$sim_pid" ]] && kill -0 "$sim_pid" 2>/dev/null; then
        kill "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

heading() {
    echo
    echo "== $* =="
    echo
}

# --- the server: a real Totango, or the simulator -------------------------------------

if [[ -n "${TOTANGO_SCIM_URL:-}" ]]; then
    mode=real
    if [[ -z "${TOTANGO_APP_TOKEN:-}${TOTANGO_ACCESS_TOKEN:-}${TOTANGO_USERNAME:-}" ]]; then
        echo "demo: TOTANGO_SCIM_URL is set but no credentials: set TOTANGO_APP_TOKEN," \
             "TOTANGO_ACCESS_TOKEN, or TOTANGO_USERNAME and TOTANGO_PASSWORD" >&2
        exit 2
    fi
    heading "Against a real Totango: $TOTANGO_SCIM_URL"
    echo "The demo creates, changes and disables real users (${DEMO_VARS:-$examples/vars/demo-people.yml})."
    if [[ "${DEMO_CONFIRM:-}" != yes ]]; then
        if [[ ! -t 0 ]]; then
            echo "demo: not confirmed; set DEMO_CONFIRM=yes to run against a real Totango" >&2
            exit 2
        fi
        read -r -p "Type yes to go on: " answer
        [[ "$answer" == yes ]] || { echo "demo: stopped"; exit 1; }
    fi
else
    mode=simulator
    # Demo values, valid only for this local simulator.
    app_token=demo-app-token
    port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
    heading "Starting the Totango SCIM simulator on 127.0.0.1:$port"
    "$python" tests/simulator/totango_sim.py --port "$port" --app-token "$app_token" \
        --admin-user admin@example.com --admin-password demo-password >"$workdir/simulator.log" 2>&1 &
    sim_pid=$!
    # It prints "scim_url=... token_url=..." once it serves.
    for _ in $(seq 1 150); do
        grep -q '^scim_url=' "$workdir/simulator.log" 2>/dev/null && break
        if ! kill -0 "$sim_pid" 2>/dev/null; then
            echo "demo: the simulator exited early:" >&2
            cat "$workdir/simulator.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    scim_url=$(sed -n 's/^scim_url=\([^ ]*\).*/\1/p' "$workdir/simulator.log" | head -n 1)
    [[ -n "$scim_url" ]] || { echo "demo: the simulator did not start" >&2; cat "$workdir/simulator.log" >&2; exit 1; }
    control="http://127.0.0.1:$port/_sim"
    echo "SCIM API: $scim_url"

    export TOTANGO_SCIM_URL="$scim_url"
    export TOTANGO_APP_TOKEN="$app_token"
    unset TOTANGO_ACCESS_TOKEN TOTANGO_USERNAME TOTANGO_PASSWORD TOTANGO_TOKEN_URL
    # No rate limit on the simulator: no client-side pacing either.
    extra_args+=(-e demo_requests_per_minute=0)

    # The simulator's control API (not part of Totango's): seed teams, read the request counters.
    sim_control() {
        "$python" - "$@" <<'PY'
import json, sys, urllib.request
method, url = sys.argv[1], sys.argv[2]
data = sys.argv[3].encode() if len(sys.argv) > 3 else None
request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
with urllib.request.urlopen(request, timeout=10) as answer:
    body = answer.read()
print(body.decode() if body else "")
PY
    }
    echo "Teams in the simulator's tenant: Default Team (there from the start), and, seeded now:"
    for team in "Customer Success" "Support"; do
        sim_control POST "$control/groups" "{\"displayName\": \"$team\"}" >/dev/null
        echo "  - $team"
    done
fi

# --- the steps --------------------------------------------------------------------------

# Runs one step; in simulator mode, then prints the requests the step made.
# Sets last_writes and last_changed.
step() {
    local title=$1 playbook=$2
    shift 2
    heading "$title"
    if [[ $mode == simulator ]]; then
        sim_control DELETE "$control/log" >/dev/null
    fi
    ansible-playbook "${extra_args[@]}" "$examples/$playbook" "$@" | tee "$workdir/step.log"
    last_changed=$(grep -E "^localhost +:" "$workdir/step.log" | sed -n 's/.* changed=\([0-9]*\).*/\1/p' | tail -n 1)
    last_writes=
    if [[ $mode == simulator ]]; then
        last_writes=$(sim_control GET "$control/stats" | "$python" -c 'import json, sys; print(json.load(sys.stdin)["writes"])')
        sim_control GET "$control/stats" | "$python" -c '
import json, sys
s = json.load(sys.stdin)
print("Requests the simulator served in this step: %d reads, %d writes" % (s["reads"], s["writes"]))'
    fi
}

expect_no_writes() {
    if [[ $mode == simulator && "$last_writes" != 0 ]]; then
        echo "demo: FAILED: $1 made $last_writes write requests; it must make none" >&2
        exit 1
    fi
}

expect_unchanged() {
    if [[ "$last_changed" != 0 ]]; then
        echo "demo: FAILED: $1 reported changed=$last_changed; it must report changed=0" >&2
        exit 1
    fi
    expect_no_writes "$1"
}

step "1. Onboarding, check mode with diff (nothing is written)" demo-onboarding.yml --check --diff
expect_no_writes "onboarding in check mode"

step "2. Onboarding, for real" demo-onboarding.yml --diff

step "3. Onboarding again: nothing left to change" demo-onboarding.yml --diff
expect_unchanged "the second onboarding run"

step "4. Offboarding, check mode with diff (nothing is written)" demo-offboarding.yml --check --diff
expect_no_writes "offboarding in check mode"

step "5. Offboarding, for real" demo-offboarding.yml --diff

step "6. Offboarding again: nothing left to change" demo-offboarding.yml --diff
expect_unchanged "the second offboarding run"

heading "7. The people, read back from the API"
ansible-playbook "${extra_args[@]}" "$examples/demo-report.yml" \
    | sed -n '/TASK \[Show them\]/,/PLAY RECAP/p' | sed '/PLAY RECAP/d'

if [[ $mode == simulator ]]; then
    echo "demo: done. The check-mode runs wrote nothing, and the second runs reported changed=0 and wrote nothing."
else
    echo "demo: done. The second runs reported changed=0."
fi
