"""Rule checks of a proposal for a new (or expanded) KCN / CCN, before the province reviews it.

Pure shapely; geometries in one projected metric CRS (metres, hectares). Each check returns a
:class:`~planning.analysis.records.RuleResult` with ``rule``, ``passed`` (``None`` = could not be
checked, the message says why), a message (:mod:`planning.analysis.messages`), a citation (from
:mod:`planning.analysis.citations`: article numbers that were not verified are marked so) and the
measured value against its limit.

Rules, in order
---------------
``area_limits``            legal size: CCN 10–75 ha, 5–75 ha mountainous / craft village
                           (Decree 32/2024, confirmed); KCN 100–500 ha (500 = Decree 35 Art. 9 phase
                           limit; 100 = ASSUMPTION). With ``expands``: area after expansion ≤ 75 ha.
``no_overlap_existing``    overlap with existing KCN/CCN ≤ ``overlap_tolerance_m2``
``no_overlap_proposals``   overlap with other proposals ≤ the same tolerance
``inside_unit``            at most ``outside_unit_share`` of the proposal outside the proposing unit
                           (the unit the proposal names, never the one its geometry falls in); when
                           part of it lies outside, the message names the units it lies in
                           (``units_around``) with their shares
``road_access``            within ``road_access_m`` of a road whose status is in ``road_statuses``
                           and class in ``road_classes``; an expressway counts only within
                           ``road_interchange_m`` of one of its interchanges
``exclusion:<kind>``       one rule per exclusion layer (water, forest, flood …): overlap ≤
                           tolerance
``unit_occupancy``         new CCN: the unit's existing CCN occupancy > 50 % or unleased ≤ 100 ha
                           (Decree 32/2024) — or, with ``expands``, ``expansion_occupancy``: the
                           expanded CCN's own occupancy ≥ 60 %, or the stated demand for land
                           beyond the existing industrial land, confirmed by a reviewer
``expansion_infrastructure`` with ``expands`` (CCN): condition 4, internal roads, water supply and
                           wastewater collection/treatment built and in use (Decree 32/2024;
                           threshold ASSUMPTION 100 % and an operating plant)
``phases``                 a KCN over 500 ha (or any proposal with phases): each phase ≤ 500 ha and
                           the phases cover the proposal (Decree 35/2022 Art. 9)
``rice_phasing``           2-crop rice land inside the proposal and each phase ≤ 200 ha (Mekong,
                           Red River) / 150 ha (North Central, Central Coast, Southeast) / 100 ha
                           elsewhere (NOT CONFIRMED) per phase (Decree 35/2022 Art. 9)
``isolation_strip``        green isolation strip ≥ 10 m (QCVN 01:2019/BXD), when given
``services_share``         CCN: services land ≤ 10 % of the area (Decree 32/2024), when given

Examples
--------
>>> from shapely import LineString, box
>>> from planning.analysis.messages import render
>>> from planning.analysis.records import RoadRecord
>>> results = check_proposal(
...     geometry=box(0, 0, 500, 400), kind="CCN", unit="xã Cát Hanh",
...     existing_areas=[("CCN-A", box(600, 0, 900, 300), "CCN Cát Nhơn")],
...     unit_geometry=box(-1000, -1000, 3000, 3000),
...     roads=[RoadRecord(LineString([(0, -300), (900, -300)]), "invested", "QL19B")],
...     exclusions={"water": [box(480, 0, 520, 400)]})
>>> [(r.rule, r.passed) for r in results]  # doctest: +NORMALIZE_WHITESPACE
[('area_limits', True), ('no_overlap_existing', True), ('no_overlap_proposals', True),
 ('inside_unit', True), ('road_access', True), ('exclusion:water', False),
 ('unit_occupancy', None), ('rice_phasing', None), ('isolation_strip', None),
 ('services_share', None)]
>>> print(render(results[5].message, lang="en"))
The proposal overlaps 0.80 ha of water bodies (≤ 0.01 ha allowed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from planning.analysis import citations
from planning.analysis.base import Serializable, require_positive, require_share
from planning.analysis.efficiency import (
    EfficiencyCriteria,
    UnitEfficiency,
    expansion_rule,
    new_area_rule,
    occupancy,
)
from planning.analysis.errors import CriteriaError, RecordError
from planning.analysis.messages import N_, Message, distance, join, number, percent
from planning.analysis.rasters import check_metric_geometry
from planning.analysis.records import (
    RICE_PHASING_THRESHOLDS_HA,
    ROAD_CLASS_NAMES,
    ROAD_CLASSES,
    ROAD_STATUS_NAMES,
    ROAD_STATUSES,
    AreaLimits,
    AreaRecord,
    RuleResult,
    as_named_geometries,
    as_roads,
)

__all__ = [
    "check_proposal",
    "unit_shares",
    "summary",
    "EXCLUSION_LABELS",
    "ProposalCriteria",
    "PhaseRecord",
    "RiceLand",
    "LandUse",
    "rice_land_ha",
]


@dataclass(frozen=True, kw_only=True)
class ProposalCriteria(Serializable):
    """Parameters of :func:`planning.analysis.proposal_checks.check_proposal`.

    ``road_access_m`` (ASSUMPTION 1000 m) is how far the proposal may lie from a road whose status
    is in ``road_statuses`` and whose class is in ``road_classes`` (a road of unknown class
    counts). Roads of the ``road_access_controlled`` classes (expressways: vehicles enter only at
    interchanges) count only where the proposal lies within ``road_interchange_m`` (ASSUMPTION
    2000 m) of one of their interchanges whose status is in ``road_statuses``. Tolerances absorb
    digitising noise: overlaps and exclusion intersections smaller than ``overlap_tolerance_m2``
    pass, and up to ``outside_unit_share`` of the proposal may fall outside its unit.
    """

    area_limits: AreaLimits = field(default_factory=AreaLimits)
    road_statuses: tuple[str, ...] = ("invested", "under_construction")
    road_access_m: float = 1000.0
    road_classes: tuple[str, ...] = ("expressway", "national", "provincial", "district")
    road_access_controlled: tuple[str, ...] = ("expressway",)
    road_interchange_m: float = 2000.0
    overlap_tolerance_m2: float = 100.0
    outside_unit_share: float = 0.001
    efficiency: EfficiencyCriteria = field(default_factory=EfficiencyCriteria)
    # issue 13 rules. ``phase_cover_tolerance_share`` (ASSUMPTION 1 %): how much of the proposal
    # its phases may leave uncovered (digitising noise). Isolation strip ≥ 10 m (QCVN 01:2019,
    # DOMAIN §3.3) and services ≤ 10 % of a CCN (Decree 32/2024, DOMAIN §2.2) are confirmed;
    # ``expansion_infra_min_pct`` 100 % and ``expansion_needs_wwtp`` (expansion condition 4,
    # DOMAIN §2.3: "built and in use") are ASSUMPTIONS.
    phase_cover_tolerance_share: float = 0.01
    isolation_strip_min_m: float = 10.0
    ccn_services_max_share: float = 0.10
    expansion_infra_min_pct: float = 100.0
    expansion_needs_wwtp: bool = True

    def __post_init__(self) -> None:
        require_share("phase_cover_tolerance_share", self.phase_cover_tolerance_share)
        require_positive("isolation_strip_min_m", self.isolation_strip_min_m, allow_zero=True)
        require_share("ccn_services_max_share", self.ccn_services_max_share)
        require_positive("expansion_infra_min_pct", self.expansion_infra_min_pct, allow_zero=True)
        require_positive("road_access_m", self.road_access_m, allow_zero=True)
        require_positive("overlap_tolerance_m2", self.overlap_tolerance_m2, allow_zero=True)
        require_share("outside_unit_share", self.outside_unit_share)
        if set(self.road_statuses) - set(ROAD_STATUSES) or not self.road_statuses:
            raise CriteriaError(f"road_statuses must be a non-empty subset of {ROAD_STATUSES}")
        if set(self.road_classes) - set(ROAD_CLASSES) or not self.road_classes:
            raise CriteriaError(f"road_classes must be a non-empty subset of {ROAD_CLASSES}")
        if set(self.road_access_controlled) - set(ROAD_CLASSES):
            raise CriteriaError(f"road_access_controlled must be a subset of {ROAD_CLASSES}")
        require_positive("road_interchange_m", self.road_interchange_m, allow_zero=True)


#: Names of the usual exclusion layers (other keys are shown as given).
EXCLUSION_LABELS = {
    "water": N_("water bodies"),
    "forest": N_("protected forest"),
    "flood": N_("flood-prone land"),
    "protected": N_("protected areas"),
    "heritage": N_("heritage sites"),
    "residential": N_("residential land"),
    "rice": N_("2-crop rice land"),
}
#: What a KCN and a CCN are called in messages.
KIND_NAMES = {"KCN": N_("industrial park"), "CCN": N_("industrial cluster")}


def _ha(m2: float, decimals: int = 2) -> dict:
    return number(m2 / 10_000, decimals)


def _either(terms: list[Message]) -> Message:
    """``a or b or c`` in the reader's language."""
    out = terms[0]
    for term in terms[1:]:
        out = Message(N_("%(first)s or %(second)s"), {"first": out, "second": term})
    return out


