"""Feature output: GML 3.2 (WFS 2.0), GML 3.1.1 (WFS 1.1), GML 2 (WFS 1.0) and GeoJSON. Pure.

Input is plain data (ids, value tuples, shapely geometries already in the output CRS and axis
order); output is bytes. Geometries of a whole page are decomposed at once with shapely's
vectorised functions and every coordinate is formatted once, so the cost per feature stays a
few string joins.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import shapely

from layers.wfs.crs import CRSRef
from layers.wfs.requests import FORMAT_GML2, FORMAT_GML32, FORMAT_GML311
from layers.wfs.schema import NAMESPACE, PREFIX, FeatureType, Prop

NS_WFS20 = "http://www.opengis.net/wfs/2.0"
NS_WFS = "http://www.opengis.net/wfs"
NS_GML32 = "http://www.opengis.net/gml/3.2"
NS_GML = "http://www.opengis.net/gml"
NS_OGC = "http://www.opengis.net/ogc"
NS_FES20 = "http://www.opengis.net/fes/2.0"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass
class FeatureSet:
    """One query's page of features, ready to encode."""

    ftype: FeatureType
    props: list[Prop]  # the properties to write, in schema order
    include_geometry: bool
    pks: list
    rows: list[tuple]  # values in ``props`` order
    geoms: np.ndarray | None  # shapely geometries (output CRS and axis order) or None
    # GeoJSON features already written (by PostGIS: layers.wfs.sqljson), one per pk, or None
    texts: list[str] | None = None


def timestamp() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def fid(ftype: FeatureType, pk) -> str:
    return f"{ftype.name}.{pk}"


# --- values --------------------------------------------------------------------------------------


