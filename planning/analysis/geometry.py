"""Geometry validity and repair, shared by every write path (models, imports, WFS-T, uploads).

Pure shapely: no Django imports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity


class GeometryRejected(ValueError):
    """A geometry that cannot be stored; the message names the problem and where it is.

    ``code`` and ``params`` say the same for callers that word it in the user's language
    (``planning.models.base.rejection_message``); the message here stays English (no Django).
    """

    def __init__(self, message: str, *, code: str = "", params: dict | None = None):
        super().__init__(message)
        self.code = code
        self.params = params or {}


@dataclass(frozen=True)
class RepairResult:
    """A geometry as stored: repaired or not, and a note saying what the repair did."""

    geometry: BaseGeometry
    repaired: bool
    note: str = ""


def _polygonal_part(geom: BaseGeometry) -> BaseGeometry:
    """Keep only the polygons of a (possibly mixed) geometry, as a MultiPolygon."""
    parts = shapely.get_parts(geom)
    polys = []
    for part in parts:
        if part.geom_type == "Polygon":
            polys.append(part)
        elif part.geom_type == "MultiPolygon":
            polys.extend(part.geoms)
        elif part.geom_type == "GeometryCollection":
            sub = _polygonal_part(part)
            polys.extend(sub.geoms)
    return shapely.MultiPolygon(polys)


def _linear_part(geom: BaseGeometry) -> BaseGeometry:
    lines = []
    for part in shapely.get_parts(geom):
        if part.geom_type == "LineString":
            lines.append(part)
        elif part.geom_type == "MultiLineString":
            lines.extend(part.geoms)
        elif part.geom_type == "GeometryCollection":
            lines.extend(_linear_part(part).geoms)
    return shapely.MultiLineString(lines)


def check_extent(
    geom: BaseGeometry, extent: tuple[float, float, float, float], *, crs_label: str
) -> None:
    """Refuse coordinates outside ``extent`` (minx, miny, maxx, maxy) of the storage CRS.

    Projected metres passed as degrees are the usual cause, so the message says so.

    >>> from shapely import Point
    >>> check_extent(Point(109.2, 13.8), (100, 6, 112, 24.5), crs_label="EPSG:4326")
    >>> check_extent(Point(602532, 1523062), (100, 6, 112, 24.5), crs_label="EPSG:4326")
    ... # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    planning.analysis.geometry.GeometryRejected: coordinates (602532, 1523062) lie outside the
    service extent for EPSG:4326 (100, 6, 112, 24.5); they look like projected metres (VN-2000
    TM-3?) — give the source CRS
    """
    if geom.is_empty:
        return
    minx, miny, maxx, maxy = geom.bounds
    ex0, ey0, ex1, ey1 = extent
    if minx < ex0 or miny < ey0 or maxx > ex1 or maxy > ey1:
        x, y = (minx, miny) if (minx < ex0 or miny < ey0) else (maxx, maxy)
        hint = ""
        metres = abs(x) > 1000 or abs(y) > 1000
        if metres:
            hint = "; they look like projected metres (VN-2000 TM-3?) — give the source CRS"
        raise GeometryRejected(
            f"coordinates ({x:.10g}, {y:.10g}) lie outside the service extent for {crs_label} "
            f"({ex0:g}, {ey0:g}, {ex1:g}, {ey1:g}){hint}",
            code="outside_extent_metres" if metres else "outside_extent",
            params={
                "xy": f"{x:.10g}, {y:.10g}",
                "crs": crs_label,
                "extent": f"{ex0:g}, {ey0:g}, {ex1:g}, {ey1:g}",
            },
        )


def repair_geometry(
    geom: BaseGeometry, *, max_area_change: float = 0.001, kind: str | None = None
) -> RepairResult:
    """Return a valid geometry, repaired only if repair keeps the area within ``max_area_change``.

    Parameters
    ----------
    geom : shapely geometry
        Any geometry; polygonal geometries are compared by area (a ratio, so any CRS works).
    max_area_change : float
        Largest accepted relative change of area (0.001 = 0.1 %).
    kind : {"polygon", "line", "point", None}
        The geometry family the caller stores; the repaired result is reduced to it.

    Raises
    ------
    GeometryRejected
        With the GEOS reason and location, e.g. ``Self-intersection[109.1 13.8]``.

    Examples
    --------
    >>> from shapely import Polygon
    >>> bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    >>> repair_geometry(bowtie)  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    planning.analysis.geometry.GeometryRejected: invalid geometry: Self-intersection at (5, 5);
    repair would change its area by more than 0.1 % (from 0 to 50), so it was not stored
    >>> spike = Polygon([(0, 0), (10, 0), (10, 10), (10, 10.000001), (10, 10), (0, 10)])
    >>> repair_geometry(spike).repaired
    True
    """
    if geom is None:
        raise GeometryRejected("empty geometry", code="empty")
    if geom.is_empty:
        raise GeometryRejected("empty geometry", code="empty")
    coords = shapely.get_coordinates(geom)
    if not len(coords) or not np.isfinite(coords).all():
        raise GeometryRejected("geometry has non-finite coordinates", code="non_finite")
    if geom.is_valid:
        return RepairResult(geom, False)
    reason = explain_validity(geom)
    where = at = ""
    if "[" in reason:
        text, _, loc = reason.partition("[")
        xy = loc.rstrip("]").split()
        try:
            at = ", ".join(f"{float(v):.10g}" for v in xy)
            where = f" at ({at})"
        except ValueError:
            at, where = loc.rstrip("]"), f" at [{loc}"
        reason = text
    fixed = shapely.make_valid(geom)
    gtype = geom.geom_type
    family = kind or (
        "polygon" if "Polygon" in gtype else "line" if "LineString" in gtype else "point"
    )
    if family == "polygon":
        fixed = _polygonal_part(fixed)
        before, after = abs(shapely.area(geom)), shapely.area(fixed)
        change = abs(after - before) / before if before > 0 else float("inf")
        if change > max_area_change or fixed.is_empty:
            raise GeometryRejected(
                f"invalid geometry: {reason}{where}; repair would change its area by more than "
                f"{max_area_change * 100:g} % (from {before:.6g} to {after:.6g}), "
                "so it was not stored",
                code="invalid_not_repaired",
                params={
                    "reason": reason,
                    "at": at,
                    "limit": f"{max_area_change * 100:g}",
                    "before": f"{before:.6g}",
                    "after": f"{after:.6g}",
                },
            )
        if len(fixed.geoms) == 1 and gtype == "Polygon":
            fixed = fixed.geoms[0]
    elif family == "line":
        fixed = _linear_part(fixed)
        if fixed.is_empty:
            raise GeometryRejected(
                f"invalid geometry: {reason}{where}",
                code="invalid",
                params={"reason": reason, "at": at},
            )
        if len(fixed.geoms) == 1 and gtype == "LineString":
            fixed = fixed.geoms[0]
    else:
        raise GeometryRejected(
            f"invalid geometry: {reason}{where}",
            code="invalid",
            params={"reason": reason, "at": at},
        )
    return RepairResult(fixed, True, f"repaired: {reason}{where}")