def check_proposal(
    *,
    geometry: BaseGeometry,
    kind: str = "CCN",
    unit: str | None = None,
    occupancy_unit: str | None = None,
    is_mountainous: bool = False,
    is_craft_village: bool = False,
    existing_areas: Iterable = (),
    other_proposals: Iterable = (),
    unit_geometry: BaseGeometry | None = None,
    units_around: Iterable = (),
    roads: Iterable = (),
    exclusions: Mapping[str, Iterable[BaseGeometry]] | None = None,
    unit_occupancy: UnitEfficiency | Mapping | None = None,
    expands: AreaRecord | None = None,
    phases: Iterable[PhaseRecord] = (),
    rice: RiceLand | None = None,
    land_use: LandUse | None = None,
    demand_stated: bool = False,
    demand_confirmed: bool = False,
    criteria: ProposalCriteria = ProposalCriteria(),
    plan: Mapping | None = None,
) -> list[RuleResult]:
    """Check a proposal against the size, overlap, unit, road, exclusion and occupancy rules.

    Parameters
    ----------
    geometry : shapely Polygon or MultiPolygon
        The proposed boundary (for an expansion: the added land), metric CRS.
    kind : {"CCN", "KCN"}
    unit : str, optional
        Name of the proposing unit (the one the proposal names), for messages.
    occupancy_unit : str, optional
        Name of the unit whose figures ``unit_occupancy`` are (e.g. the legacy district of the
        proposing commune), for messages; default ``unit``.
    is_mountainous, is_craft_village : bool
        Select the 5 ha CCN minimum (``is_mountainous``: the proposing unit's, not the place's).
    existing_areas, other_proposals : iterables of AreaRecord or (id, geometry[, name])
        Areas with a geometry.
    unit_geometry : shapely geometry, optional
        Boundary of the proposing unit; without it ``inside_unit`` is not evaluated.
    units_around : iterable of (id, geometry[, name])
        Units comparable to the proposing unit (same level and period) around the proposal: when
        part of the proposal lies outside its unit, ``inside_unit`` names those it lies in, with
        their shares (see :func:`unit_shares`).
    roads : iterable of RoadRecord or (geometry, status[, name])
    exclusions : mapping kind → geometries, optional
        E.g. ``{"water": [...], "forest": [...], "flood": [...]}``.
    unit_occupancy : UnitEfficiency or mapping, optional
        The unit's existing areas of the same kind (from
        :func:`planning.analysis.efficiency.unit_efficiency`), or a mapping with ``n_counted``,
        ``occupancy`` and ``unleased_ha``. Without it the new-area rule is not evaluated.
    expands : AreaRecord, optional
        The area being expanded: the size rule uses the total after expansion and the occupancy
        rule the expanded area's own occupancy.
    phases : iterable of PhaseRecord
        The investment phases (each a boundary in the same metric CRS, or only an area).
    rice : RiceLand, optional
        2-crop rice land measured inside the proposal and its phases, with the region; without
        it ``rice_phasing`` is not evaluated (no land-cover raster).
    land_use : LandUse, optional
        The land-use breakdown the proposer gave; without it (or without a figure) the
        isolation-strip and services rules are not evaluated.
    demand_stated, demand_confirmed : bool
        Expansion: the proposer states that the demand for land exceeds the existing industrial
        land, and a reviewer has confirmed it (the alternative to 60 % occupancy).
    criteria : ProposalCriteria
    plan : mapping, optional
        Establishment condition 1 (see :func:`plan_list_rule`); without it the rule is left out.

    Returns
    -------
    list of RuleResult
        In the order listed in the module docstring.
    """
    if (
        geometry is None
        or geometry.is_empty
        or geometry.geom_type not in ("Polygon", "MultiPolygon")
    ):
        raise RecordError("the proposal geometry must be a non-empty (multi)polygon")
    check_metric_geometry(geometry, what="the proposal geometry")
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    tol = criteria.overlap_tolerance_m2
    phases = [_as_phase(p) for p in phases]
    phase_rule = None
    if phases or (kind == "KCN" and expands is None and _over_phase_limit(geometry, criteria)):
        phase_rule = _phase_rule(geometry, phases, criteria)
    results = [
        _area_rule(
            geometry, kind, is_mountainous, is_craft_village, expands, criteria, phases, phase_rule
        )
    ]
    results.append(
        _overlap_rule(
            "no_overlap_existing",
            geometry,
            as_named_geometries(existing_areas),
            tol,
            N_("existing parks and clusters"),
            citations.OVERLAP,
        )
    )
    results.append(
        _overlap_rule(
            "no_overlap_proposals",
            geometry,
            as_named_geometries(other_proposals),
            tol,
            N_("other proposals"),
            citations.OVERLAP,
        )
    )
    results.append(_unit_rule(geometry, unit, unit_geometry, units_around, criteria))
    results.append(_road_rule(geometry, roads, criteria))
    for name, geoms in (exclusions or {}).items():
        results.append(_exclusion_rule(name, geometry, geoms, tol))
    if expands is not None:
        results.append(
            _expansion_occupancy_rule(kind, expands, demand_stated, demand_confirmed, criteria)
        )
        if kind == "CCN":
            results.append(_expansion_infrastructure_rule(expands, criteria))
    else:
        results.append(
            _occupancy_rule(kind, occupancy_unit or unit, unit_occupancy, expands, criteria)
        )
    if phase_rule is not None:
        results.append(phase_rule)
    results.append(_rice_rule(rice, phases))
    results.append(_isolation_rule(land_use, criteria))
    if kind == "CCN":
        results.append(_services_rule(geometry, land_use, criteria))
    results += plan_list_rule(kind, plan)  # issue 13 plan: establishment condition 1
    return results


