# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_sms_text.py: GSM-7 or UCS-2, the number of SMS parts, the length limit, refused characters (no network)."""

import pytest

from ansible_collections.csoft.sms.plugins.module_utils import _errors as errors
from ansible_collections.csoft.sms.plugins.module_utils import _sms_text as sms_text

# Message text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, encoding, length, parts",
    [
        ("x", "GSM-7", 1, 1),
        ("x" * 160, "GSM-7", 160, 1),
        ("x" * 161, "GSM-7", 161, 2),
        ("x" * 306, "GSM-7", 306, 2),
        ("x" * 307, "GSM-7", 307, 3),
        ("x" * 612, "GSM-7", 612, 4),
        ("€" * 80, "GSM-7", 160, 1),
        ("€" * 81, "GSM-7", 162, 2),
        ("£@ÄÖÑÜ§¿àé\n", "GSM-7", 11, 1),
        ("ж" * 70, "UCS-2", 70, 1),
        ("ж" * 71, "UCS-2", 71, 2),
        ("ж" * 268, "UCS-2", 268, 4),
        ("👋" * 35, "UCS-2", 70, 1),
        ("x" * 159 + "ж", "UCS-2", 160, 3),
        ("tab\there", "UCS-2", 8, 1),
    ],
)
def test_message_parts(text, encoding, length, parts):
    assert sms_text.message_parts(text) == (encoding, length, parts)
    assert sms_text.validate_message(text) == (text, encoding, length, parts)


@pytest.mark.parametrize("text, limit", [("x" * 613, "612 GSM-7"), ("€" * 307, "612 GSM-7"), ("ж" * 269, "268 UCS-2"), ("👋" * 135, "268 UCS-2")])
def test_message_over_the_limit_refused(text, limit):
    with pytest.raises(errors.CsoftInputError) as info:
        sms_text.validate_message(text)
    assert f"at most {sms_text.MAX_PARTS} ({limit} characters)" in str(info.value)


@pytest.mark.parametrize("text", ["", "   ", "\n\t", None])
def test_empty_message_refused(text):
    with pytest.raises(errors.CsoftInputError, match="msg option is empty"):
        sms_text.validate_message(text)


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\ufffe"])
def test_control_characters_refused(char):
    with pytest.raises(errors.CsoftInputError, match=f"U\\+{ord(char):04X} at position 4"):
        sms_text.validate_message("abc" + char + "def")
