"""Read GML geometries (GML 2, 3.1.1 and 3.2, or no namespace at all) into shapely.

Pure: lxml and shapely only. Used by filters (FES envelopes and geometries) and by WFS-T
(inserted and updated geometries). Elements are matched by local name, so a geometry in the
default namespace or in none (as some QGIS versions send) reads like a ``gml:`` one.

Axis order follows the srsName spelling (see ``layers.wfs.crs``); ``read_geometry`` always
returns x/y coordinates (longitude/latitude, easting/northing) with the CRS they are in.
"""

from __future__ import annotations

import numpy as np
import shapely
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from layers.wfs import crs as crs_mod
from layers.wfs.crs import CRSRef
from layers.xml import attr, child, children, children_named, local
from planning import geo

GEOMETRY_NAMES = {
    "Point",
    "LineString",
    "LinearRing",
    "Curve",
    "Polygon",
    "Surface",
    "Envelope",
    "Box",
    "MultiPoint",
    "MultiLineString",
    "MultiCurve",
    "MultiPolygon",
    "MultiSurface",
    "MultiGeometry",
    "CompositeSurface",
    "CompositeCurve",
}


class GMLError(ValueError):
    """A geometry the reader cannot understand; the message says what and where."""


def is_geometry(element) -> bool:
    return local(element.tag) in GEOMETRY_NAMES


def _srs_of(element, inherited: CRSRef) -> CRSRef:
    name = attr(element, "srsName")
    if not name:
        return inherited
    try:
        return crs_mod.parse_crs(name, supported_only=False)
    except crs_mod.UnknownCRS as exc:
        raise GMLError(str(exc)) from None


def _dimension(element, default: int = 2) -> int:
    value = attr(element, "srsDimension") or attr(element, "dimension")
    if value is None:
        return default
    try:
        dim = int(value)
    except ValueError:
        raise GMLError(
            _("srsDimension must be a whole number, got %(value)s") % {"value": repr(value)}
        ) from None
    if dim not in (2, 3):
        raise GMLError(_("srsDimension must be 2 or 3, got %(value)s") % {"value": dim})
    return dim


def _numbers(text: str, what: str) -> list[float]:
    try:
        return [float(v) for v in text.split()]
    except ValueError:
        raise GMLError(
            _("%(element)s: not a list of numbers: %(text)s")
            % {"element": what, "text": repr(text[:80])}
        ) from None


def _coords_from_coordinates(element) -> np.ndarray:
    """GML 2 ``gml:coordinates`` with its cs / ts / decimal separators."""
    cs = attr(element, "cs", ",") or ","
    ts = attr(element, "ts", " ") or " "
    decimal = attr(element, "decimal", ".") or "."
    body = (element.text or "").strip()
    if not body:
        raise GMLError(_("empty gml:coordinates"))
    tuples = body.split() if ts.isspace() else [t.strip() for t in body.split(ts) if t.strip()]
    out = []
    for tup in tuples:
        parts = tup.split() if cs.isspace() else tup.split(cs)
        if decimal != ".":
            parts = [p.replace(decimal, ".") for p in parts]
        try:
            values = [float(p) for p in parts if p != ""]
        except ValueError:
            raise GMLError(
                _("gml:coordinates: not a coordinate: %(text)s") % {"text": repr(tup)}
            ) from None
        if len(values) < 2:
            raise GMLError(
                _("gml:coordinates: a coordinate needs two numbers, got %(text)s")
                % {"text": repr(tup)}
            )
        out.append(values[:2])
    return np.asarray(out, dtype=float)


def _points(element, dim: int) -> np.ndarray:
    """The coordinate array of a LineString, LinearRing, LineStringSegment or Point-like element."""
    pos_list = child(element, "posList")
    if pos_list is not None:
        d = _dimension(pos_list, dim)
        values = _numbers(pos_list.text or "", "gml:posList")
        if not values or len(values) % d:
            raise GMLError(
                _("gml:posList holds %(count)s numbers, not a multiple of %(dimension)s")
                % {"count": len(values), "dimension": d}
            )
        return np.asarray(values, dtype=float).reshape(-1, d)[:, :2]
    poss = children_named(element, "pos", "pointProperty", "coord")
    if poss:
        rows = []
        for p in poss:
            name = local(p.tag)
            if name == "pos":
                values = _numbers(p.text or "", "gml:pos")
            elif name == "coord":
                values = [
                    float((child(p, axis).text or "").strip())
                    for axis in ("X", "Y")
                    if child(p, axis) is not None
                ]
            else:  # pointProperty/Point
                pt = child(p, "Point")
                if pt is None:
                    raise GMLError(_("gml:pointProperty without a gml:Point"))
                values = list(_points(pt, dim)[0])
            if len(values) < 2:
                raise GMLError(_("a position needs two numbers"))
            rows.append(values[:2])
        return np.asarray(rows, dtype=float)
    coordinates = child(element, "coordinates")
    if coordinates is not None:
        return _coords_from_coordinates(coordinates)
    raise GMLError(
        _("gml:%(element)s has no gml:posList, gml:pos or gml:coordinates")
        % {"element": local(element.tag)}
    )