def _area_rule(
    geom, kind, is_mountainous, is_craft_village, expands, criteria, phases=(), phase_rule=None
) -> RuleResult:
    low, high = criteria.area_limits.range_for(
        kind, is_mountainous=is_mountainous, is_craft_village=is_craft_village
    )
    new_ha = geom.area / 10_000
    cite = citations.CCN_AREA_LIMITS if kind == "CCN" else citations.KCN_AREA_LIMITS
    if expands is not None:
        high = criteria.efficiency.expansion_max_ha if kind == "CCN" else high
        total = expands.planned_ha + new_ha
        ok = total <= high + 1e-9
        return RuleResult(
            rule="area_limits",
            passed=ok,
            measured=round(total, 4),
            limit=high,
            unit="ha",
            message=Message(
                N_(
                    "Area after expansion %(total)s ha (%(existing)s + %(added)s ha) %(cmp)s "
                    "%(limit)s ha."
                ),
                {
                    "total": number(total, 2),
                    "existing": number(expands.planned_ha, 2),
                    "added": number(new_ha, 2),
                    "cmp": "≤" if ok else ">",
                    "limit": number(high),
                },
            ),
            citation=citations.CCN_EXPANSION if kind == "CCN" else cite,
        )
    ok = low - 1e-9 <= new_ha <= high + 1e-9
    figures = {
        "area": number(new_ha, 2),
        "low": number(low),
        "high": number(high),
        "kind": Message(KIND_NAMES[kind]),
    }
    if ok:
        msgid = N_("Area %(area)s ha is within the %(low)s–%(high)s ha range of an %(kind)s.")
    elif new_ha < low:
        msgid = N_("Area %(area)s ha is below the %(low)s ha minimum of an %(kind)s.")
    elif kind == "KCN":
        # Decree 35/2022 Art. 9: a KCN over 500 ha is not refused, it is invested in phases of
        # at most 500 ha; the verdict is that of the phases.
        if not phases:
            msgid = N_(
                "Area %(area)s ha exceeds %(high)s ha: the park must be developed in phases of "
                "≤ %(high)s ha — add its phases."
            )
        else:
            ok = bool(phase_rule is not None and phase_rule.passed)
            figures["count"] = len(phases)
            msgid = (
                N_(
                    "Area %(area)s ha exceeds %(high)s ha: invested in %(count)s phases of "
                    "≤ %(high)s ha."
                )
                if ok
                else N_(
                    "Area %(area)s ha exceeds %(high)s ha: its %(count)s phases do not meet the "
                    "phase rule."
                )
            )
    else:
        msgid = N_("Area %(area)s ha exceeds the %(high)s ha maximum of an %(kind)s.")
    return RuleResult(
        rule="area_limits",
        passed=ok,
        measured=round(new_ha, 4),
        limit=low if new_ha < low else high,
        unit="ha",
        message=Message(msgid, figures),
        citation=citations.KCN_PHASES if (kind == "KCN" and new_ha > high) else cite,
    )


def _overlap_rule(rule, geom, others, tol, label, cite) -> RuleResult:
    hits = []
    if others:
        tree = shapely.STRtree([g for _, g, _ in others])
        for j in sorted(tree.query(geom, predicate="intersects").tolist()):
            a = float(shapely.area(shapely.intersection(geom, others[j][1])))
            if a > 0:
                hits.append((others[j][2], a))
    total = sum(a for _, a in hits)
    ok = total <= tol
    what = Message(label)
    if not hits:
        message = Message(N_("No overlap with %(what)s."), {"what": what})
    else:
        names = join(
            [Message("%(name)s (%(area)s ha)", {"name": n, "area": _ha(a)}) for n, a in hits], ", "
        )
        message = Message(
            N_("Overlaps %(what)s: %(names)s — within digitising tolerance.")
            if ok
            else N_("Overlaps %(what)s: %(names)s."),
            {"what": what, "names": names},
        )
    return RuleResult(
        rule=rule,
        passed=ok,
        measured=round(total / 10_000, 6),
        limit=tol / 10_000,
        unit="ha",
        message=message,
        citation=cite,
    )


