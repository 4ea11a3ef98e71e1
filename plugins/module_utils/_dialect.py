# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""PATCH in Totango's documented form first, in RFC 7644's when the server refuses it, then the one that worked.

Totango's document shows bare extension paths (managerEmail, license) and member removal as a remove
with a value; RFC 7644 qualifies extension paths with their schema URN and selects members with a
filter. Where the document is silent the real service may follow the RFC. A PATCH is atomic (RFC 7644
3.5.2): one refused applied nothing, so sending the same change in the other form is safe. Each kind of
change learns its form on its own, once per run, and every worker of the run shares what was learned.
Private to this collection.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
from collections import namedtuple
from contextlib import contextmanager

from ansible_collections.scimops.totango.plugins.module_utils._errors import ScimError

TOTANGO = "totango"
RFC7644 = "rfc7644"
# What a server answers when it does not understand the form, rather than the change.
DIALECT_REFUSALS = frozenset(("invalidPath", "invalidValue", "invalidSyntax"))

EXTENSION_PATHS = "extension attribute paths"
MEMBER_REMOVAL = "member removal"


class PatchForms(namedtuple("PatchForms", "kind totango rfc7644")):
    """One change as PATCH operations in each dialect; kind names what the two forms differ in."""

    def operations(self, form):
        return self.rfc7644 if form == RFC7644 else self.totango


def _other(form):
    return TOTANGO if form == RFC7644 else RFC7644


def is_dialect_refusal(error):
    return isinstance(error, ScimError) and error.status == 400 and error.scim_type in DIALECT_REFUSALS


class PatchDialects:
    """The form each kind of change was accepted in, for the rest of the run; safe across worker threads."""

    def __init__(self, note=None):
        self._kept = {}
        self._lock = threading.Lock()
        self._learning = {}
        self._note = note or (lambda sentence: None)  # told a sentence each time a refusal taught a form
        self.user_groups = UserGroups(self._note)

    def form_for(self, kind):
        """The form a change of this kind is sent in first: the one that worked, else Totango's."""
        with self._lock:
            return self._kept.get(kind, TOTANGO)

    def send(self, forms, send):
        """send(operations) -> answer, in the kept form, or on a refusal of the form once in the other."""
        if forms.totango == forms.rfc7644:
            return send(forms.totango)
        with self._lock:
            known = forms.kind in self._kept
            learning = self._learning.setdefault(forms.kind, threading.Lock())
        if known:
            return self._send_in_kept_form(forms, send)
        # Until a form has worked, changes of this kind go one at a time: parallel workers then pay for one
        # refusal in all, not one each.
        with learning:
            return self._send_in_kept_form(forms, send)

    def _send_in_kept_form(self, forms, send):
        first = self.form_for(forms.kind)
        try:
            answer = send(forms.operations(first))
        except ScimError as refusal:
            if not is_dialect_refusal(refusal):
                raise
            answer = self._send_other(forms, first, refusal, send)
        else:
            self._keep(forms.kind, first)
        return answer

    def _send_other(self, forms, first, refusal, send):
        second = _other(first)
        try:
            answer = send(forms.operations(second))
        except ScimError as error:
            if is_dialect_refusal(error):
                refusal.detail = "%s; in %s too: %s" % (refusal.detail, _NAMES[second], error.detail)
                raise refusal
            raise
        self._keep(forms.kind, second)
        self._note("the server refused %s of %s (%s: %s) and accepted %s, which the rest of this run sends "
                   "first" % (_NAMES[first], forms.kind, refusal.scim_type, refusal.detail, _NAMES[second]))
        return answer

    def _keep(self, kind, form):
        with self._lock:
            self._kept[kind] = form


USER_GROUPS_IGNORED = ("teams: teams are written through /Groups: this server ignores groups on users (User.groups "
                       "is read-only in RFC 7643), so for the rest of this run each team a user joins or leaves "
                       "costs one PATCH of /Groups/{id}")


class UserGroups:
    """Whether this server keeps the groups a User write carries, as the first write that could show it did.

    Totango documents groups as writable on a User (POST, PUT and PATCH); RFC 7643 makes User.groups
    readOnly, and a server following it ignores them, so membership must then go through /Groups. Once
    a server has ignored them it is taken to ignore them for the rest of the run. Safe across worker threads.
    """

    def __init__(self, note=None):
        self._kept = None  # None until a write showed it
        self._lock = threading.Lock()
        self._learning = threading.Lock()
        self._note = note or (lambda sentence: None)

    @property
    def known(self):
        return self._kept is not None

    @property
    def ignored(self):
        return self._kept is False

    def learn(self, kept):
        """What one write showed; ignored sticks (and is told once), kept holds until a write shows otherwise."""
        with self._lock:
            told = self._kept is False
            if not kept:
                self._kept = False
            elif self._kept is None:
                self._kept = True
        if not kept and not told:
            self._note(USER_GROUPS_IGNORED)

    @contextmanager
    def learning(self):
        """Until known, the user writes that can show it go one at a time: parallel workers pay for one check in all."""
        if self.known:
            yield
            return
        with self._learning:
            yield


_NAMES = {TOTANGO: "Totango's documented form", RFC7644: "the RFC 7644 form"}


def send_patch(client, path, forms, action):
    """PATCHes path with one change given in both forms (PatchForms), through the client's dialect memory."""
    return client.dialects.send(forms, lambda operations: client.patch(path, operations, action))


def filter_value(value):
    """A string for a SCIM filter: double-quoted, with backslashes and quotes escaped (RFC 7644 3.4.2.2)."""
    return '"%s"' % str(value).replace("\\", "\\\\").replace('"', '\\"')