def value_text(value) -> str | None:
    """A property value as XML Schema text (already XML-escaped), None for NULL."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return escape(str(value))


def json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


# --- geometry decomposition ----------------------------------------------------------------------

_FAMILY = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
}


def precision_for(srs: CRSRef) -> int:
    """Decimals written: 8 for degrees (about 1 mm), 3 for metres."""
    return 8 if srs.epsg in (4326, 4756) else 3


def _offsets(index: np.ndarray, n: int) -> np.ndarray:
    counts = np.bincount(index, minlength=n) if len(index) else np.zeros(n, dtype=np.int64)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


class Decomposed:
    """Parts, rings and formatted coordinates of an array of geometries of one family."""

    def __init__(self, geoms: np.ndarray, family: str, precision: int):
        self.family = family
        n = len(geoms)
        parts, part_idx = shapely.get_parts(geoms, return_index=True)
        self.part_off = _offsets(part_idx, n)
        if family == "polygon":
            rings, ring_idx = shapely.get_rings(parts, return_index=True)
            self.ring_off = _offsets(ring_idx, len(parts))
            coords, coord_idx = shapely.get_coordinates(rings, return_index=True)
            self.coord_off = _offsets(coord_idx, len(rings))
        else:
            self.ring_off = None
            coords, coord_idx = shapely.get_coordinates(parts, return_index=True)
            self.coord_off = _offsets(coord_idx, len(parts))
        flat = np.round(coords, precision).ravel().tolist()
        self.nums = [repr(v) for v in flat]

    def poslist(self, seq: int) -> str:
        a, b = self.coord_off[seq] * 2, self.coord_off[seq + 1] * 2
        return " ".join(self.nums[a:b])

    def coordinates(self, seq: int) -> str:
        a, b = self.coord_off[seq] * 2, self.coord_off[seq + 1] * 2
        nums = self.nums
        return " ".join([nums[i] + "," + nums[i + 1] for i in range(a, b, 2)])

    def json_coords(self, seq: int) -> str:
        a, b = self.coord_off[seq] * 2, self.coord_off[seq + 1] * 2
        nums = self.nums
        return (
            "[" + ",".join(["[" + nums[i] + "," + nums[i + 1] + "]" for i in range(a, b, 2)]) + "]"
        )

    def parts_of(self, i: int) -> range:
        return range(self.part_off[i], self.part_off[i + 1])

    def rings_of(self, part: int) -> range:
        return range(self.ring_off[part], self.ring_off[part + 1])


def decompose(geoms: np.ndarray, kind: str, srs: CRSRef) -> Decomposed:
    return Decomposed(geoms, _FAMILY.get(kind, "polygon"), precision_for(srs))


# --- GML geometry writers ------------------------------------------------------------------------


def gml3_geometry(
    d: Decomposed, i: int, kind: str, srs_name: str, gml_id: str | None
) -> str | None:
    """GML 3 (3.1.1 or, with ``gml_id``, 3.2) for geometry ``i``; None when it is empty."""
    parts = d.parts_of(i)
    if not len(parts):
        return None
    srs = f' srsName={quoteattr(srs_name)} srsDimension="2"'

    def gid(suffix: str) -> str:
        return f' gml:id="{gml_id}{suffix}"' if gml_id else ""

    if d.family == "polygon":
        polys = []
        for k, part in enumerate(parts):
            rings = d.rings_of(part)
            inner = "".join(
                f"<gml:interior><gml:LinearRing><gml:posList>{d.poslist(r)}</gml:posList>"
                f"</gml:LinearRing></gml:interior>"
                for r in list(rings)[1:]
            )
            polys.append(
                f"<gml:Polygon{gid(f'.{k}')}><gml:exterior><gml:LinearRing><gml:posList>"
                f"{d.poslist(rings[0])}</gml:posList></gml:LinearRing></gml:exterior>{inner}</gml:Polygon>"
            )
        if kind == "Polygon" and len(polys) == 1:
            return polys[0].replace("<gml:Polygon", f"<gml:Polygon{srs}", 1)
        members = "".join(f"<gml:surfaceMember>{p}</gml:surfaceMember>" for p in polys)
        return f"<gml:MultiSurface{gid('')}{srs}>{members}</gml:MultiSurface>"
    if d.family == "line":
        lines = [
            f"<gml:LineString{gid(f'.{k}')}><gml:posList>{d.poslist(part)}</gml:posList></gml:LineString>"
            for k, part in enumerate(parts)
        ]
        if kind == "LineString" and len(lines) == 1:
            return lines[0].replace("<gml:LineString", f"<gml:LineString{srs}", 1)
        members = "".join(f"<gml:curveMember>{ln}</gml:curveMember>" for ln in lines)
        return f"<gml:MultiCurve{gid('')}{srs}>{members}</gml:MultiCurve>"
    points = [
        f"<gml:Point{gid(f'.{k}')}><gml:pos>{d.poslist(part)}</gml:pos></gml:Point>"
        for k, part in enumerate(parts)
    ]
    if kind == "Point" and len(points) == 1:
        return points[0].replace("<gml:Point", f"<gml:Point{srs}", 1)
    members = "".join(f"<gml:pointMember>{p}</gml:pointMember>" for p in points)
    return f"<gml:MultiPoint{gid('')}{srs}>{members}</gml:MultiPoint>"


_CS = ' decimal="." cs="," ts=" "'


def gml2_geometry(d: Decomposed, i: int, kind: str, srs_name: str) -> str | None:
    parts = d.parts_of(i)
    if not len(parts):
        return None
    srs = f" srsName={quoteattr(srs_name)}"
    if d.family == "polygon":
        polys = []
        for part in parts:
            rings = d.rings_of(part)
            inner = "".join(
                f"<gml:innerBoundaryIs><gml:LinearRing><gml:coordinates{_CS}>{d.coordinates(r)}"
                f"</gml:coordinates></gml:LinearRing></gml:innerBoundaryIs>"
                for r in list(rings)[1:]
            )
            polys.append(
                f"<gml:Polygon><gml:outerBoundaryIs><gml:LinearRing><gml:coordinates{_CS}>"
                f"{d.coordinates(rings[0])}</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs>"
                f"{inner}</gml:Polygon>"
            )
        if kind == "Polygon" and len(polys) == 1:
            return polys[0].replace("<gml:Polygon", f"<gml:Polygon{srs}", 1)
        members = "".join(f"<gml:polygonMember>{p}</gml:polygonMember>" for p in polys)
        return f"<gml:MultiPolygon{srs}>{members}</gml:MultiPolygon>"
    if d.family == "line":
        lines = [
            f"<gml:LineString><gml:coordinates{_CS}>{d.coordinates(part)}</gml:coordinates></gml:LineString>"
            for part in parts
        ]
        if kind == "LineString" and len(lines) == 1:
            return lines[0].replace("<gml:LineString", f"<gml:LineString{srs}", 1)
        members = "".join(f"<gml:lineStringMember>{ln}</gml:lineStringMember>" for ln in lines)
        return f"<gml:MultiLineString{srs}>{members}</gml:MultiLineString>"
    points = [
        f"<gml:Point><gml:coordinates{_CS}>{d.coordinates(part)}</gml:coordinates></gml:Point>"
        for part in parts
    ]
    if kind == "Point" and len(points) == 1:
        return points[0].replace("<gml:Point", f"<gml:Point{srs}", 1)
    members = "".join(f"<gml:pointMember>{p}</gml:pointMember>" for p in points)
    return f"<gml:MultiPoint{srs}>{members}</gml:MultiPoint>"


def json_geometry(d: Decomposed, i: int, kind: str) -> str:
    parts = d.parts_of(i)
    if not len(parts):
        return "null"
    multi = kind.startswith("Multi") or len(parts) > 1
    if d.family == "polygon":
        polys = ["[" + ",".join(d.json_coords(r) for r in d.rings_of(p)) + "]" for p in parts]
        if not multi:
            return '{"type":"Polygon","coordinates":' + polys[0] + "}"
        return '{"type":"MultiPolygon","coordinates":[' + ",".join(polys) + "]}"
    if d.family == "line":
        lines = [d.json_coords(p) for p in parts]
        if not multi:
            return '{"type":"LineString","coordinates":' + lines[0] + "}"
        return '{"type":"MultiLineString","coordinates":[' + ",".join(lines) + "]}"
    points = [d.json_coords(p)[1:-1] for p in parts]
    if not multi:
        return '{"type":"Point","coordinates":' + points[0] + "}"
    return '{"type":"MultiPoint","coordinates":[' + ",".join(points) + "]}"


# --- GML features --------------------------------------------------------------------------------


def _feature_xml(fs: FeatureSet, d: Decomposed | None, i: int, fmt: str, srs: CRSRef) -> str:
    ftype = fs.ftype
    ident = fid(ftype, fs.pks[i])
    out = []
    for prop, value in zip(fs.props, fs.rows[i], strict=True):
        text = value_text(value)
        if text is not None:
            out.append(f"<{PREFIX}:{prop.name}>{text}</{PREFIX}:{prop.name}>")
    if d is not None:
        if fmt == FORMAT_GML2:
            geom = gml2_geometry(d, i, ftype.geometry_kind, srs.name)
        else:
            geom = gml3_geometry(
                d,
                i,
                ftype.geometry_kind,
                srs.name,
                f"{ident}.geom" if fmt == FORMAT_GML32 else None,
            )
        if geom is not None:
            out.append(f"<{PREFIX}:{ftype.geometry}>{geom}</{PREFIX}:{ftype.geometry}>")
    id_attr = f'fid="{ident}"' if fmt == FORMAT_GML2 else f'gml:id="{ident}"'
    return f"<{PREFIX}:{ftype.name} {id_attr}>{''.join(out)}</{PREFIX}:{ftype.name}>"


def _decomposed(fs: FeatureSet, srs: CRSRef) -> Decomposed | None:
    if not fs.include_geometry or fs.geoms is None:
        return None
    return decompose(fs.geoms, fs.ftype.geometry_kind, srs)


def _bounds(sets: list[FeatureSet]):
    boxes = [
        shapely.total_bounds(fs.geoms) for fs in sets if fs.geoms is not None and len(fs.geoms)
    ]
    boxes = [b for b in boxes if np.all(np.isfinite(b))]
    if not boxes:
        return None
    arr = np.asarray(boxes)
    return arr[:, 0].min(), arr[:, 1].min(), arr[:, 2].max(), arr[:, 3].max()


def _fmt(v: float, precision: int) -> str:
    return repr(round(float(v), precision))


def gml_feature_collection(
    sets: list[FeatureSet],
    *,
    fmt: str,
    srs: CRSRef,
    number_matched: int | None,
    schema_url: str,
    next_url: str | None = None,
    previous_url: str | None = None,
) -> bytes:
    """A wfs:FeatureCollection for the format's WFS version (GML 3.2/2.0, 3.1.1/1.1, 2/1.0)."""
    returned = sum(len(fs.pks) for fs in sets)
    ns_decl = f'xmlns:{PREFIX}="{NAMESPACE}" xmlns:xsi="{NS_XSI}"'
    if fmt == FORMAT_GML32:
        links = "".join(
            f" {name}={quoteattr(url)}"
            for name, url in (("next", next_url), ("previous", previous_url))
            if url
        )
        matched = "unknown" if number_matched is None else str(number_matched)
        location = (
            f"{NAMESPACE} {schema_url} {NS_WFS20} http://schemas.opengis.net/wfs/2.0/wfs.xsd "
            f"{NS_GML32} http://schemas.opengis.net/gml/3.2.1/gml.xsd"
        )
        head = (
            f'<wfs:FeatureCollection xmlns:wfs="{NS_WFS20}" xmlns:gml="{NS_GML32}" {ns_decl} '
            f"xsi:schemaLocation={quoteattr(location)} "
            f'timeStamp="{timestamp()}" numberMatched="{matched}" '
            f'numberReturned="{returned}"{links}>'
        )
        member_open, member_close, tail = (
            "<wfs:member>",
            "</wfs:member>",
            "</wfs:FeatureCollection>",
        )
    elif fmt == FORMAT_GML311:
        location = f"{NAMESPACE} {schema_url} {NS_WFS} http://schemas.opengis.net/wfs/1.1.0/wfs.xsd"
        head = (
            f'<wfs:FeatureCollection xmlns:wfs="{NS_WFS}" xmlns:gml="{NS_GML}" {ns_decl} '
            f"xsi:schemaLocation={quoteattr(location)} "
            f'timeStamp="{timestamp()}" numberOfFeatures="{returned}">'
        )
        member_open, member_close, tail = (
            "<gml:featureMember>",
            "</gml:featureMember>",
            "</wfs:FeatureCollection>",
        )
    else:
        bounds = _bounds(sets)
        p = precision_for(srs)
        if bounds is None:
            bbox = "<gml:boundedBy><gml:null>unknown</gml:null></gml:boundedBy>"
        else:
            bbox = (
                f"<gml:boundedBy><gml:Box srsName={quoteattr(srs.name)}><gml:coordinates{_CS}>"
                f"{_fmt(bounds[0], p)},{_fmt(bounds[1], p)} "
                f"{_fmt(bounds[2], p)},{_fmt(bounds[3], p)}"
                f"</gml:coordinates></gml:Box></gml:boundedBy>"
            )
        location = (
            f"{NAMESPACE} {schema_url} {NS_WFS} http://schemas.opengis.net/wfs/1.0.0/WFS-basic.xsd"
        )
        head = (
            f'<wfs:FeatureCollection xmlns:wfs="{NS_WFS}" xmlns:gml="{NS_GML}" {ns_decl} '
            f"xsi:schemaLocation={quoteattr(location)}>" + bbox
        )
        member_open, member_close, tail = (
            "<gml:featureMember>",
            "</gml:featureMember>",
            "</wfs:FeatureCollection>",
        )
    chunks = [XML_DECL, head]
    for fs in sets:
        d = _decomposed(fs, srs)
        for i in range(len(fs.pks)):
            chunks.append(member_open)
            chunks.append(_feature_xml(fs, d, i, fmt, srs))
            chunks.append(member_close)
    chunks.append(tail)
    return "".join(chunks).encode("utf-8")


