"""A printable PDF map sheet of one park or cluster (A4 landscape), drawn with reportlab.

The map is the service's own WMS, rendered in-process by MapProxy/MapServer (no HTTP:
``layers.wms.render.render_map``), in the area's VN-2000 TM-3 zone so that the scale bar is true
in metres. Only layers the user may read are drawn (``planning.access``, and MapProxy's own
authorisation hook). Text uses DejaVu Sans (Debian's fonts-dejavu-core), which has every
Vietnamese glyph. reportlab is imported by the functions that draw: it loads only when a sheet is
asked for, not with every page of the service.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from layers.catalogue import CATALOGUE
from layers.wms.render import render_map
from layers.wms.styles import STYLES
from planning import access, geo, numbers
from planning import models as m
from planning.selectors import synthetic

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
# Drawn bottom-up; staff layers only when the user may read them.
SHEET_LAYERS = (
    "admin_units",
    "industrial_areas",
    "clearance_parcels",
    "secondary_projects",
    "infrastructure_lines",
    "road_corridors",
    "infrastructure_points",
)
ATTRIBUTION = pgettext_lazy(
    "map sheet attribution",
    "Province outlines © Open Development Mekong, CC BY-SA 4.0; roads: CTU-SematX/LegoCity, "
    "CC BY-SA 4.0. District, commune, park, parcel and project data are illustrative "
    "(synthetic) — not for legal, cadastral or investment decisions.",
)
#: The credit alone, for a sheet that shows nothing invented (issue 13 §6).
CREDIT = pgettext_lazy(
    "map sheet attribution",
    "Province outlines © Open Development Mekong, CC BY-SA 4.0; roads: CTU-SematX/LegoCity, "
    "CC BY-SA 4.0.",
)


def _fonts() -> None:
    # reportlab loads only when a sheet is drawn (see the module's docstring).
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))


def sheet_layers(user) -> list[str]:
    return [n for n in SHEET_LAYERS if n in CATALOGUE and access.can_read_layer(user, CATALOGUE[n])]


def nice_length(max_m: float) -> float:
    """The largest 1, 2 or 5 × 10ⁿ metres not above ``max_m`` (scale-bar length)."""
    exp = 10 ** math.floor(math.log10(max_m))
    return max(s * exp for s in (1, 2, 5) if s * exp <= max_m)


def _fmt(value, digits: int = 1) -> str:
    """A figure as the dashboard page shows it (one rounding, the language's separators)."""
    return numbers.number(value, digits)


def key_figures(area: m.IndustrialArea, figures: dict) -> list[tuple[str, str]]:
    rows = [
        (_("Type"), figures["kind"]),
        (_("Status"), figures["status"]),
        (_("Commune / ward"), figures.get("commune") or "—"),
        (_("Province (when reported)"), figures["province"]),
        (_("Planned area (ha)"), _fmt(figures["planned_ha"])),
        (_("Area by boundary (ha)"), _fmt(figures["boundary_ha"])),
        (_("Leasable industrial land (ha)"), _fmt(figures["leasable_ha"])),
        (_("Leased (ha)"), _fmt(figures["leased_ha"])),
        (_("Occupancy"), numbers.percent(figures["occupancy"])),
        (
            _("Secondary projects"),
            f"{figures['n_projects']} ({figures['n_operating']} {_('operating')})",
        ),
        (_("Infrastructure developer"), figures.get("developer") or "—"),
    ]
    if figures.get("clearance"):
        c = figures["clearance"]
        rows.append(
            (
                _("Clearance progress"),
                "—"
                if c["progress"] is None
                else f"{numbers.percent(c['progress'])} "
                f"({_fmt(c['handed_over_ha'])}/{_fmt(c['parcel_ha'])} ha)",
            )
        )
    return rows


def area_map_sheet(
    area: m.IndustrialArea, *, user, figures: dict, today: dt.date | None = None
) -> bytes:
    """The PDF of ``area``: title, map with outline, legend, scale bar, north arrow, key figures,
    date, CRS note and attribution. ``figures`` are the area dashboard's figures.

    Raises ``layers.wms.render.MapRenderError`` if the map cannot be rendered."""
    # reportlab loads only when a sheet is drawn (see the module's docstring).
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    _fonts()
    today = today or timezone.localdate()
    srid = area.metric_srid or 9217
    page_w, page_h = landscape(A4)
    margin = 24
    map_x, map_y, map_w, map_h = margin, 62, 540, 462
    right_x = map_x + map_w + 16
    right_w = page_w - margin - right_x

    # Map extent: the area with a margin, in its TM-3 zone, at the frame's aspect ratio.
    shp = geo.transform(geo.to_shapely([area.boundary])[0], geo.STORAGE_SRID, srid)
    x0, y0, x1, y1 = shp.bounds
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w = max((x1 - x0) * 0.9, (y1 - y0) * 0.9 * map_w / map_h, 600.0)
    half_h = half_w * map_h / map_w
    bbox = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    px_w, px_h = int(map_w * 2.5), int(map_h * 2.5)
    layers = sheet_layers(user)
    png = render_map(user=user, layers=layers, bbox=bbox, srid=srid, width=px_w, height=px_h)

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(page_w, page_h))
    title = f"{area.name}"
    c.setTitle(f"{title} — {_('Map sheet')}")
    c.setAuthor("KCN Planner")
    c.setSubject(_("Map sheet of an industrial park or cluster"))

    # Title block
    c.setFont(FONT_BOLD, 17)
    c.drawString(margin, page_h - margin - 14, title)
    c.setFont(FONT, 9.5)
    sub = " · ".join(
        s for s in (figures["kind"], figures.get("commune"), figures["province"], area.code) if s
    )
    c.drawString(margin, page_h - margin - 30, sub)
    c.setFont(FONT, 9)
    date_text = f"{_('Date')}: {formats.date_format(today, 'SHORT_DATE_FORMAT')}"
    c.drawRightString(page_w - margin, page_h - margin - 14, date_text)
    c.drawRightString(page_w - margin, page_h - margin - 28, "KCN Planner")

    # Map, with the area's outline on top
    c.drawImage(ImageReader(io.BytesIO(png)), map_x, map_y, map_w, map_h)
    sx, sy = map_w / (bbox[2] - bbox[0]), map_h / (bbox[3] - bbox[1])

    def to_page(x, y):
        return map_x + (x - bbox[0]) * sx, map_y + (y - bbox[1]) * sy

    c.saveState()
    p = c.beginPath()
    p.rect(map_x, map_y, map_w, map_h)
    c.clipPath(p, stroke=0, fill=0)
    c.setStrokeColor(colors.HexColor("#d01c1c"))
    c.setLineWidth(2.2)
    for poly in getattr(shp, "geoms", [shp]):
        for ring in [poly.exterior, *poly.interiors]:
            pts = [to_page(x, y) for x, y in ring.coords]
            path = c.beginPath()
            path.moveTo(*pts[0])
            for pt in pts[1:]:
                path.lineTo(*pt)
            path.close()
            c.drawPath(path, stroke=1, fill=0)
    c.restoreState()
    c.setStrokeColor(colors.black)
    c.setLineWidth(0.8)
    c.rect(map_x, map_y, map_w, map_h, stroke=1, fill=0)

    # Scale bar (bottom left, inside the frame): metres on the ground per point on paper.
    m_per_pt = (bbox[2] - bbox[0]) / map_w
    length_m = nice_length(map_w * 0.3 * m_per_pt)
    bar_pt = length_m / m_per_pt
    bx, by = map_x + 10, map_y + 10
    c.setFillColor(colors.Color(1, 1, 1, alpha=0.85))
    c.rect(bx - 5, by - 5, bar_pt + 60, 30, stroke=0, fill=1)
    for i in range(4):
        c.setFillColor(colors.black if i % 2 == 0 else colors.white)
        c.rect(bx + i * bar_pt / 4, by, bar_pt / 4, 5, stroke=1, fill=1)
    c.setFillColor(colors.black)
    c.setFont(FONT, 7)
    c.drawString(bx, by + 8, "0")
    label = (
        f"{_fmt(length_m / 1000, 1 if length_m < 1000 else 0)} km"
        if length_m >= 1000
        else f"{int(length_m)} m"
    )
    c.drawRightString(bx + bar_pt, by + 8, label)
    scale = round(m_per_pt * 72 / 0.0254, -2)
    c.drawString(bx, by + 17, f"{_('Scale')} 1:{_fmt(scale, 0)}")

    # North arrow (top right, inside the frame): grid north of the TM-3 zone.
    nx, ny = map_x + map_w - 24, map_y + map_h - 46
    c.setFillColor(colors.Color(1, 1, 1, alpha=0.85))
    c.rect(nx - 12, ny - 6, 24, 42, stroke=0, fill=1)
    c.setFillColor(colors.black)
    arrow = c.beginPath()
    arrow.moveTo(nx, ny + 26)
    arrow.lineTo(nx - 7, ny)
    arrow.lineTo(nx, ny + 6)
    arrow.lineTo(nx + 7, ny)
    arrow.close()
    c.drawPath(arrow, stroke=1, fill=1)
    c.setFont(FONT_BOLD, 9)
    c.drawCentredString(nx, ny + 28, pgettext("compass point", "N"))

    # Right column: key figures
    y = page_h - margin - 58
    c.setFont(FONT_BOLD, 10.5)
    c.drawString(right_x, y, _("Key figures"))
    y -= 6
    c.setFont(FONT, 7.6)
    # Long names (a developer's full name) wrap onto more lines; nothing is cut.
    name_w = right_w * 0.44
    value_w = right_w - name_w - 6
    for name, value in key_figures(area, figures):
        names, values = _lines(name, FONT, 7.6, name_w), _lines(value, FONT, 7.6, value_w)
        y -= 11.2
        for k, text in enumerate(names):
            c.drawString(right_x, y - k * 9, text)
        for k, text in enumerate(values):
            c.drawRightString(right_x + right_w, y - k * 9, text)
        y -= 9 * (max(len(names), len(values)) - 1)
        c.setStrokeColor(colors.HexColor("#dddddd"))
        c.line(right_x, y - 3, right_x + right_w, y - 3)

    # Legend (two columns)
    y -= 22
    c.setFillColor(colors.black)
    c.setFont(FONT_BOLD, 10.5)
    c.drawString(right_x, y, _("Legend"))
    y -= 4
    entries = [(None, None, _("Boundary of this area"), "outline")]
    for name in layers:
        style = STYLES.get(CATALOGUE[name].default_style or name)
        if style is None:
            continue
        for cls in style.classes:
            entries.append(
                (
                    style.geometry_type,
                    cls.symbolizers,
                    str(cls.title),
                    name,
                )
            )
    col_w = right_w / 2
    # Long entries wrap onto more lines; the type shrinks (down to 5.2 pt) only if the legend
    # would otherwise run into the footer.
    for size in (6.4, 6.0, 5.6, 5.2):
        lead, pitch = size + 1.4, 10.4 * size / 6.4  # between lines of an entry; between entries
        wrapped = [_lines(text, FONT, size, col_w - 22) for _g, _s, text, _layer in entries]
        heights = [lead * (len(lines) - 1) + pitch for lines in wrapped]
        split = _balanced_split(heights)
        last_baseline = y - 10 - max(sum(heights[:split]), sum(heights[split:])) + pitch
        if last_baseline >= map_y + 2:
            break
    c.setFont(FONT, size)
    tops = [0.0, 0.0]
    for i, ((geom, syms, _text, _layer), lines) in enumerate(zip(entries, wrapped, strict=True)):
        col = 0 if i < split else 1
        ex, ey = right_x + col * col_w, y - 10 - tops[col]
        tops[col] += heights[i]
        _swatch(c, colors, ex, ey, geom, syms)
        c.setFillColor(colors.black)
        for k, line in enumerate(lines):
            c.drawString(ex + 19, ey - k * lead, line)

    # Footer: CRS note, attribution
    c.setFillColor(colors.black)
    c.setFont(FONT, 7)
    crs = _(
        "Coordinate system: VN-2000 / TM-3 zone of the area (EPSG:%(srid)s), transformation "
        "EPSG:6960; north arrow shows grid north."
    ) % {"srid": srid}
    c.drawString(margin, 48, crs)
    c.drawString(
        margin, 39, _("Map: KCN Planner WMS (layers: %(layers)s).") % {"layers": ", ".join(layers)}
    )
    shown = ATTRIBUTION if synthetic.area_shows_synthetic(area) else CREDIT
    _wrapped(c, str(shown), margin, 30, page_w - 2 * margin, 6.6)
    c.showPage()
    c.save()
    return buf.getvalue()


