# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Times as users and the service give them (private to the collection).

One reading of ISO 8601 for every entry point: ``send_at`` of csoft_sms,
``since`` of csoft_sms_inbox and the service's ``Timestamp1`` (xsd:dateTime).

* ``parse_time``: a text (or a ``datetime``, which YAML makes of an unquoted
  time) as an aware ``datetime`` in UTC; a time without a zone is UTC. A
  value that is not a time, a bool, a number, NaN or a text longer than
  ``MAX_TIME_CHARS`` is refused with one ``CsoftInputError`` line that names
  the option; so is a time that cannot be shown in UTC (beyond year 9999).
* ``iso_utc``: the one form every returned time takes, ``2026-12-08T09:00:00Z``
  (whole seconds, rounded down).

Imports nothing from the Ansible controller, so it can run on any host.
"""

import re
from datetime import date, datetime, timezone

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.plugins.module_utils._values import shown

MAX_TIME_CHARS = 64
# The characters of an ISO 8601 time (digits, separators, zone, fraction); anything else is refused before parsing.
_TIME_CHARS_RE = re.compile(r"^[0-9T :.,+\-Zz]+\Z")
EXAMPLE = "2026-12-08T09:00:00Z"


def utc_now():
    return datetime.now(timezone.utc)


def _refused(name, value, why=None):
    why = why or f"not an ISO 8601 time such as {EXAMPLE} (a time without a zone is UTC)"
    return CsoftInputError(f"csoft {name} is {shown(value)}, which is {why}; check the {name} option")


def parse_time(name, value):
    """``value`` (ISO 8601 text or a datetime) as an aware datetime in UTC; CsoftInputError (one line) otherwise."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_TIME_CHARS:
            raise _refused(name, value, f"longer than {MAX_TIME_CHARS} characters, so not a time")
        if not text or not _TIME_CHARS_RE.match(text):
            raise _refused(name, value)
        if text[-1:] in "zZ":
            text = text[:-1] + "+00:00"
        try:
            moment = datetime.fromisoformat(text.replace(",", "."))
        except ValueError:
            raise _refused(name, value) from None
    else:
        raise _refused(name, value, "not a time (give an ISO 8601 text, quoted)")
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        return moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise _refused(name, value, "outside the times that can be given in UTC (years 1 to 9999)") from None


def iso_utc(moment):
    """``moment`` (an aware datetime) as ISO 8601 UTC in whole seconds: ``2026-12-08T09:00:00Z``."""
    return moment.astimezone(timezone.utc).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
