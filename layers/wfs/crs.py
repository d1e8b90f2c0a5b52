"""CRS names as WFS clients spell them, and the axis order each spelling implies.

The GeoServer convention, used for BBOX parameters, filter geometries and output alike:

* ``EPSG:4326`` (and ``http://www.opengis.net/gml/srs/epsg.xml#4326``, ``CRS:84``) is x/y:
  longitude first;
* ``urn:ogc:def:crs:EPSG::4326``, ``urn:x-ogc:def:crs:EPSG:4326`` and
  ``http://www.opengis.net/def/crs/EPSG/0/4326`` follow the EPSG axis order: latitude first for
  geographic CRSs (4326, VN-2000 4756), easting first for 3857 and the VN-2000 projections.

GeoJSON is always x/y (longitude, latitude or easting, northing). WFS 1.0.0 (GML 2) is always
x/y too, whatever the spelling: QGIS sends lon,lat ``gml:coordinates`` labelled
``urn:ogc:def:crs:EPSG::4326`` in the WFS-T 1.0.0 documents it posts on 2.0 connections, and
GeoServer reads them as lon/lat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _
from pyproj import CRS
from pyproj.exceptions import CRSError

STORAGE_EPSG = 4326
# What the WFS reprojects to: WGS 84, Web Mercator and VN-2000 (DOMAIN.md §4.1).
VN2000_EPSG = (4756, 3405, 3406, 5896, 5897, 5898, 5899, *range(9205, 9219))
SUPPORTED_EPSG = (4326, 3857, *VN2000_EPSG)

_EPSG_SHORT = re.compile(r"^EPSG:(\d+)$", re.IGNORECASE)
_GML_SRS = re.compile(r"^https?://www\.opengis\.net/gml/srs/epsg\.xml#(\d+)$", re.IGNORECASE)
_URN = re.compile(r"^urn:(?:x-)?ogc:def:crs:EPSG:(?:[\d.]*:)?(\d+)$", re.IGNORECASE)
_URI = re.compile(r"^https?://www\.opengis\.net/def/crs/EPSG/[\d.]+/(\d+)$", re.IGNORECASE)
_CRS84 = re.compile(
    r"^(CRS:84|urn:ogc:def:crs:OGC:(?:1\.3)?:CRS84|https?://www\.opengis\.net/def/crs/OGC/1\.3/CRS84)$",
    re.IGNORECASE,
)


class UnknownCRS(ValueError):
    pass


@dataclass(frozen=True)
class CRSRef:
    epsg: int
    xy: bool  # True: the first coordinate is x (longitude / easting)
    name: str  # the spelling to echo back in srsName attributes

    @property
    def is_storage(self) -> bool:
        return self.epsg == STORAGE_EPSG


@lru_cache(maxsize=128)
def authority_xy(epsg: int) -> bool:
    """Whether EPSG's own axis order for ``epsg`` puts x (east) first."""
    try:
        axes = CRS.from_epsg(epsg).axis_info
    except CRSError as exc:
        raise UnknownCRS(_("unknown CRS EPSG:%(code)s") % {"code": epsg}) from exc
    return not axes or axes[0].direction.lower() in ("east", "west")


def urn(epsg: int) -> str:
    return f"urn:ogc:def:crs:EPSG::{epsg}"


def short(epsg: int) -> str:
    return f"EPSG:{epsg}"


def parse_crs(value: str, *, supported_only: bool = True) -> CRSRef:
    """A CRSRef for any of the spellings above; UnknownCRS for anything else."""
    text = (value or "").strip()
    epsg: int | None = None
    xy = True
    if m := _EPSG_SHORT.match(text):
        epsg = int(m[1])
    elif m := _GML_SRS.match(text):
        epsg = int(m[1])
    elif m := (_URN.match(text) or _URI.match(text)):
        epsg = int(m[1])
        xy = authority_xy(epsg)
    elif _CRS84.match(text):
        epsg = STORAGE_EPSG
    if epsg is None:
        raise UnknownCRS(
            _("unknown CRS name %(name)s; use EPSG:<code> or urn:ogc:def:crs:EPSG::<code>")
            % {"name": repr(text)}
        )
    if supported_only and epsg not in SUPPORTED_EPSG:
        raise UnknownCRS(
            _("CRS EPSG:%(code)s is not offered; supported: %(supported)s")
            % {"code": epsg, "supported": ", ".join(f"EPSG:{c}" for c in SUPPORTED_EPSG)}
        )
    authority_xy(epsg)  # refuse codes PROJ does not know
    return CRSRef(epsg, xy, text)


def lon_lat_only(version: str) -> bool:
    """WFS 1.0.0 (GML 2) is x/y whatever the srsName spelling (the GeoServer convention)."""
    return version.startswith("1.0")


def for_version(crs: CRSRef | None, version: str) -> CRSRef | None:
    if crs is not None and lon_lat_only(version) and not crs.xy:
        return CRSRef(crs.epsg, True, crs.name)
    return crs


def default_crs(version: str) -> CRSRef:
    """The srsName a response uses when the request names none."""
    if version.startswith("1.0"):
        return CRSRef(STORAGE_EPSG, True, short(STORAGE_EPSG))
    return CRSRef(STORAGE_EPSG, False, urn(STORAGE_EPSG))


STORAGE_XY = CRSRef(STORAGE_EPSG, True, short(STORAGE_EPSG))
