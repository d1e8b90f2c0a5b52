"""Industrial areas as the analyses' plain records (``AreaRecord``) with the units they are
reported under; shapes in a metric CRS."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from django.contrib.gis.db.models.functions import AsWKB, PointOnSurface
from django.contrib.gis.geos import Polygon
from django.db.models import Exists, F, OuterRef, QuerySet

from planning import geo
from planning import models as m
from planning.analysis.records import AreaRecord
from planning.selectors.admin_units import AREA_LEVELS, UnitLocator, UnitRef


def areas_in(province: m.AdminUnit | None = None, *, include_revoked: bool = True) -> QuerySet:
    """Industrial areas that intersect ``province`` (all areas when None), in code order."""
    qs = m.IndustrialArea.objects.select_related("developer", "admin_unit").order_by("code")
    if province is not None:
        qs = qs.filter(boundary__intersects=province.boundary)
    if not include_revoked:
        qs = qs.exclude(status=m.IndustrialArea.Status.REVOKED)
    return qs


# The columns of an area that area_rows and the efficiency report read (AreaFields).
AREA_FIELDS = (
    "id",
    "code",
    "name",
    "kind",
    "status",
    "admin_unit_id",
    "province_name_reported",
    "developer_id",
    "metric_srid",
    "established_on",
    "planned_area_ha",
    "industrial_land_ha",
    "leased_land_ha",
    "green_land_ha",
    "shared_infra_land_ha",
    "total_investment_bn_vnd",
    "is_mountainous",
    "is_craft_village",
    "isolation_strip_m",
    "wwtp_operating",
    "eco_criteria_met",
    "power_done_pct",
    "water_done_pct",
    "wastewater_done_pct",
    "roads_done_pct",
)


class AreaFields:
    """An industrial area's columns of :data:`AREA_FIELDS` as plain attributes, read with
    ``values()``:
    what :func:`area_rows` and the efficiency report use of a model instance, without building
    one (model instances cost more than the report's arithmetic at 500 areas). ``developer``
    is ``None`` or an object with the developer's ``kind``, as on the model."""

    def __init__(self, values: dict):
        kind = values.pop("developer_kind", None)
        self.__dict__.update(values)
        self.pk = values["id"]
        self.developer = _DeveloperKind(kind) if values.get("developer_id") is not None else None


class _DeveloperKind:
    __slots__ = ("kind",)

    def __init__(self, kind: str | None):
        self.kind = kind


def areas_with_points(province: m.AdminUnit | None = None) -> tuple[list[AreaFields], np.ndarray]:
    """:func:`areas_in` as :class:`AreaFields` (the columns of :data:`AREA_FIELDS`, and
    ``transferred``:
    whether a developer transfer is recorded), with a point on each boundary's surface computed
    by the database (shapely, EPSG:4326) — enough for :func:`area_rows` without geometry, at a
    fraction of the cost of reading every boundary."""
    rows = list(
        areas_in(province)
        .select_related(None)
        .values(
            *AREA_FIELDS,
            developer_kind=F("developer__kind"),
            surface_point_wkb=AsWKB(PointOnSurface("boundary")),
            transferred=Exists(m.DeveloperTransfer.objects.filter(area=OuterRef("pk"))),
        )
    )
    wkb = [r.pop("surface_point_wkb") for r in rows]
    points = (
        shapely.from_wkb([None if w is None else bytes(w) for w in wkb])
        if rows
        else np.empty(0, object)
    )
    return [AreaFields(r) for r in rows], np.asarray(points, dtype=object).reshape(-1)


# --------------------------------------------------------------------------------------------
# Plain records for the pure analyses
# --------------------------------------------------------------------------------------------
def _f(value) -> float | None:
    return None if value is None else float(value)


def _enterprise_shares(criteria: dict) -> dict[str, float]:
    """Enterprise shares from ``IndustrialArea.eco_criteria_met`` (percent keys or 0–1 shares)."""
    out = {}
    for pct_key, share_key in (
        ("recp_awareness_pct", "recp_aware_share"),
        ("recp_applied_pct", "recp_applying_share"),
        ("symbiosis_participation_pct", "symbiosis_participation_share"),
    ):
        if criteria.get(share_key) is not None:
            out[share_key] = float(criteria[share_key])
        elif criteria.get(pct_key) is not None:
            out[share_key] = float(criteria[pct_key]) / 100.0
    return out


@dataclass
class AreaRow:
    """An area with its record for the analyses and the units it is reported under."""

    area: m.IndustrialArea
    record: AreaRecord
    units: dict[str, UnitRef | None]


def area_rows(
    areas: Iterable[m.IndustrialArea],
    *,
    locator: UnitLocator,
    metric_srid: int | None = None,
    with_geometry: bool = False,
    transferred_ids: set | None = None,
    leased_override: dict | None = None,
    points=None,
) -> list[AreaRow]:
    """AreaRecords (id = area code) with units by level; geometry in ``metric_srid`` (or each
    area's own TM-3 zone) when ``with_geometry``. ``points``: the areas' points on surface when
    already known (see :func:`areas_with_points`); the boundaries are then read only for
    ``with_geometry``."""
    areas = list(areas)
    if transferred_ids is None and areas and isinstance(areas[0], AreaFields):
        transferred_ids = {a.pk for a in areas if a.transferred}
    if transferred_ids is None:
        transferred_ids = set(
            m.DeveloperTransfer.objects.filter(area__in=[a.pk for a in areas]).values_list(
                "area_id", flat=True
            )
        )
    if points is None or with_geometry:
        shapes = geo.to_shapely(a.boundary for a in areas)
    else:
        shapes = [None] * len(areas)
    if points is None:
        points = shapely.point_on_surface(shapes) if len(shapes) else []
    located = locator.locate_many(points) if len(areas) else []
    out = []
    for a, shp, units in zip(areas, shapes, located, strict=False):
        if (
            a.admin_unit_id in locator.by_id
            and locator.by_id[a.admin_unit_id].level == "commune"
            and units["commune"] is None
        ):
            units["commune"] = locator.by_id[a.admin_unit_id]
        keys = {level: units[level].code for level in AREA_LEVELS if units.get(level) is not None}
        province = a.province_name_reported or (units["province"].name if units["province"] else "")
        eco = a.eco_criteria_met or {}
        geom = None
        if with_geometry:
            geom = geo.transform(shp, geo.STORAGE_SRID, metric_srid or a.metric_srid)
        leased = float(a.leased_land_ha)
        if leased_override is not None:
            leased = leased_override.get(a.pk, leased)
        record = AreaRecord(
            id=a.code,
            kind=a.kind,
            status=a.status,
            name=a.name,
            province=province,
            units=keys,
            planned_ha=float(a.planned_area_ha),
            leasable_ha=float(a.industrial_land_ha),
            leased_ha=min(leased, float(a.industrial_land_ha)),
            green_ha=float(a.green_land_ha),
            shared_infra_ha=float(a.shared_infra_land_ha),
            developer_id=a.developer_id,
            developer_kind=a.developer.kind if a.developer_id else None,
            transferred=a.pk in transferred_ids,
            total_investment_bn_vnd=_f(a.total_investment_bn_vnd),
            is_mountainous=a.is_mountainous,
            is_craft_village=a.is_craft_village,
            isolation_strip_m=a.isolation_strip_m,
            wwtp_operating=a.wwtp_operating,
            symbiosis_links=eco.get("symbiosis_links"),
            power_done_pct=a.power_done_pct,
            water_done_pct=a.water_done_pct,
            wastewater_done_pct=a.wastewater_done_pct,
            roads_done_pct=a.roads_done_pct,
            enterprise_shares=_enterprise_shares(eco),
            geometry=geom,
        )
        out.append(AreaRow(a, record, units))
    return out


def metric_shapes(geoms: Iterable, srid: int) -> list:
    return [geo.transform(g, geo.STORAGE_SRID, srid) for g in geo.to_shapely(geoms)]


def areas_extent(areas: Iterable[m.IndustrialArea]) -> Polygon:
    """The bounding box of the areas' boundaries (EPSG:4326)."""
    xs0, ys0, xs1, ys1 = zip(*(a.boundary.extent for a in areas), strict=True)
    return Polygon.from_bbox((min(xs0), min(ys0), max(xs1), max(ys1)))