def unit_shares(geometry: BaseGeometry, units: Iterable) -> list[tuple[str, str, float]]:
    """The units ``geometry`` lies in: ``(id, name, share of its area)``, largest share first.

    ``units`` are ``(id, geometry[, name])`` in the same metric CRS; units it does not overlap are
    left out. Shares need not sum to 1 (parts outside every unit given, or units that overlap).

    >>> from shapely import box
    >>> units = [("A", box(0, 0, 4, 10), "xã A"), ("B", box(4, 0, 20, 10), "xã B"),
    ...          ("C", box(50, 0, 60, 10), "xã C")]
    >>> unit_shares(box(0, 0, 10, 10), units)
    [('B', 'xã B', 0.6), ('A', 'xã A', 0.4)]
    """
    if geometry.area <= 0:
        return []
    out = []
    for uid, geom, name in as_named_geometries(units):
        share = float(shapely.area(shapely.intersection(geometry, geom))) / geometry.area
        if share > 1e-9:
            out.append((uid, name, share))
    return sorted(out, key=lambda t: (-t[2], str(t[0])))


def _where(geom, units_around) -> dict | None:
    """The units ``geom`` lies in with their shares, as a message parameter (``None`` if none)."""
    named = as_named_geometries(units_around)
    shares = unit_shares(geom, named)
    if not shares:
        return None
    covered = (
        float(shapely.area(shapely.intersection(geom, shapely.union_all([g for _, g, _ in named]))))
        / geom.area
    )
    parts: list = [
        Message("%(name)s (%(share)s)", {"name": name, "share": percent(share)})
        for _, name, share in shares
    ]
    rest = 1.0 - covered
    if rest >= 0.0005:
        parts.append(
            Message(N_("outside every recorded unit (%(share)s)"), {"share": percent(rest)})
        )
    return join(parts, ", ")


def _unit_rule(geom, unit, unit_geometry, units_around, criteria) -> RuleResult:
    name = unit or Message(N_("the proposing unit"))
    if unit_geometry is None:
        return RuleResult(
            rule="inside_unit",
            passed=None,
            unit="share",
            limit=criteria.outside_unit_share,
            message=Message(N_("No boundary for %(unit)s: location not checked."), {"unit": name}),
            citation=citations.INSIDE_UNIT,
        )
    outside = float(shapely.area(shapely.difference(geom, unit_geometry))) / geom.area
    ok = outside <= criteria.outside_unit_share
    if ok:
        message = Message(N_("Inside %(unit)s."), {"unit": name})
    else:
        where = _where(geom, units_around)
        params = {"share": percent(outside), "unit": name}
        if where is None:
            message = Message(N_("%(share)s of the proposal lies outside %(unit)s."), params)
        else:
            message = Message(
                N_(
                    "%(share)s of the proposal lies outside %(unit)s. The proposal lies in "
                    "%(units)s."
                ),
                {**params, "units": where},
            )
    return RuleResult(
        rule="inside_unit",
        passed=ok,
        measured=round(outside, 6),
        limit=criteria.outside_unit_share,
        unit="share",
        message=message,
        citation=citations.INSIDE_UNIT,
    )


