# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The arguments every polling source has (plugins/plugin_utils/_source_arguments.py), with a source of its own."""

import pytest

from ansible_collections.csoft.sms.plugins.module_utils._connection import NAMES
from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError
from ansible_collections.csoft.sms.plugins.module_utils._values import as_bool
from ansible_collections.csoft.sms.plugins.plugin_utils._source_arguments import SourceArguments, argument_label, source_arguments
from ansible_collections.csoft.sms.tests.support.accounts import PIN, USERNAME

URL = "https://one.example/sendsms5"


class Example(SourceArguments):
    """A source with one argument of its own, ``loud``."""

    SOURCE = "example"
    ARGUMENTS = source_arguments(("loud",))

    def __init__(self, args):
        super().__init__(args)
        loud = self.given(args, "loud")
        self.loud = False if loud is None else self.checked("loud", as_bool, loud)


def example(extra=None, **args):
    return Example({"username": USERNAME, "pin": PIN, "endpoints": [URL], **(extra or {}), **args})


def test_the_arguments_are_the_connection_options_the_own_then_the_waits():
    assert Example.ARGUMENTS == NAMES + ("loud", "interval", "backoff_max", "interval_floor_for_tests")


def test_defaults():
    settings = example()
    assert (settings.interval, settings.backoff_max, settings.loud) == (60.0, 900.0, False)
    assert settings.connection.endpoints == (URL,) and settings.username == USERNAME
    assert settings.prefix == "csoft.sms.example"


def test_backoff_max_defaults_to_the_interval_when_longer():
    assert example(interval=3600).backoff_max == 3600.0


def test_the_floor_is_10_seconds_unless_lowered_for_tests():
    with pytest.raises(CsoftInputError, match=r"^csoft\.sms\.example: csoft interval is 9\.9, which is not a number from 10 to 86400"):
        example(interval=9.9)
    assert example(interval="0.5", interval_floor_for_tests="0.5").interval == 0.5


def test_the_pin_is_not_kept_outside_the_connection_settings():
    settings = example()
    assert [name for name, value in vars(settings).items() if value == PIN] == []
    assert PIN not in repr(settings.connection)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"loud": "perhaps"}, "csoft.sms.example: csoft loud is 'perhaps', which is not true or false; check the source argument loud"),
        ({"volume": 3, 7: 1}, "csoft.sms.example: unknown argument 7, volume; the arguments are username, pin"),
        ({"pin": ""}, "csoft.sms.example: csoft pin is missing: set the source argument pin (or CSOFT_PIN)"),
        ({"backoff_max": 30}, "csoft.sms.example: csoft backoff_max is 30, which is not a number from 60 to 604800"),
    ],
)
def test_a_bad_argument_is_one_line_that_names_it(monkeypatch, args, expected):
    monkeypatch.delenv("CSOFT_PIN", raising=False)
    with pytest.raises(CsoftInputError) as caught:
        example(args)
    assert str(caught.value).startswith(expected) and "\n" not in str(caught.value)


def test_eda_arguments_of_ansible_rulebook_are_not_unknown():
    assert example(eda_feedback_queue=object()).loud is False


def test_argument_label_names_the_environment_variable_of_a_connection_option():
    assert argument_label("timeout") == "the source argument timeout (or CSOFT_TIMEOUT)"
    assert argument_label("loud") == "the source argument loud"


def test_client_is_a_fresh_client_of_the_settings():
    settings = example()
    first, second = settings.client(), settings.client()
    try:
        assert first is not second and first.settings is settings.connection
    finally:
        first.close()
        second.close()