class _Reader:
    """Reads one geometry tree; remembers the CRS the coordinates are in."""

    def __init__(self, default: CRSRef, force_xy: bool = False):
        self.default = default
        self.force_xy = force_xy
        self.crs: CRSRef | None = None

    def _xy(self, coords: np.ndarray, crs: CRSRef) -> np.ndarray:
        if self.crs is None:
            self.crs = crs
        elif self.crs.epsg != crs.epsg:
            raise GMLError(
                _("mixed CRSs in one geometry: EPSG:%(first)s and EPSG:%(second)s")
                % {"first": self.crs.epsg, "second": crs.epsg}
            )
        if not crs.xy and not self.force_xy:
            coords = coords[:, ::-1]
        if not np.all(np.isfinite(coords)):
            raise GMLError(_("coordinates must be finite numbers"))
        return coords

    def read(self, element, inherited: CRSRef) -> BaseGeometry:
        name = local(element.tag)
        crs = _srs_of(element, inherited)
        dim = _dimension(element)
        if name == "Point":
            coords = self._xy(_points(element, dim), crs)
            if len(coords) != 1:
                raise GMLError(_("gml:Point needs exactly one position"))
            return shapely.Point(coords[0])
        if name in ("LineString", "LineStringSegment"):
            coords = self._xy(_points(element, dim), crs)
            if len(coords) < 2:
                raise GMLError(_("gml:LineString needs at least two positions"))
            return shapely.LineString(coords)
        if name == "Curve":
            segments = child(element, "segments")
            if segments is None:
                raise GMLError(_("gml:Curve without gml:segments"))
            parts = [self.read(s, crs) for s in children(segments)]
            coords = np.concatenate([np.asarray(p.coords) for p in parts])
            return shapely.LineString(coords)
        if name in ("LinearRing", "Ring"):
            return shapely.LinearRing(self._ring(element, crs, dim))
        if name in ("Polygon", "PolygonPatch", "Rectangle"):
            return self._polygon(element, crs, dim)
        if name == "Surface":
            patches = child(element, "patches")
            if patches is None:
                patches = child(element, "polygonPatches")
            if patches is None:
                raise GMLError(_("gml:Surface without gml:patches"))
            polys = [self.read(p, crs) for p in children(patches)]
            return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)
        if name in ("Envelope", "Box"):
            return self._envelope(element, crs, dim)
        if name == "MultiPoint":
            members = self._members(element, crs, ("pointMember", "pointMembers"))
            return shapely.MultiPoint([m for m in members])
        if name in ("MultiLineString", "MultiCurve", "CompositeCurve"):
            members = self._members(
                element, crs, ("lineStringMember", "curveMember", "curveMembers")
            )
            lines = []
            for m in members:
                lines.extend(m.geoms if m.geom_type == "MultiLineString" else [m])
            return shapely.MultiLineString(lines)
        if name in ("MultiPolygon", "MultiSurface", "CompositeSurface"):
            members = self._members(
                element, crs, ("polygonMember", "surfaceMember", "surfaceMembers")
            )
            polys = []
            for m in members:
                polys.extend(m.geoms if m.geom_type == "MultiPolygon" else [m])
            return shapely.MultiPolygon(polys)
        if name == "MultiGeometry":
            members = self._members(element, crs, ("geometryMember", "geometryMembers"))
            return shapely.GeometryCollection(members)
        raise GMLError(_("unsupported GML geometry gml:%(element)s") % {"element": name})

    def _members(self, element, crs: CRSRef, member_names: tuple[str, ...]) -> list[BaseGeometry]:
        out = []
        for member in children_named(element, *member_names):
            for geom_el in children(member):
                out.append(self.read(geom_el, crs))
        if not out:
            raise GMLError(_("gml:%(element)s has no members") % {"element": local(element.tag)})
        return out

    def _ring(self, element, crs: CRSRef, dim: int) -> np.ndarray:
        name = local(element.tag)
        if name == "Ring":
            curves = [
                self.read(c, crs)
                for m in children_named(element, "curveMember")
                for c in children(m)
            ]
            if not curves:
                raise GMLError(_("gml:Ring without gml:curveMember"))
            return np.concatenate([np.asarray(c.coords) for c in curves])
        coords = self._xy(_points(element, _dimension(element, dim)), _srs_of(element, crs))
        if len(coords) < 4:
            raise GMLError(_("a gml:LinearRing needs at least four positions"))
        if not np.array_equal(coords[0], coords[-1]):
            # GML rings are closed by repeating the first position; shapely would close it silently.
            raise GMLError(
                _(
                    "a gml:LinearRing is not closed: its last position %(last)s differs from "
                    "its first %(first)s"
                )
                % {"last": _pos(coords[-1]), "first": _pos(coords[0])}
            )
        return coords

    def _polygon(self, element, crs: CRSRef, dim: int) -> BaseGeometry:
        shells = children_named(element, "exterior", "outerBoundaryIs")
        if len(shells) != 1:
            raise GMLError(_("gml:Polygon needs exactly one gml:exterior (gml:outerBoundaryIs)"))
        rings = []
        for boundary in [*shells, *children_named(element, "interior", "innerBoundaryIs")]:
            ring_el = children(boundary)
            if len(ring_el) != 1:
                raise GMLError(
                    _("gml:%(element)s needs one gml:LinearRing") % {"element": local(boundary.tag)}
                )
            rings.append(self._ring(ring_el[0], crs, dim))
        return shapely.Polygon(rings[0], rings[1:])

    def _envelope(self, element, crs: CRSRef, dim: int) -> BaseGeometry:
        lower, upper = child(element, "lowerCorner"), child(element, "upperCorner")
        if lower is not None and upper is not None:
            corners = np.asarray(
                [
                    _numbers(lower.text or "", "gml:lowerCorner")[:2],
                    _numbers(upper.text or "", "gml:upperCorner")[:2],
                ],
                dtype=float,
            )
            if corners.shape != (2, 2):
                raise GMLError(_("gml:lowerCorner and gml:upperCorner need two numbers each"))
        else:
            corners = _points(element, dim)
            if len(corners) != 2:
                raise GMLError(
                    _("gml:%(element)s needs two corners") % {"element": local(element.tag)}
                )
        corners = self._xy(corners, crs)
        (x0, y0), (x1, y1) = corners
        if x0 > x1 or y0 > y1:
            raise GMLError(
                _(
                    "gml:%(element)s: the lower corner (%(x0)s, %(y0)s) is not below the upper "
                    "corner (%(x1)s, %(y1)s) in %(crs)s axis order"
                )
                % {
                    "element": local(element.tag),
                    "x0": f"{x0:g}",
                    "y0": f"{y0:g}",
                    "x1": f"{x1:g}",
                    "y1": f"{y1:g}",
                    "crs": crs.name or f"EPSG:{crs.epsg}",
                }
            )
        return shapely.box(x0, y0, x1, y1)


