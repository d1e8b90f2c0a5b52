"""QGIS renderer and labelling XML from the WMS styles (``layers.wms.styles``): one set of colours.

Each ``LayerStyle`` becomes a rule-based renderer (``RuleRenderer``): one rule per class, its
MapServer expression turned into a QGIS expression, the class title as the rule's legend label,
and the style's static ``where`` (when it is plain SQL on the layer's own columns) as the filter
of the parent rule, so QGIS draws what the WMS draws. Widths and sizes are in pixels, as in the
mapfile. Symbol layers are written in the ``<prop k v>`` form every QGIS 3.x reads.

Pure: style data in, lxml elements out (no QGIS, no database).
"""

from __future__ import annotations

import re

from lxml import etree

from layers.wms.styles import LayerStyle, StyleClass, Symbolizer

E = etree.Element
SUB = etree.SubElement

# MapServer's LABEL SIZE 8 (pixels at 72 dpi in MapServer terms) ≈ QGIS 8 pt.
LABEL_SIZE_PT = 8
HATCH_STYLE = "b_diagonal"  # MapServer's hatch symbol at ANGLE 45


def rgba(colour: str, opacity: int = 100) -> str:
    """``"#7b3fa0", 60`` → ``"123,63,160,153"`` (QGIS's colour property)."""
    h = colour.lstrip("#")
    alpha = round(255 * opacity / 100)
    return f"{int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha}"


def qgis_expression(mapserver: str) -> str:
    """A MapServer class expression as ``layers.wms.styles`` writes them → a QGIS expression.

    >>> qgis_expression('(("[kind]" = "KCN") AND ("[status]" = "operating"))')
    '(("kind" = \\'KCN\\') AND ("status" = \\'operating\\'))'
    >>> qgis_expression("([score] >= 0.9)")
    '("score" >= 0.9)'
    """
    text = re.sub(r'"\[(\w+)\]"', r"[\1]", mapserver)
    text = re.sub(r'"([^"]*)"', lambda m: "'" + m.group(1).replace("'", "''") + "'", text)
    return re.sub(r"\[(\w+)\]", r'"\1"', text)


def qgis_where(where: str | None) -> str | None:
    """The style's static SQL ``where`` as a QGIS filter, when it reads only the layer's columns.

    A predicate with a sub-query (``plan_entries``) is left to the service: its collection
    already holds only those rows (the model's manager), so nothing is lost.
    """
    if not where or re.search(r"\bSELECT\b", where, re.IGNORECASE):
        return None
    return where


def _props(parent, values: dict[str, str]) -> None:
    for key, value in values.items():
        SUB(parent, "prop", k=key, v=str(value))


def _symbol_layer(parent, cls: str, values: dict[str, str]) -> None:
    layer = SUB(parent, "layer", {"class": cls, "pass": "0", "enabled": "1", "locked": "0"})
    _props(layer, values)


def _dash(pattern: tuple[int, ...]) -> dict[str, str]:
    if not pattern:
        return {"use_custom_dash": "0"}
    return {
        "use_custom_dash": "1",
        "customdash": ";".join(str(p) for p in pattern),
        "customdash_unit": "Pixel",
    }


def _line(colour: str, width: float, pattern: tuple[int, ...]) -> dict[str, str]:
    return {
        "line_color": rgba(colour),
        "line_width": f"{width:g}",
        "line_width_unit": "Pixel",
        "line_style": "solid",
        "capstyle": "flat" if pattern else "round",
        "joinstyle": "round",
        **_dash(pattern),
    }


def symbol(style: LayerStyle, symbolizers: tuple[Symbolizer, ...], name: str) -> etree._Element:
    """One ``<symbol>`` for a class (fill, line or marker), as the mapfile draws it."""
    kind = {"POLYGON": "fill", "LINE": "line", "POINT": "marker"}[style.geometry_type]
    el = E("symbol", alpha="1", clip_to_extent="1", force_rhr="0", name=name, type=kind)
    for sym in symbolizers:
        if kind == "marker":
            _symbol_layer(
                el,
                "SimpleMarker",
                {
                    "name": sym.symbol or "circle",
                    "color": rgba(sym.fill) if sym.fill else "0,0,0,0",
                    "outline_color": rgba(sym.outline or "#000000"),
                    "outline_style": "solid" if sym.outline else "no",
                    "outline_width": f"{sym.width:g}",
                    "outline_width_unit": "Pixel",
                    "size": f"{sym.size:g}",
                    "size_unit": "Pixel",
                    "scale_method": "diameter",
                },
            )
        elif kind == "line":
            _symbol_layer(el, "SimpleLine", _line(sym.outline or "#000000", sym.width, sym.pattern))
        else:
            if sym.fill:
                _symbol_layer(
                    el,
                    "SimpleFill",
                    {
                        "color": rgba(sym.fill, 100 if sym.hatch else sym.opacity),
                        "style": HATCH_STYLE if sym.hatch else "solid",
                        "outline_style": "no",
                        "outline_color": "0,0,0,0",
                        "outline_width": "0",
                    },
                )
            if sym.outline:
                # The outline as a line layer: SimpleFill's outline has no custom dash pattern.
                _symbol_layer(el, "SimpleLine", _line(sym.outline, sym.width, sym.pattern))
    return el


