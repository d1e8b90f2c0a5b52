"""Which administrative units each industrial area belongs to, for the map's unit filter.

An area belongs to the unit it was reported under and that unit's parents (the record keeps it,
DESIGN.md), and also to every unit of the other period that contains it: since the 1 July 2025
reform a park reported under "Phường Nhơn Hòa, Thị xã An Nhơn, Bình Định" must also be found
under the merged province and its new commune. Containment uses a point on the area's surface.
"""

from __future__ import annotations

import shapely
from django.contrib.gis.db.models.functions import AsWKB, PointOnSurface
from django.core.cache import cache
from django.db import connection

from planning.models import AdminUnit, IndustrialArea

CACHE_SECONDS = 60


def _containing_units() -> dict[str, list[int]]:
    """Area code -> ids of the units containing a point on the area's surface.

    Two queries and one STRtree (the units' outlines are a few MB even for the whole country),
    not a spatial query per area: 1,750 areas of the national dataset took 13 s that way on
    SpatiaLite, whose R*Tree the ORM's lookups do not use."""
    units = list(
        AdminUnit.objects.filter(boundary__isnull=False)
        .annotate(wkb=AsWKB("boundary"))
        .values_list("pk", "wkb")
    )
    points = list(
        IndustrialArea.objects.filter(boundary__isnull=False)
        .annotate(wkb=AsWKB(PointOnSurface("boundary")))
        .values_list("code", "wkb")
    )
    out: dict[str, list[int]] = {}
    if not units or not points:
        return out
    ids = [pk for pk, _ in units]
    codes = [code for code, _ in points]
    tree = shapely.STRtree(shapely.from_wkb([bytes(b) for _, b in units]))
    found = tree.query(shapely.from_wkb([bytes(b) for _, b in points]), predicate="intersects")
    for p, u in zip(found[0].tolist(), found[1].tolist(), strict=True):
        out.setdefault(codes[p], []).append(ids[u])
    return out


def area_units() -> dict[str, set[int]]:
    """Area code -> ids of the units (every level, both periods) the area belongs to."""
    parents = dict(AdminUnit.objects.values_list("pk", "parent_id"))
    containing = _containing_units()
    out: dict[str, set[int]] = {}
    for code, unit_id in IndustrialArea.objects.values_list("code", "admin_unit_id"):
        ids: set[int] = set()
        starts = [unit_id, *sorted(containing.get(code, ()))]
        for start in starts:
            unit = start
            while unit is not None and unit not in ids:
                ids.add(unit)
                unit = parents.get(unit)
        out[code] = ids
    return out


def _period(valid_from, valid_to) -> list:
    return [valid_from.year, valid_to.year if valid_to else None]


def unit_filter_options() -> dict:
    """Provinces and lower units that hold at least one area, with the codes of their areas.

    ``{"provinces": [{id, name, period, areas}],
    "units": [{id, name, level, period, province, areas}]}``;
    ``province`` lists the ids of the provinces a lower unit is shown under. Current units first.
    """
    membership = area_units()
    by_unit: dict[int, list[str]] = {}
    for code, ids in membership.items():
        for unit_id in ids:
            by_unit.setdefault(unit_id, []).append(code)
    units = {
        u.pk: u
        for u in AdminUnit.objects.filter(pk__in=by_unit).only(
            "pk", "name", "level", "parent_id", "valid_from", "valid_to", "code"
        )
    }

    def order(u):
        return (u.valid_to is not None, u.name, u.pk)

    provinces = [
        {
            "id": u.pk,
            "name": u.name,
            "code": u.code,
            "period": _period(u.valid_from, u.valid_to),
            "areas": sorted(by_unit[u.pk]),
        }
        for u in sorted(units.values(), key=order)
        if u.level == AdminUnit.Level.PROVINCE
    ]
    province_ids = {p["id"] for p in provinces}
    lower = []
    for u in sorted(units.values(), key=order):
        if u.level == AdminUnit.Level.PROVINCE:
            continue
        codes = set(by_unit[u.pk])
        # Shown under every province whose areas it shares: its own parent chain, and across the
        # reform the province of the other period that contains it.
        shown_under = sorted(p for p in province_ids if codes & set(by_unit[p]))
        lower.append(
            {
                "id": u.pk,
                "name": u.name,
                "code": u.code,
                "level": u.level,
                "period": _period(u.valid_from, u.valid_to),
                "province": shown_under,
                "areas": sorted(codes),
            }
        )
    return {"provinces": provinces, "units": lower}


def cached_unit_filter_options() -> dict:
    key = f"kcn-web-unit-filter:{connection.vendor}:{connection.settings_dict['NAME']}"
    options = cache.get(key)
    if options is None:
        options = unit_filter_options()
        cache.set(key, options, CACHE_SECONDS)
    return options
