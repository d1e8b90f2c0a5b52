"""Reads for the analyses: provinces, scopes, rasters, input versions and plain records.

Selectors return querysets or plain data (the analyses' frozen records); geometry conversion
goes through :mod:`planning.geo` (pyproj, EPSG:6960), so both backends give the same figures.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.db.models.functions import AsWKB, PointOnSurface
from django.contrib.gis.geos import Polygon
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from planning import geo
from planning import models as m
from planning.analysis.efficiency import ClearanceTotals, ProjectTotals
from planning.analysis.records import (
    ActualRecord,
    AreaRecord,
    DeveloperRecord,
    NetworkFeature,
    ParcelRecord,
    ProjectRecord,
    RoadRecord,
    TargetRecord,
)
from planning.services.errors import MissingInputs, UnknownProvince

# Region of each legacy province for the Decree 35 Art. 9 rice-phasing threshold (DOMAIN §1.4).
# Keys are official province codes; provinces not listed fall back to "other" (NOT CONFIRMED).
REGION_BY_PROVINCE_CODE = {
    "52": "central_coast",  # Bình Định
    "94": "mekong",  # Sóc Trăng
    "92": "mekong",  # Cần Thơ (legacy)
    "93": "mekong",  # Hậu Giang
    "33": "mekong",  # Cần Thơ (from 1 July 2025)
}
RASTER_KINDS = ("dem", "landcover", "flood", "population")
AREA_LEVELS = ("commune", "district", "province")


# --------------------------------------------------------------------------------------------
# Provinces and scope
# --------------------------------------------------------------------------------------------
def _fold(text: str) -> str:
    """Lower-case, without Vietnamese diacritics (đ → d), single spaces: 'Bình  Định' → 'binh dinh'."""
    text = unicodedata.normalize("NFD", str(text).replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(text.lower().split())


def province_resolve(value) -> m.AdminUnit:
    """The province named or coded ``value`` ("Bình Định", "binh dinh", "52", or an AdminUnit).

    When a name matches several units (Gia Lai before and after the 2025 merger), the one with
    registered rasters wins, then the one valid today.
    """
    if isinstance(value, m.AdminUnit):
        if value.level != m.AdminUnit.Level.PROVINCE:
            raise UnknownProvince(f"{value.name} is a {value.level}, not a province")
        return value
    text = str(value or "").strip()
    provinces = list(m.AdminUnit.objects.filter(level=m.AdminUnit.Level.PROVINCE).order_by("pk"))
    if not text:
        raise UnknownProvince(
            "a province is required", details={"known": [p.name for p in provinces]}
        )
    matches = [p for p in provinces if p.code == text] or [
        p
        for p in provinces
        if _fold(p.name) in (_fold(text), _fold(text).removeprefix("tinh ").strip())
    ]
    if not matches:
        known = sorted({f"{p.name} ({p.code})" for p in provinces})
        raise UnknownProvince(
            f"unknown province {text!r}; known provinces: {', '.join(known)}",
            details={"known": known},
        )
    if len(matches) > 1:
        with_rasters = [p for p in matches if raster_layers_available(p)]
        today = timezone.localdate()
        current = [p for p in (with_rasters or matches) if p.is_valid_on(today)]
        matches = current or with_rasters or matches
    return matches[0]


def province_region(province: m.AdminUnit) -> str:
    return getattr(settings, "PLANNING_REGION_BY_PROVINCE", REGION_BY_PROVINCE_CODE).get(
        province.code, "other"
    )


def expanded_envelope(geom, margin_deg: float = 0.05) -> Polygon:
    x0, y0, x1, y1 = geom.extent
    return Polygon.from_bbox((x0 - margin_deg, y0 - margin_deg, x1 + margin_deg, y1 + margin_deg))


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
    """An industrial area's columns of :data:`AREA_FIELDS` as plain attributes, read with ``values()``:
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
    """:func:`areas_in` as :class:`AreaFields` (the columns of :data:`AREA_FIELDS`, and ``transferred``:
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


def has_mountainous_units(province: m.AdminUnit) -> bool:
    return (
        m.AdminUnit.objects.filter(
            is_mountainous=True, boundary__intersects=province.boundary
        ).exists()
        or province.is_mountainous
    )


# --------------------------------------------------------------------------------------------
# Rasters
# --------------------------------------------------------------------------------------------
def raster_layers_available(province: m.AdminUnit) -> dict[float, dict[str, m.RasterLayer]]:
    """Complete raster sets (all four kinds) of a province, by resolution in metres."""
    by_res: dict[float, dict[str, m.RasterLayer]] = {}
    for layer in m.RasterLayer.objects.filter(name__contains=f":{province.code}:"):
        parts = layer.name.split(":")
        if len(parts) == 3 and parts[1] == province.code:
            by_res.setdefault(float(layer.resolution_m), {})[layer.kind] = layer
    return {res: kinds for res, kinds in by_res.items() if set(RASTER_KINDS) <= set(kinds)}


def _predecessors_with_rasters(
    province: m.AdminUnit,
) -> tuple[list[m.AdminUnit], list[m.AdminUnit]]:
    """The provinces ``province`` was formed from (1 July 2025), and those of them with rasters."""
    before = [
        link.predecessor
        for link in m.AdminUnitSuccession.objects.filter(successor=province)
        .select_related("predecessor")
        .order_by("predecessor__code")
        if link.predecessor.level == "province"
    ]
    return before, [p for p in before if raster_layers_available(p)]


def raster_stand_in(province: m.AdminUnit) -> tuple[m.AdminUnit, str | None]:
    """The province whose rasters an analysis of ``province`` reads, and a note when it is not
    ``province`` itself: a province formed on 1 July 2025 without rasters of its own reads those of
    its one predecessor that has them (Gia Lai: Bình Định's; Cần Thơ: Sóc Trăng's) — the analysis
    then covers that part of it only, and the note says so. Otherwise ``province``, no note (a
    missing raster is reported by :func:`raster_layers_for`)."""
    if raster_layers_available(province):
        return province, None
    before, with_rasters = _predecessors_with_rasters(province)
    if len(with_rasters) != 1:
        return province, None
    stand_in = with_rasters[0]
    others = [p.name for p in before if p.pk != stand_in.pk]
    rest = (
        f"; phần thuộc {', '.join(others)} cũ chưa có raster nên chưa được xét"
        if others
        else "; phần còn lại chưa có raster nên chưa được xét"
    )
    return stand_in, (
        f"{province.name} (từ {province.valid_from:%d/%m/%Y}) chưa có raster riêng: phân tích trên "
        f"phần là tỉnh {stand_in.name} trước 1/7/2025, nơi có raster{rest}."
    )


def raster_layers_for(
    province: m.AdminUnit, resolution_m: float | None = None, *, kinds: Sequence[str] = RASTER_KINDS
) -> dict[str, m.RasterLayer]:
    """The registered rasters of ``province`` at ``resolution_m`` (default: the finest set)."""
    available = raster_layers_available(province)
    if not available:
        _before, with_rasters = _predecessors_with_rasters(province)
        if with_rasters:
            names = ", ".join(f"{p.name} ({p.code})" for p in with_rasters)
            raise MissingInputs(
                f"{province.name} (từ {province.valid_from:%d/%m/%Y}) chưa có raster riêng; các tỉnh trước đó có "
                f"raster: hãy chạy phân tích cho {names}. / No rasters are registered for {province.name} "
                f"(since {province.valid_from:%d/%m/%Y}); its predecessor provinces have them: run the analysis "
                f"for {names} (`manage.py build_rasters` builds the demo rasters of the provinces before "
                "1 July 2025)."
            )
        raise MissingInputs(
            f"{province.name} chưa có raster (địa hình, lớp phủ, ngập, dân số): quản trị viên chạy "
            f"`manage.py build_rasters`. / No rasters are registered for {province.name}; run "
            "`manage.py build_rasters` first."
        )
    if resolution_m is None:
        resolution_m = min(available)
    if float(resolution_m) not in available:
        sizes = ", ".join(f"{r:g} m" for r in sorted(available))
        raise MissingInputs(
            f"{province.name} không có raster {resolution_m:g} m; hiện có: {sizes}. / "
            f"No {resolution_m:g} m rasters for {province.name}; available: {sizes}."
        )
    layers = available[float(resolution_m)]
    return {k: layers[k] for k in kinds}


def raster_path(layer: m.RasterLayer):
    from planning.services.rasters import raster_dir

    path = raster_dir() / layer.path
    if not path.exists():
        raise MissingInputs(
            f"Thiếu tệp raster {path} của {layer.name}: quản trị viên chạy `manage.py build_rasters "
            f"--force`. / Raster file {path} of {layer.name} is missing; run "
            "`manage.py build_rasters --force`."
        )
    return path


# --------------------------------------------------------------------------------------------
# Versions of the inputs
# --------------------------------------------------------------------------------------------
def _iso(value):
    return value.isoformat() if value is not None else None


def table_version(model) -> dict:
    """Row count, highest id and the last recorded change of a table."""
    return table_versions([model])[model._meta.label]


def table_versions(models: Iterable, *, counts: dict | None = None) -> dict[str, dict]:
    """:func:`table_version` of several tables in one SQL statement (one round trip).
    ``counts``: row counts already known (model label -> count, read in the same run), not
    counted again."""
    counts = counts or {}
    models = list(models)
    if not models:
        return {}
    from django.db import connection

    q = connection.ops.quote_name
    parts = []
    for model in models:
        table, pk = q(model._meta.db_table), q(model._meta.pk.column)
        changes = []
        history = getattr(model, "history", None)
        if history is not None:
            changes.append(
                f"(SELECT MAX({q('history_date')}) FROM {q(history.model._meta.db_table)})"
            )
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            changes.append(f"(SELECT MAX({q('updated_at')}) FROM {table})")
        # A typed NULL: PostgreSQL resolves UNION column types from the first branch.
        changes += [
            "CAST(NULL AS TIMESTAMP WITH TIME ZONE)"
            if connection.vendor == "postgresql"
            else "NULL"
        ] * (2 - len(changes))
        known = counts.get(model._meta.label)
        count = f"(SELECT COUNT(*) FROM {table})" if known is None else str(int(known))
        parts.append(f"SELECT {count}, (SELECT MAX({pk}) FROM {table}), {changes[0]}, {changes[1]}")
    with connection.cursor() as cur:
        cur.execute(" UNION ALL ".join(parts))
        rows = cur.fetchall()
    out = {}
    for model, (count, max_id, change_a, change_b) in zip(models, rows):
        changes = [_as_datetime(c) for c in (change_a, change_b) if c is not None]
        out[model._meta.label] = {
            "count": count,
            "max_id": max_id,
            "last_change": _iso(max(changes)) if changes else None,
        }
    return out


def _as_datetime(value):
    """SQLite returns timestamps as text; PostgreSQL as aware datetimes."""
    import datetime as dt

    from django.utils import timezone

    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def input_versions(
    models: Iterable = (), *, rasters: Iterable[m.RasterLayer] = (), counts: dict | None = None
) -> dict:
    """What a run read: the latest dataset loads, table versions and raster checksums.
    ``counts``: row counts the run already read (see :func:`table_versions`)."""
    loads = {}
    for load in m.DatasetLoad.objects.order_by("name", "-loaded_at"):
        loads.setdefault(load.name, {"checksum": load.checksum, "loaded_at": _iso(load.loaded_at)})
    return {
        "dataset_loads": loads,
        "tables": table_versions(models, counts=counts),
        "rasters": {
            r.name: {
                "checksum": r.checksum,
                "path": r.path,
                "srid": r.srid,
                "resolution_m": r.resolution_m,
            }
            for r in rasters
        },
    }


# --------------------------------------------------------------------------------------------
# Which unit a place falls in
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UnitRef:
    id: int
    code: str
    name: str
    level: str
    valid_from: dt.date
    valid_to: dt.date | None
    is_mountainous: bool
    zone_srid: int

    def to_dict(self) -> dict:
        return {"id": self.id, "code": self.code, "name": self.name, "level": self.level}


_LOCATOR_CACHE: dict[
    str, tuple
] = {}  # "locator" -> (fingerprint, UnitLocator), see UnitLocator.current


class UnitLocator:
    """Point-in-unit lookups over every administrative unit (old and new), in memory.

    ``locate(point)`` answers, for a point in EPSG:4326:

    * ``commune``: the commune valid today (after the 1 July 2025 reform), else the newest;
    * ``district``: the legacy district (districts were abolished on 1 July 2025);
    * ``province``: the province as reported before the merger (Bình Định, Sóc Trăng …);
    * ``province_new``: the province valid today (Gia Lai, Cần Thơ …).
    """

    def __init__(self, units: Sequence[tuple[UnitRef, object]]):
        self.refs = [u for u, _ in units]
        self.geoms = np.array([g for _, g in units], dtype=object)
        shapely.prepare(self.geoms)
        self.tree = shapely.STRtree(self.geoms)
        self.by_id = {u.id: u for u in self.refs}

    @classmethod
    def load(cls, queryset: QuerySet | None = None) -> UnitLocator:
        qs = queryset if queryset is not None else m.AdminUnit.objects.all()
        # Boundaries straight from the database's WKB into shapely (no GEOS objects in between).
        rows = list(
            qs.annotate(boundary_wkb=AsWKB("boundary")).values_list(
                "id",
                "code",
                "name",
                "level",
                "valid_from",
                "valid_to",
                "is_mountainous",
                "zone_srid",
                "boundary_wkb",
            )
        )
        geoms = shapely.from_wkb([bytes(r[-1]) for r in rows]) if rows else []
        return cls([(UnitRef(*r[:-1]), g) for r, g in zip(rows, geoms)])

    @classmethod
    def current(cls) -> UnitLocator:
        """:meth:`load` of every unit, kept between calls while the unit table is unchanged.

        On PostgreSQL the table's fingerprint is a digest of where each row version lies and
        which transaction wrote it (``ctid``, ``xmin``): any insert, update — ``QuerySet.update()``,
        raw SQL and updates inside the current transaction included, since each writes a new row
        version elsewhere — or delete changes it. Reading it takes well under a millisecond, the
        boundaries 5–7 ms (the demo's 447 units). Elsewhere it loads every time."""
        from django.db import connection

        if connection.vendor != "postgresql":
            return cls.load()
        table = connection.ops.quote_name(m.AdminUnit._meta.db_table)
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT count(*), md5(coalesce(string_agg(ctid::text || xmin::text, ',' ORDER BY ctid), '')) "
                f"FROM {table}"
            )
            count, digest = cur.fetchone()
        s = connection.settings_dict
        key = (s.get("HOST"), s.get("PORT"), s.get("NAME"), count, digest)
        cached = _LOCATOR_CACHE.get("locator")
        if cached is not None and cached[0] == key:
            return cached[1]
        locator = cls.load()
        _LOCATOR_CACHE["locator"] = (key, locator)
        return locator

    def _hits(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(point index, unit index) pairs of the units containing each point: bounding boxes from
        the tree, then the predicate on the *prepared* unit boundaries (the tree's own predicate
        would prepare the points instead)."""
        p_idx, u_idx = self.tree.query(points)
        keep = shapely.intersects(self.geoms[u_idx], points[p_idx])
        return p_idx[keep], u_idx[keep]

    def containing(self, point) -> list[UnitRef]:
        _p, idx = self._hits(np.array([point], dtype=object))
        return [self.refs[i] for i in sorted(idx.tolist())]

    def locate(self, point, *, today: dt.date | None = None) -> dict[str, UnitRef | None]:
        return self._pick_levels(self.containing(point), today or timezone.localdate())

    def locate_many(
        self, points, *, today: dt.date | None = None
    ) -> list[dict[str, UnitRef | None]]:
        """:meth:`locate` for an array of points, with one tree query for all of them."""
        today = today or timezone.localdate()
        points = np.asarray(points, dtype=object).reshape(-1)
        found: list[list[int]] = [[] for _ in range(len(points))]
        if len(points) and len(self.refs):
            for p, i in zip(*(a.tolist() for a in self._hits(points))):
                found[p].append(i)
        picked: dict[tuple, dict] = {}  # areas in the same units pick the same way
        out = []
        for idx in found:
            key = tuple(sorted(idx))
            if key not in picked:
                picked[key] = self._pick_levels([self.refs[i] for i in key], today)
            out.append(dict(picked[key]))  # a copy: callers fill in missing levels
        return out

    @staticmethod
    def _pick_levels(units: list[UnitRef], today: dt.date) -> dict[str, UnitRef | None]:
        def pick(level, prefer_current: bool):
            cands = [u for u in units if u.level == level]
            if not cands:
                return None
            current = [u for u in cands if u.valid_to is None or u.valid_to >= today]
            legacy = [u for u in cands if u.valid_to is not None and u.valid_to < m.REFORM_DATE]
            order = (current or legacy or cands) if prefer_current else (legacy or cands)
            return sorted(order, key=lambda u: (u.valid_from, u.id))[-1]

        return {
            "commune": pick("commune", True),
            "district": pick("district", False),
            "province": pick("province", False),
            "province_new": pick("province", True),
        }

    def is_mountainous(self, point) -> bool:
        return any(u.is_mountainous for u in self.containing(point))


def representative_point(geom) -> object:
    """A shapely point inside a GEOS geometry (EPSG:4326)."""
    return shapely.point_on_surface(geo.to_shapely([geom])[0])


# --------------------------------------------------------------------------------------------
# The unit a proposal names (not the one its geometry happens to fall in)
# --------------------------------------------------------------------------------------------
def unit_is_mountainous(unit: m.AdminUnit) -> bool:
    """Whether the CCN 5 ha minimum applies to proposals of ``unit``: it, or a unit above it
    (the legacy district of a legacy commune, the province), is mountainous. Where the proposal's
    geometry lies does not matter: a proposal outside its unit fails ``inside_unit`` instead."""
    seen = set()
    while unit is not None and unit.pk not in seen:
        if unit.is_mountainous:
            return True
        seen.add(unit.pk)
        unit = unit.parent
    return False


def _overlapping_period(unit: m.AdminUnit) -> Q:
    """Units valid at some time while ``unit`` was."""
    q = Q(valid_to__isnull=True) | Q(valid_to__gte=unit.valid_from)
    if unit.valid_to is not None:
        q &= Q(valid_from__lte=unit.valid_to)
    return q


def units_like(unit: m.AdminUnit, geom) -> QuerySet:
    """Units comparable to ``unit`` (same level, valid in the same period) that intersect
    ``geom`` (GEOS, EPSG:4326), ``unit`` included: where a proposal of ``unit`` actually lies."""
    return m.AdminUnit.objects.filter(
        _overlapping_period(unit), level=unit.level, boundary__intersects=geom
    ).order_by("code")


def unit_at_level(unit: m.AdminUnit, level: str, *, within=None) -> UnitRef | None:
    """The unit at ``level`` that the efficiency report groups ``unit``'s areas under — as
    :class:`UnitLocator` picks levels (communes valid today, legacy districts and provinces) —
    for the occupancy rule of a proposal of ``unit``.

    ``unit`` itself when it is that unit; otherwise the one covering most of the part of
    ``within`` (the proposal, GEOS EPSG:4326) inside ``unit``, or of ``unit`` when ``within``
    lies outside it. A commune formed on 1 July 2025 from parts of two legacy districts so gets
    the district its proposal lies in. ``None`` when no unit at that level covers it.
    """
    region = geo.to_shapely([unit.boundary])[0]
    if within is not None:
        part = shapely.intersection(region, geo.to_shapely([within])[0])
        if not part.is_empty and shapely.area(part) > 0:
            region = part
    x0, y0, x1, y1 = region.bounds
    locator = UnitLocator.load(
        m.AdminUnit.objects.filter(
            level=level, boundary__intersects=Polygon.from_bbox((x0, y0, x1, y1))
        )
    )
    if not locator.refs:
        return None
    shares = shapely.area(shapely.intersection(locator.geoms, region))
    hits = [(ref, float(a)) for ref, a in zip(locator.refs, shares) if a > 0]
    today = timezone.localdate()
    if level == m.AdminUnit.Level.COMMUNE:
        preferred = [h for h in hits if h[0].valid_to is None or h[0].valid_to >= today]
    else:
        preferred = [h for h in hits if h[0].valid_to is not None and h[0].valid_to < m.REFORM_DATE]
    hits = preferred or hits
    if not hits:
        return None
    own = [h for h in hits if h[0].id == unit.pk]
    if own:
        return own[0][0]
    return max(hits, key=lambda h: (h[1], h[0].valid_from, h[0].id))[0]


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
    for a, shp, units in zip(areas, shapes, located):
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


def parcel_records(
    areas: Iterable[m.IndustrialArea], *, as_of: dt.date | None = None
) -> list[ParcelRecord]:
    """Clearance parcels of ``areas``; with ``as_of``, a parcel handed over later counts as paid."""
    by_pk = {a.pk: a.code for a in areas}
    rows = (
        m.ClearanceParcel.objects.filter(area__in=list(by_pk))
        .order_by("pk")
        .values_list("pk", "area_id", "area_m2", "status", "land_use", "handed_over_on")
    )
    out = []
    for pk, area_id, area_m2, status, land_use, handed_over_on in rows:
        if (
            as_of is not None
            and status == m.ClearanceParcel.Status.HANDED_OVER
            and (handed_over_on is None or handed_over_on > as_of)
        ):
            status = m.ClearanceParcel.Status.COMPENSATED
        out.append(
            ParcelRecord(
                id=pk,
                area_id=by_pk[area_id],
                area_ha=area_m2 / 10_000,
                status=status,
                land_use=land_use,
            )
        )
    return out


def _in_areas(areas: Sequence[m.IndustrialArea], all_areas: bool) -> Q:
    """``area`` in ``areas`` — or, with ``all_areas``, any area: no filter to evaluate on every row
    (for all or most of the areas, the cheapest way; rows of other areas are dropped afterwards)."""
    if all_areas:
        return Q(area__isnull=False)
    return Q(area__in=[a.pk for a in areas])


def clearance_totals(
    areas: Iterable[m.IndustrialArea],
    *,
    as_of: dt.date | None = None,
    all_areas: bool = False,
    row_count: dict | None = None,
) -> dict[str, ClearanceTotals]:
    """Clearance parcels of ``areas`` summed per area code by the database (one query, no parcel
    comes back): what :func:`parcel_records` gives, aggregated. With ``as_of``, a parcel handed
    over later (or with no hand-over date) is not counted as handed over. ``all_areas``: sum over
    every parcel in the database, without a filter (see :func:`_in_areas`); only ``areas`` are
    returned either way. ``row_count``: with ``all_areas``, receives the table's row count under
    ``"planning.ClearanceParcel"`` from that same scan (for :func:`input_versions`, which then
    need not count the parcels again)."""
    areas = list(areas)
    code = {a.pk: a.code for a in areas}
    handed = Q(status=m.ClearanceParcel.Status.HANDED_OVER)
    if as_of is not None:
        handed &= Q(handed_over_on__lte=as_of)
    qs = (
        m.ClearanceParcel.objects.all()
        if all_areas
        else m.ClearanceParcel.objects.filter(_in_areas(areas, False))
    )
    rows = list(
        qs.order_by()
        .values_list("area_id")
        .annotate(n=Count("pk"), m2=Sum("area_m2"), handed_m2=Sum("area_m2", filter=handed))
    )
    if all_areas and row_count is not None:
        row_count[m.ClearanceParcel._meta.label] = sum(n for _pk, n, _m2, _h in rows)
    return {
        code[pk]: ClearanceTotals(
            n_parcels=n,
            parcel_ha=float(m2 or 0) / 10_000,
            handed_over_ha=float(handed_m2 or 0) / 10_000,
        )
        for pk, n, m2, handed_m2 in rows
        if pk in code
    }


def project_totals(
    areas: Iterable[m.IndustrialArea], *, as_of: dt.date | None = None, all_areas: bool = False
) -> dict[str, ProjectTotals]:
    """Non-revoked secondary projects of ``areas`` summed per area code by the database (one
    query): what :func:`project_records` gives, aggregated. With ``as_of``, projects registered
    later are left out and a project not yet operating at that date does not count as operating.
    ``all_areas`` as for :func:`clearance_totals`."""
    areas = list(areas)
    code = {a.pk: a.code for a in areas}
    qs = m.SecondaryProject.objects.filter(_in_areas(areas, all_areas)).exclude(
        status=m.SecondaryProject.Status.REVOKED
    )
    operating = Q(status=m.SecondaryProject.Status.OPERATING)
    if as_of is not None:
        qs = qs.filter(registered_on__lte=as_of)
        operating &= Q(operation_actual__lte=as_of)
    rows = (
        qs.order_by()
        .values_list("area_id")
        .annotate(
            n=Count("pk"),
            n_op=Count("pk", filter=operating),
            leased=Sum("leased_area_ha"),
            reg=Sum("registered_capital_bn_vnd"),
            dis=Sum("disbursed_capital_bn_vnd"),
            jobs=Sum("actual_jobs"),
            planned=Sum("planned_jobs"),
            n_taxed=Count("annual_tax_bn_vnd"),
            tax=Sum("annual_tax_bn_vnd"),
        )
    )
    return {
        code[pk]: ProjectTotals(
            n_projects=n,
            n_operating=n_op,
            leased_ha=float(leased or 0),
            registered_capital_bn_vnd=float(reg or 0),
            disbursed_capital_bn_vnd=float(dis or 0),
            actual_jobs=int(jobs or 0),
            planned_jobs=int(planned or 0),
            n_taxed=n_taxed,
            annual_tax_bn_vnd=float(tax or 0),
        )
        for pk, n, n_op, leased, reg, dis, jobs, planned, n_taxed, tax in rows
        if pk in code
    }


def project_records(
    areas: Iterable[m.IndustrialArea], *, as_of: dt.date | None = None
) -> list[ProjectRecord]:
    """Secondary projects of ``areas``; with ``as_of``, projects registered later are left out and
    a project not yet operating at that date counts as building."""
    by_pk = {a.pk: a.code for a in areas}
    qs = m.SecondaryProject.objects.filter(area__in=list(by_pk)).order_by("code")
    out = []
    for p in qs:
        status = p.status
        if as_of is not None:
            if p.registered_on > as_of:
                continue
            if status == "operating" and (p.operation_actual is None or p.operation_actual > as_of):
                status = "building"
        out.append(
            ProjectRecord(
                id=p.code,
                area_id=by_pk[p.area_id],
                leased_ha=float(p.leased_area_ha),
                registered_capital_bn_vnd=float(p.registered_capital_bn_vnd),
                disbursed_capital_bn_vnd=float(p.disbursed_capital_bn_vnd),
                planned_jobs=p.planned_jobs,
                actual_jobs=p.actual_jobs,
                annual_tax_bn_vnd=_f(p.annual_tax_bn_vnd),
                status=status,
                name=p.name,
                registered_on=p.registered_on,
                operation_planned=p.operation_planned,
                operation_actual=p.operation_actual,
            )
        )
    return out


def developer_records(areas: Iterable[m.IndustrialArea]) -> list[DeveloperRecord]:
    ids = {a.developer_id for a in areas if a.developer_id}
    return [
        DeveloperRecord(
            id=d.pk, kind=d.kind, name=d.name, own_capital_bn_vnd=_f(d.own_capital_bn_vnd)
        )
        for d in m.Developer.objects.filter(pk__in=ids).order_by("name")
    ]


def target_records(
    areas: Iterable[m.IndustrialArea],
) -> tuple[list[TargetRecord], list[ActualRecord]]:
    by_pk = {a.pk: a.code for a in areas}
    targets = [
        TargetRecord(by_pk[area_id], year, indicator, float(value))
        for area_id, year, indicator, value in m.DevelopmentTarget.objects.filter(
            area__in=list(by_pk)
        )
        .order_by("area_id", "year", "indicator")
        .values_list("area_id", "year", "indicator", "target_value")
    ]
    actuals = []
    indicators = [c for c, _ in m.Indicator.choices]
    for r in m.AnnualReport.objects.filter(area__in=list(by_pk)).order_by("area_id", "year"):
        for ind in indicators:
            value = getattr(r, ind)
            if value is not None:
                actuals.append(ActualRecord(by_pk[r.area_id], r.year, ind, float(value)))
    return targets, actuals


def annual_totals(areas: Iterable[m.IndustrialArea], *, all_areas: bool = False) -> list[dict]:
    """Reported actuals summed per year over ``areas`` (hectares, projects, workers, money), by
    the database (one row per year comes back). ``all_areas``: ``areas`` are every area, so no
    filter is needed (see :func:`_in_areas`)."""
    fields = (
        "clearance_ha",
        "leased_ha",
        "new_projects",
        "disbursed_bn_vnd",
        "workers",
        "revenue_bn_vnd",
        "tax_bn_vnd",
        "export_musd",
    )
    rows = (
        m.AnnualReport.objects.filter(_in_areas(list(areas), all_areas))
        .order_by("year")
        .values("year")
        .annotate(n_reports=Count("pk"), **{f"sum_{f}": Sum(f) for f in fields})
    )
    return [
        {
            "year": r["year"],
            "n_reports": r["n_reports"],
            **{f: round(float(r[f"sum_{f}"] or 0), 4) for f in fields},
        }
        for r in rows
    ]


def leased_after(areas: Iterable[m.IndustrialArea], year: int) -> dict[int, float]:
    """Hectares reported as newly leased after ``year``, per area pk (to reconstruct a year's state)."""
    out: dict[int, float] = {}
    for area_id, leased in m.AnnualReport.objects.filter(
        area__in=[a.pk for a in areas], year__gt=year
    ).values_list("area_id", "leased_ha"):
        out[area_id] = out.get(area_id, 0.0) + float(leased)
    return out


# --------------------------------------------------------------------------------------------
# Networks (roads, power, water) near a place, as the analyses' records
# --------------------------------------------------------------------------------------------
def roads_near(envelope) -> QuerySet:
    return m.RoadCorridor.objects.filter(centerline__intersects=envelope).order_by("code")


def road_records(roads: Iterable[m.RoadCorridor], srid: int) -> list[RoadRecord]:
    roads = list(roads)
    shapes = geo.to_shapely(r.centerline for r in roads)
    return [
        RoadRecord(geo.transform(g, geo.STORAGE_SRID, srid), r.status, r.route_ref or r.name)
        for r, g in zip(roads, shapes)
    ]


def network_features(envelope, srid: int) -> list[NetworkFeature]:
    """Roads, power lines and substations, water mains and plants intersecting ``envelope``."""
    out = []
    for r in roads_near(envelope):
        g = geo.transform(geo.to_shapely([r.centerline])[0], geo.STORAGE_SRID, srid)
        out.append(NetworkFeature(g, "road", r.status, r.route_ref or r.name, r.road_class))
    lines = (
        m.InfrastructureLine.objects.filter(geom__intersects=envelope)
        .exclude(kind=m.InfrastructureLine.Kind.DRAINAGE)
        .order_by("pk")
    )
    for line in lines:
        network = "water" if line.kind == m.InfrastructureLine.Kind.WATER else "power"
        g = geo.transform(geo.to_shapely([line.geom])[0], geo.STORAGE_SRID, srid)
        out.append(NetworkFeature(g, network, line.status, line.name, line.kind))
    points = m.InfrastructurePoint.objects.filter(
        geom__intersects=envelope,
        kind__in=[m.InfrastructurePoint.Kind.SUBSTATION, m.InfrastructurePoint.Kind.WATER_PLANT],
    ).order_by("pk")
    for p in points:
        network = "power" if p.kind == m.InfrastructurePoint.Kind.SUBSTATION else "water"
        g = geo.transform(geo.to_shapely([p.geom])[0], geo.STORAGE_SRID, srid)
        out.append(NetworkFeature(g, network, p.status, p.name, p.kind))
    return out


def power_geometries(envelope, srid: int) -> list:
    """Invested power lines and substations (for the site-suggestion infrastructure criterion)."""
    geoms = [
        ln.geom
        for ln in m.InfrastructureLine.objects.filter(
            geom__intersects=envelope, kind__startswith="power", status="invested"
        ).order_by("pk")
    ]
    geoms += [
        p.geom
        for p in m.InfrastructurePoint.objects.filter(
            geom__intersects=envelope, kind="substation", status="invested"
        ).order_by("pk")
    ]
    return [geo.transform(g, geo.STORAGE_SRID, srid) for g in geo.to_shapely(geoms)]


def active_proposals(envelope=None, *, exclude_pk=None) -> QuerySet:
    qs = m.Proposal.objects.exclude(
        status__in=[m.Proposal.Status.REJECTED, m.Proposal.Status.WITHDRAWN]
    )
    if envelope is not None:
        qs = qs.filter(geom__intersects=envelope)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.order_by("pk")


def metric_shapes(geoms: Iterable, srid: int) -> list:
    return [geo.transform(g, geo.STORAGE_SRID, srid) for g in geo.to_shapely(geoms)]


def suggested_sites(*, run=None, current_only: bool = True) -> QuerySet:
    qs = m.SuggestedSite.objects.select_related("run", "admin_unit")
    if run is not None:
        return qs.filter(run=run).order_by("rank")
    if current_only:
        qs = qs.filter(is_current=True)
    return qs.order_by("run_id", "rank")


def runs(*, kind: str | None = None, status: str | None = None) -> QuerySet:
    qs = m.AnalysisRun.objects.select_related("started_by", "admin_unit")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs
