"""The one adapter between GEOS (Django) and shapely, and the service's CRS arithmetic.

Storage is EPSG:4326. Areas and distances are always computed in a VN-2000 TM-3 zone (or any
metric CRS given by SRID) through pyproj, which takes the EPSG:6960 "VN-2000 to WGS 84 (2)"
path, so both database backends report the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry
from pyproj import CRS, Transformer

STORAGE_SRID = 4326

# VN-2000 TM-3 zones by legacy province (DOMAIN.md §4.1). Keys are the pre-2025 province names.
VN2000_TM3_BY_PROVINCE = {
    "Bình Định": 9217,
    "Gia Lai": 9218,
    "Sóc Trăng": 9209,
    "Cần Thơ": 5897,
    "Hậu Giang": 5897,
}


def to_shapely(geoms: Iterable[GEOSGeometry | None]) -> np.ndarray:
    """GEOS geometries to an array of shapely geometries (None stays None)."""
    return np.array(
        [None if g is None else shapely.from_wkb(bytes(g.wkb)) for g in geoms], dtype=object
    )


def to_geos(geom, *, srid: int) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=srid)


@lru_cache(maxsize=64)
def transformer(src: int | str, dst: int | str) -> Transformer:
    """An always-xy (lon/lat, easting/northing) transformer between two CRSs."""
    return Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True)


def transform(geom, src: int | str, dst: int | str):
    """Reproject a shapely geometry (x/y order whatever the CRS's axis order)."""
    if src == dst:
        return geom
    return shapely.transform(
        geom, lambda xy: np.column_stack(transformer(src, dst).transform(xy[:, 0], xy[:, 1]))
    )


def area_ha(geom, metric_srid: int, *, srid: int = STORAGE_SRID) -> float:
    """Area in hectares of a geometry stored in ``srid``, measured in ``metric_srid``."""
    if geom is None:
        return 0.0
    if isinstance(geom, GEOSGeometry):
        srid = geom.srid or srid
        geom = shapely.from_wkb(bytes(geom.wkb))
    return float(shapely.area(transform(geom, srid, metric_srid))) / 10_000.0


def bulk_areas_m2(shapes: np.ndarray, metric_srids: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """``round(area_ha(shape, zone) * 10_000, 2)`` of each row where ``ok`` (else 0.0), one
    reprojection per zone: the same figures as :func:`area_ha` row by row."""
    out = np.zeros(len(shapes), dtype=object)
    out[:] = 0.0
    for zone in np.unique(metric_srids[ok]):
        rows = np.flatnonzero(ok & (metric_srids == zone))
        areas = shapely.area(transform(shapes[rows], STORAGE_SRID, int(zone)))
        out[rows] = [round(float(a) / 10_000.0 * 10_000, 2) for a in areas]
    return out


def length_m(geom, metric_srid: int, *, srid: int = STORAGE_SRID) -> float:
    if geom is None:
        return 0.0
    if isinstance(geom, GEOSGeometry):
        srid = geom.srid or srid
        geom = shapely.from_wkb(bytes(geom.wkb))
    return float(shapely.length(transform(geom, srid, metric_srid)))


def distance_m(a, b, metric_srid: int, *, srid: int = STORAGE_SRID) -> float:
    ga, gb = (shapely.from_wkb(bytes(g.wkb)) if isinstance(g, GEOSGeometry) else g for g in (a, b))
    return float(
        shapely.distance(transform(ga, srid, metric_srid), transform(gb, srid, metric_srid))
    )
