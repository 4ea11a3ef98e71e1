# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Dialects (config ``dialect``): which request forms the simulator accepts.

- ``forgiving`` (default): every form below, as Totango may be.
- ``totango``: only the forms Totango's document shows. PATCH paths bare (``title``, ``managerEmail``,
  ``license``; a URN-qualified path is 400 invalidPath, and so is a URN-keyed object in a no-path
  value); no ``groups[value eq "..."]`` path on a User (400 invalidPath); members leave a team by op
  ``remove``, path ``members`` and a ``value`` list (``members[value eq "..."]`` is 400 invalidPath, a
  ``remove`` of ``members`` without a value 400 invalidValue); filters name ``userName`` or
  ``externalId`` as the document spells them, with ``eq`` (the value quoted or not: the document's
  placeholder does not say).
- ``rfc7644``: only RFC 7644 forms. Extension attributes URN-qualified
  (``urn:ietf:params:scim:schemas:totango:1.0:User:managerEmail``; bare, they are 400 invalidPath,
  in a path or as a key of a no-path value); members leave a team by path
  ``members[value eq "id"]``, a ``remove`` that carries a ``value`` is 400 invalidValue (RFC 7644
  3.5.2.2: remove takes no value), a ``remove`` of ``members`` without one empties the team; filter
  values are quoted strings (unquoted: 400 invalidFilter).

Each check raises the SCIM error RFC 7644 3.12 names for it.
"""

from __future__ import annotations

from tests.simulator.defaults import SCHEMA_TOTANGO
from tests.simulator.replies import ScimError

DIALECTS = ("forgiving", "totango", "rfc7644")


def _path_error(detail):
    return ScimError(400, "invalidPath", detail)


class Forgiving:
    """Every form passes."""

    name = "forgiving"

    def user_path(self, path, prefix, ext):
        """A PATCH path of a User: `prefix` "core"/"ext"/None (URN-qualified or bare), `ext` an extension attribute."""

    def value_key(self, key, ext, in_container):
        """A key of a no-path PATCH value: the URN container itself (ext None), or an attribute in or out of it."""

    def user_groups_selector(self):
        """A groups[value eq "..."] path on a User."""

    def member_selector(self):
        """A members[value eq "..."] path on a Group."""

    def member_remove(self, has_value):
        """op remove, path members, with or without a value."""

    def filter_form(self, attr, oper, quoted):
        """The parts of a filter as written."""


class Totango(Forgiving):
    """Only the forms Totango's document shows."""

    name = "totango"

    def user_path(self, path, prefix, ext):
        if prefix is not None:
            raise _path_error("path %r: Totango takes the attribute name alone (e.g. managerEmail, license), "
                              "not URN-qualified" % path)

    def value_key(self, key, ext, in_container):
        if key == SCHEMA_TOTANGO:
            raise _path_error("%s: Totango takes the attribute names alone in a PATCH value" % key)

    def user_groups_selector(self):
        raise _path_error("a groups[value eq ...] path is not supported: Totango changes teams with path groups")

    def member_selector(self):
        raise _path_error('a members[value eq ...] path is not supported: remove members with path "members" '
                          'and a value list')

    def member_remove(self, has_value):
        if not has_value:
            raise ScimError(400, "invalidValue", 'remove of "members" needs a value list of {"value": user id}')

    def filter_form(self, attr, oper, quoted):
        if attr not in ("userName", "externalId") or oper != "eq":
            raise ScimError(400, "invalidFilter", "filter on userName or externalId with eq, as spelled in the API document")


class Rfc7644(Forgiving):
    """Only RFC 7644 forms."""

    name = "rfc7644"

    def user_path(self, path, prefix, ext):
        if ext and prefix != "ext":
            raise _path_error("path %r is not a core attribute; an extension attribute is URN-qualified: %s:<name>"
                              % (path, SCHEMA_TOTANGO))

    def value_key(self, key, ext, in_container):
        if ext and not in_container:
            raise _path_error("%r is not a core attribute; put it in the %s object" % (key, SCHEMA_TOTANGO))

    def member_remove(self, has_value):
        if has_value:
            raise ScimError(400, "invalidValue", 'remove takes no value (RFC 7644 3.5.2.2); select members with '
                            'path members[value eq "id"]')

    def filter_form(self, attr, oper, quoted):
        if not quoted:
            raise ScimError(400, "invalidFilter", "a filter value is a quoted string (RFC 7644 3.4.2.2)")


BY_NAME = {d.name: d for d in (Forgiving(), Totango(), Rfc7644())}


def dialect(sim):
    """The dialect the config names."""
    return BY_NAME[sim.config["dialect"]]