def _lines(text, font: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines of at most ``width`` points (words kept whole when they fit)."""
    # reportlab loads only when a sheet is drawn (see the module's docstring).
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, line = [], ""
    for word in str(text).split():
        while stringWidth(word, font, size) > width and len(word) > 1:  # longer than a line
            cut = len(word) - 1
            while cut > 1 and stringWidth(word[:cut], font, size) > width:
                cut -= 1
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut])
            word = word[cut:]
        trial = f"{line} {word}".strip()
        if line and stringWidth(trial, font, size) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    if line or not lines:
        lines.append(line)
    return lines


def _balanced_split(heights: list[float]) -> int:
    """Where to start the second column so that the two are as even as possible."""
    total, best, best_at, run = sum(heights), float("inf"), len(heights), 0.0
    for i in range(len(heights) + 1):
        tallest = max(run, total - run)
        if tallest < best:
            best, best_at = tallest, i
        if i < len(heights):
            run += heights[i]
    return best_at


def _wrapped(c, text: str, x: float, y: float, width: float, size: float) -> None:
    c.setFont(FONT, size)
    for line in _lines(text, FONT, size, width):
        c.drawString(x, y, line)
        y -= size + 2


def _swatch(c, colors, x: float, y: float, geom, symbolizers) -> None:
    """A 16×8 pt legend swatch from a WMS class's symbolizers (or the area outline)."""
    c.saveState()
    if geom is None:
        c.setStrokeColor(colors.HexColor("#d01c1c"))
        c.setLineWidth(1.6)
        c.rect(x, y - 1, 16, 8, stroke=1, fill=0)
        c.restoreState()
        return
    for s in symbolizers:
        if s.outline:
            c.setStrokeColor(colors.HexColor(s.outline))
            c.setLineWidth(min(s.width, 3) * 0.6)
            c.setDash(*([[v * 0.6 for v in s.pattern]] if s.pattern else [[]]))
        if s.fill:
            c.setFillColor(colors.HexColor(s.fill), alpha=s.opacity / 100)
        if geom == "LINE":
            if s.outline:
                c.line(x, y + 3, x + 16, y + 3)
        elif geom == "POINT":
            r = min(s.size, 10) / 2.5
            c.circle(x + 8, y + 3, r, stroke=1 if s.outline else 0, fill=1 if s.fill else 0)
        else:
            c.rect(x, y - 1, 16, 8, stroke=1 if s.outline else 0, fill=1 if s.fill else 0)
    c.restoreState()
