"""The map page's layers: which catalogue layers a user sees, grouped, with tiles, legends and
styles.

Reads only (the catalogue, the WMS styles and the access policy); the page renders the result
server-side and hands the same data to the map script.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from layers.catalogue import CATALOGUE
from layers.wms.styles import STYLES, LayerStyle
from planning import access

# Groups in the layer switcher, in order, with their layers bottom-up as the map draws them.
GROUPS: tuple[tuple[str, object, tuple[str, ...]], ...] = (
    ("areas", _("Industrial parks and clusters"), ("industrial_areas", "plan_entries")),
    ("clearance", _("Land clearance"), ("clearance_parcels",)),
    ("transport", _("Transport"), ("road_corridors", "road_interchanges")),
    (
        "utilities",
        _("Technical infrastructure"),
        ("infrastructure_lines", "infrastructure_points", "infrastructure_connectors"),
    ),
    ("projects", _("Secondary projects"), ("secondary_projects",)),
    ("proposals", _("Proposals"), ("proposals", "suggested_sites")),
    ("boundaries", _("Administrative boundaries"), ("admin_units",)),
)
OTHER_GROUP = ("other", _("Other layers"))
# Drawing order, bottom first; layers not listed are drawn above these.
DRAW_ORDER = (
    "admin_units",
    "suggested_sites",
    "industrial_areas",
    "plan_entries",  # issue 13 plan: dashed outlines above the areas
    "clearance_parcels",
    "secondary_projects",
    "proposals",
    "infrastructure_lines",
    "infrastructure_connectors",
    "road_corridors",
    "road_interchanges",
    "infrastructure_points",
)
VISIBLE_BY_DEFAULT = {
    "admin_units",
    "industrial_areas",
    "road_corridors",
    "secondary_projects",
    "plan_entries",  # issue 13 plan
}
# Loaded in the browser from WFS GeoJSON (so it can be filtered, listed and searched); issue 14
# map: its fills and outlines are drawn from its vector tiles (mvt_url), popups from their
# attributes, dots and names from the GeoJSON.
VECTOR_LAYERS = {"industrial_areas"}
# issue 14 map: drawn in the browser from the service's Mapbox Vector Tiles (OGC API – Tiles,
# layers.vectortiles), styled from the WMS style, popups from the tiles' attributes. The raster
# tiles (WMS/WMTS/XYZ) stay for QGIS, printing and the layers not listed here.
MVT_LAYERS = {
    "road_corridors",
    "road_interchanges",
    "proposals",
    "suggested_sites",
    "plan_entries",
    "secondary_projects",
    "clearance_parcels",
    "infrastructure_lines",
    "infrastructure_points",
    "infrastructure_connectors",
}
# The context layer under everything: always listed first, never queried for popups first.
BASE_LAYER = "admin_units"
# OGC scale denominator -> metres per pixel at the standard 0.28 mm pixel.
PIXEL_M = 0.00028


@dataclass
class MapLayer:
    name: str
    title: str
    group: str
    kind: str  # "tiles" (raster XYZ), "vector" (WFS GeoJSON) or "mvt" (vector tiles)
    visible: bool
    z_index: int
    legend_url: str
    tile_url: str
    min_resolution: float | None = None
    max_resolution: float | None = None
    style: dict | None = None  # vector layers: classes and labels, from the WMS style
    staff_only: bool = False
    mvt_url: str | None = None  # issue 14 map: the collection's vector tiles, {z}/{y}/{x}
    legend: list[dict] = field(
        default_factory=list
    )  # [{"title", "swatch" (inline SVG)}], in the page's language

    def as_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "legend"}


@dataclass
class LayerGroup:
    id: str
    title: str
    layers: list[MapLayer] = field(default_factory=list)


# --- styles as data -------------------------------------------------------------------------------

_TOKEN = re.compile(
    r'\s*(?:(\()|(\))|(AND|OR)\b|"\[(\w+)\]"\s*=\s*"([^"]*)"'
    r"|\[(\w+)\]\s*(>=|<=|>|<|=)\s*(-?[\d.]+))"
)


def parse_expression(text: str | None) -> dict | None:
    """A MapServer class expression as built by ``layers.wms.styles`` -> a small JSON tree.

    Only what the styles use: string equality, numeric comparison, AND, OR and parentheses.

    >>> parse_expression('(("[kind]" = "KCN") AND ("[status]" = "operating"))')
    {'and': [{'eq': ['kind', 'KCN']}, {'eq': ['status', 'operating']}]}
    >>> parse_expression("([score] >= 0.9)")
    {'cmp': ['score', '>=', 0.9]}
    >>> parse_expression(None) is None
    True
    """
    if text is None:
        return None
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ValueError(f"cannot read the style expression {text!r} at {pos}")
        tokens.append(m.groups())
        pos = m.end()
    node, rest = _parse_or(tokens)
    if rest:
        raise ValueError(f"unexpected text after the style expression {text!r}")
    return node


def _parse_or(tokens):
    node, tokens = _parse_and(tokens)
    items = [node]
    while tokens and tokens[0][2] == "OR":
        node, tokens = _parse_and(tokens[1:])
        items.append(node)
    return (items[0] if len(items) == 1 else {"or": items}), tokens


def _parse_and(tokens):
    node, tokens = _parse_atom(tokens)
    items = [node]
    while tokens and tokens[0][2] == "AND":
        node, tokens = _parse_atom(tokens[1:])
        items.append(node)
    return (items[0] if len(items) == 1 else {"and": items}), tokens


def _parse_atom(tokens):
    if not tokens:
        raise ValueError("incomplete style expression")
    opening, _closing, _op, item, value, number_item, cmp, number = tokens[0]
    if opening:
        node, rest = _parse_or(tokens[1:])
        if not rest or not rest[0][1]:
            raise ValueError("unbalanced parentheses in a style expression")
        return node, rest[1:]
    if item is not None:
        return {"eq": [item, value]}, tokens[1:]
    if number_item is not None:
        return {"cmp": [number_item, cmp, float(number)]}, tokens[1:]
    raise ValueError("unexpected token in a style expression")


def style_json(style: LayerStyle, *, lang: str) -> dict:
    """A WMS layer style as data for OpenLayers: classes in order, first match wins."""
    return {
        "geometry": style.geometry_type,
        "label_item": style.label_item,
        "label_max_resolution": style.label_max_scale * PIXEL_M if style.label_max_scale else None,
        "label_color": style.label_color,
        "classes": [
            {
                "title": c.title_vi if lang == "vi" else c.title_en,
                "when": parse_expression(c.expression),
                "labelled": c.labelled,
                "symbolizers": [s.__dict__ | {"pattern": list(s.pattern)} for s in c.symbolizers],
            }
            for c in style.classes
        ],
    }


def legend_swatch(geometry: str, symbolizers) -> str:
    """A 24×16 inline SVG drawn from a WMS class's symbolizers (colours are our own constants)."""
    parts = []
    for s in symbolizers:
        dash = f' stroke-dasharray="{" ".join(str(v) for v in s.pattern)}"' if s.pattern else ""
        stroke = (
            f' stroke="{escape(s.outline)}" stroke-width="{min(s.width, 4):g}"{dash}'
            if s.outline
            else ' stroke="none"'
        )
        fill = (
            f' fill="{escape(s.fill)}" fill-opacity="{s.opacity / 100:g}"'
            if s.fill
            else ' fill="none"'
        )
        if geometry == "LINE":
            parts.append(f'<line x1="1" y1="8" x2="23" y2="8"{stroke}/>')
        elif geometry == "POINT":
            r = min(s.size, 12) / 2
            if s.symbol == "square":
                parts.append(
                    f'<rect x="{12 - r:g}" y="{8 - r:g}" width="{2 * r:g}" height="{2 * r:g}"'
                    f"{fill}{stroke}/>"
                )
            elif s.symbol == "triangle":
                parts.append(
                    f'<polygon points="12,{8 - r:g} {12 + r:g},{8 + r:g} {12 - r:g},{8 + r:g}"'
                    f"{fill}{stroke}/>"
                )
            else:
                parts.append(f'<circle cx="12" cy="8" r="{r:g}"{fill}{stroke}/>')
        else:
            parts.append(f'<rect x="1.5" y="1.5" width="21" height="13"{fill}{stroke}/>')
            if s.hatch and s.outline:
                parts.append(
                    f'<path d="M4 14 L14 2 M12 14 L22 2" stroke="{escape(s.outline)}" '
                    f'stroke-width="1" stroke-opacity="0.7"/>'
                )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="16" viewBox="0 0 24 16" '
        'aria-hidden="true" focusable="false">' + "".join(parts) + "</svg>"
    )


