# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Response documents in the shapes of the vendor's "Account Query Web Services SOAP API" page.

LF line ends, one element per line, one trailing newline: the page's example
documents byte for byte, with only the values substituted.
"""

from xml.sax.saxutils import escape

SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
TNS = "http://www.csoft.co.uk/dtd/sendsms5.xsd"
XML_CONTENT_TYPE = "text/xml; charset=utf-8"

_XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NS_TAIL = (
    'xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/"\n'
    'xmlns:xsi="http://www.w3.org/1999/XMLSchema-instance"\n'
    'xmlns:xsd="http://www.w3.org/1999/XMLSchema"\n'
    'xmlns:ns2="http://www.csoft.co.uk/dtd/sendsms5.xsd">\n'
)
# Most of the vendor's response examples break the line after "<SOAP-ENV:Envelope" ...
_ENVELOPE_OPEN = '<SOAP-ENV:Envelope\nxmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"\n' + _NS_TAIL
# ... but the AvailableMessagesResponse example keeps the first namespace on that line.
_ENVELOPE_OPEN_INLINE = '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"\n' + _NS_TAIL
_RESERVED = "<Reserved><Field1/><Field2/><Field3/><Field4/></Reserved>\n"
_DOC_TAIL = "</SOAP-ENV:Body>\n</SOAP-ENV:Envelope>\n"
# A parser turns a raw CR into LF: written as a reference, a value's CR reaches the client (as lxml writes it).
_ENTITIES = {"\r": "&#13;"}


def element(name, value, raw=False):
    """One value element on its own line; ``raw`` puts ``value`` in unescaped (an entity reference).

    A ``value`` that is a sequence of ``(name, value)`` pairs is a nested element: its start
    tag, its children one per line, its end tag (``<name></name>`` when it has none).
    """
    if not raw and not isinstance(value, str):
        children = "".join(element(key, item) for key, item in value)
        return f"<{name}>\n{children}</{name}>\n" if children else f"<{name}></{name}>\n"
    if value == "" and not raw:
        return f"<{name}/>\n" if name == "LibraryNumber" else f"<{name}></{name}>\n"
    return f"<{name}>{value if raw else escape(value, _ENTITIES)}</{name}>\n"


def document_parts(wrapper, children, doctype="", inline=False, reserved=True):
    """Return ``(head, tail)`` of a response document; ``head`` ends after the wrapper start tag.

    ``reserved``: end the wrapper with the ``Reserved`` block, as the page's examples do.
    """
    head = "".join(
        (
            _XML_DECL,
            doctype,
            _ENVELOPE_OPEN_INLINE if inline else _ENVELOPE_OPEN,
            "<SOAP-ENV:Body>\n",
            f"<ns2:{wrapper}>\n",
        )
    )
    tail = "".join(children) + (_RESERVED if reserved else "") + f"</ns2:{wrapper}>\n" + _DOC_TAIL
    return head.encode("utf-8"), tail.encode("utf-8")


def fault_document(faultstring, faultcode="SOAP-ENV:Client"):
    """A SOAP 1.1 Fault in the same document style as the vendor's responses."""
    text = (
        _XML_DECL
        + _ENVELOPE_OPEN
        + "<SOAP-ENV:Body>\n<SOAP-ENV:Fault>\n"
        + f"<faultcode>{escape(faultcode)}</faultcode>\n"
        + f"<faultstring>{escape(faultstring)}</faultstring>\n"
        + "</SOAP-ENV:Fault>\n"
        + _DOC_TAIL
    )
    return text.encode("utf-8")
