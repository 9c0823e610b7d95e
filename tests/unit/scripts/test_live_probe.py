# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""scripts/live-probe.sh: read-only queries, one each per endpoint, and a report without secrets or bodies."""

import os
import subprocess
import sys

import pytest

from ansible_collections.csoft.sms.tests.simulator import csoft_simulator as sim
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME
from ansible_collections.csoft.sms.tests.support.network import closed_port

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
QUERIES = ("AvailableCredit", "AvailableMessages", "PermittedReplyTo")


@pytest.fixture
def pair():
    with sim.start_pair(tls=False) as servers:
        yield servers


def probe(*endpoints, username=USERNAME, pin=PIN, environment=None):
    env = {key: value for key, value in os.environ.items() if not key.startswith("CSOFT_")}
    env.update(CSOFT_USERNAME=username, CSOFT_PIN=pin, CSOFT_PYTHON=sys.executable, CSOFT_TIMEOUT="5", NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
    env.update(environment or {})
    result = subprocess.run(
        ["bash", os.path.join(ROOT, "scripts", "live-probe.sh"), *endpoints], capture_output=True, text=True, timeout=120, check=False, env=env
    )
    output = result.stdout + result.stderr
    for secret in (PIN, USERNAME, PIN.lower(), USERNAME.lower()):
        assert secret not in output
    return result.returncode, output


def read_only(server):
    counts = server.counts()
    return {name: counts.get(name, 0) for name in (*QUERIES, "SubmitMessage")}


def test_every_query_once_per_endpoint_with_a_safe_report(pair):
    rc, output = probe(pair.primary.url, pair.secondary.url)
    assert rc == 0, output
    for server in pair.servers:
        assert read_only(server) == {"AvailableCredit": 1, "AvailableMessages": 1, "PermittedReplyTo": 1, "SubmitMessage": 0}
        assert f"endpoint {server.url}" in output
    assert output.count("HTTP 200 in ") == 6
    assert output.count("Content-Type text/xml; charset=utf-8") == 6
    for operation in QUERIES:
        assert output.count(f"wrapper {{http://www.csoft.co.uk/dtd/sendsms5.xsd}}{operation}Response (as expected)") == 2
    assert output.count("children Currency, Credit, Reserved") == 2
    for value in ("Credit", "Currency", "Messages", "PermittedReplyTo"):
        assert output.count(f"    {value}: parsed") == 2
    # no value of the account is shown
    for value in ("2.8950", "2.895", "GBP", "447700912345", " 24"):
        assert value not in output
    assert output.rstrip().endswith("result: every endpoint answered every query with values that parsed")


def test_a_refusing_primary_is_reported_and_the_secondary_still_probed(pair):
    refused = closed_port()
    rc, output = probe(environment={"CSOFT_ENDPOINTS": f"{refused},{pair.secondary.url}"})
    assert rc == 1, output
    primary_part, secondary_part = output.split(f"endpoint {pair.secondary.url}")
    assert f"endpoint {refused}" in primary_part
    assert primary_part.count(": no connection after ") == 3
    assert primary_part.count("connection refused") == 3
    assert secondary_part.count("HTTP 200 in ") == 3
    assert read_only(pair.secondary) == {"AvailableCredit": 1, "AvailableMessages": 1, "PermittedReplyTo": 1, "SubmitMessage": 0}
    assert "result: see above: not every query was answered as expected" in output


def test_a_rejected_login_shows_the_faultcode_only(pair):
    rc, output = probe(pair.primary.url, pin="WrongPin5Yt8Hv2Q")
    assert rc == 1
    assert output.count("HTTP 500 in ") == 3
    assert output.count("faultcode SOAP-ENV:Client, faultstring of 13 characters (not shown) (the collection reads it as a rejected login)") == 3
    assert "Invalid Login" not in output and "WrongPin5Yt8Hv2Q" not in output


@pytest.mark.parametrize("mode", ["html500", "garbage", "wrong-wrapper", "credit-na", "missing"])
def test_unexpected_answers_are_described_without_their_body(pair, mode):
    pair.primary.set_mode(mode)
    rc, output = probe(pair.primary.url)
    assert rc == 1
    assert "<" not in output.replace("<hidden>", "")  # no markup of any answer
    assert read_only(pair.primary) == {"AvailableCredit": 1, "AvailableMessages": 1, "PermittedReplyTo": 1, "SubmitMessage": 0}


def test_missing_credentials_is_one_line():
    env = {key: value for key, value in os.environ.items() if not key.startswith("CSOFT_")}
    env["CSOFT_PYTHON"] = sys.executable
    result = subprocess.run(["bash", os.path.join(ROOT, "scripts", "live-probe.sh")], capture_output=True, text=True, timeout=60, check=False, env=env)
    assert result.returncode == 2
    assert (result.stdout + result.stderr).splitlines() == [
        "live-probe: cannot start: set CSOFT_USERNAME and CSOFT_PIN (the account to probe) in the environment"
    ]
