# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The errors of the csoft.sms client (private to the collection).

Every error is built complete: its one-line text and every attribute are
given to the constructor. Callers decide from the class and the attributes
(``status``, ``attempts``, ``missing_element``, ...), never from the text.
``str(error)`` is one line: what failed, where, why and what to do next. It
never holds the PIN; ``redacted()`` is how the client makes sure of that.

Imports nothing from the Ansible controller, so it can run on any host.
"""

import re

_LOGIN_WORDS = re.compile(r"login|logon|password|\bpin\b|username|credential|auth", re.IGNORECASE)


def is_login_rejection(faultstring):
    """Whether a SOAP fault's text says that the login (username or PIN) was refused."""
    return bool(_LOGIN_WORDS.search(faultstring or ""))


class CsoftError(Exception):
    """Base class of every error the client raises."""

    def __init__(self, message, endpoint=None, operation=None):
        super().__init__(message)
        self.message = message
        self.endpoint = endpoint
        self.operation = operation

    def __str__(self):
        return self.message

    def _fields(self):
        """The constructor's keyword arguments that rebuild this error."""
        return {"message": self.message, "endpoint": self.endpoint, "operation": self.operation}

    def redacted(self, redact):
        """A new error of the same class whose text fields went through ``redact`` (str -> str).

        The new error has no chained exceptions: those can hold the request
        or excerpts of the answer.
        """
        fields = {name: redact(value) if isinstance(value, str) else value for name, value in self._fields().items()}
        return type(self)(**fields)


class CsoftInputError(CsoftError):
    """An option value is invalid; nothing was sent."""


class CsoftUnreachableError(CsoftError):
    """No endpoint could be connected to; ``attempts`` lists (url, reason)."""

    def __init__(self, message, attempts, operation=None):
        super().__init__(message, operation=operation)
        self.attempts = attempts

    def _fields(self):
        return {"message": self.message, "attempts": self.attempts, "operation": self.operation}


class CsoftTimeoutError(CsoftError):
    """The request was sent but no complete answer came in time, or the connection broke after sending (final)."""


class CsoftHTTPError(CsoftError):
    """The service answered with an HTTP status that is not a success."""

    def __init__(self, message, status, endpoint=None, operation=None):
        super().__init__(message, endpoint, operation)
        self.status = status

    def _fields(self):
        return dict(super()._fields(), status=self.status)


class CsoftFaultError(CsoftError):
    """The service answered with a SOAP Fault."""

    def __init__(self, message, faultcode, faultstring, status, endpoint=None, operation=None):
        super().__init__(message, endpoint, operation)
        self.faultcode = faultcode
        self.faultstring = faultstring
        self.status = status

    @property
    def login_rejected(self):
        return is_login_rejection(self.faultstring)

    def _fields(self):
        return dict(super()._fields(), faultcode=self.faultcode, faultstring=self.faultstring, status=self.status)


class CsoftResponseError(CsoftError):
    """The answer is not a well-formed, expected SOAP response.

    ``missing_element`` names the element the answer lacks when that is the
    problem (a rejected login can look like that), else it is None.
    """

    def __init__(self, message, endpoint=None, operation=None, missing_element=None):
        super().__init__(message, endpoint, operation)
        self.missing_element = missing_element

    def _fields(self):
        return dict(super()._fields(), missing_element=self.missing_element)
