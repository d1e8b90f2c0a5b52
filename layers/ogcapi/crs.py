"""OGC API – Features – Part 2: Coordinate Reference Systems by Reference (OGC 18-058r1).

The CRSs a collection offers are the WFS's (``layers.wfs.crs.SUPPORTED_EPSG``: WGS 84, Web
Mercator and VN-2000 — geographic, UTM and every TM-3 zone of DOMAIN.md §4.1), named by their
OGC URIs, the first one CRS84 (/req/crs/fc-md-crs-list B). Reprojection is the WFS's too
(``selectors.project`` / ``gml.to_storage``: pyproj, EPSG:6960 "VN-2000 to WGS 84 (2)" for
VN-2000), so a feature has the same coordinates through WFS and OGC API.

Axis order is the CRS's own (/req/crs/fc-crs-action, OGC 18-058r1 §6.2): CRS84 is
longitude, latitude; ``http://www.opengis.net/def/crs/EPSG/0/4326`` (and VN-2000 geographic
4756) latitude, longitude; Web Mercator and the VN-2000 projections easting, northing. The
same holds for ``bbox`` with ``bbox-crs`` and for geometries in a filter with ``filter-crs``.
Storage is EPSG:4326 with longitude first, i.e. CRS84: ``storageCrs``.
"""

from __future__ import annotations

from functools import cache

from django.utils.translation import gettext as _

from layers.wfs import crs as crs_mod
from layers.wfs.crs import CRSRef

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{code}"
STORAGE_CRS = CRS84


class UnsupportedCRS(ValueError):
    pass


def uri(epsg: int) -> str:
    return EPSG_URI.format(code=epsg)


def supported() -> list[str]:
    """The ``crs`` list of every collection: CRS84 first, then the EPSG codes the WFS offers."""
    return [CRS84, *(uri(code) for code in crs_mod.SUPPORTED_EPSG)]


@cache
def _table() -> dict[str, CRSRef]:
    table = {CRS84: CRSRef(crs_mod.STORAGE_EPSG, True, CRS84)}
    for code in crs_mod.SUPPORTED_EPSG:
        table[uri(code)] = CRSRef(code, crs_mod.authority_xy(code), uri(code))
    return table


def parse(value: str, parameter: str) -> CRSRef:
    """The CRS a ``crs``/``bbox-crs``/``filter-crs`` value names; UnsupportedCRS (a 400) for
    anything not in the collection's ``crs`` list (/req/crs/fc-crs-valid-value,
    /req/crs/fc-bbox-crs-valid-value). The ``[EPSG:3857]`` safe-CURIE spelling is accepted too
    (OGC 18-058r1 allows CURIEs in parameters)."""
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        authority, _sep, code = text[1:-1].partition(":")
        if authority.upper() == "EPSG" and code.isdigit():
            text = uri(int(code))
        elif authority.upper() == "OGC" and code.upper() == "CRS84":
            text = CRS84
    found = _table().get(text)
    if found is None:
        raise UnsupportedCRS(
            _("%(parameter)s: the CRS %(crs)s is not supported; use one of %(supported)s")
            % {
                "parameter": parameter,
                "crs": repr(value),
                "supported": ", ".join(supported()),
            }
        )
    return found


def header(crs: CRSRef) -> str:
    """The ``Content-Crs`` value: ``<uri>`` (/req/crs/ogc-crs-header-value)."""
    return f"<{crs.name}>"


DEFAULT = CRSRef(crs_mod.STORAGE_EPSG, True, CRS84)
