# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lookup csoft.sms.csoft_account in this process (Ansible's own option handling), against the simulator.

Real ansible-playbook runs (the cache across workers, templated csoft_* variables) are in
tests/functional/test_lookup_playbook.py.
"""

import pytest
from ansible.errors import AnsibleError

from ansible_collections.csoft.sms.plugins.lookup import csoft_account
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.clients import operation_counts
from ansible_collections.csoft.sms.tests.support.network import closed_port
from ansible_collections.csoft.sms.tests.support.plugin_harness import plugin


@pytest.fixture
def lookup(monkeypatch):
    for name in ("USERNAME", "PIN", "ENDPOINTS", "TIMEOUT", "CACHE", "CA_PATH", "VALIDATE_CERTS"):
        monkeypatch.delenv(f"CSOFT_{name}", raising=False)
    instance = plugin(csoft_account, "lookup", "csoft.sms.csoft_account", ("DOCUMENTATION", "PLUGINS"), "LookupModule")
    instance._templar = None  # pylint: disable=protected-access  # no templating here: the variables are plain values
    return instance


def account(pair, **extra):
    return dict({"csoft_username": USERNAME, "csoft_pin": PIN, "csoft_endpoints": [pair.primary.url], "csoft_cache": False}, **extra)


def test_terms_in_order_from_one_request_per_operation(lookup, pair):
    assert lookup.run(["credit", "currency", "messages", "credit"], account(pair)) == [2.895, "GBP", 24, 2.895]
    assert operation_counts(pair.primary) == [1, 1, 0]
    assert lookup.run(["reply_to"], account(pair)) == ["447700912345", "csoft.co.uk"]


def test_keyword_arguments_win_over_variables_and_a_closed_primary_fails_over(lookup, pair):
    closed = closed_port()
    values = lookup.run(["messages"], account(pair, csoft_pin="WrongPin7Zq3Xv8Kd"), pin=PIN, endpoints=[closed, pair.secondary.url])
    assert values == [24] and operation_counts(pair.secondary) == [0, 1, 0]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"timeout": "nan"}, ["timeout"]),
        ({"timeout": 1e10}, ["timeout"]),
        ({"endpoints": [123]}, ["endpoints"]),
        ({"username": "", "pin": ""}, ["username is missing", "pin is missing"]),
        ({"cache_ttl": 99999, "cache": True}, ["cache_ttl"]),
    ],
)
def test_bad_options_are_one_line_before_any_request(lookup, pair, kwargs, words):
    with pytest.raises(AnsibleError) as caught:
        lookup.run(["credit"], account(pair), **kwargs)
    text = str(caught.value)
    assert all(word in text for word in words) and "\n" not in text and PIN not in text
    assert pair.primary.counts()["total"] == 0


def test_an_all_digit_pin_as_a_number_is_accepted(lookup, pair):
    pair.update_account(USERNAME, pin="48151623421")
    assert lookup.run(["messages"], account(pair, csoft_pin=48151623421)) == [24]


def test_unknown_terms_never_echo_the_pin(lookup, pair):
    with pytest.raises(AnsibleError, match="unknown term") as caught:
        lookup.run([f"credit-{PIN}"], account(pair))
    assert PIN not in str(caught.value)


def test_a_huge_figure_is_a_clean_failure(lookup, pair):
    pair.update_account(USERNAME, messages="9" * 4301)
    with pytest.raises(AnsibleError, match="Messages") as caught:
        lookup.run(["messages"], account(pair))
    assert "\n" not in str(caught.value)