def legend_items(style: LayerStyle, *, lang: str) -> list[dict]:
    """The legend of a layer in the page's language (MapServer's GetLegendGraphic speaks
    Vietnamese)."""
    return [
        {
            "title": c.title_vi if lang == "vi" else c.title_en,
            "swatch": legend_swatch(style.geometry_type, c.symbolizers),
        }
        for c in style.classes
    ]


# --- layers for a user ----------------------------------------------------------------------------


def legend_url(name: str) -> str:
    return (
        reverse("layers:wms")
        + "?"
        + urlencode(
            {
                "SERVICE": "WMS",
                "VERSION": "1.3.0",
                "REQUEST": "GetLegendGraphic",
                "LAYER": name,
                "FORMAT": "image/png",
                "SLD_VERSION": "1.1.0",
            }
        )
    )


def tile_url_template() -> str:
    """``/ows/tiles/{layer}/GLOBAL_WEBMERCATOR/{z}/{x}/{y}.png`` (XYZ, north-west origin)."""
    return reverse("layers:tiles", kwargs={"path": "LAYER"}).replace(
        "LAYER", "{layer}/GLOBAL_WEBMERCATOR/{z}/{x}/{y}.png"
    )


def mvt_url_template(name: str) -> str:
    """``/ogc/collections/{name}/tiles/WebMercatorQuad/{z}/{y}/{x}`` (OGC API – Tiles)."""
    return reverse(
        "vectortiles:tile", kwargs={"collection": name, "z": "0", "y": "0", "x": "0"}
    ).replace("/0/0/0", "/{z}/{y}/{x}")


