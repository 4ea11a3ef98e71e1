# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HTTP answers: a reply, the SCIM error body, and the request body as JSON."""

from __future__ import annotations

import json

from tests.simulator.defaults import SCHEMA_ERROR, SCHEMA_LIST, SCIM_CONTENT_TYPE


class ScimError(Exception):
    """An error answered as a SCIM error body."""

    def __init__(self, status, scim_type, detail, headers=None):
        super().__init__(detail)
        self.status = status
        self.scim_type = scim_type
        self.detail = detail
        self.headers = headers or {}

    def reply(self):
        """The HTTP reply for this error."""
        return error_reply(self.status, self.scim_type, self.detail, self.headers)


class Reply:
    """One HTTP answer: status, body (object, bytes or None), headers."""

    __slots__ = ("status", "body", "headers", "content_type")

    def __init__(self, status, body=None, headers=None, content_type=SCIM_CONTENT_TYPE):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.content_type = content_type

    def data(self):
        """The body as bytes."""
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode("utf-8")


def error_reply(status, scim_type, detail, headers=None):
    """A SCIM error reply."""
    body = {"schemas": [SCHEMA_ERROR]}
    if scim_type:
        body["scimType"] = scim_type
    body["detail"] = detail
    body["status"] = str(status)
    return Reply(status, body, headers)


def invalid(detail):
    """400 invalidValue."""
    return ScimError(400, "invalidValue", detail)


def syntax_error(detail):
    """400 invalidSyntax."""
    return ScimError(400, "invalidSyntax", detail)


def parse_json(body):
    """A request body that must be a JSON object."""
    if not body:
        raise syntax_error("a JSON request body is required")
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise syntax_error("request body is not valid JSON: %s" % exc) from None
    if not isinstance(data, dict):
        raise syntax_error("request body must be a JSON object")
    return data


def list_response(resources, total, start):
    """A SCIM ListResponse."""
    return {
        "schemas": [SCHEMA_LIST],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }
