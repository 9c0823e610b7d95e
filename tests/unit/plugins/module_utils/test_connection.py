# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The connection options' one declaration and ConnectionSettings (plugins/module_utils/_connection.py)."""

import pytest

from ansible_collections.csoft.sms.plugins.module_utils import _client as client
from ansible_collections.csoft.sms.plugins.module_utils import _connection as connection
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME

URL = "http://127.0.0.1:9/sendsms5"


def settings(**values):
    base = {"username": USERNAME, "pin": PIN, "endpoints": [URL]}
    base.update(values)
    return connection.ConnectionSettings.from_values(base)


@pytest.mark.parametrize("value", ["", None, "x" * 21, "has space", "tab\there", "new\nline", "caf\u00e9", "\x00", 2.5, True, [1]])
def test_invalid_credentials_are_rejected_without_echo(value):
    with pytest.raises(CsoftInputError) as info:
        settings(pin=value)
    assert "pin" in str(info.value) and "\n" not in str(info.value)
    if isinstance(value, str) and value.strip():
        assert value not in str(info.value)


@pytest.mark.parametrize("value", ["ANOther.61234", "123456", "x" * 20, "a<b&c>"])
def test_valid_credentials(value):
    assert settings(username=value).username == value


def test_an_all_digit_pin_rendered_to_a_number_is_its_decimal_text():
    """ansible-rulebook renders "{{ CSOFT_PIN }}" of an all-digit PIN to an int: every entry point accepts it."""
    assert settings(pin=48151623421).pin == "48151623421"
    assert settings(username=12345678).username == "12345678"


@pytest.mark.parametrize(
    "endpoints",
    [
        [],
        [""],
        ["ftp://x/sendsms5"],
        ["www.csoft.co.uk/sendsms5"],
        ["https://user:pw@host/x"],
        ["https:///x"],
        ["http://127.0.0.1:http://x/y"],
        ["http://host:99999999/x"],
        ["http://ho st/x"],
        123,
        [123],
        {"a": 1},
        [URL] * 9,
    ],
)
def test_invalid_endpoints(endpoints):
    with pytest.raises(CsoftInputError, match="endpoint") as info:
        settings(endpoints=endpoints)
    assert "\n" not in str(info.value)


def test_endpoints_from_comma_string():
    assert settings(endpoints=" http://a/sendsms5 , https://[::1]:8443/sendsms5 ").endpoints == ("http://a/sendsms5", "https://[::1]:8443/sendsms5")


@pytest.mark.parametrize("timeout", [0, -1, "soon", float("nan"), float("inf"), "inf", "1e400", 1e10, 10**400, True])
def test_invalid_timeout(timeout):
    with pytest.raises(CsoftInputError, match="timeout") as info:
        settings(timeout=timeout)
    assert "Traceback" not in str(info.value)


def test_defaults_and_the_environment():
    values = connection.ConnectionSettings.from_values({"username": USERNAME, "pin": PIN})
    assert values.endpoints == connection.DEFAULT_ENDPOINTS and values.timeout == 10.0 and values.validate_certs is True and values.ca_path is None
    environ = {"CSOFT_USERNAME": "Env.user", "CSOFT_PIN": PIN, "CSOFT_ENDPOINTS": f"{URL},{URL}", "CSOFT_TIMEOUT": "3", "CSOFT_VALIDATE_CERTS": "no"}
    values = connection.ConnectionSettings.from_values({"username": ""}, environ=environ)
    assert (values.username, values.endpoints, values.timeout, values.validate_certs, values.verify) == ("Env.user", (URL, URL), 3.0, False, False)


def test_every_missing_and_invalid_option_is_named_in_one_line():
    with pytest.raises(CsoftInputError) as info:
        connection.ConnectionSettings.from_values({"timeout": "nan"})
    text = str(info.value)
    assert "username is missing" in text and "pin is missing" in text and "timeout" in text and "\n" not in text
    assert "CSOFT_USERNAME" in text


def test_a_label_names_the_option_as_the_user_set_it():
    with pytest.raises(CsoftInputError) as info:
        connection.ConnectionSettings.from_values({"timeout": "-1"}, label=lambda name: f"credit_gate_{name}")
    text = str(info.value)
    assert "set credit_gate_username" in text and "set credit_gate_pin" in text and "check credit_gate_timeout" in text


def test_ca_path_must_be_a_file(tmp_path):
    with pytest.raises(CsoftInputError, match="ca_path"):
        settings(ca_path=str(tmp_path / "missing.pem"))
    bundle = tmp_path / "ca.pem"
    bundle.write_text("x")
    assert settings(ca_path=str(bundle)).verify == str(bundle)
    assert settings(ca_path=str(bundle), validate_certs=False).verify is False


def test_settings_are_immutable_and_never_show_the_pin():
    value = settings()
    assert PIN not in repr(value) and PIN not in str(value)
    with pytest.raises(AttributeError):
        value.pin = "other"
    assert value.replace(endpoints=("http://b/x",)).endpoints == ("http://b/x",) and value.endpoints == (URL,)
    assert value == settings() and hash(value) == hash(settings())


def test_the_client_takes_settings_and_checks_nothing_again():
    value = settings()
    with client.CsoftClient(value) as instance:
        assert instance.settings is value and instance.endpoints == (URL,)
    with pytest.raises(TypeError):
        client.CsoftClient(USERNAME)


def test_declaration_is_complete():
    assert connection.NAMES == ("username", "pin", "endpoints", "validate_certs", "ca_path", "timeout")
    assert [option.name for option in connection.OPTIONS if option.no_log] == ["pin"]
    assert all(option.env == "CSOFT_" + option.name.upper() for option in connection.OPTIONS)
    assert all(option.var == "csoft_" + option.name for option in connection.OPTIONS)
