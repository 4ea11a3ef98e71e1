# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A newcomer's first mistakes, through ansible-playbook on real loopback sockets: each error names what to fix.

A wrong scim_url (the simulator's own 404), a port nobody listens on, https:// to the simulator's
plain-HTTP port, and a tenant URL from which no token URL can be derived.
"""

from __future__ import annotations

import socket
import time

from tests.integration.harness import run_playbook

CASES = ("wrong scim_url", "closed port", "https to plain http", "no token url")

PLAYBOOK = """
- name: Connection errors
  hosts: localhost
  gather_facts: false
  tasks:
{cases}
"""

CASE = """
    - name: Case {name}
      block:
        - name: Try {name}
          scimops.totango.totango_user:
            user_name: newcomer@example.com
            given_name: New
            family_name: Comer
            scim_url: "{scim_url}"
            validate_certs: false
            max_retries: 5
{auth}
      rescue:
        - name: Note {name}
          ansible.builtin.debug:
            msg: "{{{{ ansible_failed_result.msg }}}}"
"""


def closed_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def test_each_connection_mistake_names_what_to_fix(sim, tmp_path):
    port = closed_port()
    urls = {
        "wrong scim_url": sim.scim_url.replace("/services/", "/service/"),
        "closed port": "http://127.0.0.1:%d/t01/on/api/v2/scim/services/235" % port,
        "https to plain http": sim.scim_url.replace("http://", "https://"),
        "no token url": "https://api.totango.com/api/v2/scim/services/235",
    }
    auth = {name: "" for name in CASES}
    # A password that is no secret: the run must stop before sending it anywhere.
    auth["no token url"] = "            username: admin@example.com\n            password: not-sent-anywhere"
    cases = "".join(CASE.format(name=name, scim_url=urls[name], auth=auth[name]) for name in CASES)
    sim.clear_log()
    started = time.monotonic()
    result = run_playbook(PLAYBOOK.format(cases=cases), sim, tmp_path=tmp_path)
    elapsed = time.monotonic() - started
    assert result.rc == 0, result.summary()
    msg = {name: result.task("Try " + name)["msg"] for name in CASES}

    assert "no SCIM API answers at %s/Users" % urls["wrong scim_url"] in msg["wrong scim_url"]
    assert "check scim_url (%s)" % urls["wrong scim_url"] in msg["wrong scim_url"]
    assert "/{site}/{domain}/api/v2/scim/services/{service-id}" in msg["wrong scim_url"]

    assert "could not connect to 127.0.0.1 port %d (connection refused), after 3 attempts" % port in msg["closed port"]
    assert "check the host and port of scim_url" in msg["closed port"]

    plain = msg["https to plain http"]
    assert "127.0.0.1 port %d did not answer in TLS" % sim.port in plain and "write scim_url with http://" in plain
    assert "certificate" not in plain and "validate_certs" not in plain, "validate_certs is already false"

    assert msg["no token url"] == (
        "token_url: no token URL can be derived from scim_url %s, which lacks the /{site}/{domain} of app.totango.com "
        "URLs; give token_url, e.g. https://app.totango.com/{site}/{domain}/oauth2/api/v1/token" % urls["no token url"])

    # Only the wrong scim_url reached the simulator: one GET, answered 404, and no write.
    assert [(e["method"], e["status"]) for e in sim.log()] == [("GET", 404)]
    print("\nfour connection mistakes reported in %.1f s (one ansible-playbook run)" % elapsed)
