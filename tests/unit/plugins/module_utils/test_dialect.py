# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""PatchDialects: Totango's form first, the other once on a refusal of the form, then kept for the run.

A server is a function of the operations here; tests/unit/plugins/module_utils/test_client.py drives
the same memory over real HTTP, and the integration tests against the simulator's strict modes.
"""

import threading
import time

import pytest
from ansible_collections.scimops.totango.plugins.module_utils._dialect import (
    EXTENSION_PATHS,
    MEMBER_REMOVAL,
    PatchDialects,
    PatchForms,
)
from ansible_collections.scimops.totango.plugins.module_utils._errors import ScimError
from ansible_collections.scimops.totango.plugins.module_utils._user_api import user_patch_forms

VENDOR = [{"op": "replace", "path": "managerEmail", "value": "boss@example.com"}]
RFC = [{"op": "replace", "path": "urn:ietf:params:scim:schemas:totango:1.0:User:managerEmail", "value": "boss@example.com"}]
FORMS = PatchForms(EXTENSION_PATHS, VENDOR, RFC)


class Server:
    """Accepts only the operations of one dialect; records what it was sent."""

    def __init__(self, accepts, refusal="invalidPath", delay=0.0):
        self.accepts = accepts
        self.refusal = refusal
        self.delay = delay
        self.sent = []
        self._lock = threading.Lock()

    def __call__(self, operations):
        time.sleep(self.delay)
        with self._lock:
            self.sent.append(operations)
        if operations not in self.accepts:
            raise ScimError("attribute path not understood", status=400, scim_type=self.refusal, action="updating")
        return None


@pytest.mark.parametrize("refusal", ["invalidPath", "invalidValue", "invalidSyntax"])
def test_a_refused_vendor_form_is_sent_once_in_the_rfc_form_and_kept(refusal):
    notes = []
    dialects = PatchDialects(notes.append)
    server = Server(accepts=[RFC], refusal=refusal)
    dialects.send(FORMS, server)
    dialects.send(FORMS, server)
    assert server.sent == [VENDOR, RFC, RFC], "one refusal in the run, then the RFC form first"
    assert len(notes) == 1 and "refused Totango's documented form of extension attribute paths" in notes[0]
    assert "accepted the RFC 7644 form" in notes[0]


def test_a_server_that_takes_the_vendor_form_costs_nothing_more():
    dialects = PatchDialects()
    server = Server(accepts=[VENDOR])
    for _change in range(3):
        dialects.send(FORMS, server)
    assert server.sent == [VENDOR] * 3


@pytest.mark.parametrize("status, scim_type", [(400, "mutability"), (400, "noTarget"), (404, None), (409, "uniqueness")])
def test_other_refusals_are_about_the_change_not_the_form_and_are_not_resent(status, scim_type):
    dialects = PatchDialects()
    sent = []

    def server(operations):
        sent.append(operations)
        raise ScimError("no", status=status, scim_type=scim_type, action="updating")

    with pytest.raises(ScimError) as caught:
        dialects.send(FORMS, server)
    assert caught.value.status == status and sent == [VENDOR]


def test_both_forms_refused_is_one_error_naming_both_and_nothing_is_kept():
    dialects = PatchDialects()
    server = Server(accepts=[])
    with pytest.raises(ScimError) as caught:
        dialects.send(FORMS, server)
    assert "in the RFC 7644 form too" in caught.value.detail and caught.value.scim_type == "invalidPath"
    assert dialects.form_for(EXTENSION_PATHS) == "totango"
    assert server.sent == [VENDOR, RFC]


def test_a_change_the_same_in_both_forms_is_sent_once_and_teaches_nothing():
    dialects = PatchDialects()
    server = Server(accepts=[])
    core = [{"op": "replace", "path": "title", "value": "VP"}]
    with pytest.raises(ScimError):
        dialects.send(PatchForms(EXTENSION_PATHS, core, core), server)
    assert server.sent == [core]


def test_each_kind_of_change_learns_its_form_on_its_own():
    dialects = PatchDialects()
    removal = PatchForms(MEMBER_REMOVAL, [{"op": "remove", "path": "members", "value": [{"value": "1"}]}],
                         [{"op": "remove", "path": 'members[value eq "1"]'}])
    server = Server(accepts=[RFC, removal.totango])  # URN paths, but Totango's removal
    dialects.send(FORMS, server)
    dialects.send(removal, server)
    dialects.send(removal, server)
    assert server.sent == [VENDOR, RFC, removal.totango, removal.totango]


def test_parallel_workers_pay_for_one_refusal_in_all():
    dialects = PatchDialects()
    server = Server(accepts=[RFC], delay=0.01)
    workers = [threading.Thread(target=dialects.send, args=(FORMS, server)) for _worker in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert server.sent.count(VENDOR) == 1 and server.sent.count(RFC) == 8


def test_user_patch_forms_qualify_only_extension_paths():
    forms = user_patch_forms({"manager_email": (None, "boss@example.com"), "title": ("A", "B"), "license": ("spark", "zoe"),
                              "manager_external_id": ("m-1", "")})
    assert forms.kind == EXTENSION_PATHS
    assert [op["path"] for op in forms.totango] == ["license", "managerEmail", "managerExternalId", "title"]
    urn = "urn:ietf:params:scim:schemas:totango:1.0:User:"
    expected = [urn + "license", urn + "managerEmail", urn + "managerExternalId", "title"]
    assert [op["path"] for op in forms.rfc7644] == expected
    assert forms.rfc7644[2] == {"op": "remove", "path": urn + "managerExternalId"}
    assert [op.get("value") for op in forms.totango] == [op.get("value") for op in forms.rfc7644]
