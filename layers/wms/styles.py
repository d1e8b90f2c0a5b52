"""Map styles as data: one list of classes per published layer.

Class titles are lazy gettext strings (English msgid, context "map legend"): the map page and
the PDF map sheet show them in the request's language (``title``, or ``title_vi`` /
``title_en``). MapServer's own legend (GetLegendGraphic) is different: the mapfile is written
once per process and shared by every user and by the tile cache, so its CLASS names are the
service's language, Vietnamese (``title_vi``), whatever a request's Accept-Language says.

Colours follow what Vietnamese planning maps use: industrial land violet, clusters orange,
clearance from red (not started) to green (handed over), roads dark when built, dashed while
under construction, dotted when only planned.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Symbolizer:
    fill: str | None = None  # "#rrggbb"
    opacity: int = 100  # fill opacity, %
    outline: str | None = None
    width: float = 1.0
    pattern: tuple[int, ...] = ()  # dash pattern in pixels
    symbol: str | None = None  # "circle", "square", "triangle" for points
    size: float = 8
    hatch: bool = False


@dataclass(frozen=True)
class StyleClass:
    title: str  # lazy: English msgid, translated where it is shown
    expression: str | None  # MapServer expression; None = everything else
    symbolizers: tuple[Symbolizer, ...]
    labelled: bool = True  # draw the layer's label on this class's features

    @property
    def title_vi(self) -> str:
        with translation.override("vi"):
            return str(self.title)

    @property
    def title_en(self) -> str:
        with translation.override("en"):
            return str(self.title)


@dataclass(frozen=True)
class LayerStyle:
    geometry_type: str  # POLYGON, LINE, POINT
    classes: tuple[StyleClass, ...]
    label_item: str | None = None
    label_max_scale: float | None = None  # show labels at 1:N and larger scales
    label_color: str = "#222222"
    min_scale: float | None = None  # hide when zoomed in further than 1:N
    max_scale: float | None = None  # hide when zoomed out beyond 1:N
    where: str | None = None  # static SQL predicate on the layer's table
    extra_fields: tuple[str, ...] = field(default_factory=tuple)  # needed by expressions


def _eq(item: str, value: str) -> str:
    return f'("[{item}]" = "{value}")'


AREA_STATUSES = {
    "operating": pgettext_lazy("map legend, industrial area", "Operating"),
    "building": pgettext_lazy("map legend, industrial area", "Building"),
    "clearing": pgettext_lazy("map legend, industrial area", "Clearing"),
    "established": pgettext_lazy("map legend, industrial area", "Established"),
    "planned": pgettext_lazy("map legend, industrial area", "Planned"),
    "revoked": pgettext_lazy("map legend", "Revoked"),
}


def _area_classes() -> tuple[StyleClass, ...]:
    colours = {"KCN": "#7b3fa0", "CCN": "#e67e22"}
    classes = []
    for kind, colour in colours.items():
        for status, title in AREA_STATUSES.items():
            if status == "revoked":
                continue
            if status == "operating":
                sym = Symbolizer(fill=colour, opacity=60, outline=colour, width=1.5)
            elif status in ("building", "clearing", "established"):
                sym = Symbolizer(fill=colour, opacity=30, outline=colour, width=1.5, hatch=True)
            else:
                sym = Symbolizer(outline=colour, width=1.5, pattern=(6, 4))
            classes.append(
                StyleClass(
                    format_lazy("{} — {}", kind, title),
                    f"({_eq('kind', kind)} AND {_eq('status', status)})",
                    (sym,),
                )
            )
    classes.append(
        StyleClass(
            pgettext_lazy("map legend", "Revoked"),
            _eq("status", "revoked"),
            (Symbolizer(fill="#9e9e9e", opacity=30, outline="#616161", pattern=(2, 3)),),
        )
    )
    return tuple(classes)


STYLES: dict[str, LayerStyle] = {
    "admin_units": LayerStyle(
        geometry_type="POLYGON",
        classes=(
            StyleClass(
                pgettext_lazy("map legend", "Province"),
                _eq("level", "province"),
                (Symbolizer(outline="#37474f", width=2.2),),
            ),
            StyleClass(
                pgettext_lazy("map legend", "District (before 1 July 2025)"),
                _eq("level", "district"),
                (Symbolizer(outline="#78909c", width=1.2, pattern=(8, 3, 2, 3)),),
            ),
            StyleClass(
                pgettext_lazy("map legend", "Commune / ward"),
                _eq("level", "commune"),
                (Symbolizer(outline="#b0bec5", width=0.6, pattern=(3, 3)),),
            ),
        ),
        label_item="name",
        label_max_scale=150_000,
        label_color="#455a64",
        # Today's units, plus the pre-2025 districts that plans and Decree 32 still refer to.
        where='"valid_to" IS NULL OR "level" = \'district\'',
        extra_fields=("level",),
    ),
    "industrial_areas": LayerStyle(
        geometry_type="POLYGON",
        classes=_area_classes(),
        label_item="name",
        label_max_scale=250_000,
        extra_fields=("kind", "status"),
    ),
    "clearance_parcels": LayerStyle(
        geometry_type="POLYGON",
        classes=tuple(
            StyleClass(
                title,
                _eq("status", s),
                (Symbolizer(fill=c, opacity=70, outline="#5d4037", width=0.4),),
            )
            for s, title, c in (
                ("not_started", pgettext_lazy("map legend", "Not started"), "#d32f2f"),
                ("inventoried", pgettext_lazy("map legend", "Inventoried"), "#f57c00"),
                ("plan_approved", pgettext_lazy("map legend", "Plan approved"), "#fbc02d"),
                ("compensated", pgettext_lazy("map legend", "Compensated"), "#9ccc65"),
                ("handed_over", pgettext_lazy("map legend", "Handed over"), "#388e3c"),
            )
        ),
        label_item="parcel_no",
        label_max_scale=5_000,
        max_scale=100_000,
        extra_fields=("status",),
    ),
    "road_corridors": LayerStyle(
        geometry_type="LINE",
        classes=(
            StyleClass(
                pgettext_lazy("map legend", "Built — expressway, national"),
                f"({_eq('status', 'invested')} AND ({_eq('road_class', 'national')} OR "
                f"{_eq('road_class', 'expressway')}))",
                (Symbolizer(outline="#b71c1c", width=3.5),),
            ),
            StyleClass(
                pgettext_lazy("map legend", "Built — provincial, local"),
                _eq("status", "invested"),
                (Symbolizer(outline="#5d4037", width=2.0),),
            ),
            StyleClass(
                pgettext_lazy("map legend", "Under construction"),
                _eq("status", "under_construction"),
                (Symbolizer(outline="#ef6c00", width=3.0, pattern=(10, 5)),),
            ),
            StyleClass(
                pgettext_lazy("map legend", "Planned"),
                _eq("status", "planned"),
                (Symbolizer(outline="#757575", width=2.0, pattern=(2, 4)),),
            ),
        ),
        label_item="name",
        label_max_scale=300_000,
        label_color="#4e342e",
        extra_fields=("status", "road_class"),
    ),
    "infrastructure_lines": LayerStyle(
        geometry_type="LINE",
        classes=(
            StyleClass(
                pgettext_lazy("map legend", "High-voltage power"),
                _eq("kind", "power_hv"),
                (Symbolizer(outline="#c2185b", width=2.0, pattern=(12, 3, 2, 3)),),
            ),
            StyleClass(
                pgettext_lazy("map legend", "Medium-voltage power"),
                _eq("kind", "power_mv"),
                (Symbolizer(outline="#f06292", width=1.2, pattern=(6, 3)),),
            ),
            StyleClass(
                pgettext_lazy("map legend", "Water supply"),
                _eq("kind", "water"),
                (Symbolizer(outline="#1565c0", width=1.6),),
            ),
            StyleClass(
                pgettext_lazy("map legend", "Drainage"),
                _eq("kind", "drainage"),
                (Symbolizer(outline="#4dd0e1", width=1.2),),
            ),
        ),
        extra_fields=("kind",),
    ),
    "infrastructure_points": LayerStyle(
        geometry_type="POINT",
        classes=(
            StyleClass(
                pgettext_lazy("map legend", "Substation"),
                _eq("kind", "substation"),
                (Symbolizer(fill="#c2185b", outline="#ffffff", symbol="square", size=9),),
            ),
            StyleClass(
                pgettext_lazy("map legend", "Water plant"),
                _eq("kind", "water_plant"),
                (Symbolizer(fill="#1565c0", outline="#ffffff", symbol="circle", size=9),),
            ),
            StyleClass(
                pgettext_lazy("map legend", "Wastewater plant"),
                _eq("kind", "wwtp"),
                (Symbolizer(fill="#2e7d32", outline="#ffffff", symbol="triangle", size=10),),
            ),
            StyleClass(
                pgettext_lazy("map legend", "Port"),
                _eq("kind", "port"),
                (Symbolizer(fill="#263238", outline="#ffffff", symbol="circle", size=12),),
            ),
        ),
        label_item="name",
        label_max_scale=100_000,
        extra_fields=("kind",),
    ),
    "secondary_projects": LayerStyle(
        geometry_type="POLYGON",
        classes=tuple(
            StyleClass(
                title,
                _eq("status", s),
                (Symbolizer(fill=c, opacity=75, outline="#37474f", width=0.5),),
            )
            for s, title, c in (
                ("operating", pgettext_lazy("map legend", "Operating"), "#5e35b1"),
                ("building", pgettext_lazy("map legend", "Building"), "#9575cd"),
                ("registered", pgettext_lazy("map legend", "Registered"), "#d1c4e9"),
                ("stalled", pgettext_lazy("map legend", "Stalled"), "#e53935"),
                ("revoked", pgettext_lazy("map legend", "Revoked"), "#9e9e9e"),
            )
        ),
        label_item="name",
        label_max_scale=7_500,
        max_scale=200_000,
        extra_fields=("status",),
    ),
    "proposals": LayerStyle(
        geometry_type="POLYGON",
        classes=(
            # Not labelled: the planned area it became carries the name (industrial_areas).
            StyleClass(
                pgettext_lazy("map legend", "Approved proposal"),
                _eq("status", "approved"),
                (Symbolizer(fill="#0277bd", opacity=25, outline="#01579b", width=2.0),),
                labelled=False,
            ),
            StyleClass(
                pgettext_lazy("map legend", "Rejected / withdrawn"),
                f"({_eq('status', 'rejected')} OR {_eq('status', 'withdrawn')})",
                (Symbolizer(outline="#9e9e9e", width=1.2, pattern=(4, 4)),),
            ),
            StyleClass(
                pgettext_lazy("map legend", "Proposal in progress"),
                None,
                (
                    Symbolizer(
                        fill="#29b6f6",
                        opacity=20,
                        outline="#0288d1",
                        width=2.0,
                        pattern=(8, 4),
                        hatch=True,
                    ),
                ),
            ),
        ),
        label_item="name",
        label_max_scale=250_000,
        extra_fields=("status",),
        # Drafts are private to their unit (planning.access.readable_rows); tiles are shared.
        where="\"status\" <> 'draft'",
    ),
    # issue 13 plan: planned parks and clusters not yet established, dashed (planning.PlannedSite:
    # the same filter as its manager).
    "plan_entries": LayerStyle(
        geometry_type="POLYGON",
        classes=(
            StyleClass(
                pgettext_lazy("map legend", "KCN in the provincial plan, not yet established"),
                _eq("kind", "KCN"),
                (Symbolizer(outline="#7b3fa0", width=2.0, pattern=(10, 6)),),
            ),
            StyleClass(
                pgettext_lazy("map legend", "CCN in the provincial plan, not yet established"),
                _eq("kind", "CCN"),
                (Symbolizer(outline="#e67e22", width=2.0, pattern=(10, 6)),),
            ),
        ),
        label_item="name",
        label_max_scale=250_000,
        extra_fields=("kind",),
        where=(
            '"geometry" IS NOT NULL AND "removed_by_id" IS NULL AND ("area_id" IS NULL OR '
            '"area_id" IN (SELECT "id" FROM "planning_industrialarea" '
            "WHERE \"status\" IN ('planned', 'revoked')))"
        ),
    ),
    # Analysis results: only the latest run per province and kind is drawn ("is_current").
    "suggested_sites": LayerStyle(
        geometry_type="POLYGON",
        classes=tuple(
            StyleClass(title, expr, (Symbolizer(fill=c, opacity=55, outline="#1b5e20", width=1.6),))
            for title, expr, c in (
                (pgettext_lazy("map legend", "Score ≥ 0.9"), "([score] >= 0.9)", "#1b7837"),
                (pgettext_lazy("map legend", "Score 0.8–0.9"), "([score] >= 0.8)", "#5aae61"),
                (pgettext_lazy("map legend", "Score 0.7–0.8"), "([score] >= 0.7)", "#a6dba0"),
                (pgettext_lazy("map legend", "Score < 0.7"), None, "#fee08b"),
            )
        ),
        label_item="rank",
        label_max_scale=250_000,
        label_color="#1b5e20",
        where='"is_current"',
        extra_fields=("score",),
    ),
    "infrastructure_connectors": LayerStyle(
        geometry_type="LINE",
        classes=(
            StyleClass(
                pgettext_lazy("map legend", "Road connector"),
                _eq("network", "road"),
                (Symbolizer(outline="#6d4c41", width=2.0, pattern=(6, 4)),),
            ),
            StyleClass(
                pgettext_lazy("map legend", "Power connector"),
                _eq("network", "power"),
                (Symbolizer(outline="#c2185b", width=2.0, pattern=(6, 4)),),
            ),
            StyleClass(
                pgettext_lazy("map legend", "Water connector"),
                _eq("network", "water"),
                (Symbolizer(outline="#1565c0", width=2.0, pattern=(6, 4)),),
            ),
        ),
        where='"is_current"',
        extra_fields=("network",),
    ),
    # issue 13 roads — expressway interchanges
    "road_interchanges": LayerStyle(
        geometry_type="POINT",
        classes=(
            StyleClass(
                pgettext_lazy("map legend", "Interchange, built"),
                _eq("status", "invested"),
                (Symbolizer(fill="#b71c1c", outline="#ffffff", symbol="circle", size=10),),
            ),
            StyleClass(
                pgettext_lazy("map legend", "Interchange, under construction or planned"),
                None,
                (
                    Symbolizer(
                        fill="#ffffff", outline="#b71c1c", width=2.0, symbol="circle", size=10
                    ),
                ),
            ),
        ),
        label_item="name",
        label_max_scale=150_000,
        label_color="#b71c1c",
        extra_fields=("status",),
    ),
}
