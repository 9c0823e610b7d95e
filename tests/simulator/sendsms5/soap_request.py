# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Validation of a sendsms5 request, as a strict service would; the operation reads its own fields."""

import xml.etree.ElementTree as ET
import xml.parsers.expat

from . import operations
from .documents import SOAP_ENV_NS, TNS
from .operation import BadRequest, child_text, local, namespace


def _reject_dtd(*args):
    raise BadRequest("DOCTYPE and entity declarations are not allowed")


def _precheck_xml(body):
    """Well-formedness check with expat that refuses any DTD before ElementTree sees the body."""
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _reject_dtd
    parser.EntityDeclHandler = _reject_dtd
    parser.ExternalEntityRefHandler = _reject_dtd
    try:
        parser.Parse(body, True)
    except xml.parsers.expat.ExpatError as exc:
        raise BadRequest(f"Request body is not well-formed XML ({xml.parsers.expat.ErrorString(exc.code)})") from None


def _operation_element(body):
    """The first child of the SOAP Body of the well-formed document ``body``."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise BadRequest("Request body is not well-formed XML") from None
    if root.tag != f"{{{SOAP_ENV_NS}}}Envelope":
        raise BadRequest("Root element is not a SOAP 1.1 Envelope")
    soap_body = None
    for child in root:
        if child.tag == f"{{{SOAP_ENV_NS}}}Body":
            soap_body = child
            break
        if child.tag != f"{{{SOAP_ENV_NS}}}Header":
            raise BadRequest("Unexpected element in SOAP Envelope")
    if soap_body is None:
        raise BadRequest("Missing SOAP Body")
    children = list(soap_body)
    if not children:
        raise BadRequest("SOAP Body is empty")
    return children[0]


def parse_soap_request(headers, body):
    """Validate a sendsms5 request; return a dict with ``operation``, ``username``, ``pin`` and fields.

    Raises BadRequest with a message that never contains request values.
    """
    content_type = headers.get("Content-Type") or ""
    if not content_type.strip().lower().startswith("text/xml"):
        raise BadRequest("Content-Type must be text/xml")
    if headers.get("SOAPAction") is None:
        raise BadRequest("Missing SOAPAction header")
    if not body or not body.strip():
        raise BadRequest("Empty request body")
    _precheck_xml(body)
    wrapper = _operation_element(body)
    if namespace(wrapper.tag) != TNS:
        raise BadRequest(f"Operation element is not in namespace {TNS}")
    operation = operations.TABLE.get(local(wrapper.tag))
    if operation is None:
        raise BadRequest("Unknown operation")
    request = {"operation": operation.name}
    for name in ("Username", "PIN"):
        value = child_text(wrapper, name)
        if value is None:
            raise BadRequest(f"Missing {name} element")
        request[name.lower()] = value
    operation.read(wrapper, request)
    return request
