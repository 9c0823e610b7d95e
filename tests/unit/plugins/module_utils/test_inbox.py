# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The loop of csoft_sms_inbox (module_utils/_inbox.py): its options, the polls, the deadline, what a failure keeps."""

from datetime import datetime, timezone

import pytest

from ansible_collections.csoft.sms.plugins.module_utils._collect import OPERATION, Collected, Reply
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError, CsoftUnreachableError
from ansible_collections.csoft.sms.plugins.module_utils._inbox import (
    DEFAULT_POLL_INTERVAL,
    InboxError,
    InboxOptions,
    read_inbox,
)

ONCALL = "447700900123"
OTHER = "447700900456"
T0 = datetime(2026, 12, 8, 9, 0, tzinfo=timezone.utc)


def reply(text, sender=ONCALL, second=0):
    return Reply(sender, "447700912345", text, T0.replace(second=second))


class FakeClient:
    """Answers each CollectMessages request with the next list of replies (or Collected), or raises ``errors[request number]``."""

    endpoint = "https://sms.example/sendsms5"

    def __init__(self, *answers, errors=None):
        self.answers = list(answers)
        self.errors = dict(errors or {})
        self.requests = 0

    def request(self, operation, fields, parse):
        assert operation == OPERATION and fields == ()
        self.requests += 1
        if self.requests in self.errors:
            raise self.errors[self.requests]
        answer = self.answers.pop(0) if self.answers else []
        return answer if isinstance(answer, Collected) else Collected(0, list(answer))

    def redact(self, text):
        return text


class FakeTime:
    """A monotonic clock that only moves when the loop sleeps."""

    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def options(**values):
    return InboxOptions.from_values(values.get)


def run(client, opts):
    fake = FakeTime()
    return read_inbox(client, opts, sleep=fake.sleep, clock=fake.clock), fake


def test_defaults():
    opts = options()
    assert opts.wait == 0 and opts.poll_interval == DEFAULT_POLL_INTERVAL
    assert opts.matcher.senders == () and opts.matcher.pattern is None and opts.matcher.since is None


def test_collect_once_without_wait():
    client = FakeClient([reply("first"), reply("second", OTHER)])
    result, fake = run(client, options())
    assert client.requests == result.polls == 1 and fake.sleeps == []
    assert [r.text for r in result.messages] == ["first", "second"]
    assert result.matched.text == "first" and result.timed_out is False


def test_no_match_without_wait_is_not_a_timeout():
    result, _fake = run(FakeClient([reply("no", OTHER)]), options(**{"from": [ONCALL]}))
    assert result.matched is None and result.timed_out is False and len(result.messages) == 1


def test_waits_until_a_reply_matches():
    client = FakeClient([], [reply("maybe")], [reply("maybe"), reply(" YES please", second=5)])
    result, fake = run(client, options(wait=60, poll_interval=5, match=r"^\s*(yes|no)\b", **{"from": [ONCALL]}))
    assert client.requests == result.polls == 3
    assert fake.sleeps == [5, 5]
    # the repeated "maybe" is listed once
    assert [r.text for r in result.messages] == ["maybe", " YES please"]
    assert result.matched.text == " YES please"
    assert result.public()["matched"] == {"from": ONCALL, "to": "447700912345", "text": " YES please", "received": "2026-12-08T09:00:05Z"}


def test_times_out_at_the_deadline_with_a_last_poll():
    client = FakeClient()
    result, fake = run(client, options(wait=12, poll_interval=5))
    assert result.timed_out is True and result.matched is None
    # polls at 0, 5, 10 and at the deadline 12, never later
    assert fake.sleeps == [5, 5, 2] and client.requests == result.polls == 4
    assert fake.now == 112.0


def test_since_and_sender_filter_while_waiting():
    old = Reply(ONCALL, "447700912345", "yes", datetime(2026, 12, 8, 8, 59, tzinfo=timezone.utc))
    client = FakeClient([old, reply("yes", OTHER)], [reply("yes", second=1)])
    result, _fake = run(client, options(wait=30, poll_interval=5, since="2026-12-08T09:00:00Z", **{"from": ONCALL}))
    assert result.matched.received == T0.replace(second=1)
    assert len(result.messages) == 3


