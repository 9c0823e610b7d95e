# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one reading of times (module_utils/_times.py): ISO 8601 forms, zones, datetime objects, and hostile values as one line."""

import re
import time
from datetime import date, datetime, timedelta, timezone

import pytest

from ansible_collections.csoft.sms.plugins.module_utils import _times as times
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError

UTC = timezone.utc

# (text, the moment in UTC it means)
ACCEPTED = [
    ("2026-12-08T09:00:00Z", datetime(2026, 12, 8, 9, 0, 0, tzinfo=UTC)),
    ("2026-12-08T09:00:00z", datetime(2026, 12, 8, 9, 0, 0, tzinfo=UTC)),
    ("2026-12-08T10:00:00+01:00", datetime(2026, 12, 8, 9, 0, 0, tzinfo=UTC)),
    ("2026-12-08T03:30:00-05:30", datetime(2026, 12, 8, 9, 0, 0, tzinfo=UTC)),
    ("2026-12-08T10:00:00+0100", datetime(2026, 12, 8, 9, 0, 0, tzinfo=UTC)),
    ("2026-12-08T10:00:00+01", datetime(2026, 12, 8, 9, 0, 0, tzinfo=UTC)),
    ("2026-12-08T09:00:00+00:00", datetime(2026, 12, 8, 9, 0, 0, tzinfo=UTC)),
    ("2026-12-08T09:00:00", datetime(2026, 12, 8, 9, 0, 0, tzinfo=UTC)),
    ("2026-12-08 09:00:00", datetime(2026, 12, 8, 9, 0, 0, tzinfo=UTC)),
    ("2026-12-08T09:15", datetime(2026, 12, 8, 9, 15, 0, tzinfo=UTC)),
    ("2026-12-08T09", datetime(2026, 12, 8, 9, 0, 0, tzinfo=UTC)),
    ("2026-12-08T09:00:00.5Z", datetime(2026, 12, 8, 9, 0, 0, 500000, tzinfo=UTC)),
    ("2026-12-08T09:00:00.123Z", datetime(2026, 12, 8, 9, 0, 0, 123000, tzinfo=UTC)),
    ("2026-12-08T09:00:00.123456789Z", datetime(2026, 12, 8, 9, 0, 0, 123456, tzinfo=UTC)),
    ("2026-12-08T10:00:00,25+01:00", datetime(2026, 12, 8, 9, 0, 0, 250000, tzinfo=UTC)),
    ("2026-12-08", datetime(2026, 12, 8, 0, 0, 0, tzinfo=UTC)),
    ("  2026-12-08T09:00:00Z\n", datetime(2026, 12, 8, 9, 0, 0, tzinfo=UTC)),
    ("2026-12-31T23:30:00-01:00", datetime(2027, 1, 1, 0, 30, 0, tzinfo=UTC)),
    ("9999-12-31T23:59:59Z", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ("0001-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=UTC)),
]


@pytest.mark.parametrize("text, expected", ACCEPTED)
def test_iso_8601_forms(text, expected):
    moment = times.parse_time("send_at", text)
    assert moment == expected
    assert moment.utcoffset() == timedelta(0), "always returned in UTC"


# What Python 3.7 to 3.10 read with datetime.fromisoformat (3.11 reads more, and some of it differently).
PY37_FROMISOFORMAT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?([+-][0-9]{2}:[0-9]{2})?)?\Z")


@pytest.mark.parametrize("text", [text.strip() for text, _expected in ACCEPTED])
def test_every_accepted_form_is_read_alike_on_older_pythons(text):
    # The text handed to fromisoformat is one that Python 3.7 to 3.10 read too, so a managed host reads what the controller reads.
    canonical = times._canonical(times._ISO_RE.match(text))  # pylint: disable=protected-access
    assert PY37_FROMISOFORMAT.match(canonical), canonical


@pytest.mark.parametrize(
    "value, expected",
    [
        (datetime(2026, 12, 8, 9, 0, 0), datetime(2026, 12, 8, 9, 0, 0, tzinfo=UTC)),
        (datetime(2026, 12, 8, 10, 0, 0, tzinfo=timezone(timedelta(hours=1))), datetime(2026, 12, 8, 9, 0, 0, tzinfo=UTC)),
        (datetime(2026, 12, 8, 3, 30, 0, tzinfo=timezone(timedelta(hours=-5, minutes=-30))), datetime(2026, 12, 8, 9, 0, 0, tzinfo=UTC)),
        (date(2026, 12, 8), datetime(2026, 12, 8, tzinfo=UTC)),
    ],
)
def test_datetime_objects(value, expected):
    # YAML makes a datetime (or a date) of an unquoted time.
    moment = times.parse_time("since", value)
    assert moment == expected
    assert moment.utcoffset() == timedelta(0)


# (value, what the one line says)
HOSTILE = [
    ("nan", "not an ISO 8601 time"),
    ("inf", "not an ISO 8601 time"),
    ("-inf", "not an ISO 8601 time"),
    ("1e308", "not an ISO 8601 time"),
    ("1e+308", "not an ISO 8601 time"),
    (float("nan"), "not a time (give an ISO 8601 text, quoted)"),
    (float("inf"), "not a time (give an ISO 8601 text, quoted)"),
    (1e308, "not a time (give an ISO 8601 text, quoted)"),
    (1.5, "not a time (give an ISO 8601 text, quoted)"),
    (20261208, "not a time (give an ISO 8601 text, quoted)"),
    (True, "not a time (give an ISO 8601 text, quoted)"),
    (False, "not a time (give an ISO 8601 text, quoted)"),
    (None, "not a time (give an ISO 8601 text, quoted)"),
    (b"2026-12-08T09:00:00Z", "not a time (give an ISO 8601 text, quoted)"),
    (["2026-12-08T09:00:00Z"], "not a time (give an ISO 8601 text, quoted)"),
    ("99999-01-01T00:00:00", "not an ISO 8601 time"),
    ("9999-12-31T23:59:59-14:00", "outside the times that can be given in UTC"),
    ("0001-01-01T00:00:00+01:00", "outside the times that can be given in UTC"),
    ("x" * 10000, "longer than 64 characters"),
    ("2" * 10000, "longer than 64 characters"),
    ("2026-13-45T99:00:00", "not an ISO 8601 time"),
    ("2026-02-30T09:00:00Z", "not an ISO 8601 time"),
    ("2026-12-08T24:00:00Z", "not an ISO 8601 time"),
    ("2026-12-08T09:00:60Z", "not an ISO 8601 time"),
    ("2026-12-08T09:00:00+24:00", "not an ISO 8601 time"),
    ("0000-01-01T00:00:00Z", "not an ISO 8601 time"),
    ("", "not an ISO 8601 time"),
    ("   ", "not an ISO 8601 time"),
    ("tomorrow", "not an ISO 8601 time"),
    ("now", "not an ISO 8601 time"),
    ("09:00", "not an ISO 8601 time"),
    ("T09:00:00Z", "not an ISO 8601 time"),
    ("2026-12-08T", "not an ISO 8601 time"),
    ("Z", "not an ISO 8601 time"),
    # A zone needs a time: Python reads "2026-12-08+05:00" as 05:00 without a zone.
    ("2026-12-08+05:00", "not an ISO 8601 time"),
    ("2026-12-08Z", "not an ISO 8601 time"),
    # Forms that only Python 3.11 and later read (or read differently): refused everywhere.
    ("20261208T090000Z", "not an ISO 8601 time"),
    ("2026-12-08T0900", "not an ISO 8601 time"),
    ("2026-12-08T09,5", "not an ISO 8601 time"),
    ("2026-12-08T09:00,5", "not an ISO 8601 time"),
    ("2026-12-08T09:00:00+01:00:30", "not an ISO 8601 time"),
    ("2026-12-08T09:00:00 Z", "not an ISO 8601 time"),
    ("2026-12-08T09:00:00ZZ", "not an ISO 8601 time"),
    ("２０２６-12-08T09:00:00Z", "not an ISO 8601 time"),
    ("2026-12-08\nT09:00:00Z", "not an ISO 8601 time"),
    ("2026-12-08T09:00:00Z; rm -rf /", "not an ISO 8601 time"),
]


@pytest.mark.parametrize("value, why", HOSTILE)
def test_hostile_values_are_one_clean_line(value, why):
    with pytest.raises(CsoftInputError) as info:
        times.parse_time("send_at", value)
    message = str(info.value)
    assert message.startswith("csoft send_at is ")
    assert why in message
    assert message.endswith("; check the send_at option")
    assert "\n" not in message
    assert len(message) < 300, "a long value is shown cut short"
    error = info.value
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__), "no chained traceback"


