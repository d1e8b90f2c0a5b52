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
``exclusion:<kind>``       one rule per exclusion layer (water, forest, flood …): overlap ≤
                           tolerance
``unit_occupancy``         new CCN: the unit's existing CCN occupancy > 50 % or unleased ≤ 100 ha
                           (Decree 32/2024) — or, with ``expands``, ``expansion_occupancy``: the
                           expanded CCN's own occupancy ≥ 60 %

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
 ('unit_occupancy', None)]
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
    ROAD_STATUS_NAMES,
    ROAD_STATUSES,
    AreaLimits,
    AreaRecord,
    RuleResult,
    as_named_geometries,
    as_roads,
)

__all__ = ["check_proposal", "unit_shares", "summary", "EXCLUSION_LABELS", "ProposalCriteria"]


@dataclass(frozen=True, kw_only=True)
class ProposalCriteria(Serializable):
    """Parameters of :func:`planning.analysis.proposal_checks.check_proposal`.

    ``road_access_m`` (ASSUMPTION 1000 m) is how far the proposal may lie from a road whose status
    is in ``road_statuses``. Tolerances absorb digitising noise: overlaps and exclusion
    intersections smaller than ``overlap_tolerance_m2`` pass, and up to ``outside_unit_share`` of
    the proposal may fall outside its unit.
    """

    area_limits: AreaLimits = field(default_factory=AreaLimits)
    road_statuses: tuple[str, ...] = ("invested", "under_construction")
    road_access_m: float = 1000.0
    overlap_tolerance_m2: float = 100.0
    outside_unit_share: float = 0.001
    efficiency: EfficiencyCriteria = field(default_factory=EfficiencyCriteria)

    def __post_init__(self) -> None:
        require_positive("road_access_m", self.road_access_m, allow_zero=True)
        require_positive("overlap_tolerance_m2", self.overlap_tolerance_m2, allow_zero=True)
        require_share("outside_unit_share", self.outside_unit_share)
        if set(self.road_statuses) - set(ROAD_STATUSES) or not self.road_statuses:
            raise CriteriaError(f"road_statuses must be a non-empty subset of {ROAD_STATUSES}")


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
    results = [_area_rule(geometry, kind, is_mountainous, is_craft_village, expands, criteria)]
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
    results.append(_occupancy_rule(kind, occupancy_unit or unit, unit_occupancy, expands, criteria))
    results += plan_list_rule(kind, plan)  # issue 13 plan: establishment condition 1
    return results


def _area_rule(geom, kind, is_mountainous, is_craft_village, expands, criteria) -> RuleResult:
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
        msgid = N_(
            "Area %(area)s ha exceeds %(high)s ha: the park must be developed in phases of "
            "≤ %(high)s ha."
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
        citation=cite,
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
    usable = [
        r for r in as_roads(roads) if r.status in criteria.road_statuses and not r.geometry.is_empty
    ]
    limit = criteria.road_access_m
    if not usable:
        statuses = _either([Message(ROAD_STATUS_NAMES[s]) for s in criteria.road_statuses])
        return RuleResult(
            rule="road_access",
            passed=False,
            limit=limit,
            unit="m",
            message=Message(N_("No %(statuses)s road in the data."), {"statuses": statuses}),
            citation=citations.ROAD_ACCESS,
        )
    dists = shapely.distance(geom, np.array([r.geometry for r in usable], dtype=object))
    j = int(np.argmin(dists))
    d, road = float(dists[j]), usable[j]
    ok = d <= limit
    params = {
        "road": road.name or Message(N_("unnamed")),
        "status": Message(ROAD_STATUS_NAMES[road.status]),
        "distance": distance(d),
        "limit": distance(limit),
    }
    if d < 1:
        msgid = (
            N_("Adjoins road %(road)s (%(status)s) (≤ %(limit)s).")
            if ok
            else N_("Adjoins road %(road)s (%(status)s), beyond the %(limit)s limit.")
        )
    else:
        msgid = (
            N_("%(distance)s from road %(road)s (%(status)s) (≤ %(limit)s).")
            if ok
            else N_("%(distance)s from road %(road)s (%(status)s), beyond the %(limit)s limit.")
        )
    return RuleResult(
        rule="road_access",
        passed=ok,
        measured=round(d, 2),
        limit=limit,
        unit="m",
        message=Message(msgid, params),
        citation=citations.ROAD_ACCESS,
    )


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


def summary(rules: Iterable[RuleResult]) -> Message:
    """One sentence over the checks: met, or the messages of the failed rules.

    >>> from shapely import box
    >>> print(summary(check_proposal(geometry=box(0, 0, 500, 400), kind="CCN")))
    ... # doctest: +NORMALIZE_WHITESPACE
    Not met: No invested or under construction road in the data.
    (2 conditions could not be checked).
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