def _road_rule(geom, roads, criteria) -> RuleResult:
    """``road_access``: a road a factory can connect to (see :class:`ProposalCriteria`).

    Ordinary roads count within ``road_access_m``; an access-controlled road (expressway) counts
    only within ``road_interchange_m`` of one of its interchanges, and is then measured to the
    interchange. When nothing counts, the message names what is near and why it does not count.
    """
    statuses = criteria.road_statuses
    usable = [r for r in as_roads(roads) if r.status in statuses and not r.geometry.is_empty]
    counted = [r for r in usable if not r.road_class or r.road_class in criteria.road_classes]
    limit, ic_limit = criteria.road_access_m, criteria.road_interchange_m
    controlled = set(criteria.road_access_controlled)

    def named(road) -> dict:
        return {
            "road": road.name or Message(N_("unnamed")),
            "status": Message(ROAD_STATUS_NAMES[road.status]),
            "limit": distance(limit),
        }

    def result(passed, measured, lim, msgid, params, cite=citations.ROAD_ACCESS) -> RuleResult:
        return RuleResult(
            rule="road_access",
            passed=passed,
            measured=None if measured is None else round(measured, 2),
            limit=lim,
            unit="m",
            message=Message(msgid, params),
            citation=cite,
        )

    expressway_cite = Message(
        "%(items)s", {"items": join([citations.EXPRESSWAY_ACCESS, citations.ROAD_ACCESS])}
    )
    if not counted:
        names = _either([Message(ROAD_STATUS_NAMES[s]) for s in statuses])
        if usable:  # roads exist, none of a class that counts
            road = usable[int(np.argmin(shapely.distance(geom, [r.geometry for r in usable])))]
            return result(
                False,
                float(shapely.distance(geom, road.geometry)),
                limit,
                N_(
                    "No %(statuses)s road of a class that counts (%(classes)s) in the data; the "
                    "nearest road, %(road)s, is a %(class)s."
                ),
                {
                    **named(road),
                    "statuses": names,
                    "classes": join(
                        [Message(ROAD_CLASS_NAMES[c]) for c in criteria.road_classes], ", "
                    ),
                    "class": Message(ROAD_CLASS_NAMES[road.road_class]),
                },
            )
        return result(
            False, None, limit, N_("No %(statuses)s road in the data."), {"statuses": names}
        )
    ordinary = [r for r in counted if r.road_class not in controlled]
    gated = [r for r in counted if r.road_class in controlled]
    # (distance to the road, road) for ordinary roads
    best_ordinary = None
    if ordinary:
        d = shapely.distance(geom, [r.geometry for r in ordinary])
        j = int(np.argmin(d))
        best_ordinary = (float(d[j]), ordinary[j])
    # (distance to the nearest usable interchange or inf, that interchange, distance to road, road)
    gates = []
    for road in gated:
        points = [p for p in road.access_points if p.status in statuses and not p.geometry.is_empty]
        d_road = float(shapely.distance(geom, road.geometry))
        if points:
            d = shapely.distance(geom, [p.geometry for p in points])
            j = int(np.argmin(d))
            gates.append((float(d[j]), points[j], d_road, road))
        else:
            gates.append((float("inf"), None, d_road, road))
    gates.sort(key=lambda g: (g[0], g[2]))
    if best_ordinary is not None and best_ordinary[0] <= limit:
        d, road = best_ordinary
        params = {**named(road), "distance": distance(d)}
        msgid = (
            N_("Adjoins road %(road)s (%(status)s) (≤ %(limit)s).")
            if d < 1
            else N_("%(distance)s from road %(road)s (%(status)s) (≤ %(limit)s).")
        )
        return result(True, d, limit, msgid, params)
    if gates and gates[0][0] <= ic_limit:
        d_ic, point, _d_road, road = gates[0]
        return result(
            True,
            d_ic,
            ic_limit,
            N_(
                "%(distance)s from interchange %(interchange)s of expressway %(road)s "
                "(%(status)s) (≤ %(ic_limit)s)."
            ),
            {
                **named(road),
                "distance": distance(d_ic),
                "interchange": point.name or Message(N_("unnamed")),
                "ic_limit": distance(ic_limit),
            },
            expressway_cite,
        )
    near_gates = [g for g in gates if g[2] <= limit]
    if near_gates:  # only an expressway is near, away from its interchanges
        d_ic, point, d_road, road = near_gates[0]
        params = {**named(road), "distance": distance(d_road), "ic_limit": distance(ic_limit)}
        if point is None:
            msgid = N_(
                "Only expressway %(road)s (%(status)s) is within %(limit)s (%(distance)s), and "
                "it has no interchange in the data: vehicles enter an expressway only at "
                "interchanges."
            )
            return result(False, None, ic_limit, msgid, params, expressway_cite)
        params.update(interchange=point.name or Message(N_("unnamed")), ic_distance=distance(d_ic))
        msgid = N_(
            "Only expressway %(road)s (%(status)s) is within %(limit)s (%(distance)s), and "
            "vehicles enter it only at interchanges: the nearest, %(interchange)s, is "
            "%(ic_distance)s away, beyond the %(ic_limit)s limit."
        )
        return result(False, d_ic, ic_limit, msgid, params, expressway_cite)
    if best_ordinary is None:
        d_ic, point, d_road, road = gates[0]
        params = {**named(road), "distance": distance(d_road), "ic_limit": distance(ic_limit)}
        if point is None:
            msgid = N_(
                "%(distance)s from expressway %(road)s (%(status)s), which has no interchange in "
                "the data, and no other road."
            )
            return result(False, None, ic_limit, msgid, params, expressway_cite)
        params.update(interchange=point.name or Message(N_("unnamed")), ic_distance=distance(d_ic))
        msgid = N_(
            "%(ic_distance)s from interchange %(interchange)s of expressway %(road)s "
            "(%(status)s), beyond the %(ic_limit)s limit, and no other road."
        )
        return result(False, d_ic, ic_limit, msgid, params, expressway_cite)
    d, road = best_ordinary
    params = {**named(road), "distance": distance(d)}
    msgid = (
        N_("Adjoins road %(road)s (%(status)s), beyond the %(limit)s limit.")
        if d < 1
        else N_("%(distance)s from road %(road)s (%(status)s), beyond the %(limit)s limit.")
    )
    return result(False, d, limit, msgid, params)


def _exclusion_rule(name, geom, geoms, tol) -> RuleResult:
    gs = [g for g in geoms if g is not None and not g.is_empty]
    overlap = 0.0
    if gs:
        overlap = float(shapely.area(shapely.intersection(geom, shapely.union_all(gs))))
    ok = overlap <= tol
    what = Message(EXCLUSION_LABELS[name]) if name in EXCLUSION_LABELS else name
    if overlap == 0:
        message = Message(N_("No overlap with %(what)s."), {"what": what})
    else:
        message = Message(
            N_("The proposal overlaps %(area)s ha of %(what)s (≤ %(allowed)s ha allowed)."),
            {"area": _ha(overlap), "what": what, "allowed": _ha(tol)},
        )
    return RuleResult(
        rule=f"exclusion:{name}",
        passed=ok,
        measured=round(overlap / 10_000, 6),
        limit=tol / 10_000,
        unit="ha",
        message=message,
        citation=citations.EXCLUSION,
    )


def _occupancy_rule(kind, unit, unit_occupancy, expands, criteria) -> RuleResult:
    if expands is not None:
        return expansion_rule(
            kind, occupancy(expands.leased_ha, expands.leasable_ha), criteria.efficiency
        )
    if unit_occupancy is None:
        return RuleResult(
            rule="unit_occupancy",
            passed=None,
            unit="share",
            limit=criteria.efficiency.new_ccn_min_occupancy,
            message=Message(
                N_(
                    "No occupancy figures for the unit's existing areas: establishment condition "
                    "not checked."
                )
            ),
            citation=citations.CCN_NEW_OCCUPANCY,
        )
    if isinstance(unit_occupancy, UnitEfficiency):
        n, occ, unleased = (
            unit_occupancy.n_counted,
            unit_occupancy.occupancy,
            unit_occupancy.unleased_ha,
        )
        if criteria.efficiency.occupancy_average == "simple":
            occ = unit_occupancy.mean_occupancy
    else:
        n, occ, unleased = (
            unit_occupancy["n_counted"],
            unit_occupancy.get("occupancy"),
            float(unit_occupancy.get("unleased_ha", 0.0)),
        )
    r = new_area_rule(kind, n, occ, unleased, criteria.efficiency, unit or "")
    return RuleResult(
        rule="unit_occupancy",
        passed=r.passed,
        measured=r.measured,
        limit=r.limit,
        unit=r.unit,
        message=r.message,
        citation=r.citation,
    )


# --------------------------------------------------------------------------------------------
# issue 13 rules: phases, rice-land phasing, expansion, land-use breakdown
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class PhaseRecord(Serializable):
    """One investment phase of a proposal.

    ``number``, ``year``, a ``geometry`` (metric CRS) or only an ``area_ha`` (stated); with a
    geometry the measured area is used.
    """

    number: int
    year: int | None = None
    area_ha: float | None = None
    geometry: BaseGeometry | None = None

    @property
    def hectares(self) -> float | None:
        """The measured area (with a geometry), else the stated one; ``None`` if neither."""
        if self.geometry is not None and not self.geometry.is_empty:
            return float(self.geometry.area) / 10_000
        return None if self.area_ha is None else float(self.area_ha)


