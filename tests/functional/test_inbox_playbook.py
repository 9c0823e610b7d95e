# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""csoft.sms.csoft_sms_inbox in real ansible-playbook runs against the simulator: the "approve by SMS" pattern.

Replies are queued on the simulator (``POST /_sim/inbox``); every test reads
the simulator's counters, so a poll is exactly one CollectMessages request.
"""

import json
import threading
import time

from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.bad_options import assert_bad_options_fail
from ansible_collections.csoft.sms.tests.support.simulator import inbox, inject_reply

ONCALL = "447700900123"
OTHER = "447700900456"
# the simulator only: polls every 0.5 s instead of the floor of 5 s
FAST = {"poll_interval": 0.5, "poll_interval_floor_for_tests": 0.5}


def connection(pair):
    return {"endpoints": list(pair.urls), "username": USERNAME, "pin": PIN}


def options_yaml(options, indent=12):
    return "\n".join(f"{' ' * indent}{key}: {json.dumps(value)}" for key, value in options.items())


def ask_and_wait(pair, inbox_options, question="Deploy build 42 to prod? Reply YES or NO"):
    """The issue's pattern: ask with csoft_sms, wait with csoft_sms_inbox (since the question's sent_at), assert a yes."""
    ask = dict(connection(pair), to=[ONCALL], msg=question)
    wait = dict(connection(pair), **{"from": [ONCALL], "match": r"^\s*(yes|no)\b"}, **inbox_options)
    return f"""
    - hosts: localhost
      gather_facts: false
      tasks:
        - name: Ask on-call
          csoft.sms.csoft_sms:
{options_yaml(ask)}
          register: asked
        - name: Wait for the answer
          csoft.sms.csoft_sms_inbox:
{options_yaml(wait)}
            since: "{{{{ asked.sent_at }}}}"
          register: answer
          ignore_errors: true
        - name: Save the answer for the test
          ansible.builtin.copy:
            content: "{{{{ {{'asked': asked, 'answer': answer}} | to_json }}}}"
            dest: "{{{{ playbook_dir }}}}/result.json"
            mode: "0600"
        - name: Go on only with a yes
          ansible.builtin.assert:
            that: answer.matched.text is match('(?i)\\s*yes')
    """


def inbox_play(pair, options, check_mode=False):
    options = dict(connection(pair), **options)
    return f"""
    - hosts: localhost
      gather_facts: false
      tasks:
        - name: Read the inbox
          csoft.sms.csoft_sms_inbox:
{options_yaml(options)}
          register: answer
          ignore_errors: true
        - name: Save the answer for the test
          ansible.builtin.copy:
            content: "{{{{ answer | to_json }}}}"
            dest: "{{{{ playbook_dir }}}}/result.json"
            mode: "0600"
          check_mode: false
        - name: Show the text in a template (it must stay text)
          ansible.builtin.copy:
            content: "text={{{{ answer.matched.text | default('') }}}}"
            dest: "{{{{ playbook_dir }}}}/shown.txt"
            mode: "0600"
          check_mode: false
    """


def result_of(runner, name="result.json"):
    return json.loads((runner.tmp_path / name).read_text())


def collects(pair):
    return pair.primary.counts()["CollectMessages"]


def reply_after_first_poll(pair, seconds, text):
    """A thread that queues ``text`` from on-call ``seconds`` after the first CollectMessages request arrived."""

    def reply():
        deadline = time.monotonic() + 120
        while collects(pair) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(seconds)
        inject_reply(pair.primary.url, USERNAME, ONCALL, text)

    thread = threading.Thread(target=reply, daemon=True)
    thread.start()
    return thread


def test_reply_injected_after_2_s_is_matched(ansible, pair):
    started = time.monotonic()
    reply_after_first_poll(pair, 2.0, " Yes, go ahead")
    ansible.run(ask_and_wait(pair, dict(FAST, wait=30)), check=True)
    assert time.monotonic() - started < 25
    result = result_of(ansible)
    answer = result["answer"]
    assert answer["changed"] is True
    assert answer["matched"]["from"] == ONCALL and answer["matched"]["text"] == " Yes, go ahead"
    assert answer["matched"]["to"] == "447700912345"
    assert answer["matched"]["received"] >= result["asked"]["sent_at"]
    assert answer["messages"] == [answer["matched"]]
    # every poll was exactly one CollectMessages request; the reply came 2 s after the first (0.5 s apart)
    assert answer["polls"] == collects(pair) >= 4
    assert pair.secondary.counts()["total"] == 0
    assert inbox(pair.primary.url) == []  # collected, so gone from the service


def test_timeout_fails_with_one_line_and_keeps_the_messages(ansible, pair):
    inject_reply(pair.primary.url, USERNAME, ONCALL, "maybe later")
    run = ansible.run(ask_and_wait(pair, dict(FAST, wait=2)), check=False)
    answer = result_of(ansible)["answer"]
    assert answer["failed"] is True and answer["changed"] is True
    message = answer["msg"]
    assert "\n" not in message and "Traceback" not in run.output
    assert message.startswith(f"csoft.sms.csoft_sms_inbox: no reply matching '^\\\\s*(yes|no)\\\\b' from {ONCALL} since ")
    assert "within 2 s" in message and "fail_on_timeout" in message
    assert answer["matched"] is None
    assert [m["text"] for m in answer["messages"]] == ["maybe later"]
    assert answer["polls"] == collects(pair) >= 2
    assert PIN not in run.output


def test_reply_from_the_wrong_number_does_not_match(ansible, pair):
    inject_reply(pair.primary.url, USERNAME, OTHER, "YES")
    ansible.run(ask_and_wait(pair, dict(FAST, wait=1.5)), check=False)
    answer = result_of(ansible)["answer"]
    assert answer["failed"] is True and answer["matched"] is None
    assert answer["messages"] == [dict(answer["messages"][0], **{"from": OTHER, "text": "YES"})]


def test_reply_older_than_since_does_not_match(ansible, pair):
    inject_reply(pair.primary.url, USERNAME, ONCALL, "yes", received="2020-01-01T00:00:00Z")
    ansible.run(ask_and_wait(pair, dict(FAST, wait=1)), check=False)
    answer = result_of(ansible)["answer"]
    assert answer["matched"] is None and answer["messages"][0]["received"] == "2020-01-01T00:00:00Z"


def test_check_mode_collects_nothing(ansible, pair):
    inject_reply(pair.primary.url, USERNAME, ONCALL, "YES")
    ansible.run(inbox_play(pair, {"wait": 5}), "--check", check=True)
    answer = result_of(ansible)
    assert answer["changed"] is False
    assert answer["messages"] == [] and answer["matched"] is None and answer["polls"] == 0
    assert "check mode" in answer["msg"]
    assert pair.primary.counts()["total"] == 0
    assert len(inbox(pair.primary.url)) == 1  # still there for the real run


def test_collect_once_without_wait_and_repeats_listed_once(ansible, pair):
    inject_reply(pair.primary.url, USERNAME, ONCALL, "first")
    inject_reply(pair.primary.url, USERNAME, OTHER, "second", keep=True)
    ansible.run(inbox_play(pair, {}), check=True)
    answer = result_of(ansible)
    assert answer["changed"] is True and answer["polls"] == collects(pair) == 1
    assert [(m["from"], m["text"]) for m in answer["messages"]] == [(ONCALL, "first"), (OTHER, "second")]
    assert answer["matched"]["text"] == "first"  # no filter: the first message matches


def test_repeated_message_counted_once_while_waiting(ansible, pair):
    # the service returns the same message on every poll (keep): it is listed once
    inject_reply(pair.primary.url, USERNAME, OTHER, "noise", keep=True)
    ansible.run(inbox_play(pair, dict(FAST, wait=1.5, **{"from": [ONCALL]}, fail_on_timeout=False)), check=True)
    answer = result_of(ansible)
    assert answer["failed"] is False and answer["matched"] is None
    assert [m["text"] for m in answer["messages"]] == ["noise"]
    assert answer["polls"] == collects(pair) >= 2


def test_an_unreadable_message_is_left_out_with_a_warning_and_the_rest_kept(ansible, pair):
    inject_reply(pair.primary.url, USERNAME, OTHER, "noise", received="soon")  # sent as is in Timestamp1
    inject_reply(pair.primary.url, USERNAME, ONCALL, "YES")
    ansible.run(inbox_play(pair, {"match": "yes"}), check=True)
    answer = result_of(ansible)
    assert answer["failed"] is False and answer["changed"] is True and answer["polls"] == collects(pair) == 1
    assert [(m["from"], m["text"]) for m in answer["messages"]] == [(ONCALL, "YES")] and answer["matched"]["text"] == "YES"
    line = f"csoft CollectMessages at {pair.primary.url}: the service sent Timestamp1 'soon' in item 1, which is not an xsd:dateTime; this message was left out"
    assert answer["unreadable"] == [line]
    (warning,) = [text for text in answer["warnings"] if "could not be read" in text]
    assert warning.startswith("csoft.sms.csoft_sms_inbox: 1 collected message(s) could not be read") and line in warning
    assert inbox(pair.primary.url) == []


def test_reply_text_stays_text(ansible, pair):
    text = "{{ lookup('pipe', 'id') }} {% raw %}"
    inject_reply(pair.primary.url, USERNAME, ONCALL, text)
    ansible.run(inbox_play(pair, {}), check=True)
    assert result_of(ansible)["matched"]["text"] == text
    assert (ansible.tmp_path / "shown.txt").read_text() == f"text={text}"


BAD_OPTIONS = [
    ({"wait": "nan"}, "csoft wait is"),
    ({"wait": "1e400"}, "csoft wait is"),
    ({"wait": 10**30}, "csoft wait is"),
    ({"wait": -1}, "csoft wait is"),
    ({"poll_interval": 1}, "csoft poll_interval is 1.0, which is not a number from 5 to 3600"),
    ({"poll_interval": "inf"}, "csoft poll_interval is"),
    ({"poll_interval_floor_for_tests": 0}, "csoft poll_interval_floor_for_tests is"),
    ({"since": "yesterday"}, "csoft since is 'yesterday', which is not an ISO 8601 time"),
    ({"since": "9999-12-31T23:59:59-14:00"}, "csoft since is"),
    ({"since": "x" * 5000}, "longer than 64 characters"),
    ({"from": ["+447700900123"]}, "leave out the leading '+'"),
    ({"from": [{"a": 1}]}, "csoft from holds"),
    ({"match": "(unclosed"}, "is not a Python regular expression"),
    ({"match": "a" * 5000}, "at most 1000 are accepted"),
]


def test_bad_options_fail_with_one_line_before_any_request(ansible, pair):
    assert_bad_options_fail(ansible, "csoft.sms.csoft_sms_inbox", connection(pair), BAD_OPTIONS, servers=pair.servers, max_length=400)
