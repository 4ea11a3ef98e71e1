# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The exceptions the collection raises. Private to this collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ScimError(Exception):
    """An API call failed: HTTP status, SCIM scimType and detail, and what the module was doing."""

    def __init__(self, detail, status=None, scim_type=None, action=None):
        super(ScimError, self).__init__(detail)
        self.detail = detail
        self.status = status
        self.scim_type = scim_type
        self.action = action

    def __str__(self):
        if self.status is not None:
            reason = "HTTP %s %s: %s" % (self.status, self.scim_type or "error", self.detail)
        else:
            reason = self.detail
        return "%s failed: %s" % (self.action[0].upper() + self.action[1:], reason) if self.action else reason

    def as_result(self):
        return {"status": self.status, "scim_type": self.scim_type, "detail": self.detail}


class ScimConnectionError(ScimError):
    """No usable answer arrived: refused connection, timeout, TLS failure, or retries exhausted."""


class ScimAmbiguousWriteError(ScimConnectionError):
    """A write was sent but its answer was lost: the server may or may not have applied it."""


class OptionError(ValueError):
    """A module option breaks a rule; raised before any request is sent."""

    def __init__(self, option, rule):
        super(OptionError, self).__init__("%s: %s" % (option, rule))
        self.option = option
        self.rule = rule
