"""What the load bench checks in every answer body (issue 16 item 3).

* Images (WMS GetMap, WMTS/XYZ tiles): a PNG of the size asked for; drawn where the layers have
  features and empty where they have none. The features come from the database before the load:
  an image whose box, shrunk to its middle 80 %, meets a line the layers always draw (unit and
  area outlines, roads) must have a visible pixel; one whose box, grown to twice its size, meets
  nothing they may draw (fills included) must have none; boxes in between are not judged (a
  label or a thick line may reach in).
* WFS pages (GeoJSON, GML 3.2) and REST API list pages: the ids, in order, of the same request
  made once before the load (nothing the load writes is in those layers).
* The parcels list with its random offset: the total, the page length the total implies, a
  geometry on every feature.
* Details: the feature asked for, with a geometry. The efficiency report: the keys and the
  number of areas and units of the reference.
"""

from __future__ import annotations

import io
import json
import math
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import shapely
from PIL import Image

WFS = "{http://www.opengis.net/wfs/2.0}"
GML = "{http://www.opengis.net/gml/3.2}"
IMAGE_KINDS = ("wms_getmap_uncached", "tile_cached", "tile_uncached")


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """A Web Mercator tile's lon/lat box."""
    n = 2**z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


def ids_of(body: bytes, kind: str) -> list[str]:
    if "gml" in kind:
        root = ET.fromstring(body)
        if root.tag != f"{WFS}FeatureCollection":
            raise ValueError(f"not a wfs:FeatureCollection: {root.tag}")
        members = [next(iter(m)) for m in root.findall(f"{WFS}member")]
        returned = root.get("numberReturned")
        if returned is not None and int(returned) != len(members):
            raise ValueError(f"numberReturned {returned}, {len(members)} members")
        return [m.get(f"{GML}id", "").rpartition(".")[2] for m in members]
    data = json.loads(body)
    if data.get("type") != "FeatureCollection":
        raise ValueError(f"not a FeatureCollection: {str(data)[:100]}")
    features = data["features"]
    if "numberReturned" in data and data["numberReturned"] != len(features):
        raise ValueError(f"numberReturned {data['numberReturned']}, {len(features)} features")
    if any(f.get("geometry") is None for f in features):
        raise ValueError("a feature without geometry")
    return [str(f["id"]) for f in features]


