# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A whole HR roster against a tenant of 30,000 users, run through ansible-runner as an AWX job runs it.

The numbers that only matter at this size are asserted here, once: AWX keeps a job event's `res` only
up to 700,000 bytes (beyond, it drops the result, counts and all), and the module process stays under
150 MB of peak RSS. The module's interpreter is a small wrapper that records the peak RSS of the
process it starts (getrusage(RUSAGE_CHILDREN).ru_maxrss, as `make bench` measures it).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from tests.integration.harness import REPO_ROOT, ansible_bin, collections_root

TENANT = 30000
UNLISTED = 20
AWX_EVENT_LIMIT = 700000
RSS_LIMIT_MB = 150
EXT = "urn:ietf:params:scim:schemas:totango:1.0:User"
PLAYBOOK = "tests/integration/playbooks/totango_users/roster.yml"
TASK = "Reconcile the roster"

RSS_WRAPPER = """#!{python}
import json, os, resource, subprocess, sys
rc = subprocess.call([{python!r}] + sys.argv[1:])
with open({out!r}, "a") as handle:
    handle.write(json.dumps(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) + "\\n")
sys.exit(rc)
"""


def email(i):
    return "staff%05d@example.com" % i


def test_a_30000_user_roster_with_disable_unlisted_fits_an_awx_job_event_and_150_mb(sim, tmp_path, playbook):
    team = sim.add_team("Staff")
    for start in range(0, TENANT, 5000):
        sim.seed_users([{"userName": email(i), "name": {"givenName": "S", "familyName": "N%d" % i}, "title": "Analyst",
                         "active": True, "groups": [{"value": team}], EXT: {"license": ["zoe"]}}
                        for i in range(start, min(start + 5000, TENANT))])
    roster = [{"user_name": email(i), "title": "Analyst"} for i in range(TENANT - UNLISTED)]
    roster[7]["title"] = "Lead"
    rss_file = tmp_path / "module-rss"
    wrapper = tmp_path / "python-rss"
    wrapper.write_text(RSS_WRAPPER.format(python=sys.executable, out=str(rss_file)), encoding="utf-8")
    wrapper.chmod(0o755)
    data_dir = tmp_path / "job"
    (data_dir / "inventory").mkdir(parents=True)
    (data_dir / "inventory" / "hosts").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % wrapper, encoding="utf-8")
    sim.clear_log()

    runner = playbook.runner(
        private_data_dir=data_dir, project_dir=REPO_ROOT, playbook=PLAYBOOK,
        extravars={"roster": roster, "disable_unlisted": True, "max_disable": UNLISTED, "parallel": 8},
        envvars={"ANSIBLE_COLLECTIONS_PATH": str(collections_root()), "ANSIBLE_NOCOLOR": "1",
                 "TOTANGO_SCIM_URL": sim.scim_url, "TOTANGO_APP_TOKEN": sim.app_token,
                 "PATH": str(Path(ansible_bin()).parent) + os.pathsep + os.environ.get("PATH", "")})
    assert runner.status == "successful", runner.stdout.read()[-4000:]

    event = [e for e in runner.events if e["event"] == "runner_on_ok" and e["event_data"].get("task") == TASK][0]
    res = event["event_data"]["res"]
    size = len(json.dumps(res))
    assert size < AWX_EVENT_LIMIT, "the task's event is %d bytes; AWX drops a res over %d" % (size, AWX_EVENT_LIMIT)
    assert res["counts"] == {"created": 0, "updated": 1, "renamed": 0, "disabled": UNLISTED, "unchanged": TENANT - UNLISTED - 1,
                             "failed": 0}
    assert sorted(user["user_name"] for user in res["users"]) == sorted(
        [email(7)] + [email(i) for i in range(TENANT - UNLISTED, TENANT)]), "the changed users, not the unchanged"
    assert res["invocation"]["module_args"]["users"] == "%d entries, not echoed back" % (TENANT - UNLISTED)

    stats = sim.stats()
    assert stats["reads"] == TENANT // 100, "one read per page of 100"
    assert stats["writes"] == UNLISTED + 1
    peak_mb = max(int(line) for line in rss_file.read_text(encoding="utf-8").split()) / 1024.0
    assert peak_mb < RSS_LIMIT_MB, "the module process peaked at %.0f MB" % peak_mb
    print("T=%d: event res %d bytes, module peak RSS %.0f MB" % (TENANT, size, peak_mb))
