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

The forms read are those of ISO 8601's extended format: a date
``YYYY-MM-DD``, optionally ``T`` (or a space) and ``HH``, ``HH:MM`` or
``HH:MM:SS`` with a fraction of a second after ``.`` or ``,``, then optionally
a zone (``Z``, ``+HH:MM``, ``+HHMM`` or ``+HH``) after the time. The text is
brought to the one form that ``datetime.fromisoformat`` reads alike on every
Python from 3.7 (3.11 reads more forms than 3.8 to 3.10, and reads a date with
a zone but no time, ``2026-12-08+05:00``, as 05:00 without a zone), so a time
means the same on every host.

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
# The extended format: date, then optionally time (fraction on the seconds only) and zone (only after a time).
_ISO_RE = re.compile(
    r"^(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:[T ](?P<hour>[0-9]{2})(?::(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]+))?)?)?"
    r"(?P<zone>[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?)?\Z"
)


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
        found = _ISO_RE.match(text) if _TIME_CHARS_RE.match(text) else None
        if found is None:
            raise _refused(name, value)
        try:
            moment = datetime.fromisoformat(_canonical(found))
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


def _canonical(found):
    """The matched time as ``YYYY-MM-DDTHH:MM:SS[.ffffff][+HH:MM]``, which fromisoformat reads alike on Python 3.7 and later."""
    if found.group("hour") is None:
        return found.group("date")
    text = f"{found.group('date')}T{found.group('hour')}:{found.group('minute') or '00'}:{found.group('second') or '00'}"
    if found.group("fraction"):
        text += "." + found.group("fraction")[:6].ljust(6, "0")
    zone = found.group("zone")
    if zone in ("Z", "z"):
        text += "+00:00"
    elif zone:
        digits = zone[1:].replace(":", "")
        text += f"{zone[0]}{digits[:2]}:{digits[2:] or '00'}"
    return text


def iso_utc(moment):
    """``moment`` (an aware datetime) as ISO 8601 UTC in whole seconds: ``2026-12-08T09:00:00Z``."""
    return moment.astimezone(timezone.utc).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