def map_layer_groups(user, *, lang: str) -> list[LayerGroup]:
    """The layer switcher for ``user``: only layers they may read that the map service renders."""
    tiles = tile_url_template()
    group_of = {name: gid for gid, _title, names in GROUPS for name in names}
    groups = {gid: LayerGroup(gid, str(title)) for gid, title, _names in GROUPS}
    groups[OTHER_GROUP[0]] = LayerGroup(OTHER_GROUP[0], str(OTHER_GROUP[1]))
    order = {name: i for i, name in enumerate(DRAW_ORDER)}
    listed_order = [n for _g, _t, names in GROUPS for n in names]
    names = sorted(
        CATALOGUE,
        key=lambda n: (listed_order.index(n) if n in listed_order else len(listed_order), n),
    )
    for name in names:
        spec = CATALOGUE[name]
        style = STYLES.get(name)
        if style is None or not access.can_read_layer(user, spec):
            continue
        gid = group_of.get(name, OTHER_GROUP[0])
        layer = MapLayer(
            name=name,
            title=spec.title_vi if lang == "vi" else spec.title_en,
            group=gid,
            kind=("vector" if name in VECTOR_LAYERS else "mvt" if name in MVT_LAYERS else "tiles"),
            visible=name in VISIBLE_BY_DEFAULT,
            z_index=10 + order.get(name, len(DRAW_ORDER)),
            legend_url=legend_url(name),
            tile_url=tiles.replace("{layer}", name),
            # MapServer's MAXSCALEDENOM hides a layer beyond 1:N; so does OpenLayers past
            # N * 0.28 mm.
            max_resolution=style.max_scale * PIXEL_M if style.max_scale else None,
            min_resolution=style.min_scale * PIXEL_M if style.min_scale else None,
            style=style_json(style, lang=lang) if name in VECTOR_LAYERS | MVT_LAYERS else None,
            staff_only="anonymous" not in spec.read_roles,
            mvt_url=mvt_url_template(name) if name in MVT_LAYERS | VECTOR_LAYERS else None,
            legend=legend_items(style, lang=lang),
        )
        groups[gid].layers.append(layer)
    return [g for g in groups.values() if g.layers]