def gml_hits(*, fmt: str, number_matched: int) -> bytes:
    if fmt == FORMAT_GML32:
        body = (
            f'<wfs:FeatureCollection xmlns:wfs="{NS_WFS20}" xmlns:gml="{NS_GML32}" '
            f'timeStamp="{timestamp()}" numberMatched="{number_matched}" numberReturned="0"/>'
        )
    else:
        body = (
            f'<wfs:FeatureCollection xmlns:wfs="{NS_WFS}" xmlns:gml="{NS_GML}" '
            f'timeStamp="{timestamp()}" numberOfFeatures="{number_matched}"/>'
        )
    return (XML_DECL + body).encode("utf-8")


def gml_single_feature(fs: FeatureSet, *, fmt: str, srs: CRSRef) -> bytes:
    """GetFeatureById: the bare feature element, with its namespace declarations."""
    d = _decomposed(fs, srs)
    xml = _feature_xml(fs, d, 0, fmt, srs)
    gml_ns = NS_GML32 if fmt == FORMAT_GML32 else NS_GML
    open_tag = f"<{PREFIX}:{fs.ftype.name} "
    decl = f'xmlns:{PREFIX}="{NAMESPACE}" xmlns:gml="{gml_ns}" '
    return (XML_DECL + xml.replace(open_tag, open_tag + decl, 1)).encode("utf-8")


