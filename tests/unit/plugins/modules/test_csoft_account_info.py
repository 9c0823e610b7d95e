# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The module csoft.sms.csoft_account_info in this process (its main() with arguments), against the simulator.

Real ansible-playbook runs are in tests/functional/test_module_playbook.py.
"""

import json

import pytest

from ansible_collections.csoft.sms.plugins.modules import csoft_account_info
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.clients import operation_counts
from ansible_collections.csoft.sms.tests.support.network import closed_port
from ansible_collections.csoft.sms.tests.support.plugin_harness import run_module


@pytest.fixture(autouse=True)
def no_environment(monkeypatch):
    for name in ("USERNAME", "PIN", "ENDPOINTS", "TIMEOUT", "CA_PATH", "VALIDATE_CERTS"):
        monkeypatch.delenv(f"CSOFT_{name}", raising=False)


def args(pair, **extra):
    return dict({"username": USERNAME, "pin": PIN, "endpoints": [pair.primary.url]}, **extra)


def test_contract_values_and_changed_false(pair):
    result = run_module(csoft_account_info.main, args(pair))
    assert not result.get("failed") and result["changed"] is False
    assert (result["credit"], result["currency"], result["messages"]) == (2.895, "GBP", 24)
    assert result["permitted_reply_to"] == ["447700912345", "csoft.co.uk"]
    assert (result["endpoint"], result["failed_over"]) == (pair.primary.url, False)
    assert PIN not in json.dumps(result)


def test_gather_calls_only_the_named_operations(pair):
    result = run_module(csoft_account_info.main, args(pair, gather=["messages"]))
    assert "credit" not in result and result["messages"] == 24
    assert operation_counts(pair.primary) == [0, 1, 0]


@pytest.mark.parametrize(("field", "value"), [("messages", "9" * 4301), ("credit", "1" + "0" * 400)])
def test_a_figure_out_of_bounds_fails_in_one_line(pair, field, value):
    """A <Messages> of 4,301 digits was a traceback on ansible-core 2.16; a credit of 10^400 became infinity."""
    pair.update_account(USERNAME, **{field: value})
    result = run_module(csoft_account_info.main, args(pair))
    assert result["failed"] is True and field.capitalize() in result["msg"] and "\n" not in result["msg"]
    assert "Traceback" not in json.dumps(result)


@pytest.mark.parametrize(
    ("extra", "words"),
    [({"timeout": 1e10}, ["timeout"]), ({"timeout": "nan"}, ["timeout"]), ({"username": None, "pin": None}, ["username is missing", "pin is missing"])],
)
def test_invalid_options_fail_before_any_request(pair, extra, words):
    result = run_module(csoft_account_info.main, args(pair, **extra))
    assert result["failed"] is True and all(word in result["msg"] for word in words)
    assert pair.primary.counts()["total"] == 0


def test_an_all_digit_pin_given_as_a_number(pair):
    pair.update_account(USERNAME, pin="48151623421")
    result = run_module(csoft_account_info.main, args(pair, pin=48151623421, gather=["messages"]))
    assert result["messages"] == 24


PLAIN_HTTP = "csoft.sms.csoft_account_info: the PIN was sent unencrypted to {}; use an https:// endpoint"


def test_plain_http_warns_with_the_module_prefix(pair):
    result = run_module(csoft_account_info.main, args(pair, gather=["messages"]))
    assert result["warnings"] == [PLAIN_HTTP.format(pair.primary.url)]


def test_plain_http_warns_also_when_the_answer_is_a_fault(pair):
    """The PIN went out over http:// whatever came back: the failure carries the warning too."""
    pair.primary.set_mode("fault")
    result = run_module(csoft_account_info.main, args(pair, gather=["messages"]))
    assert result["failed"] is True and result["warnings"] == [PLAIN_HTTP.format(pair.primary.url)]
    assert PIN not in json.dumps(result)


def test_no_plain_http_warning_when_no_connection_was_made(pair):
    """A refused connection sent nothing, so there is nothing to warn about."""
    result = run_module(csoft_account_info.main, args(pair, endpoints=[closed_port()], gather=["messages"]))
    assert result["failed"] is True and not result.get("warnings")