def _exclusive(classes: tuple[StyleClass, ...]) -> list[str]:
    """QGIS filters with MapServer's first-match-wins: a class whose expression compares
    numbers (``[score] >= 0.8``) excludes the features an earlier class took; the last class
    without an expression is QGIS's ``ELSE`` rule."""
    filters, earlier = [], []
    for cls in classes:
        if cls.expression is None:
            filters.append("ELSE")
            continue
        expr = qgis_expression(cls.expression)
        if earlier and re.search(r"[<>]", cls.expression):
            taken = " OR ".join(earlier)
            filters.append(f"({expr}) AND NOT coalesce({taken}, false)")
        else:
            filters.append(expr)
        earlier.append(expr)
    return filters


def renderer(style: LayerStyle, *, lang: str, key: str) -> etree._Element:
    """``<renderer-v2 type="RuleRenderer">`` with one rule per class (legend in ``lang``)."""
    el = E(
        "renderer-v2",
        forceraster="0",
        enableorderby="0",
        type="RuleRenderer",
        symbollevels="0",
        referencescale="-1",
    )
    rules = SUB(el, "rules", key=f"{{{key}-root}}")
    where = qgis_where(style.where)
    parent = rules
    if where:
        parent = SUB(rules, "rule", key=f"{{{key}-where}}", filter=where, label="WMS")
    symbols = SUB(el, "symbols")
    for i, (cls, flt) in enumerate(zip(style.classes, _exclusive(style.classes), strict=True)):
        SUB(
            parent,
            "rule",
            key=f"{{{key}-{i}}}",
            filter=flt,
            symbol=str(i),
            label=cls.title_vi if lang == "vi" else cls.title_en,
        )
        symbols.append(symbol(style, cls.symbolizers, str(i)))
    return el


def label_expression(style: LayerStyle) -> tuple[str, bool]:
    """The label text: the label field, or an expression leaving unlabelled classes blank."""
    item = style.label_item
    quiet = [qgis_expression(c.expression) for c in style.classes if not c.labelled]
    if not quiet or any(c.expression is None for c in style.classes if not c.labelled):
        return item, False
    return f'CASE WHEN {" OR ".join(quiet)} THEN NULL ELSE "{item}" END', True


def labeling(style: LayerStyle) -> etree._Element | None:
    """``<labeling type="simple">``: the mapfile's LABEL (size 8, colour, white halo 2 px,
    hidden beyond ``label_max_scale``); lines follow the line."""
    if not style.label_item:
        return None
    field, is_expression = label_expression(style)
    el = E("labeling", type="simple")
    settings = SUB(el, "settings", calloutType="simple")
    text = SUB(
        settings,
        "text-style",
        fieldName=field,
        isExpression="1" if is_expression else "0",
        textColor=rgba(style.label_color),
        fontSize=str(LABEL_SIZE_PT),
        fontSizeUnit="Point",
        # No fontFamily: QGIS's own interface font, which has the Vietnamese letters on every
        # system it runs on.
        fontWeight="50",
        textOpacity="1",
        multilineHeight="1",
    )
    SUB(
        text,
        "text-buffer",
        bufferDraw="1",
        bufferSize="2",
        bufferSizeUnits="Pixel",
        bufferColor="255,255,255,255",
        bufferOpacity="1",
        bufferNoFill="1",
        bufferJoinStyle="128",
    )
    SUB(settings, "text-format", wrapChar="", multilineAlign="3")
    line = style.geometry_type == "LINE"
    SUB(
        settings,
        "placement",
        # QgsPalLayerSettings.Placement: 3 curved along lines, 6 cartographic around points,
        # 1 over the centroid of polygons.
        placement="3" if line else ("6" if style.geometry_type == "POINT" else "1"),
        placementFlags="10",
        dist="1" if style.geometry_type == "POINT" else "0",
        distUnits="MM",
        repeatDistance="100" if line else "0",
        repeatDistanceUnits="MM",
        fitInPolygonOnly="0",
    )
    scale = style.label_max_scale
    SUB(
        settings,
        "rendering",
        # QGIS writes its minimumScale (most zoomed out) as scaleMax, maximumScale as scaleMin.
        scaleVisibility="1" if scale else "0",
        scaleMax=f"{scale:g}" if scale else "0",
        scaleMin="0",
        obstacle="1",
        drawLabels="1",
        displayAll="0",
        upsidedownLabels="0",
        labelPerPart="0",
        mergeLines="0",
    )
    return el