def test_refusal_names_the_option_and_shows_the_example():
    with pytest.raises(CsoftInputError) as info:
        times.parse_time("since", "yesterday")
    assert str(info.value) == (
        "csoft since is 'yesterday', which is not an ISO 8601 time such as 2026-12-08T09:00:00Z (a time without a zone is UTC); check the since option"
    )


@pytest.mark.parametrize(
    "moment, expected",
    [
        (datetime(2026, 12, 8, 9, 0, 0, tzinfo=UTC), "2026-12-08T09:00:00Z"),
        (datetime(2026, 12, 8, 10, 0, 0, tzinfo=timezone(timedelta(hours=1))), "2026-12-08T09:00:00Z"),
        (datetime(2026, 12, 8, 3, 30, 0, tzinfo=timezone(timedelta(hours=-5, minutes=-30))), "2026-12-08T09:00:00Z"),
        (datetime(2026, 12, 8, 9, 0, 59, 999999, tzinfo=UTC), "2026-12-08T09:00:59Z"),
        (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "9999-12-31T23:59:59Z"),
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00Z"),
    ],
)
def test_iso_utc_is_whole_seconds_in_utc(moment, expected):
    assert times.iso_utc(moment) == expected


@pytest.mark.parametrize("text", [text for text, _expected in ACCEPTED])
def test_iso_utc_reads_back_to_the_same_second(text):
    moment = times.parse_time("send_at", text)
    assert times.parse_time("send_at", times.iso_utc(moment)) == moment.replace(microsecond=0)


def test_utc_now_is_aware_utc_and_current():
    before = time.time()
    now = times.utc_now()
    after = time.time()
    assert now.utcoffset() == timedelta(0)
    assert before - 0.001 <= now.timestamp() <= after + 0.001