@dataclass
class Expectations:
    """The database's answer to "what should this request show", taken before the load."""

    #: Per WMS layer name: (lines always drawn, everything that may be drawn), lon/lat.
    layers: dict[str, tuple[shapely.Geometry, shapely.Geometry]]
    parcels_total: int
    references: dict[str, object] = field(default_factory=dict)  # path -> ids or summary
    #: Images judged "must show features", "must be empty", or not judged (counted, not locked:
    #: a figure for the report).
    judged: Counter = field(default_factory=Counter)

    def image_problem(self, kind: str, path: str, body: bytes) -> str | None:
        try:
            image = Image.open(io.BytesIO(body))
            image.load()
        except Exception as exc:  # noqa: BLE001 - any decoding failure is a wrong body
            return f"not an image: {exc}"
        url = urlsplit(path)
        if kind == "wms_getmap_uncached":
            q = {k.upper(): v[0] for k, v in parse_qs(url.query).items()}
            size = (int(q["WIDTH"]), int(q["HEIGHT"]))
            box = tuple(float(v) for v in q["BBOX"].split(","))
            names = q["LAYERS"].split(",")
        else:  # /ows/wmts|tiles/<layer>/GLOBAL_WEBMERCATOR/z/x/y.png
            parts = url.path.split("/")
            names = [parts[3]]
            z, x, y = int(parts[5]), int(parts[6]), int(parts[7].split(".")[0])
            size, box = (256, 256), tile_bounds(z, x, y)
        if image.size != size:
            return f"image {image.size}, asked {size}"
        alpha = image.convert("RGBA").getchannel("A").getextrema()[1]
        drawn = (
            alpha > 0 if image.mode in ("RGBA", "LA", "P") else len(image.getcolors(2) or []) != 1
        )
        names = [n for n in names if n in self.layers]
        if not names:
            return None
        inner, outer = _scaled(box, 0.8), _scaled(box, 2.0)
        there = [n for n in names if self.layers[n][0].intersects(inner)]
        nothing = not any(self.layers[n][1].intersects(outer) for n in names)
        self.judged["drawn" if there else "empty" if nothing else "not judged"] += 1
        if there and not drawn:
            box_text = ",".join(f"{v:.5f}" for v in box)
            return f"empty image where features are ({', '.join(there)} in {box_text})"
        if drawn and nothing:
            return "features drawn where there are none"
        return None

    def problem(self, kind: str, path: str, body: bytes) -> str | None:
        """None if ``body`` is the right answer to ``path``, else what is wrong."""
        try:
            if kind in IMAGE_KINDS:
                return self.image_problem(kind, path, body)
            if path in self.references:
                got = ids_of(body, kind)
                want = self.references[path]
                return (
                    None
                    if got == want
                    else f"ids {got[:5]}… ({len(got)}), want {want[:5]}… ({len(want)})"
                )
            if kind == "auth_api_parcels":
                data = json.loads(body)
                offset = int(parse_qs(urlsplit(path).query)["offset"][0])
                got = ids_of(body, kind)
                want = max(0, min(50, self.parcels_total - offset))
                if data.get("count") != self.parcels_total or len(got) != want:
                    return (
                        f"count {data.get('count')}, {len(got)} features; "
                        f"want {self.parcels_total}, {want}"
                    )
                return None
            if kind == "api_layer_detail":
                data = json.loads(body)
                asked = urlsplit(path).path.rstrip("/").rpartition("/")[2]
                if str(data.get("id")) != asked or data.get("geometry") is None:
                    return f"feature {data.get('id')} for {asked}"
                return None
            if kind == "auth_api_efficiency":
                data = json.loads(body)
                want = self.references.get("efficiency")
                got = (sorted(data), len(data["areas"]), len(data["units"]))
                return None if got == want else f"efficiency {got}, want {want}"
        except (ValueError, KeyError, TypeError, ET.ParseError) as exc:
            return f"{type(exc).__name__}: {exc}"
        return f"no check for {kind}"

    def remember(self, kind: str, path: str, body: bytes) -> None:
        if kind == "auth_api_efficiency":
            data = json.loads(body)
            self.references["efficiency"] = (sorted(data), len(data["areas"]), len(data["units"]))
        else:
            self.references[path] = ids_of(body, kind)


def _scaled(box, factor: float) -> shapely.Geometry:
    x0, y0, x1, y1 = box
    cx, cy, hw, hh = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2 * factor, (y1 - y0) / 2 * factor
    return shapely.box(cx - hw, cy - hh, cx + hw, cy + hh)


def drawn_geometries() -> dict[str, tuple[shapely.Geometry, shapely.Geometry]]:
    """Per WMS layer of the mix, from the database (lon/lat): the lines it always draws (outlines
    of the units and areas it shows, roads) and everything it may draw (the areas' fills and the
    units' labels too).
    The units are those of the layer's style: today's, and the pre-2025 districts."""
    from django.db.models import Q

    from planning import models as m

    def geoms(qs, field_name: str) -> list[shapely.Geometry]:
        return [shapely.from_wkb(bytes(g.wkb)) for g in qs.values_list(field_name, flat=True) if g]

    units = geoms(
        m.AdminUnit.objects.filter(Q(valid_to__isnull=True) | Q(level="district")), "boundary"
    )
    areas = geoms(m.IndustrialArea.objects.all(), "boundary")
    roads = shapely.union_all(geoms(m.RoadCorridor.objects.all(), "centerline"))
    return {
        # Unit names are drawn inside the units (labels at large scales): anywhere in a unit.
        "admin_units": (shapely.union_all(shapely.boundary(units)), shapely.union_all(units)),
        "industrial_areas": (
            shapely.union_all(shapely.boundary(areas)),
            shapely.union_all(areas),
        ),
        "road_corridors": (roads, roads),
    }
