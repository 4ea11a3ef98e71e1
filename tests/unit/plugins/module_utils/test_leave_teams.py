# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""apply_leaves when a team write fails: a team deleted since the read is left (nobody is in it); any other
failure keeps the leavers in that team, each failing with the reason."""

import pytest
from ansible_collections.scimops.totango.plugins.module_utils._errors import ScimError
from ansible_collections.scimops.totango.plugins.module_utils._leave_teams import TeamLeave, apply_leaves


class Dialects:
    @staticmethod
    def send(forms, write):
        return write(forms)


class RefusingClient:
    """Answers every team PATCH with the given error."""

    def __init__(self, error):
        self.dialects = Dialects()
        self.error = error
        self.patched = []

    def patch(self, path, operations, action):
        self.patched.append(path)
        raise self.error


class Leaver:
    def __init__(self, user_name, team):
        self.user_name, self.user_id, self.failed = user_name, "id-" + user_name, False
        self.teams_left, self.team_errors = [team], []


def leave_of(team, *names):
    leave = TeamLeave(team)
    leave.items = [Leaver(name, team) for name in names]
    return leave


def test_a_team_deleted_since_the_read_is_left_not_failed():
    team = {"id": "7", "name": "Gone"}
    leave = leave_of(team, "ann@example.com", "bob@example.com")
    client = RefusingClient(ScimError("group 7 not found", status=404, action="removing 2 members from team Gone"))
    apply_leaves(client, [leave], parallel=2)
    assert client.patched == ["/Groups/7"]
    result = leave.result()
    assert "failed" not in result and result["removed"] == ["ann@example.com", "bob@example.com"]
    assert "no longer exists" in result["msg"]
    assert all(item.team_errors == [] and item.teams_left == [team] for item in leave.items)


@pytest.mark.parametrize("status", [400, 403, 409, 500, None])
def test_any_other_failure_keeps_the_leavers_in_the_team(status):
    team = {"id": "8", "name": "Sales"}
    leave = leave_of(team, "ann@example.com")
    apply_leaves(RefusingClient(ScimError("refused", status=status, action="removing")), [leave], parallel=1)
    result = leave.result()
    assert result["failed"] is True and result["removed"] == []
    (item,) = leave.items
    assert item.teams_left == [] and item.team_errors == ["disabled, but still in team Sales: %s" % result["msg"]]