@dataclass(frozen=True, kw_only=True)
class RiceLand(Serializable):
    """2-crop rice land measured in a proposal.

    ``total_ha`` inside its boundary, ``phase_ha`` phase number → hectares inside that phase's
    boundary (``None``: the phase has no boundary), the ``region`` of the Decree 35 Art. 9
    threshold (a key of :data:`~planning.analysis.records.RICE_PHASING_THRESHOLDS_HA`) and the
    ``source`` (raster name, for the message).
    """

    total_ha: float
    region: str
    phase_ha: Mapping[int, float | None] = field(default_factory=dict)
    source: str = ""
    region_name: str = ""


@dataclass(frozen=True, kw_only=True)
class LandUse(Serializable):
    """The land-use breakdown a proposer gave.

    Hectares; the strip width in metres; ``None`` = not given.
    """

    industrial_ha: float | None = None
    services_ha: float | None = None
    green_ha: float | None = None
    infrastructure_ha: float | None = None
    isolation_strip_m: float | None = None


#: Regions whose Art. 9 rice threshold was confirmed (DOMAIN §1.4); the others (100 ha) were not.
RICE_CONFIRMED_REGIONS = ("mekong", "red_river", "central_coast", "north_central", "southeast")
RICE_REGION_NAMES = {
    "mekong": N_("Mekong Delta"),
    "red_river": N_("Red River Delta"),
    "central_coast": N_("Central Coast"),
    "north_central": N_("North Central"),
    "southeast": N_("Southeast"),
    "central_highlands": N_("Central Highlands"),
    "other": N_("other regions"),
}


def rice_land_ha(geometries, codes, transform, rice_codes=(1,), cell_area_m2=None) -> list[float]:
    """Hectares of rice cells (``codes`` in ``rice_codes``) whose centres lie in each geometry.

    ``codes`` is a land-cover window, ``transform`` its affine transform, both in the CRS of the
    geometries (metres). ``None`` geometries give ``None``.

    >>> import numpy as np
    >>> from affine import Affine
    >>> from shapely import box
    >>> codes = np.array([[1, 1, 2], [1, 3, 1]], dtype="uint8")  # 10 m cells, 100 m² each
    >>> rice_land_ha([box(0, 0, 30, 20), box(0, 10, 20, 20), None], codes,
    ...              Affine(10, 0, 0, 0, -10, 20))
    [0.04, 0.02, None]
    """
    from rasterio.features import geometry_mask

    codes = np.asarray(codes)
    rice = np.isin(codes, np.asarray(rice_codes))
    cell = float(cell_area_m2) if cell_area_m2 is not None else abs(transform.a * transform.e)
    out: list = []
    for g in geometries:
        if g is None or g.is_empty:
            out.append(None)
            continue
        inside = ~geometry_mask([g], out_shape=codes.shape, transform=transform, all_touched=False)
        out.append(round(int(np.count_nonzero(inside & rice)) * cell / 10_000, 4))
    return out


def _as_phase(p) -> PhaseRecord:
    if isinstance(p, PhaseRecord):
        return p
    if isinstance(p, Mapping):
        return PhaseRecord(**p)
    raise RecordError(f"expected a PhaseRecord, got {p!r}")


def _over_phase_limit(geom, criteria) -> bool:
    return geom.area / 10_000 > criteria.area_limits.kcn_max_ha + 1e-9


def _phase_rule(geom, phases, criteria) -> RuleResult:
    """Each phase ≤ the KCN phase limit; the phases cover the proposal.

    Coverage: their union within the tolerance when every phase has a boundary; otherwise the
    sum of their areas.
    """
    limit = float(criteria.area_limits.kcn_max_ha)
    total = geom.area / 10_000
    if not phases:
        return RuleResult(
            rule="phases",
            passed=False,
            measured=round(total, 4),
            limit=limit,
            unit="ha",
            message=Message(
                N_(
                    "No phases given for %(area)s ha: add the investment phases, each ≤ "
                    "%(limit)s ha, covering the whole area."
                ),
                {"area": number(total, 2), "limit": number(limit)},
            ),
            citation=citations.KCN_PHASES,
        )
    problems: list[Message] = []
    for p in phases:
        ha = p.hectares
        if ha is None:
            problems.append(Message(N_("phase %(n)s has no area"), {"n": p.number}))
        elif ha > limit + 1e-9:
            problems.append(
                Message(
                    N_("phase %(n)s is %(area)s ha (> %(limit)s ha)"),
                    {"n": p.number, "area": number(ha, 2), "limit": number(limit)},
                )
            )
    tol = criteria.phase_cover_tolerance_share
    with_geom = [p.geometry for p in phases if p.geometry is not None and not p.geometry.is_empty]
    if len(with_geom) == len(phases):
        uncovered = float(shapely.area(shapely.difference(geom, shapely.union_all(with_geom))))
        covered_ha = total - uncovered / 10_000
        if uncovered > tol * geom.area:
            problems.append(
                Message(
                    N_("the phases leave %(area)s ha of the proposal uncovered"),
                    {"area": _ha(uncovered)},
                )
            )
    else:
        covered_ha = sum(p.hectares or 0.0 for p in phases)
        if covered_ha < total * (1 - tol) - 1e-9:
            problems.append(
                Message(
                    N_("the phases add up to %(sum)s ha, less than the %(area)s ha proposed"),
                    {"sum": number(covered_ha, 2), "area": number(total, 2)},
                )
            )
    largest = max((p.hectares or 0.0) for p in phases)
    if problems:
        message = Message(
            N_("Phases not acceptable: %(problems)s."), {"problems": join(problems, "; ")}
        )
    else:
        message = Message(
            N_(
                "%(count)s phases (largest %(largest)s ha ≤ %(limit)s ha) cover %(covered)s of "
                "%(area)s ha."
            ),
            {
                "count": len(phases),
                "largest": number(largest, 2),
                "limit": number(limit),
                "covered": number(covered_ha, 2),
                "area": number(total, 2),
            },
        )
    return RuleResult(
        rule="phases",
        passed=not problems,
        measured=round(largest, 4),
        limit=limit,
        unit="ha",
        message=message,
        citation=citations.KCN_PHASES,
    )


