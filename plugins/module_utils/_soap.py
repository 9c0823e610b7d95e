# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The SOAP layer of the csoft.sms client (private to the collection): no network, no operation-specific values.

* the namespaces of the vendor's documents;
* ``build_envelope``: the SOAP 1.1 request document of any operation, with lxml;
* ``parse_document``: a hardened parse (no DTD, no entities, no network; a
  DOCTYPE is refused outright) down to the SOAP Body's one element;
* ``fault_fields``, ``expect_wrapper``, ``child_text``: reading a Fault or a
  response wrapper, matching elements by namespace URI and local name only;
* ``snippet``: a short printable excerpt of a body for error texts.

Raises ``CsoftResponseError`` without endpoint context; the client adds it.
Imports nothing from the Ansible controller, so it can run on any host.
"""

import re

from ansible_collections.csoft.sms.plugins.module_utils._errors import CsoftResponseError

try:
    from lxml import etree
except ImportError:  # pragma: no cover - reported by the callers
    HAS_LXML = False
else:
    HAS_LXML = True


SOAP11_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV_NS = "http://www.w3.org/2003/05/soap-envelope"
SOAP_ENC_NS = "http://schemas.xmlsoap.org/soap/encoding/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
CSOFT_NS = "http://www.csoft.co.uk/dtd/sendsms5.xsd"

_SNIPPET_CHARS = 160


def build_envelope(operation, username, pin, fields=()):
    """Return the request document of ``operation`` (bytes), as the vendor's examples show it.

    ``fields`` are further children after Username and PIN: ``(name, value)``
    pairs where value is a string, ``None`` (left out) or a sequence of pairs
    (a nested element). lxml escapes every value, so no input can add markup.
    """
    env = etree.Element(
        f"{{{SOAP11_ENV_NS}}}Envelope",
        nsmap={"SOAP-ENV": SOAP11_ENV_NS, "SOAP-ENC": SOAP_ENC_NS, "xsi": XSI_NS, "xsd": XSD_NS, "ns2": CSOFT_NS},
    )
    body = etree.SubElement(env, f"{{{SOAP11_ENV_NS}}}Body")
    wrapper = etree.SubElement(body, f"{{{CSOFT_NS}}}{operation}")
    # elementFormDefault="unqualified": the children carry no namespace.
    _add_fields(wrapper, (("Username", username), ("PIN", pin)) + tuple(fields))
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def _add_fields(parent, fields):
    for name, value in fields:
        if value is None:
            continue
        child = etree.SubElement(parent, name)
        if isinstance(value, str):
            child.text = value
        else:
            _add_fields(child, value)


def safe_parser():
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


# lxml tags are Clark notation, "{namespace}local" or "local"; string operations read them faster than etree.QName.
def local_name(tag):
    """The local name of an lxml tag; None for comments and processing instructions."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else None


def namespace_of(tag):
    """The namespace URI of an lxml tag, or None."""
    return (tag[1:].partition("}")[0] or None) if isinstance(tag, str) and tag[:1] == "{" else None


def elements(parent):
    """The child elements of ``parent`` (no comments or processing instructions)."""
    return [child for child in parent if isinstance(child.tag, str)]


def describe(element):
    """An element's name for error texts: ``{namespace}local`` or ``local``."""
    namespace = namespace_of(element.tag)
    return f"{{{namespace}}}{local_name(element.tag)}" if namespace else local_name(element.tag)


def snippet(body):
    """A short printable excerpt of a body for error messages."""
    text = body[: _SNIPPET_CHARS * 4].decode("utf-8", "replace")
    text = re.sub(r"\s+", " ", re.sub(r"[^\x20-\x7e\s]", "?", text)).strip()
    if len(text) > _SNIPPET_CHARS:
        text = text[:_SNIPPET_CHARS] + "..."
    return text or "(empty body)"


