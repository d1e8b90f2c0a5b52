"""Build a MapServer 8 mapfile from the layer catalogue and the styles (pure text, no I/O).

MapServer reads the same database as Django: PostGIS directly, SpatiaLite through OGR. Only the
properties WFS publishes are selected, under the same names (a relation by its natural key, a
boolean as true/false), so GetFeatureInfo cannot leak what WFS hides, in any format.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import models

from layers.wms.styles import STYLES, LayerStyle, StyleClass, Symbolizer

# Web and VN-2000 CRSs MapServer may be asked for by MapProxy.
WMS_SRS = (
    "EPSG:4326",
    "EPSG:3857",
    "EPSG:900913",
    "EPSG:4756",
    "EPSG:3405",
    "EPSG:3406",
    "EPSG:5897",
    "EPSG:9209",
    "EPSG:9217",
    "EPSG:9218",
)
EXTENT_VN = (102.0, 8.0, 110.0, 23.5)
# GetFeatureInfo formats MapServer writes: the layer's HTML template, its built-in text, and its
# built-in GML 2 (msGMLOutput, which QGIS reads as features).
MAPSERVER_INFO_FORMATS = ("text/html", "text/plain", "application/vnd.ogc.gml")


#: The GML geometry type MapServer writes for a style's geometry type.
_GML_GEOMETRY_TYPE = {"POLYGON": "multipolygon", "LINE": "multiline", "POINT": "point"}


@dataclass(frozen=True)
class DataSource:
    """Where MapServer reads features: ``kind`` is "postgis" or "spatialite"."""

    kind: str
    connection: str  # libpq conninfo, or the SpatiaLite file path


@dataclass(frozen=True)
class MapLayer:
    name: str
    title: str
    abstract: str
    table: str
    geometry_column: str
    columns: tuple[str, ...]  # published attributes, WFS names (no personal data, no geometry)
    style: LayerStyle
    select: tuple[str, ...] = ()  # the SQL giving each column, in order; empty: the column itself


def _q(text: str) -> str:
    """A mapfile string literal."""
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _rgb(hexcolour: str) -> str:
    h = hexcolour.lstrip("#")
    return f"{int(h[0:2], 16)} {int(h[2:4], 16)} {int(h[4:6], 16)}"


def _symbolizer(sym: Symbolizer, geometry_type: str) -> list[str]:
    out = ["      STYLE"]
    if geometry_type == "POINT":
        out += [f"        SYMBOL {_q(sym.symbol or 'circle')}", f"        SIZE {sym.size:g}"]
        if sym.fill:
            out.append(f"        COLOR {_rgb(sym.fill)}")
        if sym.outline:
            out += [f"        OUTLINECOLOR {_rgb(sym.outline)}", "        WIDTH 1"]
    elif geometry_type == "LINE":
        out += [f"        COLOR {_rgb(sym.outline or '#000000')}", f"        WIDTH {sym.width:g}"]
        if sym.pattern:
            out.append("        PATTERN " + " ".join(str(p) for p in sym.pattern) + " END")
            out.append("        LINECAP BUTT")
    else:
        if sym.fill and sym.hatch:
            out += [
                '        SYMBOL "hatch"',
                f"        COLOR {_rgb(sym.fill)}",
                "        SIZE 8",
                "        WIDTH 1",
                "        ANGLE 45",
            ]
        elif sym.fill:
            out += [f"        COLOR {_rgb(sym.fill)}", f"        OPACITY {sym.opacity}"]
        if sym.outline and not (sym.fill and sym.hatch):
            out += [f"        OUTLINECOLOR {_rgb(sym.outline)}", f"        WIDTH {sym.width:g}"]
            if sym.pattern:
                out.append("        PATTERN " + " ".join(str(p) for p in sym.pattern) + " END")
    out.append("      END")
    if geometry_type == "POLYGON" and sym.fill and sym.hatch and sym.outline:
        # A hatched fill gets its outline in a second style.
        out += [
            "      STYLE",
            f"        OUTLINECOLOR {_rgb(sym.outline)}",
            f"        WIDTH {sym.width:g}",
            "      END",
        ]
    return out


def _class(cls: StyleClass, style: LayerStyle) -> list[str]:
    out = ["    CLASS", f"      NAME {_q(cls.title_vi)}"]
    if cls.expression:
        out.append(f"      EXPRESSION {cls.expression}")
    for sym in cls.symbolizers:
        out += _symbolizer(sym, style.geometry_type)
    if style.label_item and cls.labelled:
        out += [
            "      LABEL",
            "        TYPE TRUETYPE",
            '        FONT "sans"',
            "        SIZE 8",
            f"        COLOR {_rgb(style.label_color)}",
            "        OUTLINECOLOR 255 255 255",
            "        OUTLINEWIDTH 2",
            # Labels are placed on the whole shape (LABEL_NO_CLIP, below): the same label at the
            # same place in each metatile, so a label across a metatile edge is drawn in both
            # halves.
            "        PARTIALS TRUE",
            "        MINDISTANCE 200",
            *(
                ["        ANGLE FOLLOW", "        REPEATDISTANCE 400"]
                if style.geometry_type == "LINE"
                else ["        POSITION AUTO"]
            ),
            f"        MAXSCALEDENOM {style.label_max_scale:g}" if style.label_max_scale else "",
            "      END",
        ]
    out.append("    END")
    return [line for line in out if line]


def _data(layer: MapLayer, source: DataSource) -> list[str]:
    select = layer.select or tuple(f'"{c}"' for c in layer.columns)
    cols = ", ".join(('"id"', *select, f'"{layer.geometry_column}"'))
    where = f" WHERE {layer.style.where}" if layer.style.where else ""
    if source.kind == "postgis":
        sql = (
            f'{layer.geometry_column} FROM (SELECT {cols} FROM "{layer.table}"{where}) AS t '
            "USING UNIQUE id USING SRID=4326"
        )
        return [
            "    CONNECTIONTYPE POSTGIS",
            f"    CONNECTION {_q(source.connection)}",
            f"    DATA {_q(sql)}",
            '    PROCESSING "CLOSE_CONNECTION=DEFER"',
        ]
    sql = f'SELECT {cols} FROM "{layer.table}"{where}'
    return [
        "    CONNECTIONTYPE OGR",
        f"    CONNECTION {_q(source.connection)}",
        f"    DATA {_q(sql)}",
    ]


def build_mapfile(
    layers: Sequence[MapLayer],
    source: DataSource,
    *,
    template_dir: str,
    fontset: str,
    online_resource: str = "http://127.0.0.1/",
    wfs: bool = False,
) -> str:
    """Return the text of a mapfile serving ``layers`` from ``source``.

    ``wfs=True`` also enables MapServer's own WFS (GML and GeoJSON): only for the benchmark
    peer — the service's WFS is Django's, behind the access policy.
    """
    out = [
        "MAP",
        '  NAME "kcn_planner"',
        f"  EXTENT {' '.join(f'{v:g}' for v in EXTENT_VN)}",
        "  UNITS DD",
        "  SIZE 1024 1024",
        "  MAXSIZE 4096",
        '  IMAGETYPE "png"',
        "  IMAGECOLOR 255 255 255",
        f"  FONTSET {_q(fontset)}",
        '  PROJECTION "init=epsg:4326" END',
        "  OUTPUTFORMAT",
        '    NAME "png"',
        '    DRIVER "AGG/PNG"',
        '    MIMETYPE "image/png"',
        "    IMAGEMODE RGBA",
        '    EXTENSION "png"',
        "    TRANSPARENT ON",
        '    FORMATOPTION "GAMMA=0.75"',
        "  END",
        "  SYMBOL",
        '    NAME "circle"',
        "    TYPE ELLIPSE",
        "    FILLED TRUE",
        "    POINTS 1 1 END",
        "  END",
        "  SYMBOL",
        '    NAME "square"',
        "    TYPE VECTOR",
        "    FILLED TRUE",
        "    POINTS 0 0 0 1 1 1 1 0 0 0 END",
        "  END",
        "  SYMBOL",
        '    NAME "triangle"',
        "    TYPE VECTOR",
        "    FILLED TRUE",
        "    POINTS 0 1 0.5 0 1 1 0 1 END",
        "  END",
        "  SYMBOL",
        '    NAME "hatch"',
        "    TYPE HATCH",
        "  END",
        "  LEGEND",
        "    KEYSIZE 20 12",
        "    LABEL",
        "      TYPE TRUETYPE",
        '      FONT "sans"',
        "      SIZE 8",
        "      COLOR 30 30 30",
        "    END",
        "  END",
        "  WEB",
        f"    TEMPLATE {_q(template_dir + '/blank.html')}",
        "    METADATA",
        '      "wms_title" "KCN Planner"',
        f'      "wms_onlineresource" {_q(online_resource)}',
        f'      "wms_srs" {_q(" ".join(WMS_SRS))}',
        '      "wms_enable_request" "*"',
        '      "wms_feature_info_mime_type" "text/html"',
        # What MapServer answers; the WMS advertises these through MapProxy
        # (mapproxy_config.FEATURE_INFO_FORMATS). Anything else is refused with InvalidFormat.
        f'      "wms_getfeatureinfo_formatlist" {_q(",".join(MAPSERVER_INFO_FORMATS))}',
        '      "wms_encoding" "UTF-8"',
        '      "ows_encoding" "UTF-8"',
        *(
            [
                '      "wfs_enable_request" "*"',
                '      "wfs_title" "KCN Planner (peer)"',
                f'      "wfs_onlineresource" {_q(online_resource)}',
                '      "wfs_srs" "EPSG:4326"',
                '      "wfs_getfeature_formatlist" "geojson,gml3,gml32"',
                '      "wfs_maxfeatures" "100000"',
            ]
            if wfs
            else []
        ),
        "    END",
        "  END",
        *(
            [
                "  OUTPUTFORMAT",
                '    NAME "geojson"',
                '    DRIVER "OGR/GEOJSON"',
                '    MIMETYPE "application/json"',
                '    FORMATOPTION "STORAGE=stream"',
                '    FORMATOPTION "FORM=SIMPLE"',
                "  END",
            ]
            if wfs
            else []
        ),
    ]
    for layer in layers:
        st = layer.style
        items = ",".join(layer.columns)
        out += [
            "  LAYER",
            f"    NAME {_q(layer.name)}",
            f"    TYPE {st.geometry_type}",
            "    STATUS ON",
            *_data(layer, source),
            '    PROJECTION "init=epsg:4326" END',
            f"    TEMPLATE {_q(f'{template_dir}/{layer.name}.html')}",
            f"    HEADER {_q(f'{template_dir}/header.html')}",
            f"    FOOTER {_q(f'{template_dir}/footer.html')}",
            "    TOLERANCE 4",
            "    TOLERANCEUNITS PIXELS",
            "    METADATA",
            f'      "wms_title" {_q(layer.title)}',
            f'      "wms_abstract" {_q(layer.abstract)}',
            f'      "wms_include_items" {_q(items)}',
            f'      "gml_include_items" {_q(items)}',
            '      "gml_featureid" "id"',
            *(
                [
                    f'      "gml_geometries" {_q(layer.geometry_column)}',
                    f'      "gml_{layer.geometry_column}_type" '
                    f"{_q(_GML_GEOMETRY_TYPE[st.geometry_type])}",
                ]
                if wfs
                else []
            ),
            f'      "wms_srs" {_q(" ".join(WMS_SRS))}',
            "    END",
        ]
        if st.label_item:
            out.append(f"    LABELITEM {_q(st.label_item)}")
            # Label anchors from the whole shape, not from its part inside the image: the same
            # place in every metatile, so a shape across a metatile edge is labelled once, not
            # once per part.
            out.append('    PROCESSING "LABEL_NO_CLIP=True"')
        if st.max_scale:
            out.append(f"    MAXSCALEDENOM {st.max_scale:g}")
        if st.min_scale:
            out.append(f"    MINSCALEDENOM {st.min_scale:g}")
        for cls in st.classes:
            out += _class(cls, st)
        out.append("  END")
    out.append("END")
    return "\n".join(out) + "\n"


def feature_info_template(layer: MapLayer, labels: dict[str, str]) -> str:
    """An HTML GetFeatureInfo template (MapServer template syntax) for one layer."""
    # MapServer 8's template parser wants unquoted attribute values, one tag per line (it loses
    # tags on long lines), and no attribute named like a template keyword ("data-layer").
    rows = "\n".join(
        f"<tr><th>{labels.get(c, c)}</th><td>[item name={c} escape=html]</td></tr>"
        for c in layer.columns
    )
    return (
        "<!-- MapServer Template -->\n"
        f'<table class="kcn-featureinfo kcn-{layer.name}"><caption>{layer.title}</caption>\n'
        f"{rows}\n</table>\n"
    )


# Each layer's HTML answer is a whole document that names its encoding: MapProxy parses every
# layer's answer to merge them, and lxml reads undeclared bytes as Latin-1 (the Vietnamese came
# out garbled when the first layer queried had nothing there).
FEATURE_INFO_HEADER = (
    "<!-- MapServer Template -->\n"
    "<!DOCTYPE html>\n"
    "<html>\n"
    '<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head>\n'
    "<body>\n"
)
FEATURE_INFO_FOOTER = "<!-- MapServer Template -->\n</body>\n</html>\n"


def _select(spec, name: str) -> str:
    """The SQL giving published attribute ``name`` of ``spec``'s table, as WFS writes it.

    A relation gives its natural key (``spec.foreign_keys``, as WFS publishes it), a boolean
    ``true``/``false`` (SpatiaLite stores 1/0, PostgreSQL would print t/f).
    """
    model = spec.model
    table = model._meta.db_table
    field = model._meta.get_field(name)
    if field.is_relation:
        label, lookup = spec.foreign_keys[name]
        related = field.related_model
        if related._meta.label != label:
            raise ValueError(f"{spec.name}.{name} relates to {related._meta.label}, not {label}")
        key = related._meta.get_field(lookup).column
        # The alias hides the related table's own name, so a relation to the same table
        # (admin_units.parent) reads the outer row.
        sql = (
            f'(SELECT r."{key}" FROM "{related._meta.db_table}" AS r '
            f'WHERE r."{field.target_field.column}" = "{table}"."{field.column}")'
        )
    elif isinstance(field, models.BooleanField):
        column = f'"{field.column}"'
        sql = f"CASE WHEN {column} THEN 'true' WHEN NOT {column} THEN 'false' END"
    else:
        sql = f'"{field.column}"'
    return f'{sql} AS "{name}"'


def mapfile_layers(specs: Iterable, columns_for) -> list[MapLayer]:
    """MapLayers for catalogue specs that have a style; ``columns_for(spec)`` names the published
    attributes (model field names: scalars, and relations listed in ``spec.foreign_keys``)."""
    out = []
    for spec in specs:
        style = STYLES.get(spec.name)
        if style is None:
            continue
        model = spec.model
        columns = tuple(columns_for(spec))
        out.append(
            MapLayer(
                name=spec.name,
                title=spec.title_vi,
                abstract=spec.title_en,
                table=model._meta.db_table,
                geometry_column=model._meta.get_field(spec.geometry_field).column,
                columns=columns,
                style=style,
                select=tuple(_select(spec, c) for c in columns),
            )
        )
    return out
