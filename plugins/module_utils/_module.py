# Copyright (c) 2026, scimops.totango contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The base every module of the collection builds on. Private to this collection."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

try:
    from ansible.module_utils.errors import NoLogError
except ImportError:  # older ansible-core
    NoLogError = ()

try:
    import requests  # noqa: F401, pylint: disable=unused-import
except ImportError:
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    REQUESTS_IMPORT_ERROR = None

from ansible_collections.scimops.totango.plugins.module_utils._client import ScimClient
from ansible_collections.scimops.totango.plugins.module_utils._connection import (
    check_connection_options,
    client_options,
    connection_argument_spec,
)
from ansible_collections.scimops.totango.plugins.module_utils._errors import OptionError, ScimError
from ansible_collections.scimops.totango.plugins.module_utils._roster_result import not_echoed


MAX_WARNINGS = 20
ECHOED_ENTRIES = 50  # a list option longer than this is counted in the invocation, not echoed


class TotangoModule(AnsibleModule):
    """AnsibleModule with the connection options, their checks, and one ScimClient per run."""

    def __init__(self, argument_spec, **kwargs):
        spec = connection_argument_spec()
        spec.update(argument_spec)
        self._validating_arguments = True
        super(TotangoModule, self).__init__(argument_spec=spec, **kwargs)
        self._validating_arguments = False
        if REQUESTS_IMPORT_ERROR:
            self.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        self._client = None
        self._connection_checked = False

    def fail_json(self, msg, **kwargs):  # pylint: disable=arguments-differ
        if getattr(self, "_validating_arguments", False):
            msg = _name_the_option(getattr(self, "validation_result", None), msg)
        else:
            kwargs.setdefault("invocation", {"module_args": _set_options_only(self.params)})
            self._warn_client_notes()
        super(TotangoModule, self).fail_json(msg=msg, **kwargs)

    def exit_json(self, **kwargs):
        kwargs.setdefault("invocation", {"module_args": _set_options_only(self.params)})
        self._warn_client_notes()
        super(TotangoModule, self).exit_json(**kwargs)

    def _warn_client_notes(self):
        # What the run learned about the server (a PATCH form, a value kept otherwise than asked); capped,
        # so a roster whose every user differs stays readable.
        notes = self._client.notes if getattr(self, "_client", None) is not None else []
        for sentence in notes[:MAX_WARNINGS]:
            self.warn(sentence)
        if len(notes) > MAX_WARNINGS:
            self.warn("and %d more like these" % (len(notes) - MAX_WARNINGS))

    def check_connection(self, scim_url_required=True):
        try:
            check_connection_options(self.params, scim_url_required)
        except OptionError as error:
            self.fail_json(msg=str(error), option=error.option)
        self._connection_checked = True

    @property
    def client(self):
        if self._client is None:
            if not self._connection_checked:
                self.check_connection()
            self._client = ScimClient(pool_size=self.params.get("parallel") or 10, **client_options(self.params))
        return self._client

    def fail_on(self, error, **result):
        """Ends the run with a message naming the option or the API call that failed; never a traceback."""
        if isinstance(error, OptionError):
            self.fail_json(msg=str(error), option=error.option, **result)
        if isinstance(error, ScimError):
            self.fail_json(msg=str(error), error=error.as_result(), **result)
        raise error


def _set_options_only(params):
    # Ansible echoes every suboption of every list element, unset ones as null: for a 1,000-user roster
    # that is 15,000 nulls in each -vvv log and most of the bytes the task ships back to the controller.
    # Unset suboptions are left out, and a list longer than ECHOED_ENTRIES (a team's 5,000 members) is
    # counted, not echoed: it is the task's own input. Other values stay as Ansible shows them, and no_log
    # values are still masked, as AnsibleModule masks the whole result after this.
    return dict((name, _echoed(value)) for name, value in params.items())


def _echoed(value):
    if not isinstance(value, list):
        return value
    if len(value) > ECHOED_ENTRIES:
        return not_echoed(value)
    return [_without_nulls(item) for item in value]


def _without_nulls(item):
    if not isinstance(item, dict):
        return item
    return dict((key, value) for key, value in item.items() if value is not None)


def _name_the_option(validation_result, msg):
    # ansible-core reports its no_log scan's complaint first ("dictionary requested, could not parse
    # JSON...") and drops the error that names the option; put the named ones first.
    errors = list(getattr(validation_result, "errors", None) or [])
    if NoLogError and errors and isinstance(errors[0], NoLogError):
        named = [str(error) for error in errors if not isinstance(error, NoLogError)]
        if named:
            return "; ".join(named)
    return msg
