# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Checks of values that users give, with one set of rules for every entry point (private to the collection).

Modules, the lookup, the action, the callback and the event source all read
their numbers, flags, texts and lists through these functions, so a value is
accepted or refused the same way wherever it is given:

* a number may be an int, a float, a Decimal or a string of one (a rendered
  template is a string); a bool is never a number; NaN, infinities and values
  outside the option's range are refused, and so is a string of more than
  ``MAX_NUMBER_CHARS`` characters (no huge integer conversion);
* a flag is a bool or one of Ansible's boolean words;
* a text given as a whole number is its decimal text (ansible-rulebook renders
  ``"{{ CSOFT_PIN }}"`` of an all-digit PIN to an int);
* a list may be a list or a comma-separated string.

Each refusal is a ``CsoftInputError`` of one line that names the option and
never shows a secret's value. Imports nothing from the Ansible controller.
"""

from decimal import Decimal, InvalidOperation

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftInputError

MAX_NUMBER_CHARS = 40
_TRUE = ("true", "yes", "on", "1", "y", "t")
_FALSE = ("false", "no", "off", "0", "n", "f")


def shown(value, secret=False, limit=40):
    """How a refused value is shown in an error: never a secret, never a long text."""
    if secret:
        return f"a {type(value).__name__} (hidden)"
    if isinstance(value, str):
        return repr(value if len(value) <= limit else value[:limit] + "...")
    try:
        text = repr(value)
    except ValueError:  # an int of more than 4300 digits has no repr (Python's limit on int to text)
        return "an int too long to show"
    return text if len(text) <= limit else text[:limit] + "..."


def invalid(name, value, expected, secret=False):
    """The error for option ``name``: its value is not ``expected``."""
    return CsoftInputError(f"csoft {name} is {shown(value, secret)}, which is not {expected}; check the {name} option")


def relabel(error, name, label):
    """``error`` (a CsoftInputError of option ``name``) naming the option as the user sets it: ``label``."""
    return CsoftInputError(str(error).replace(f"the {name} option", label))


def is_missing(value):
    """None and the empty (or blank) string count as not given."""
    return value is None or (isinstance(value, str) and not value.strip())


def as_number(name, value, low=None, high=None, integer=False, low_open=False):
    """``value`` as a finite Decimal (an int when ``integer``) within [low, high] (low excluded with ``low_open``)."""
    expected = "a whole number" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise invalid(name, value, expected)
    text = value.strip() if isinstance(value, str) else None
    if text is not None and len(text) > MAX_NUMBER_CHARS:
        raise invalid(name, value, f"{expected} of at most {MAX_NUMBER_CHARS} characters")
    if isinstance(value, int) and value.bit_length() > 128:
        raise invalid(name, value, f"{expected} in range")
    try:
        number = Decimal(text) if text is not None else Decimal(str(value) if isinstance(value, float) else value)
    except (InvalidOperation, ValueError):
        raise invalid(name, value, expected) from None
    if not number.is_finite():
        raise invalid(name, value, f"a finite {expected[2:]}")
    if integer and number != number.to_integral_value():
        raise invalid(name, value, expected)
    bounds = _bounds_text(low, high, low_open)
    if low is not None and (number < Decimal(str(low)) or (low_open and number == Decimal(str(low)))):
        raise invalid(name, value, f"{expected} {bounds}")
    if high is not None and number > Decimal(str(high)):
        raise invalid(name, value, f"{expected} {bounds}")
    return int(number) if integer else number


def _bounds_text(low, high, low_open):
    if low is not None and high is not None:
        return f"{'above' if low_open else 'from'} {low:g} {'up to' if low_open else 'to'} {high:g}"
    if low is not None:
        return f"{'above' if low_open else 'of at least'} {low:g}"
    return f"of at most {high:g}" if high is not None else ""


def as_bool(name, value):
    """``value`` as a bool: a bool, 0 or 1, or one of Ansible's boolean words."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
    raise invalid(name, value, "true or false")


def as_text(name, value, secret=False):
    """``value`` as a str: a whole number (not a bool) becomes its decimal text; None stays None."""
    if value is None or isinstance(value, str):
        return None if value is None else str(value)  # str() drops subclasses (Ansible's unsafe or tagged text)
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() <= 128:
        return str(value)
    raise invalid(name, value, "a text (quote it)", secret)


def as_text_list(name, value, separator=","):
    """``value`` as a tuple of stripped, non-empty texts: a list, or one string split at ``separator``."""
    if isinstance(value, str):
        value = value.split(separator)
    if not isinstance(value, (list, tuple)):
        raise invalid(name, value, f"a list or a {separator!r}-separated text")
    items = []
    for index, item in enumerate(value, 1):
        if item is None:
            continue
        if not isinstance(item, str):
            raise CsoftInputError(f"csoft {name} item {index} is {shown(item)}, which is not a text; check the {name} option")
        if item.strip():
            items.append(str(item.strip()))
    return tuple(items)
