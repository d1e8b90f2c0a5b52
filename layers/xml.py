"""Safe XML parsing for everything the OGC services read from clients.

Requests come from the network, so the parser never resolves entities, never loads a DTD, never
touches the network and keeps libxml2's limits on tree size (``huge_tree=False``). Documents that
declare a DOCTYPE or an entity are refused outright: no OGC request needs one, and refusing them
early keeps "billion laughs" bombs cheap.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from lxml import etree

# Largest request body the services read (the WFS answers 413 above it).
MAX_REQUEST_BYTES = 10 * 1024 * 1024

_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class XMLRefused(ValueError):
    """The document is not well-formed, or declares a DOCTYPE or entities."""


def _parser() -> etree.XMLParser:
    # A new parser per document: lxml parsers keep state and are not meant to be shared by threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def parse_xml(data: bytes | str) -> etree._Element:
    """Parse ``data`` into an element tree, or raise XMLRefused saying why."""
    if isinstance(data, str):
        text = data.lstrip("\ufeff")
        # lxml refuses str input that carries an encoding declaration: hand it UTF-8 bytes.
        text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
        data = text.encode("utf-8")
    if _DECLARATION.search(data):
        raise XMLRefused(_("DOCTYPE and ENTITY declarations are not allowed"))
    if not data.strip():
        raise XMLRefused(_("the document is empty"))
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise XMLRefused(_("not well-formed XML: %(reason)s") % {"reason": exc}) from None
    if root is None:
        raise XMLRefused(_("the document is empty"))
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        # Reached only by encodings the byte scan cannot see (UTF-16, UTF-32).
        raise XMLRefused(_("DOCTYPE and ENTITY declarations are not allowed"))
    return root


def local(tag) -> str:
    """The local name of an element tag ("{ns}Name" -> "Name"); "" for comments and entities."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2] if tag.startswith("{") else tag


def namespace(tag) -> str | None:
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1:].partition("}")[0]
    return None


def children(element) -> list:
    """Child elements only (no comments, entities or processing instructions)."""
    return [c for c in element if isinstance(c.tag, str)]


def child(element, name: str):
    """The first child element with local name ``name`` (any namespace), or None."""
    for c in element:
        if isinstance(c.tag, str) and local(c.tag) == name:
            return c
    return None


def children_named(element, *names: str) -> list:
    return [c for c in element if isinstance(c.tag, str) and local(c.tag) in names]


def attr(element, name: str, default=None):
    """An attribute by local name, case-insensitively (clients disagree on "typeName" /
    "typename")."""
    wanted = name.lower()
    for key, value in element.attrib.items():
        if local(key).lower() == wanted:
            return value
    return default


def text(element) -> str:
    return (element.text or "").strip() if element is not None else ""
