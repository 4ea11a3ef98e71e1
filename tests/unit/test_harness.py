# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The integration harness's own layer: the collection tree, the environment of a run, playbook headers."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

from tests.integration import harness
from tests.simulator.defaults import SIM_ADMIN_PASSWORD, SIM_ADMIN_USER, SIM_APP_TOKEN

GALAXY = "namespace: scimops\nname: totango\nversion: 1.0.0\n"
BEFORE = ("nothing", "the link", "a stale link", "a real directory", "a file")


def collection(tmp_path, name, before):
    """A collection root (galaxy.yml only) whose .build tree holds `before` where the link goes."""
    root = tmp_path / name
    root.mkdir()
    (root / "galaxy.yml").write_text(GALAXY, encoding="utf-8")
    place = root / ".build" / "collections" / "ansible_collections" / "scimops" / "totango"
    place.parent.mkdir(parents=True)
    if before == "the link":
        place.symlink_to(os.path.relpath(root, place.parent), target_is_directory=True)
    elif before == "a stale link":
        place.symlink_to(tmp_path, target_is_directory=True)
    elif before == "a real directory":
        (place / "plugins").mkdir(parents=True)
        (place / "plugins" / "old.py").write_text("# an old copy\n", encoding="utf-8")
    elif before == "a file":
        place.write_text("not a collection\n", encoding="utf-8")
    return root, place


@pytest.mark.parametrize("before", BEFORE)
def test_the_harness_lays_the_tree_out_as_tools_collection_tree_does(tmp_path, before):
    by_tool, tool_place = collection(tmp_path, "by-tool", before)
    by_harness, harness_place = collection(tmp_path, "by-harness", before)
    printed = subprocess.run([sys.executable, str(harness.COLLECTION_TREE_TOOL), "link", "--root", str(by_tool)],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert printed == str(tool_place)

    assert harness.collections_root(by_harness) == by_harness / ".build" / "collections"
    for root, place in ((by_tool, tool_place), (by_harness, harness_place)):
        assert place.is_symlink() and place.resolve() == root.resolve(), (before, place)
    assert os.readlink(harness_place) == os.readlink(tool_place) == os.path.join("..", "..", "..", "..")


def test_the_repository_tree_is_the_one_make_tree_link_builds():
    root = harness.collections_root()
    assert root == harness.REPO_ROOT / ".build" / "collections"
    assert (root / "ansible_collections" / "scimops" / "totango").resolve() == harness.REPO_ROOT


def test_ansible_env_sets_the_url_and_the_credentials_given_and_inherits_no_other(monkeypatch):
    monkeypatch.setenv("TOTANGO_PASSWORD", "from the caller's shell")
    monkeypatch.setenv("TOTANGO_SCIM_URL", "https://elsewhere.example/scim")
    env = harness.ansible_env("http://127.0.0.1:1/scim", {"app_token": "T"}, extra={"EXTRA": 1, "HOME": None})
    assert env["TOTANGO_SCIM_URL"] == "http://127.0.0.1:1/scim" and env["TOTANGO_APP_TOKEN"] == "T"
    assert "TOTANGO_PASSWORD" not in env and "HOME" not in env and env["EXTRA"] == "1"
    assert env["ANSIBLE_COLLECTIONS_PATH"] == str(harness.REPO_ROOT / ".build" / "collections")
    assert not any(key.startswith("TOTANGO_") for key in harness.ansible_env(None)), "no URL, no credentials"
    with pytest.raises(ValueError, match="unknown credential options.*app-token"):
        harness.ansible_env("http://x", {"app-token": "T"})


def test_sim_credentials_for_each_way_of_authenticating(sim):
    assert harness.sim_credentials(sim) == {"app_token": SIM_APP_TOKEN}
    assert harness.sim_credentials(sim, "password") == {"username": SIM_ADMIN_USER, "password": SIM_ADMIN_PASSWORD}
    assert harness.sim_credentials(sim, "access_token") == {"access_token": sim.issued_tokens()[-1]}
    assert harness.sim_credentials(sim, None) == {}
    with pytest.raises(ValueError):
        harness.sim_credentials(sim, "kerberos")


def test_task_playbook_is_one_localhost_play_without_pacing():
    tasks = """
        - name: one
          ansible.builtin.debug:
            msg: hi
    """
    play = yaml.safe_load(harness.task_playbook(tasks, name="A play"))
    assert play == [{"name": "A play", "hosts": "localhost", "gather_facts": False,
                     "module_defaults": {"group/scimops.totango.totango": {"requests_per_minute": 0}},
                     "tasks": [{"name": "one", "ansible.builtin.debug": {"msg": "hi"}}]}]
    assert "name" not in yaml.safe_load(harness.task_playbook(tasks))[0]