def test_failure_mid_wait_keeps_what_was_collected():
    down = CsoftUnreachableError("csoft CollectMessages failed: no endpoint could be reached", [], operation=OPERATION)
    client = FakeClient([reply("maybe")], errors={2: down})
    with pytest.raises(InboxError) as caught:
        run(client, options(wait=60, poll_interval=5, match="yes"))
    assert str(caught.value) == str(down)
    assert [r.text for r in caught.value.result.messages] == ["maybe"] and caught.value.result.polls == 2
    assert caught.value.redacted(lambda text: text.replace("endpoint", "X")).result is caught.value.result


def unreadable(*reasons, count=None):
    return Collected(0, [reply("kept")], list(reasons), count)


def test_unreadable_messages_are_kept_in_lines_across_polls():
    stamp = "the service sent Timestamp1 'soon' in item 2, which is not an xsd:dateTime"
    client = FakeClient(unreadable(stamp), unreadable(stamp, "the service sent SendTo '' in item 3, which is not a number"), [reply("yes", second=9)])
    result, _fake = run(client, options(wait=60, poll_interval=5, match="yes"))
    assert result.matched.text == "yes" and [r.text for r in result.messages] == ["kept", "yes"]
    lines = result.public()["unreadable"]
    prefix = "csoft CollectMessages at https://sms.example/sendsms5: "
    assert lines == [
        f"{prefix}{stamp}; this message was left out",
        f"{prefix}the service sent SendTo '' in item 3, which is not a number; this message was left out",
    ]
    assert result.unreadable.count == 3  # the one returned twice is a line once, counted twice: it was handed over twice
    assert result.unreadable.warning() == (
        "3 collected message(s) could not be read and are not in 'messages' (the service may have removed them): "
        f"{lines[0]}; see 'unreadable', and ask the vendor's support about the message"
    )


def test_no_warning_when_every_message_was_read():
    result, _fake = run(FakeClient([reply("yes")]), options())
    assert result.unreadable.warning() is None and result.public()["unreadable"] == []


def test_unreadable_lines_are_bounded_but_counted():
    client = FakeClient(*[unreadable(f"reason {n}", count=3) for n in range(30)])
    result, _fake = run(client, options(wait=145, poll_interval=5, match="never"))
    assert result.polls == 30 and result.unreadable.count == 90
    assert len(result.public()["unreadable"]) == 20


def test_failure_mid_wait_keeps_the_unreadable_lines():
    down = CsoftUnreachableError("csoft CollectMessages failed: no endpoint could be reached", [], operation=OPERATION)
    client = FakeClient(unreadable("the service sent Timestamp1 'soon' in item 1"), errors={2: down})
    with pytest.raises(InboxError) as caught:
        run(client, options(wait=60, poll_interval=5, match="yes"))
    assert caught.value.result.unreadable.count == 1 and len(caught.value.result.public()["unreadable"]) == 1


@pytest.mark.parametrize(
    "values, expected",
    [
        ({"wait": float("nan")}, "csoft wait is nan, which is not a finite number"),
        ({"wait": "inf"}, "csoft wait is 'inf', which is not a finite number"),
        ({"wait": 1e308}, "csoft wait is 1e+308, which is not a number from 0 to 86400"),
        ({"wait": -0.5}, "csoft wait is -0.5, which is not a number from 0 to 86400"),
        ({"wait": True}, "csoft wait is True, which is not a number"),
        ({"wait": [1]}, "csoft wait is [1], which is not a number"),
        ({"poll_interval": 4.9}, "csoft poll_interval is 4.9, which is not a number from 5 to 3600"),
        ({"poll_interval": "9" * 50}, "of at most 40 characters"),
        ({"poll_interval_floor_for_tests": 0}, "csoft poll_interval_floor_for_tests is 0, which is not a number above 0 up to 5"),
        ({"poll_interval_floor_for_tests": 6}, "csoft poll_interval_floor_for_tests is 6"),
        ({"since": "nan"}, "csoft since is 'nan', which is not an ISO 8601 time"),
        ({"since": 1.5}, "csoft since is 1.5, which is not a time"),
        ({"from": ["07700900123"]}, "use the international format"),
        ({"match": "[z-a]"}, "is not a Python regular expression"),
    ],
)
def test_bad_options_one_line(values, expected):
    with pytest.raises(CsoftInputError) as caught:
        options(**values)
    text = str(caught.value)
    assert expected in text and "\n" not in text and len(text) < 300


def test_floor_for_tests_lowers_the_floor():
    assert options(poll_interval=0.5, poll_interval_floor_for_tests=0.5).poll_interval == 0.5