def read_geometry(
    element, *, default_crs: CRSRef = crs_mod.STORAGE_XY, force_xy: bool = False
) -> tuple[BaseGeometry, CRSRef]:
    """A GML geometry element as (shapely geometry in x/y order, the CRS of its coordinates).

    ``force_xy``: read every coordinate as x/y whatever the srsName spelling — WFS 1.0.0 and
    GML 2 know no other order (GeoServer does the same), and QGIS sends lon,lat
    ``gml:coordinates`` labelled ``urn:ogc:def:crs:EPSG::4326`` in its WFS-T 1.0.0 documents.
    """
    reader = _Reader(default_crs, force_xy)
    geom = reader.read(element, default_crs)
    return geom, reader.crs or _srs_of(element, default_crs)


def to_storage(geom: BaseGeometry, crs: CRSRef) -> BaseGeometry:
    """Reproject x/y coordinates in ``crs`` to EPSG:4326 longitude/latitude (pyproj, EPSG:6960)."""
    if crs.epsg == crs_mod.STORAGE_EPSG:
        return geom
    if geom.geom_type == "Polygon" and shapely.equals(geom, shapely.envelope(geom)):
        # An envelope's straight edges in one CRS are curves in another: keep their shape.
        width = max(geom.bounds[2] - geom.bounds[0], geom.bounds[3] - geom.bounds[1])
        geom = shapely.segmentize(geom, max(width / 16, 1e-9))
    try:
        return geo.transform(geom, crs.epsg, crs_mod.STORAGE_EPSG)
    except Exception as exc:  # pyproj raises several types
        raise GMLError(
            _("cannot reproject from EPSG:%(code)s: %(reason)s") % {"code": crs.epsg, "reason": exc}
        ) from None


def read_storage_geometry(
    element, *, default_crs: CRSRef = crs_mod.STORAGE_XY, force_xy: bool = False
) -> BaseGeometry:
    geom, crs = read_geometry(element, default_crs=default_crs, force_xy=force_xy)
    return to_storage(geom, crs)


def _pos(xy) -> str:
    return " ".join(f"{v:g}" for v in xy)
