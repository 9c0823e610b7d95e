# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""tests/support/network.py: the loopback helpers do what the tests rely on."""

import socket

import pytest
import requests

from ansible_collections.csoft.sms.tests.support.network import MIB, StreamingServer, closed_port

SOAP_HEADERS = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'}


def test_closed_port_refuses_connections():
    url = closed_port()
    assert url.startswith("http://127.0.0.1:")
    assert url.endswith("/sendsms5")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(url, data=b"<x/>", headers=SOAP_HEADERS, timeout=2)


@pytest.mark.parametrize("framing", ["chunked", "close"])
def test_streaming_server_sends_the_whole_answer_without_a_length(framing):
    with StreamingServer(framing, mib=2) as server, requests.Session() as session:
        session.trust_env = False
        response = session.post(server.url, data=b"<x/>", headers=SOAP_HEADERS, timeout=10)
    assert response.status_code == 200 and "Content-Length" not in response.headers
    assert response.content.startswith(b"<?xml version='1.0'?><!--") and 2 * MIB <= len(response.content) < 2 * MIB + 70000
    assert server.connections == 1 and len(server.requests) == 1


def test_black_hole_never_completes_a_handshake(black_hole):
    port = int(black_hole.rsplit(":", 1)[1].split("/", 1)[0])
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.settimeout(0.3)
    with probe, pytest.raises(TimeoutError):
        probe.connect(("127.0.0.1", port))
