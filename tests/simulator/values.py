# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Validation of single attribute values, as Totango answers them (400 invalidValue)."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from tests.simulator.defaults import LICENSES
from tests.simulator.replies import invalid

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def now_iso():
    """meta.created / meta.lastModified stamp."""
    stamp = datetime.now(timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (stamp.microsecond // 1000)


def v_string(name, value, max_len, required=False):
    """A string attribute: None/"" -> None (or 400 when required); numbers become strings."""
    if value is None or value == "":
        if required:
            raise invalid("%s is required" % name)
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise invalid("%s must be a string" % name)
    value = str(value)
    if required and not value.strip():
        raise invalid("%s is required" % name)
    if len(value) > max_len:
        raise invalid("%s is limited to %d characters" % (name, max_len))
    return value


def v_email(name, value, max_len=100, required=False):
    """An e-mail attribute (<= 100 chars), lowercased."""
    value = v_string(name, value, max_len, required)
    if value is None:
        return None
    if not EMAIL_RE.match(value):
        raise invalid("%s must be an email" % name)
    return value.lower()


def v_bool(name, value):
    """true/false or the strings yes/no/true/false; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("yes", "true"):
            return True
        if low in ("no", "false"):
            return False
    raise invalid('%s must be one of true, false, "yes", "no", "true", "false"' % name)


def v_license(name, value, _max_len=None, required=False):
    """A license string or a list of one; None/[] -> None (or 400 when required)."""
    if value is None or value == "" or value == []:
        if required:
            raise invalid("license must be one of Spark, Zoe, Viewer")
        return None
    if isinstance(value, list):
        if len(value) != 1:
            raise invalid("%s must hold exactly one of Spark, Zoe, Viewer" % name)
        value = value[0]
    if not isinstance(value, str) or value.strip().lower() not in LICENSES:
        raise invalid("%s must be one of Spark, Zoe, Viewer (got %r)" % (name, value))
    return value.strip().lower()