def _rice_rule(rice: RiceLand | None, phases) -> RuleResult:
    if rice is None:
        return RuleResult(
            rule="rice_phasing",
            passed=None,
            unit="ha",
            message=Message(
                N_("No land-cover raster covers the proposal: 2-crop rice land not measured.")
            ),
            citation=citations.RICE_PHASING,
        )
    region = rice.region if rice.region in RICE_PHASING_THRESHOLDS_HA else "other"
    limit = float(RICE_PHASING_THRESHOLDS_HA[region])
    confirmed = region in RICE_CONFIRMED_REGIONS
    cite = citations.RICE_PHASING if confirmed else citations.RICE_PHASING_OTHER
    params = {
        "rice": number(rice.total_ha, 2),
        "limit": number(limit),
        "region": rice.region_name or Message(RICE_REGION_NAMES.get(region, region)),
        "source": rice.source or "—",
    }
    unconfirmed = Message(N_(" (threshold NOT CONFIRMED for this region)")) if not confirmed else ""
    params["note"] = unconfirmed
    if rice.total_ha <= limit + 1e-9:
        ok: bool | None = True
        msgid = N_(
            "%(rice)s ha of 2-crop rice land (raster %(source)s) ≤ %(limit)s ha per phase in "
            "%(region)s%(note)s."
        )
    elif not phases:
        ok = False
        msgid = N_(
            "%(rice)s ha of 2-crop rice land (raster %(source)s) > %(limit)s ha in %(region)s"
            "%(note)s: its conversion must be phased — add phases of ≤ %(limit)s ha of rice land."
        )
    else:
        per = [(p.number, rice.phase_ha.get(p.number)) for p in phases]
        unmeasured = [n for n, ha in per if ha is None]
        over = [(n, ha) for n, ha in per if ha is not None and ha > limit + 1e-9]
        if over:
            ok = False
            params["phases"] = join(
                [
                    Message(N_("phase %(n)s: %(rice)s ha"), {"n": n, "rice": number(ha, 2)})
                    for n, ha in over
                ],
                "; ",
            )
            msgid = N_(
                "%(rice)s ha of 2-crop rice land (raster %(source)s); per phase at most "
                "%(limit)s ha in %(region)s%(note)s, exceeded by %(phases)s."
            )
        elif unmeasured:
            ok = None
            params["phases"] = ", ".join(str(n) for n in unmeasured)
            msgid = N_(
                "%(rice)s ha of 2-crop rice land (raster %(source)s) > %(limit)s ha in "
                "%(region)s%(note)s; phases %(phases)s have no boundary, so their rice land "
                "was not measured."
            )
        else:
            ok = True
            msgid = N_(
                "%(rice)s ha of 2-crop rice land (raster %(source)s), each phase ≤ %(limit)s ha "
                "of it in %(region)s%(note)s."
            )
    measured = max(
        [rice.total_ha if not phases else 0.0]
        + [v for v in rice.phase_ha.values() if v is not None]
    )
    return RuleResult(
        rule="rice_phasing",
        passed=ok,
        measured=round(measured, 4),
        limit=limit,
        unit="ha",
        message=Message(msgid, params),
        citation=cite,
    )


def _expansion_occupancy_rule(kind, expands, demand_stated, demand_confirmed, criteria):
    base = expansion_rule(
        kind, occupancy(expands.leased_ha, expands.leasable_ha), criteria.efficiency
    )
    if base.passed is not False or not demand_stated:
        return base
    if demand_confirmed:
        msgid = N_(
            "%(base)s The demand for industrial land beyond the existing industrial land, stated "
            "by the proposer, was confirmed by a reviewer: the condition is met."
        )
    else:
        msgid = N_(
            "%(base)s The proposer states that the demand for industrial land exceeds the "
            "existing industrial land: a reviewer has not confirmed it yet."
        )
    return RuleResult(
        rule=base.rule,
        passed=bool(demand_confirmed),
        measured=base.measured,
        limit=base.limit,
        unit=base.unit,
        message=Message(msgid, {"base": base.message}),
        citation=base.citation,
    )


#: Expansion condition 4: the completion fields of the expanded area and their names.
INFRASTRUCTURE_PARTS = (
    ("roads_done_pct", N_("internal roads")),
    ("water_done_pct", N_("water supply")),
    ("wastewater_done_pct", N_("wastewater collection")),
)


def _expansion_infrastructure_rule(expands: AreaRecord, criteria) -> RuleResult:
    need = criteria.expansion_infra_min_pct
    short: list[Message] = []
    unknown: list[Message] = []
    for attr, label in INFRASTRUCTURE_PARTS:
        pct = getattr(expands, attr)
        if pct is None:
            unknown.append(Message(label))
        elif float(pct) < need - 1e-9:
            short.append(
                Message("%(part)s %(pct)s %%", {"part": Message(label), "pct": number(float(pct))})
            )
    if criteria.expansion_needs_wwtp and not expands.wwtp_operating:
        short.append(Message(N_("the wastewater treatment plant is not operating")))
    done = [getattr(expands, a) for a, _ in INFRASTRUCTURE_PARTS if getattr(expands, a) is not None]
    measured = min(float(v) for v in done) if done else None
    name = expands.name or str(expands.id)
    if short:
        ok: bool | None = False
        message = Message(
            N_(
                "Shared infrastructure of %(area)s not built and in use (≥ %(need)s %% required): "
                "%(short)s."
            ),
            {"area": name, "need": number(need), "short": join(short, "; ")},
        )
    elif unknown:
        ok = None
        message = Message(
            N_("No completion figures for %(parts)s of %(area)s: condition not checked."),
            {"parts": join(unknown, ", "), "area": name},
        )
    else:
        ok = True
        message = Message(
            N_(
                "Internal roads, water supply and wastewater collection of %(area)s are built "
                "(≥ %(need)s %%) and its wastewater treatment plant operates."
            ),
            {"area": name, "need": number(need)},
        )
    return RuleResult(
        rule="expansion_infrastructure",
        passed=ok,
        measured=measured,
        limit=need,
        unit="%",
        message=message,
        citation=citations.CCN_EXPANSION_INFRASTRUCTURE,
    )