# --- GeoJSON -------------------------------------------------------------------------------------


def _json_feature(fs: FeatureSet, d: Decomposed | None, i: int) -> str:
    props = {p.name: json_value(v) for p, v in zip(fs.props, fs.rows[i], strict=True)}
    geometry = json_geometry(d, i, fs.ftype.geometry_kind) if d is not None else "null"
    return (
        '{"type":"Feature","id":'
        + json.dumps(fid(fs.ftype, fs.pks[i]))
        + ',"geometry":'
        + geometry
        + ',"properties":'
        + json.dumps(props, ensure_ascii=False)
        + "}"
    )


def _json_crs(srs: CRSRef) -> str:
    if srs.epsg == 4326:
        return ""
    return f',"crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::{srs.epsg:d}"}}}}'


def geojson_feature_collection(
    sets: list[FeatureSet],
    *,
    srs: CRSRef,
    number_matched: int | None,
    next_url: str | None = None,
    previous_url: str | None = None,
) -> bytes:
    returned = sum(len(fs.pks) for fs in sets)
    links = [
        {"rel": rel, "href": url, "type": "application/json"}
        for rel, url in (("next", next_url), ("previous", previous_url))
        if url
    ]
    head = (
        '{"type":"FeatureCollection"'
        + (f',"numberMatched":{number_matched:d}' if number_matched is not None else "")
        + f',"numberReturned":{returned:d},"timeStamp":"{timestamp()}"'
        + _json_crs(srs)
        + (',"links":' + json.dumps(links) if links else "")
        + ',"features":['
    )
    features = []
    for fs in sets:
        if fs.texts is not None:
            features.extend(fs.texts)
            continue
        d = _decomposed(fs, srs)
        features.extend(_json_feature(fs, d, i) for i in range(len(fs.pks)))
    return (head + ",".join(features) + "]}").encode("utf-8")


