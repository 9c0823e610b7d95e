# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""csoft.sms.csoft_sms in real ansible-playbook runs against the simulator.

Sending is not idempotent, so the tests count SubmitMessage requests on both
simulators and look at the messages the simulator recorded.
"""

import json
import os
import time
from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.bad_options import assert_bad_options_fail
from ansible_collections.csoft.sms.tests.support.network import closed_port
from ansible_collections.csoft.sms.tests.support.playbook_env import collections_base

ONCALL = "447700900123"
OTHER = "447700900456"
COLLECTION = os.path.join(collections_base(), "ansible_collections", "csoft", "sms")

SAVE_SMS = """
        - name: Save the result for the test
          ansible.builtin.copy:
            content: "{{ sms | to_json }}"
            dest: "{{ playbook_dir }}/result.json"
            mode: "0600"
          check_mode: false
"""


def sms_play(endpoints, pin=PIN, to=(ONCALL,), message="deployed 1.2.3", extra=None, ignore_errors=False):
    options = {"endpoints": list(endpoints), "username": USERNAME, "pin": pin, "to": list(to), "msg": message}
    options.update(extra or {})
    lines = "\n".join(f"            {key}: {json.dumps(value)}" for key, value in options.items())
    return f"""
    - hosts: localhost
      gather_facts: false
      tasks:
        - name: Send the SMS
          csoft.sms.csoft_sms:
{lines}
          register: sms
          ignore_errors: {str(ignore_errors).lower()}
{SAVE_SMS}    """


def result_of(runner):
    return json.loads((runner.tmp_path / "result.json").read_text())


def submits(server):
    return server.counts()["SubmitMessage"]


def utc_seconds(text):
    """A returned time (``2026-12-08T09:00:00Z``) as seconds since the epoch."""
    assert text.endswith("Z") and len(text) == 20, text
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def in_a_day():
    """``(send_at given at +01:00, the UTC time that must go on the wire)`` for a time a day from now."""
    moment = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=1)
    return moment.astimezone(timezone(timedelta(hours=1))).isoformat(), moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_message_sent_with_reply_to(ansible, pair):
    text = 'deployed 1.2.3 <ok> & "done"'
    extra = {"reply_to": "447700912345", "delivery_option": "Premier"}
    run = ansible.run(sms_play(pair.urls, message=text, to=[ONCALL, OTHER], extra=extra), check=True)
    sms = result_of(ansible)
    assert sms["changed"] is True
    assert sms["message_identifier"] == "1000"
    assert sms["report"] == "0"
    assert sms["text"] == "Message Sent OK"
    assert sms["recipients"] == [ONCALL, OTHER]
    assert sms["endpoint"] == pair.primary.url
    assert sms["failed_over"] is False
    assert sms["parts"] == 1
    # The service saw exactly one SubmitMessage, after the ReplyTo check, with our values.
    assert submits(pair.primary) == 1 and pair.primary.counts()["PermittedReplyTo"] == 1
    assert pair.secondary.counts()["total"] == 0
    operations = [entry["operation"] for entry in pair.primary.requests_log()]
    assert operations == ["PermittedReplyTo", "SubmitMessage"]
    (message,) = pair.primary.messages()
    assert message["recipients"] == [ONCALL, OTHER]
    assert message["text"] == text
    assert message["reply_to"] == "447700912345"
    assert message["delivery_option"] == "Premier"
    assert message["username"] == USERNAME
    assert "changed: [localhost]" in run.output


def test_duplicates_dropped_and_long_text_warned(ansible, pair):
    text = "x" * 200
    ansible.run(sms_play([pair.primary.url], to=[ONCALL, OTHER, ONCALL], message=text, extra={"message_identifier": "deploy-42"}), check=True)
    sms = result_of(ansible)
    assert sms["recipients"] == [ONCALL, OTHER]
    assert sms["message_identifier"] == "deploy-42"
    assert sms["parts"] == 2
    warnings = " ".join(sms.get("warnings", []))
    assert "repeated number" in warnings and "2 SMS parts" in warnings
    (message,) = pair.primary.messages()
    assert message["recipients"] == [ONCALL, OTHER]
    assert message["message_identifier"] == "deploy-42"
    assert "reply_to" not in message or message["reply_to"] is None


def test_reply_to_not_permitted_sends_nothing(ansible, pair):
    run = ansible.run(sms_play(pair.urls, extra={"reply_to": "447700999999"}), check=False)
    assert "reply_to '447700999999' is not permitted" in run.output
    assert "447700912345, csoft.co.uk" in run.output
    assert "the SMS was not sent" in run.output
    assert pair.primary.counts()["PermittedReplyTo"] == 1
    assert submits(pair.primary) == 0 and submits(pair.secondary) == 0
    assert pair.primary.messages() == [] and pair.secondary.messages() == []


def test_check_mode_sends_nothing(ansible, pair):
    ansible.run(sms_play(pair.urls, extra={"reply_to": "csoft.co.uk"}), "--check", check=True)
    sms = result_of(ansible)
    assert sms["changed"] is True
    assert sms["recipients"] == [ONCALL]
    assert "message_identifier" not in sms
    assert pair.primary.counts()["PermittedReplyTo"] == 1
    assert submits(pair.primary) == 0 and submits(pair.secondary) == 0
    assert pair.primary.messages() == []


def test_check_mode_without_reply_to_makes_no_request(ansible, pair):
    ansible.run(sms_play(pair.urls), "--check", check=True)
    assert result_of(ansible)["changed"] is True
    assert pair.primary.counts()["total"] == 0 and pair.secondary.counts()["total"] == 0


def test_check_mode_still_refuses_reply_to(ansible, pair):
    run = ansible.run(sms_play(pair.urls, extra={"reply_to": "447700999999"}), "--check", check=False)
    assert "is not permitted" in run.output
    assert submits(pair.primary) == 0


def test_send_at_schedules_the_message(ansible, pair):
    send_at, wire = in_a_day()
    ansible.run(sms_play(pair.urls, extra={"send_at": send_at, "delivery_option": "Economy"}), check=True)
    sms = result_of(ansible)
    assert sms["changed"] is True
    assert sms["message_identifier"] == "1000"
    assert sms["scheduled_for"] == wire
    assert "sent_at" in sms
    assert submits(pair.primary) == 1 and pair.secondary.counts()["total"] == 0
    (message,) = pair.primary.messages()
    # What the service was given: SendTimeAbsolute in UTC, the value returned; the delivery option beside it.
    assert message.get("send_time_absolute") == wire, "the simulator records Recipient/SendOptions/SendTimeAbsolute as send_time_absolute"
    assert message["delivery_option"] == "Economy"


def test_send_at_in_the_past_sends_nothing(ansible, pair):
    ansible.run(sms_play(pair.urls, extra={"send_at": "2020-01-01T00:00:00Z", "reply_to": "csoft.co.uk"}, ignore_errors=True), check=True)
    sms = result_of(ansible)
    assert sms["failed"] is True and sms["changed"] is False
    assert sms["msg"].startswith("csoft SubmitMessage not sent: send_at '2020-01-01T00:00:00Z' is in the past (now ")
    assert sms["msg"].endswith("); give a future time, or leave send_at out to send now")
    assert "\n" not in sms["msg"]
    # Refused before any request: not even the ReplyTo check.
    assert pair.primary.counts()["total"] == 0 and pair.secondary.counts()["total"] == 0


def test_check_mode_with_send_at_sends_nothing(ansible, pair):
    send_at, wire = in_a_day()
    ansible.run(sms_play(pair.urls, extra={"send_at": send_at}), "--check", check=True)
    sms = result_of(ansible)
    assert sms["changed"] is True
    assert sms["scheduled_for"] == wire
    assert "sent_at" not in sms and "message_identifier" not in sms
    assert pair.primary.counts()["total"] == 0 and pair.secondary.counts()["total"] == 0


def test_check_mode_refuses_send_at_in_the_past(ansible, pair):
    run = ansible.run(sms_play(pair.urls, extra={"send_at": "2020-01-01T00:00:00"}), "--check", check=False)
    assert "send_at '2020-01-01T00:00:00' is in the past" in run.output
    assert pair.primary.counts()["total"] == 0


def test_sent_at_returned_on_a_normal_send(ansible, pair):
    started = time.time()
    ansible.run(sms_play(pair.urls, extra={"send_at": ""}), check=True)
    finished = time.time()
    sms = result_of(ansible)
    assert "scheduled_for" not in sms, "an empty send_at means send now"
    sent_at = utc_seconds(sms["sent_at"])
    assert started - 1 <= sent_at <= finished
    (message,) = pair.primary.messages()
    # Taken before the request: the simulator received the message at or after it.
    assert sent_at <= message["time"]
    assert message.get("send_time_absolute") is None


HOSTILE_SEND_AT = [
    ("nan", "send_at is 'nan', which is not an ISO 8601 time"),
    (1e308, "send_at is '1e+308', which is not an ISO 8601 time"),
    (True, "send_at is 'True', which is not an ISO 8601 time"),
    ("9999-12-31T23:59:59-14:00", "outside the times that can be given in UTC"),
    ("2026-13-45T99:00:00", "send_at is '2026-13-45T99:00:00', which is not an ISO 8601 time"),
    ("x" * 10000, "longer than 64 characters"),
]


def test_send_at_hostile_values_fail_cleanly(ansible, pair):
    # each value reaches the module through a template of a play variable, as a looped task's item would
    base = {"endpoints": list(pair.urls), "username": USERNAME, "pin": PIN, "to": [ONCALL], "msg": "deployed 1.2.3"}
    cases = [({"send_at": f"{{{{ hostile[{index}] }}}}"}, expected) for index, (_value, expected) in enumerate(HOSTILE_SEND_AT)]
    assert_bad_options_fail(
        ansible,
        "csoft.sms.csoft_sms",
        base,
        cases,
        servers=pair.servers,
        max_length=300,
        prefix="csoft SubmitMessage not sent: send_at is ",
        play_vars={"hostile": [value for value, _expected in HOSTILE_SEND_AT]},
    )


def test_primary_refused_sends_once_via_secondary(ansible, pair):
    dead = closed_port()
    ansible.run(sms_play([dead, pair.secondary.url], extra={"reply_to": "447700912345"}), check=True)
    sms = result_of(ansible)
    assert sms["failed_over"] is True
    assert sms["endpoint"] == pair.secondary.url
    assert sms["message_identifier"] == "1000"
    assert submits(pair.secondary) == 1
    assert pair.secondary.counts()["PermittedReplyTo"] == 1
    assert len(pair.secondary.messages()) == 1
    assert pair.primary.counts()["total"] == 0


@pytest.mark.parametrize("mode", ["hang", "slow:3", "close"])
def test_no_answer_after_sending_is_final(ansible, pair, mode):
    pair.primary.set_mode(mode, "SubmitMessage")
    started = time.monotonic()
    ansible.run(sms_play(pair.urls, extra={"timeout": 1.5}, ignore_errors=True), check=True)
    elapsed = time.monotonic() - started
    sms = result_of(ansible)
    assert sms["failed"] is True
    assert sms["changed"] is False
    assert sms["may_have_been_sent"] is True
    assert "may already have been sent" in sms["msg"]
    assert "not sent to another endpoint" in sms["msg"]
    assert sms["endpoint"] == pair.primary.url
    assert pair.primary.url in sms["msg"]
    # Nothing was re-sent anywhere: one SubmitMessage at the primary, none at the secondary.
    assert submits(pair.primary) == 1
    assert pair.secondary.counts()["total"] == 0
    assert "message_identifier" not in sms
    if mode.startswith("slow"):
        # The service did send it: that is why the module must not retry.
        deadline = time.monotonic() + 10
        while not pair.primary.messages() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(pair.primary.messages()) == 1
    assert elapsed < 60


def test_wrong_pin_fails_without_leaking(ansible, pair):
    wrong = "WrongPin5Yt8Hv2Q"
    run = ansible.run(sms_play(pair.urls, pin=wrong), "-vvvv", check=False)
    assert "login rejected" in run.output
    assert "the SMS was not accepted" in run.output
    assert wrong not in run.output
    assert PIN not in run.output
    assert "Traceback" not in run.output
    assert submits(pair.primary) == 1
    assert pair.secondary.counts()["total"] == 0
    assert pair.primary.messages() == []


def test_wrong_pin_with_reply_to_stops_before_sending(ansible, pair):
    wrong = "WrongPin5Yt8Hv2Q"
    run = ansible.run(sms_play(pair.urls, pin=wrong, extra={"reply_to": "csoft.co.uk"}), "-vvvv", check=False)
    assert "login rejected" in run.output and "the SMS was not sent" in run.output
    assert wrong not in run.output
    assert pair.primary.counts()["total"] == 1 and submits(pair.primary) == 0


def test_success_output_never_holds_pin(ansible, pair):
    run = ansible.run(sms_play([pair.primary.url]), "-vvvv", check=True)
    assert PIN not in run.output
    assert submits(pair.primary) == 1


@pytest.mark.parametrize(
    "to, message, expected",
    [
        (["+447700900123"], "hi", "leave out the leading '+'"),
        (["07700900123"], "hi", "international format"),
        ([ONCALL], "   ", "msg option is empty"),
        ([ONCALL], "x" * 613, "at most 4"),
    ],
)
def test_invalid_input_sends_nothing(ansible, pair, to, message, expected):
    run = ansible.run(sms_play(pair.urls, to=to, message=message), check=False)
    assert expected in run.output
    assert pair.primary.counts()["total"] == 0 and pair.secondary.counts()["total"] == 0


def test_module_defaults_action_group(ansible, pair):
    with open(os.path.join(COLLECTION, "meta", "runtime.yml"), encoding="utf-8") as handle:
        runtime = handle.read()
    if "csoft_sms" not in runtime:
        pytest.skip("meta/runtime.yml does not list csoft_sms in the csoft.sms.account action group yet")
    play = (
        f"""
    - hosts: localhost
      gather_facts: false
      module_defaults:
        group/csoft.sms.account:
          username: {USERNAME}
          pin: {PIN}
          endpoints: ["{pair.primary.url}"]
      tasks:
        - csoft.sms.csoft_sms:
            to: ["{ONCALL}"]
            msg: via module_defaults
          register: sms
    """
        + SAVE_SMS
    )
    ansible.run(play, check=True)
    assert result_of(ansible)["message_identifier"] == "1000"
    assert pair.primary.messages()[0]["text"] == "via module_defaults"


def test_deploy_notify_example(ansible, pair, tmp_path):
    example = os.path.join(COLLECTION, "examples", "deploy_notify.yml")
    role = os.path.join(COLLECTION, "roles", "credit_gate", "tasks", "main.yml")
    if not os.path.exists(role):
        pytest.skip("role csoft.sms.credit_gate (roles/credit_gate) is not in the collection yet")
    deploy_dir = tmp_path / "deployed"
    env = {"CSOFT_USERNAME": USERNAME, "CSOFT_PIN": PIN, "CSOFT_ENDPOINTS": ",".join(pair.urls)}
    with open(example, encoding="utf-8") as handle:
        playbook = handle.read()
    args = ("-e", f"deploy_dir={deploy_dir}", "-e", "app_version=2.4.1", "-e", f"oncall_number={ONCALL}")
    run = ansible.run(playbook, *args, env=env, check=True)
    assert (deploy_dir / "VERSION").read_text().strip() == "2.4.1"
    (message,) = pair.primary.messages()
    assert message["text"] == "deployed 2.4.1"
    assert message["recipients"] == [ONCALL]
    assert submits(pair.primary) == 1 and pair.secondary.counts()["total"] == 0
    assert PIN not in run.output

    # Run again: nothing changed, so the handler does not fire and nothing more is sent.
    ansible.run(playbook, *args, env=env, check=True)
    assert submits(pair.primary) == 1

    # The gate fails the play before the deployment when the credit is too low: no SMS.
    pair.update_account(USERNAME, credit="0.0100")
    run = ansible.run(playbook, "-e", f"deploy_dir={tmp_path / 'second'}", "-e", "app_version=2.4.2", "-e", f"oncall_number={ONCALL}", env=env, check=False)
    assert "csoft credit 0.0100 GBP is below the required 0.1000 GBP" in run.output
    assert not (tmp_path / "second").exists()
    assert submits(pair.primary) == 1