def _isolation_rule(land_use: LandUse | None, criteria) -> RuleResult:
    need = criteria.isolation_strip_min_m
    width = None if land_use is None else land_use.isolation_strip_m
    if width is None:
        return RuleResult(
            rule="isolation_strip",
            passed=None,
            limit=need,
            unit="m",
            message=Message(
                N_("The width of the green isolation strip was not given: not checked.")
            ),
            citation=citations.ISOLATION_STRIP,
        )
    ok = float(width) >= need - 1e-9
    return RuleResult(
        rule="isolation_strip",
        passed=ok,
        measured=float(width),
        limit=need,
        unit="m",
        message=Message(
            N_("Green isolation strip %(width)s m %(cmp)s %(need)s m."),
            {"width": number(width, 1), "cmp": "≥" if ok else "<", "need": number(need)},
        ),
        citation=citations.ISOLATION_STRIP,
    )


def _services_rule(geom, land_use: LandUse | None, criteria) -> RuleResult:
    limit = criteria.ccn_services_max_share
    services = None if land_use is None else land_use.services_ha
    if services is None:
        return RuleResult(
            rule="services_share",
            passed=None,
            limit=limit,
            unit="share",
            message=Message(
                N_("No land-use breakdown with the services land was given: not checked.")
            ),
            citation=citations.CCN_SERVICES_SHARE,
        )
    total = geom.area / 10_000
    share = float(services) / total if total > 0 else 0.0
    ok = share <= limit + 1e-9
    return RuleResult(
        rule="services_share",
        passed=ok,
        measured=round(share, 6),
        limit=limit,
        unit="share",
        message=Message(
            N_("Services land %(services)s ha is %(share)s of %(area)s ha (%(cmp)s %(limit)s)."),
            {
                "services": number(services, 2),
                "share": percent(share),
                "area": number(total, 2),
                "cmp": "≤" if ok else ">",
                "limit": percent(limit, 0),
            },
        ),
        citation=citations.CCN_SERVICES_SHARE,
    )


def summary(rules: Iterable[RuleResult]) -> Message:
    """One sentence over the checks: met, or the messages of the failed rules.

    >>> from shapely import box
    >>> print(summary(check_proposal(geometry=box(0, 0, 500, 400), kind="CCN")))
    ... # doctest: +NORMALIZE_WHITESPACE
    Not met: No invested or under construction road in the data.
    (5 conditions could not be checked).
    """
    rules = list(rules)
    failed = [r.message for r in rules if r.passed is False]
    unknown = sum(1 for r in rules if r.passed is None)
    if not failed:
        if unknown:
            return Message(
                N_("All the conditions checked are met (%(count)s could not be checked)."),
                {"count": unknown},
            )
        return Message(N_("All the conditions checked are met."))
    if unknown:
        return Message(
            N_("Not met: %(failed)s (%(count)s conditions could not be checked)."),
            {"failed": join(failed), "count": unknown},
        )
    return Message(N_("Not met: %(failed)s."), {"failed": join(failed)})


# --------------------------------------------------------------------------------------------
# issue 13 plan: establishment condition 1 — on the provincial plan's list
# --------------------------------------------------------------------------------------------
def plan_list_rule(kind: str, plan: Mapping | None) -> list[RuleResult]:
    """Establishment condition 1: on the provincial plan's list, or flagged for an amendment.

    Decree 32/2024 for CCN; Decree 35/2022 Art. 9 (conformity with the plans) for KCN.

    ``plan`` is ``None`` (no information: the rule is left out) or a mapping with
    ``plan_recorded`` (whether a provincial plan is recorded for the proposal's province),
    ``needs_amendment`` (the proposal is flagged as needing a plan amendment) and ``entry``
    (``None`` or the linked plan entry: ``name``, ``kind``, ``plan``, and ``removed`` when an
    amendment took it off the plan).

    * on the list (an entry of the proposal's kind, still on the plan): met;
    * an entry of another kind, or one removed from the plan: not met;
    * flagged as needing an amendment: not decided (``None``) — the amendment comes first;
    * neither, with a plan recorded: not met; with no plan recorded: not checked (``None``).

    Examples
    --------
    >>> from planning.analysis.messages import render
    >>> (r,) = plan_list_rule("CCN", {"plan_recorded": True, "needs_amendment": False,
    ...     "entry": {"name": "CCN Ngã Năm", "kind": "CCN", "plan": "995/QĐ-TTg"}})
    >>> r.passed, render(r.message, lang="en")
    (True, "On the provincial plan's list: CCN Ngã Năm (995/QĐ-TTg).")
    >>> (r,) = plan_list_rule("KCN", {"plan_recorded": True, "needs_amendment": False,
    ...                               "entry": None})
    >>> r.passed, "Article 9" in render(r.citation, lang="en")
    (False, True)
    >>> plan_list_rule("CCN", None)
    []
    """
    if plan is None:
        return []
    cite = citations.KCN_ON_PLAN if kind == "KCN" else citations.CCN_ON_PLAN
    entry = plan.get("entry")

    def result(passed, message):
        return [RuleResult(rule="on_plan_list", passed=passed, message=message, citation=cite)]

    if entry is not None:
        params = {"entry": entry.get("name", ""), "plan": entry.get("plan", ""), "kind": kind}
        if entry.get("kind") and entry["kind"] != kind:
            return result(
                False,
                Message(
                    N_("The plan entry %(entry)s is not a %(kind)s: link an entry of its kind."),
                    params,
                ),
            )
        if entry.get("removed"):
            return result(
                False,
                Message(N_("%(entry)s was removed from the provincial plan (%(plan)s)."), params),
            )
        return result(
            True, Message(N_("On the provincial plan's list: %(entry)s (%(plan)s)."), params)
        )
    if plan.get("needs_amendment"):
        return result(
            None,
            Message(
                N_(
                    "Not on the provincial plan's list: flagged as needing a plan amendment, "
                    "which must be approved before the %(kind)s is established."
                ),
                {"kind": kind},
            ),
        )
    if not plan.get("plan_recorded"):
        return result(
            None,
            Message(
                N_(
                    "No provincial plan is recorded for the province: whether the %(kind)s is on "
                    "its list was not checked."
                ),
                {"kind": kind},
            ),
        )
    return result(
        False,
        Message(
            N_(
                "Not on the provincial plan's list and not flagged as needing a plan amendment: "
                "link the plan entry or flag the amendment."
            )
        ),
    )