def parse_document(body):
    """Parse a response body into the SOAP Body's first element.

    Raises CsoftResponseError (without endpoint context) on anything that is
    not a safe, well-formed SOAP envelope. A DOCTYPE is always refused: the
    vendor never sends one and it is the vehicle of entity attacks.
    """
    if not body or not body.strip():
        raise CsoftResponseError("the service answered with an empty body")
    head = body[:4096].lstrip()
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise CsoftResponseError("the answer contains a DOCTYPE or entity declaration, which is refused")
    if not head.startswith((b"<", b"\xef\xbb\xbf<", b"\xff\xfe<", b"\xfe\xff\x00<")):
        raise CsoftResponseError(f"the answer is not XML: {snippet(body)}")
    try:
        root = etree.fromstring(body, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise CsoftResponseError(f"the answer is not well-formed XML ({str(exc).splitlines()[0][:200]})") from None
    except ValueError as exc:
        raise CsoftResponseError(f"the answer could not be parsed as XML ({str(exc)[:200]})") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None or tree.docinfo.externalDTD is not None:
        raise CsoftResponseError("the answer contains a DOCTYPE, which is refused")
    env_ns = namespace_of(root.tag)
    if local_name(root.tag) != "Envelope" or env_ns not in (SOAP11_ENV_NS, SOAP12_ENV_NS):
        raise CsoftResponseError(f"the answer is XML but not a SOAP envelope (root element {describe(root)})")
    bodies = [child for child in elements(root) if child.tag == f"{{{env_ns}}}Body"]
    if len(bodies) != 1:
        raise CsoftResponseError(f"the SOAP envelope has {len(bodies)} Body elements, expected 1")
    content = elements(bodies[0])
    if not content:
        raise CsoftResponseError("the SOAP Body is empty")
    first = content[0]
    if local_name(first.tag) == "Fault" and namespace_of(first.tag) == env_ns:
        return first
    if len(content) != 1:
        raise CsoftResponseError(f"the SOAP Body holds {len(content)} elements, expected 1")
    return first


def is_fault(element):
    """Whether the element ``parse_document`` returned is a SOAP Fault."""
    return local_name(element.tag) == "Fault"


def fault_fields(fault):
    """Return (faultcode, faultstring) of a SOAP 1.1 or 1.2 Fault element."""
    code = reason = ""
    for child in elements(fault):
        name = local_name(child.tag)
        if name in ("faultcode", "faultstring"):
            value = " ".join((child.text or "").split())
            if name == "faultcode":
                code = value
            else:
                reason = value
        elif name == "Code":  # SOAP 1.2
            values = [c for c in child.iter() if local_name(c.tag) == "Value"]
            code = " ".join((values[0].text or "").split()) if values else ""
        elif name == "Reason":
            texts = [c for c in child.iter() if local_name(c.tag) == "Text"]
            reason = " ".join((texts[0].text or "").split()) if texts else ""
    return code[:100], reason[:300]


def expect_wrapper(operation, element):
    """Check that ``element`` is the response wrapper of ``operation``; return it."""
    expected = f"{operation}Response"
    if namespace_of(element.tag) != CSOFT_NS or local_name(element.tag) != expected:
        raise CsoftResponseError(f"the answer holds {describe(element)} where {expected} was expected")
    return element


def has_child(wrapper, name):
    """Whether the wrapper has a child element with local name ``name``."""
    return any(local_name(child.tag) == name for child in wrapper)


def child_text(wrapper, name, operation):
    """Text of the one child of the wrapper with local name ``name``, stripped."""
    found = [child for child in elements(wrapper) if local_name(child.tag) == name]
    if not found:
        raise CsoftResponseError(f"the {operation}Response has no {name} element", missing_element=name)
    if len(found) > 1:
        raise CsoftResponseError(f"the {operation}Response has {len(found)} {name} elements, expected 1")
    element = found[0]
    if elements(element):
        raise CsoftResponseError(f"the {name} element holds elements, expected text")
    return "".join(element.itertext()).strip()
