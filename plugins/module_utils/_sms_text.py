# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The text of an SMS (private to the collection): alphabet, parts, limits.

``message_parts`` tells whether a text goes out as GSM-7 (the GSM 03.38
default alphabet and its extension table) or UCS-2, and in how many SMS
parts; ``validate_message`` refuses an empty text, control characters and
more than ``MAX_PARTS`` parts before anything is sent (``_submit.py``).
"""

import re

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError

# The WSDL puts no limit on TextMessage (xsd:string) and the vendor publishes
# none, so the collection sets a conservative one: at most MAX_PARTS SMS parts
# (612 GSM-7 characters, or 268 characters when the text needs UCS-2). Every
# part is charged, so more than one part is sent with a warning.
MAX_PARTS = 4
GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
MAX_GSM7_CHARS = MAX_PARTS * GSM7_PART
MAX_UCS2_CHARS = MAX_PARTS * UCS2_PART

# GSM 03.38 default alphabet (without the escape character) and its extension table.
_GSM7_BASIC = frozenset("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
_GSM7_EXTENDED = frozenset("^{}\\[~]|€")

# Characters XML 1.0 cannot carry, plus the other C0/C1 controls: refused in the text.
BAD_TEXT_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def message_parts(text):
    """Return ``(encoding, length, parts)`` the text needs as SMS: GSM-7 when it can, else UCS-2.

    ``length`` counts GSM-7 septets (extension characters count 2) or UTF-16
    code units. It is the usual estimate; the service decides the final split.
    """
    if all(char in _GSM7_BASIC or char in _GSM7_EXTENDED for char in text):
        length = sum(2 if char in _GSM7_EXTENDED else 1 for char in text)
        single, part, encoding = GSM7_SINGLE, GSM7_PART, "GSM-7"
    else:
        length = sum(2 if ord(char) > 0xFFFF else 1 for char in text)
        single, part, encoding = UCS2_SINGLE, UCS2_PART, "UCS-2"
    parts = 1 if length <= single else -(-length // part)
    return encoding, length, parts


def to_gsm7(text, replacement="?"):
    """``text`` with every character outside the GSM-7 alphabet replaced, so that it needs the fewest SMS parts."""
    return "".join(char if char in _GSM7_BASIC or char in _GSM7_EXTENDED else replacement for char in text)


def validate_message(message):
    """Return ``(message, encoding, length, parts)``; refuse empty, control characters and more than MAX_PARTS parts."""
    if message is None or not isinstance(message, str) or not message.strip():
        raise CsoftInputError("csoft SubmitMessage not sent: the msg option is empty; give the text to send")
    bad = BAD_TEXT_RE.search(message)
    if bad:
        raise CsoftInputError(
            f"csoft SubmitMessage not sent: the message holds the control character U+{ord(bad.group()):04X} at position {bad.start() + 1}; "
            "only line breaks and tabs are allowed"
        )
    encoding, length, parts = message_parts(message)
    if parts > MAX_PARTS:
        limit = MAX_GSM7_CHARS if encoding == "GSM-7" else MAX_UCS2_CHARS
        raise CsoftInputError(
            f"csoft SubmitMessage not sent: the message needs {parts} SMS parts ({length} {encoding} characters) and this collection "
            f"sends at most {MAX_PARTS} ({limit} {encoding} characters); shorten the message"
        )
    return message, encoding, length, parts
