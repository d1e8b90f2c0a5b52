"""Administrative units: resolving a province, its region, the units a place falls in and the
unit a proposal names (:data:`AREA_LEVELS`, :class:`UnitLocator`)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.db.models.functions import AsWKB
from django.contrib.gis.geos import Polygon
from django.db.models import Q, QuerySet
from django.utils import timezone

from planning import geo
from planning import models as m
from planning.errors import UnknownProvince
from planning.selectors.input_versions import table_fingerprint
from planning.selectors.rasters import raster_layers_available

# Region of each legacy province for the Decree 35 Art. 9 rice-phasing threshold (DOMAIN §1.4).
# Keys are official province codes; provinces not listed fall back to "other" (NOT CONFIRMED).
REGION_BY_PROVINCE_CODE = {
    "52": "central_coast",  # Bình Định
    "94": "mekong",  # Sóc Trăng
    "92": "mekong",  # Cần Thơ (legacy)
    "93": "mekong",  # Hậu Giang
    "33": "mekong",  # Cần Thơ (from 1 July 2025)
    # issue 13 rules: old Gia Lai is in the Central Highlands ("other regions", NOT CONFIRMED);
    # new Gia Lai (24) spans two regions: the rice rule resolves it by the legacy province.
    "64": "central_highlands",
}
AREA_LEVELS = ("commune", "district", "province")


# --------------------------------------------------------------------------------------------
# Provinces and scope
# --------------------------------------------------------------------------------------------
def _fold(text: str) -> str:
    """Lower-case, without Vietnamese diacritics (đ → d), single spaces: 'Bình  Định' →
    'binh dinh'."""
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


def has_mountainous_units(province: m.AdminUnit) -> bool:
    return (
        m.AdminUnit.objects.filter(
            is_mountainous=True, boundary__intersects=province.boundary
        ).exists()
        or province.is_mountainous
    )


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
        return cls([(UnitRef(*r[:-1]), g) for r, g in zip(rows, geoms, strict=False)])

    @classmethod
    def current(cls) -> UnitLocator:
        """:meth:`load` of every unit, kept between calls while the unit table is unchanged.

        On PostgreSQL the table's fingerprint is a digest of where each row version lies and
        which transaction wrote it (``ctid``, ``xmin``): any insert, update — ``QuerySet.update()``,
        raw SQL and updates inside the current transaction included, since each writes a new row
        version elsewhere — or delete changes it. Reading it takes well under a millisecond, the
        boundaries 5–7 ms (the demo's 447 units). Elsewhere it loads every time."""
        key = table_fingerprint(m.AdminUnit)
        if key is None:
            return cls.load()
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
            for p, i in zip(*(a.tolist() for a in self._hits(points)), strict=False):
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
    hits = [(ref, float(a)) for ref, a in zip(locator.refs, shares, strict=False) if a > 0]
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
# Province outlines with their survey zones (the no-CRS import's zone test, issue 13 §6)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProvinceOutline:
    """A province-level unit of any period: its outline (shapely, EPSG:4326) and the VN-2000
    TM-3 zones its survey data is kept in — its own, and for a unit formed by a merger (1 July
    2025) those of the provinces merged into it, since legacy data keeps its old zone
    (DOMAIN.md §4.1)."""

    name: str  # "Sóc Trăng (1992–2025)"
    outline: object  # shapely (Multi)Polygon, lon/lat
    zones: frozenset[int]
    own_zone: int


def province_outlines() -> list[ProvinceOutline]:
    """Every province-level unit, whatever its period, smallest first (a pre-2025 province
    before the 2025 one that contains it)."""
    provinces = list(
        m.AdminUnit.objects.filter(level=m.AdminUnit.Level.PROVINCE)
        .annotate(wkb=AsWKB("boundary"))
        .prefetch_related("predecessors")
        .order_by("pk")
    )
    out = []
    for p in provinces:
        outline = shapely.from_wkb(bytes(p.wkb))
        zones = {p.zone_srid} | {
            q.zone_srid for q in p.predecessors.all() if q.level == m.AdminUnit.Level.PROVINCE
        }
        out.append(ProvinceOutline(str(p), outline, frozenset(zones), p.zone_srid))
    out.sort(key=lambda o: shapely.area(o.outline))
    for o in out:
        shapely.prepare(o.outline)
    return out