def geojson_hits(number_matched: int) -> bytes:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "numberMatched": number_matched,
            "numberReturned": 0,
            "timeStamp": timestamp(),
            "features": [],
        }
    ).encode("utf-8")


def geojson_single_feature(fs: FeatureSet, *, srs: CRSRef) -> bytes:
    text = fs.texts[0] if fs.texts is not None else _json_feature(fs, _decomposed(fs, srs), 0)
    if srs.epsg != 4326:
        text = text[:-1] + _json_crs(srs) + "}"
    return text.encode("utf-8")


# --- GetPropertyValue ----------------------------------------------------------------------------


def value_collection(
    fs: FeatureSet,
    *,
    srs: CRSRef,
    number_matched: int,
    next_url: str | None = None,
    previous_url: str | None = None,
) -> bytes:
    """wfs:ValueCollection with one wfs:member per feature (empty for a NULL value)."""
    links = "".join(
        f" {name}={quoteattr(url)}"
        for name, url in (("next", next_url), ("previous", previous_url))
        if url
    )
    chunks = [
        XML_DECL,
        f'<wfs:ValueCollection xmlns:wfs="{NS_WFS20}" xmlns:gml="{NS_GML32}" '
        f'xmlns:{PREFIX}="{NAMESPACE}" '
        f'timeStamp="{timestamp()}" numberMatched="{number_matched}" '
        f'numberReturned="{len(fs.pks)}"{links}>',
    ]
    d = _decomposed(fs, srs)
    for i in range(len(fs.pks)):
        if d is not None:
            value = gml3_geometry(
                d, i, fs.ftype.geometry_kind, srs.name, f"{fid(fs.ftype, fs.pks[i])}.geom"
            )
        else:
            value = value_text(fs.rows[i][0])
        chunks.append("<wfs:member/>" if value is None else f"<wfs:member>{value}</wfs:member>")
    chunks.append("</wfs:ValueCollection>")
    return "".join(chunks).encode("utf-8")


# --- Transaction responses -----------------------------------------------------------------------


def transaction_response(
    version: str, *, inserted: list[tuple[str | None, list[str]]], updated: int, deleted: int
) -> bytes:
    """``inserted``: (handle, [feature ids]) per Insert action, in document order."""
    total_inserted = sum(len(ids) for _, ids in inserted)
    if version == "1.0.0":
        results = "".join(
            "<wfs:InsertResult"
            + (f" handle={quoteattr(h)}" if h else "")
            + ">"
            + "".join(f'<ogc:FeatureId fid="{i}"/>' for i in ids)
            + "</wfs:InsertResult>"
            for h, ids in inserted
            if ids
        )
        body = (
            f'<wfs:WFS_TransactionResponse xmlns:wfs="{NS_WFS}" xmlns:ogc="{NS_OGC}" '
            f'version="1.0.0">'
            f"{results}<wfs:TransactionResult><wfs:Status><wfs:SUCCESS/></wfs:Status>"
            f"</wfs:TransactionResult></wfs:WFS_TransactionResponse>"
        )
        return (XML_DECL + body).encode("utf-8")
    if version == "1.1.0":
        features = "".join(
            "<wfs:Feature"
            + (f" handle={quoteattr(h)}" if h else "")
            + ">"
            + "".join(f'<ogc:FeatureId fid="{i}"/>' for i in ids)
            + "</wfs:Feature>"
            for h, ids in inserted
            if ids
        )
        body = (
            f'<wfs:TransactionResponse xmlns:wfs="{NS_WFS}" xmlns:ogc="{NS_OGC}" version="1.1.0">'
            f"<wfs:TransactionSummary><wfs:totalInserted>{total_inserted}</wfs:totalInserted>"
            f"<wfs:totalUpdated>{updated}</wfs:totalUpdated><wfs:totalDeleted>{deleted}</wfs:totalDeleted>"
            f"</wfs:TransactionSummary><wfs:TransactionResults/>"
            + (f"<wfs:InsertResults>{features}</wfs:InsertResults>" if features else "")
            + "</wfs:TransactionResponse>"
        )
        return (XML_DECL + body).encode("utf-8")
    features = "".join(
        "<wfs:Feature"
        + (f" handle={quoteattr(h)}" if h else "")
        + ">"
        + "".join(f'<fes:ResourceId rid="{i}"/>' for i in ids)
        + "</wfs:Feature>"
        for h, ids in inserted
        if ids
    )
    body = (
        f'<wfs:TransactionResponse xmlns:wfs="{NS_WFS20}" xmlns:fes="{NS_FES20}" version="2.0.0">'
        f"<wfs:TransactionSummary><wfs:totalInserted>{total_inserted}</wfs:totalInserted>"
        f"<wfs:totalUpdated>{updated}</wfs:totalUpdated><wfs:totalReplaced>0</wfs:totalReplaced>"
        f"<wfs:totalDeleted>{deleted}</wfs:totalDeleted></wfs:TransactionSummary>"
        + (f"<wfs:InsertResults>{features}</wfs:InsertResults>" if features else "")
        + "</wfs:TransactionResponse>"
    )
    return (XML_DECL + body).encode("utf-8")
