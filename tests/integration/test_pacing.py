# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Pacing over HTTP: rosters on parallel forks, two tasks each, against the simulator's real limiters.

The modules run with requests_per_minute equal to the simulator's limit. Two hosts run the play at once
(two forks), each with two totango_users tasks of parallel 8, so one budget serves consecutive tasks,
parallel workers and forks. Every claim comes from the simulator's request log: no request was refused,
and every user of every roster exists.

Nothing here depends on timing: the pacer counts each request when its answer comes back, the latest
moment the server can have counted it, so a slow or loaded machine only lowers the rate.
"""

from __future__ import annotations

import collections
import time

import requests

from tests.integration.harness import run_playbook

PLAY = """
- name: Two hosts that run the modules at once, in two forks
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Add the workers
      ansible.builtin.add_host:
        name: "{{ item }}"
        groups: workers
        ansible_connection: local
      loop: "{{ rosters.keys() | list }}"

- name: Two rosters one after the other on every worker
  hosts: workers
  gather_facts: false
  module_defaults:
    group/scimops.totango.totango:
      requests_per_minute: "{{ rate }}"
  tasks:
    - name: First roster
      scimops.totango.totango_users:
        users: "{{ rosters[inventory_hostname][0] }}"
        parallel: 8
    - name: Second roster
      scimops.totango.totango_users:
        users: "{{ rosters[inventory_hostname][1] }}"
        parallel: 8
"""
HOSTS = ("worker1", "worker2")


def rosters(per_task):
    def person(host, task, i):
        return {"email": "%s.t%d.u%03d@example.com" % (host, task, i), "given_name": "Paced",
                "family_name": "User %d" % i}
    return {host: [[person(host, task, i) for i in range(per_task)] for task in (1, 2)] for host in HOSTS}


def user_names(sim):
    """An independent read of every user name, with plain requests and the limiter off."""
    sim.configure(rate_limit=0)
    names, start = set(), 1
    while True:
        page = requests.get(sim.scim_url + "/Users", params={"startIndex": start, "count": 100},
                            headers={"app-token": sim.app_token}, timeout=10).json()
        names.update(user["userName"] for user in page["Resources"])
        start += len(page["Resources"])
        if not page["Resources"] or start > page["totalResults"]:
            return names


def run_paced(sim, tmp_path, rate, per_task, client_rate=None, window=60, **limiter):
    """The play with requests_per_minute client_rate (default: the limiter's rate) against that limiter
    (rate requests a window of `window` seconds)."""
    sim.configure(rate_limit=rate, rate_limit_window=window, **limiter)
    sim.clear_log()
    wanted = rosters(per_task)
    started = time.monotonic()
    result = run_playbook(PLAY, sim, tmp_path=tmp_path, extra_vars={"rate": client_rate or rate, "rosters": wanted})
    took = time.monotonic() - started
    log = sim.log()
    statuses = collections.Counter(entry["status"] for entry in log)
    expected = {person["email"] for tasks in wanted.values() for roster in tasks for person in roster}
    lost = expected - user_names(sim)
    records = [rec for rec in result.tasks if rec["task"] in ("First roster", "Second roster")]
    print("\n%s at %d a %d s window: %d requests in %.1f s (requests / rate: %.1f s), statuses %s, %d users lost" % (
        limiter, rate, window, len(log), took, len(log) * float(window) / rate, dict(statuses), len(lost)))
    return result, log, statuses, lost, records


def assert_paced(result, statuses, lost, records, per_task):
    assert result.rc == 0, result.summary()
    assert statuses[429] == 0, "the pacer earned 429s: %s" % dict(statuses)
    assert lost == set(), "users lost to the limiter: %s" % sorted(lost)[:10]
    assert len(records) == 2 * len(HOSTS)
    for rec in records:
        assert not rec["failed"], rec
        assert rec["result"]["counts"]["created"] == per_task, rec["result"]["counts"]


def test_fixed_window_without_headers_across_a_window_boundary(sim, tmp_path):
    # 30 a minute, and about 40 requests: the run must cross the server's window, the moment where a
    # client whose window reopens before the server's earns a 429.
    result, log, statuses, lost, records = run_paced(sim, tmp_path, 30, 8, rate_limit_headers=False)
    assert len(log) > 30, "the run did not reach the window's end, so it proves nothing"
    assert_paced(result, statuses, lost, records, 8)


def test_fixed_window_with_headers_across_a_window_boundary(sim, tmp_path):
    result, log, statuses, lost, records = run_paced(sim, tmp_path, 30, 8, retry_after_on_429=True)
    assert len(log) > 30, "the run did not reach the window's end, so it proves nothing"
    assert_paced(result, statuses, lost, records, 8)


def test_token_bucket_at_a_high_rate(sim, tmp_path):
    # 1,200 a minute refilling a burst of 10: about 300 requests, so the bucket runs dry many times over.
    result, log, statuses, lost, records = run_paced(sim, tmp_path, 1200, 70, rate_limiter="token_bucket",
                                                     rate_limit_burst=10, rate_limit_headers=False)
    assert len(log) > 250
    assert_paced(result, statuses, lost, records, 70)


def test_a_stricter_limiter_that_says_when_to_come_back_loses_no_user(sim, tmp_path):
    # The server allows half of what the task asks for: its 429s name the wait, so they are waited out
    # and no user is lost (how many 429s there are depends on the machine's speed, so it is not asserted).
    result, _log, _statuses, lost, records = run_paced(sim, tmp_path, 600, 40, client_rate=1200,
                                                       rate_limiter="token_bucket", rate_limit_burst=10,
                                                       retry_after_on_429=True)
    assert result.rc == 0, result.summary()
    assert lost == set(), "users lost to the limiter: %s" % sorted(lost)[:10]
    assert all(not rec["failed"] and rec["result"]["counts"]["created"] == 40 for rec in records)


def test_a_stricter_limiter_that_says_nothing_loses_no_user(sim, tmp_path):
    # Twice what the server allows (60 a minute against 5 a 10-second window), and no header at all: the
    # 429s say nothing of when to come back, so the client waits for up to a window, and every user exists.
    result, log, statuses, lost, records = run_paced(sim, tmp_path, 5, 3, client_rate=60, window=10,
                                                     rate_limit_headers=False)
    # (the 429s are not asserted: how many there are depends on the machine's speed; 20 of 36 requests here)
    assert result.rc == 0, "%s\nstatuses %s" % (result.summary(), dict(statuses))
    assert lost == set(), "users lost to the limiter: %s" % sorted(lost)[:10]
    assert all(not rec["failed"] and rec["result"]["counts"]["created"] == 3 for rec in records)
