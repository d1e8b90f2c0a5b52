"""Land-use efficiency of industrial areas, per area and aggregated per administrative unit.

Pure analysis on plain records (:class:`~planning.analysis.records.AreaRecord`,
``ParcelRecord``, ``ProjectRecord``); no geometry needed. Hectares, billions of VND, jobs.

Indicators per area (DOMAIN.md §3.1)
------------------------------------
* **occupancy** (tỷ lệ lấp đầy) = leased ÷ leasable industrial land, clipped to [0, 1]
  (``None`` when there is no leasable land; leased > leasable is clipped and noted);
* **leasable share** = leasable ÷ planned area, in [0, 1];
* **clearance progress** = handed-over parcel hectares ÷ all parcel hectares of the area;
* **cleared but idle land** (estimate, no geometry needed) = handed-over hectares × leasable share
  (the industrial part of the cleared land) − land in use, where land in use is the larger of the
  leased land and the land leased by non-revoked projects; never negative; ``None`` without parcels;
* **per hectare** figures use the leasable industrial land as denominator, as DOMAIN §3.1 defines
  investment per hectare: registered and disbursed capital, actual and planned jobs, and tax
  (only projects that reported tax; ``None`` if none did);
* **disbursement ratio** = disbursed ÷ registered capital (may exceed 1 after capital changes);
* **build-out** = share of non-revoked projects that are operating.

Rules (Decree 32/2024 on CCN, DOMAIN §2.3, confirmed; article numbers not read)
-------------------------------------------------------------------------------
* **new CCN in a unit**: allowed only if the unit's existing CCN have an average occupancy
  > 50 % or their unleased industrial land totals ≤ 100 ha (no existing CCN: the condition does
  not apply). "Existing" = status in ``counted_statuses`` (established onwards). The unit level
  is the caller's choice (``levels``): the decree says district, and districts were abolished on
  1 July 2025 (DOMAIN §5). The average is area-weighted (Σ leased ÷ Σ leasable) by default.
* **expansion of a CCN**: occupancy ≥ 60 % (the alternative "demand exceeds the existing
  industrial land" cannot be computed from these records and is mentioned in the message).
* For KCN the corresponding Decree 35 thresholds are NOT CONFIRMED: the rules return
  ``passed=None`` with that explanation.

Examples
--------
>>> from planning.analysis.records import AreaRecord, ProjectRecord
>>> a = AreaRecord(id=1, kind="CCN", planned_ha=50, leasable_ha=35, leased_ha=14,
...                units={"commune": "X"})
>>> e = area_efficiency([a], projects=[ProjectRecord(id=9, area_id=1, leased_ha=14,
...     registered_capital_bn_vnd=70, actual_jobs=350, status="operating")])[0]
>>> e.occupancy, e.leasable_share, e.registered_capital_per_ha, e.jobs_per_ha, e.build_out
(0.4, 0.7, 2.0, 10.0, 1.0)
>>> e.expansion.passed
False
>>> u = unit_efficiency([a], level="commune")[0]
>>> u.occupancy, u.unleased_ha, u.new_area_rule.passed
(0.4, 21.0, True)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from planning.analysis import citations
from planning.analysis.base import Serializable, require_positive, require_share
from planning.analysis.errors import CriteriaError, RecordError
from planning.analysis.messages import N_, Message, number, percent
from planning.analysis.records import (
    AREA_STATUSES,
    ESTABLISHED_STATUSES,
    AreaRecord,
    ParcelRecord,
    ProjectRecord,
    RuleResult,
)

__all__ = [
    "ClearanceTotals",
    "ProjectTotals",
    "clearance_totals",
    "project_totals",
    "area_efficiency",
    "unit_efficiency",
    "land_use_efficiency",
    "occupancy",
    "new_area_rule",
    "expansion_rule",
    "EfficiencyCriteria",
    "AreaEfficiency",
    "UnitEfficiency",
    "EfficiencyReport",
]


@dataclass(frozen=True, kw_only=True)
class EfficiencyCriteria(Serializable):
    """Thresholds of the Decree 32/2024 conditions (DOMAIN §2.3, confirmed) and what is counted.

    ``counted_statuses``: areas that count as "existing" in a unit (established onwards).
    ``occupancy_average``: ``"area_weighted"`` (Σ leased ÷ Σ leasable, default) or ``"simple"``
    (mean of the areas' occupancies) — the decree says "bình quân" without saying which.
    """

    new_ccn_min_occupancy: float = 0.5  # strictly greater than
    new_ccn_max_unleased_ha: float = 100.0  # at most
    expansion_min_occupancy: float = 0.6  # at least
    expansion_max_ha: float = 75.0
    counted_statuses: tuple[str, ...] = ESTABLISHED_STATUSES
    occupancy_average: str = "area_weighted"

    def __post_init__(self) -> None:
        require_share("new_ccn_min_occupancy", self.new_ccn_min_occupancy)
        require_share("expansion_min_occupancy", self.expansion_min_occupancy)
        require_positive("new_ccn_max_unleased_ha", self.new_ccn_max_unleased_ha, allow_zero=True)
        require_positive("expansion_max_ha", self.expansion_max_ha)
        if self.occupancy_average not in ("area_weighted", "simple"):
            raise CriteriaError("occupancy_average must be 'area_weighted' or 'simple'")
        if set(self.counted_statuses) - set(AREA_STATUSES):
            raise CriteriaError(f"counted_statuses must be a subset of {AREA_STATUSES}")


@dataclass(frozen=True, kw_only=True)
class AreaEfficiency(Serializable):
    """Land-use efficiency of one area (ratios in [0, 1]; ``None`` when the denominator is 0)."""

    area_id: Hashable
    name: str
    kind: str
    status: str
    units: Mapping[str, Hashable]
    planned_ha: float
    leasable_ha: float
    leased_ha: float
    unleased_ha: float
    occupancy: float | None
    leasable_share: float | None
    clearance_parcel_ha: float
    clearance_handed_over_ha: float
    clearance_progress: float | None
    idle_cleared_ha: float | None
    n_projects: int
    n_operating: int
    build_out: float | None
    registered_capital_per_ha: float | None
    disbursed_capital_per_ha: float | None
    disbursement_ratio: float | None
    jobs_per_ha: float | None
    planned_jobs_per_ha: float | None
    tax_per_ha: float | None
    expansion: RuleResult
    notes: tuple[Message, ...] = ()


@dataclass(frozen=True, kw_only=True)
class UnitEfficiency(Serializable):
    """Areas of one kind aggregated over one administrative unit."""

    level: str
    unit: Hashable
    kind: str
    area_ids: tuple[Hashable, ...]
    n_counted: int
    planned_ha: float
    leasable_ha: float
    leased_ha: float
    unleased_ha: float
    occupancy: float | None  # area-weighted
    mean_occupancy: float | None  # simple mean over counted areas with leasable land
    new_area_rule: RuleResult


@dataclass(frozen=True, kw_only=True)
class EfficiencyReport(Serializable):
    """Per-area efficiency and its aggregation per unit level."""

    areas: tuple[AreaEfficiency, ...]
    units: tuple[UnitEfficiency, ...]


def occupancy(leased_ha: float, leasable_ha: float) -> float | None:
    """Leased ÷ leasable industrial land, clipped to [0, 1]; ``None`` if nothing is leasable.

    >>> round(occupancy(120, 146.3), 4), occupancy(5, 0), occupancy(12, 10)
    (0.8202, None, 1.0)
    """
    if leasable_ha <= 0:
        return None
    return min(max(leased_ha, 0.0) / leasable_ha, 1.0)


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


#: Names of the aggregation levels, for messages ("district (former) Phù Cát").
LEVELS = {
    "commune": N_("commune/ward"),
    "district": N_("district (former)"),
    "province": N_("province"),
}


def unit_label(level: str, name: str) -> Message:
    """A unit as messages name it: its level's name and its own (``huyện (cũ) Phù Cát``)."""
    return Message(
        N_("%(level)s %(name)s"),
        {"level": Message(LEVELS[level]) if level in LEVELS else level, "name": name},
    )


@dataclass(frozen=True, kw_only=True)
class ClearanceTotals:
    """The clearance parcels of one area, summed: all that :func:`area_efficiency` needs of them.

    A database can compute these with one aggregate query instead of sending every parcel
    (``planning.selectors.analysis_inputs.efficiency.clearance_totals``).
    """

    n_parcels: int = 0
    parcel_ha: float = 0.0
    handed_over_ha: float = 0.0


@dataclass(frozen=True, kw_only=True)
class ProjectTotals:
    """The non-revoked secondary projects of one area, summed (see :class:`ClearanceTotals`).

    ``n_taxed`` counts the projects that reported a tax (``tax_per_ha`` is ``None`` without any).
    """

    n_projects: int = 0
    n_operating: int = 0
    leased_ha: float = 0.0
    registered_capital_bn_vnd: float = 0.0
    disbursed_capital_bn_vnd: float = 0.0
    actual_jobs: int = 0
    planned_jobs: int = 0
    n_taxed: int = 0
    annual_tax_bn_vnd: float = 0.0


def clearance_totals(parcels: Iterable[ParcelRecord]) -> dict[Hashable, ClearanceTotals]:
    """Parcels summed per area (``status == "handed_over"`` counts as cleared).

    >>> from planning.analysis.records import ParcelRecord
    >>> clearance_totals([ParcelRecord(id=1, area_id="A", area_ha=2, status="handed_over"),
    ...                   ParcelRecord(id=2, area_id="A", area_ha=3)])["A"]
    ClearanceTotals(n_parcels=2, parcel_ha=5.0, handed_over_ha=2.0)
    """
    by_area: dict[Hashable, list[ParcelRecord]] = defaultdict(list)
    for p in parcels:
        by_area[p.area_id].append(p)
    return {
        area_id: ClearanceTotals(
            n_parcels=len(ps),
            parcel_ha=sum(p.area_ha for p in ps),
            handed_over_ha=sum(p.area_ha for p in ps if p.status == "handed_over"),
        )
        for area_id, ps in by_area.items()
    }


def project_totals(projects: Iterable[ProjectRecord]) -> dict[Hashable, ProjectTotals]:
    """Non-revoked projects summed per area (revoked projects are ignored)."""
    by_area: dict[Hashable, list[ProjectRecord]] = defaultdict(list)
    for p in projects:
        if p.status != "revoked":
            by_area[p.area_id].append(p)
    out = {}
    for area_id, ps in by_area.items():
        taxed = [p.annual_tax_bn_vnd for p in ps if p.annual_tax_bn_vnd is not None]
        out[area_id] = ProjectTotals(
            n_projects=len(ps),
            n_operating=sum(1 for p in ps if p.status == "operating"),
            leased_ha=sum(p.leased_ha for p in ps),
            registered_capital_bn_vnd=sum(p.registered_capital_bn_vnd for p in ps),
            disbursed_capital_bn_vnd=sum(p.disbursed_capital_bn_vnd for p in ps),
            actual_jobs=sum(p.actual_jobs for p in ps),
            planned_jobs=sum(p.planned_jobs for p in ps),
            n_taxed=len(taxed),
            annual_tax_bn_vnd=sum(taxed),
        )
    return out


def area_efficiency(
    areas: Iterable[AreaRecord],
    *,
    parcels: Iterable[ParcelRecord] = (),
    projects: Iterable[ProjectRecord] = (),
    parcel_sums: Mapping[Hashable, ClearanceTotals] | None = None,
    project_sums: Mapping[Hashable, ProjectTotals] | None = None,
    criteria: EfficiencyCriteria = EfficiencyCriteria(),
) -> list[AreaEfficiency]:
    """Efficiency indicators of each area (see the module docstring for definitions).

    Parameters
    ----------
    areas : iterable of AreaRecord
        Hectares of each area (planned, leasable, leased).
    parcels : iterable of ParcelRecord
        Clearance parcels; ``status == "handed_over"`` counts as cleared.
    projects : iterable of ProjectRecord
        Secondary projects; revoked projects are ignored.
    parcel_sums, project_sums : mapping of area id to ClearanceTotals / ProjectTotals, optional
        The parcels and projects already summed per area (e.g. by the database), instead of
        ``parcels`` / ``projects`` (giving both is an error).
    criteria : EfficiencyCriteria
        Expansion threshold (default occupancy ≥ 60 %).

    Returns
    -------
    list of AreaEfficiency
        In the order of ``areas``.
    """
    areas = list(areas)
    parcels, projects = tuple(parcels), tuple(projects)
    if parcel_sums is not None and parcels:
        raise RecordError("give parcels or parcel_sums, not both")
    if project_sums is not None and projects:
        raise RecordError("give projects or project_sums, not both")
    if parcel_sums is None:
        parcel_sums = clearance_totals(parcels)
    if project_sums is None:
        project_sums = project_totals(projects)
    return [
        _one(a, parcel_sums.get(a.id), project_sums.get(a.id) or ProjectTotals(), criteria)
        for a in areas
    ]


def _one(
    a: AreaRecord,
    parcels: ClearanceTotals | None,
    projects: ProjectTotals,
    criteria: EfficiencyCriteria,
) -> AreaEfficiency:
    notes = []
    leased = a.leased_ha
    if leased > a.leasable_ha:
        notes.append(
            Message(
                N_("leased %(leased)s ha > leasable %(leasable)s ha: clipped"),
                {"leased": number(leased, 2), "leasable": number(a.leasable_ha, 2)},
            )
        )
        leased = a.leasable_ha
    occ = occupancy(leased, a.leasable_ha)
    leasable_share = min(_ratio(a.leasable_ha, a.planned_ha), 1.0) if a.planned_ha > 0 else None
    parcel_ha = parcels.parcel_ha if parcels else 0
    handed = parcels.handed_over_ha if parcels else 0
    progress = _ratio(handed, parcel_ha)
    in_use = max(leased, projects.leased_ha)
    idle = None
    if parcels and parcels.n_parcels:
        idle = max(0.0, handed * (leasable_share if leasable_share is not None else 1.0) - in_use)
    n = projects.n_projects
    n_op = projects.n_operating
    reg = projects.registered_capital_bn_vnd
    dis = projects.disbursed_capital_bn_vnd
    den = a.leasable_ha
    return AreaEfficiency(
        area_id=a.id,
        name=a.name,
        kind=a.kind,
        status=a.status,
        units=dict(a.units),
        planned_ha=a.planned_ha,
        leasable_ha=a.leasable_ha,
        leased_ha=leased,
        unleased_ha=max(0.0, a.leasable_ha - leased),
        occupancy=occ,
        leasable_share=leasable_share,
        clearance_parcel_ha=parcel_ha,
        clearance_handed_over_ha=handed,
        clearance_progress=progress,
        idle_cleared_ha=idle,
        n_projects=n,
        n_operating=n_op,
        build_out=_ratio(n_op, n),
        registered_capital_per_ha=_ratio(reg, den),
        disbursed_capital_per_ha=_ratio(dis, den),
        disbursement_ratio=_ratio(dis, reg),
        jobs_per_ha=_ratio(projects.actual_jobs, den),
        planned_jobs_per_ha=_ratio(projects.planned_jobs, den),
        tax_per_ha=_ratio(projects.annual_tax_bn_vnd, den) if projects.n_taxed else None,
        expansion=expansion_rule(a.kind, occ, criteria),
        notes=tuple(notes),
    )


def expansion_rule(
    kind: str, occ: float | None, criteria: EfficiencyCriteria = EfficiencyCriteria()
) -> RuleResult:
    """The occupancy condition for expanding an area (CCN: ≥ 60 %; KCN: not confirmed).

    >>> str(expansion_rule("CCN", 0.62).message)
    'Occupancy 62.0 % ≥ 60 %: the occupancy condition for expansion is met.'
    """
    limit = criteria.expansion_min_occupancy
    if kind != "CCN":
        return RuleResult(
            rule="expansion_occupancy",
            passed=None,
            measured=occ,
            limit=None,
            unit="share",
            message=Message(
                N_(
                    "The Decree 35/2022 occupancy threshold for expanding a KCN is not confirmed; "
                    "not evaluated."
                )
            ),
            citation=citations.KCN_OCCUPANCY,
        )
    if occ is None:
        return RuleResult(
            rule="expansion_occupancy",
            passed=None,
            measured=None,
            limit=limit,
            unit="share",
            message=Message(N_("No leasable industrial land: occupancy cannot be computed.")),
            citation=citations.CCN_EXPANSION,
        )
    ok = occ >= limit
    verdict = (
        N_("the occupancy condition for expansion is met.")
        if ok
        else N_(
            "expansion not allowed unless the demand for land exceeds the existing industrial land."
        )
    )
    return RuleResult(
        rule="expansion_occupancy",
        passed=ok,
        measured=occ,
        limit=limit,
        unit="share",
        message=Message(
            N_("Occupancy %(occupancy)s %(cmp)s %(limit)s %%: %(verdict)s"),
            {
                "occupancy": percent(occ),
                "cmp": "≥" if ok else "<",
                "limit": number(limit * 100),
                "verdict": Message(verdict),
            },
        ),
        citation=citations.CCN_EXPANSION,
    )


def new_area_rule(
    kind: str,
    n_counted: int,
    occ: float | None,
    unleased_ha: float,
    criteria: EfficiencyCriteria = EfficiencyCriteria(),
    unit_label: str | Message = "",
) -> RuleResult:
    """Condition 3 for a new CCN in a unit: existing CCN occupancy > 50 % or unleased ≤ 100 ha.

    ``unit_label`` names the unit in the message (text, or :func:`unit_label`).

    >>> new_area_rule("CCN", 3, 0.42, 130.0).passed, new_area_rule("CCN", 3, 0.42, 80.0).passed
    (False, True)
    >>> new_area_rule("CCN", 0, None, 0.0).passed
    True
    """
    min_occ, max_unleased = criteria.new_ccn_min_occupancy, criteria.new_ccn_max_unleased_ha
    where = Message(N_(" in %(unit)s"), {"unit": unit_label}) if unit_label else ""
    if kind != "CCN":
        return RuleResult(
            rule="new_area_occupancy",
            passed=None,
            measured=occ,
            limit=None,
            unit="share",
            message=Message(
                N_(
                    "The Decree 35/2022 occupancy threshold for new KCN is not confirmed; not "
                    "evaluated."
                )
            ),
            citation=citations.KCN_OCCUPANCY,
        )
    if n_counted == 0:
        return RuleResult(
            rule="new_area_occupancy",
            passed=True,
            measured=None,
            limit=min_occ,
            unit="share",
            message=Message(
                N_("No established CCN%(where)s: the occupancy condition does not apply."),
                {"where": where},
            ),
            citation=citations.CCN_NEW_OCCUPANCY,
        )
    occ_ok = occ is not None and occ > min_occ
    unleased_ok = unleased_ha <= max_unleased
    ok = occ_ok or unleased_ok
    verdict = N_("a new CCN is allowed.") if ok else N_("a new CCN is not allowed yet.")
    return RuleResult(
        rule="new_area_occupancy",
        passed=ok,
        measured=occ,
        limit=min_occ,
        unit="share",
        message=Message(
            N_(
                "CCN%(where)s: average occupancy %(occupancy)s (%(cmp_occupancy)s "
                "%(min_occupancy)s %%), unleased industrial land %(unleased)s ha "
                "(%(cmp_unleased)s %(max_unleased)s ha): %(verdict)s"
            ),
            {
                "where": where,
                "occupancy": percent(occ),
                "cmp_occupancy": ">" if occ_ok else "≤",
                "min_occupancy": number(min_occ * 100),
                "unleased": number(unleased_ha, 1),
                "cmp_unleased": "≤" if unleased_ok else ">",
                "max_unleased": number(max_unleased),
                "verdict": Message(verdict),
            },
        ),
        citation=citations.CCN_NEW_OCCUPANCY,
    )


def unit_efficiency(
    areas: Iterable[AreaRecord],
    *,
    level: str,
    criteria: EfficiencyCriteria = EfficiencyCriteria(),
) -> list[UnitEfficiency]:
    """Aggregate areas per ``(unit, kind)`` at one level (``"commune"``, ``"district"`` …).

    Only areas whose status is in ``criteria.counted_statuses`` are aggregated (planned and
    revoked areas are not "existing"); areas without a key for ``level`` are skipped.
    Occupancy is area-weighted: Σ leased ÷ Σ leasable (leased clipped per area).
    Units are returned sorted by (unit key as text, kind).
    """
    groups: dict[tuple[Hashable, str], list[AreaRecord]] = defaultdict(list)
    for a in areas:
        if level in a.units and a.status in criteria.counted_statuses:
            groups[(a.units[level], a.kind)].append(a)
    out = []
    for (unit, kind), members in sorted(groups.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        leasable = sum(a.leasable_ha for a in members)
        leased = sum(min(a.leased_ha, a.leasable_ha) for a in members)
        occs = [
            o for o in (occupancy(a.leased_ha, a.leasable_ha) for a in members) if o is not None
        ]
        weighted = occupancy(leased, leasable)
        mean = sum(occs) / len(occs) if occs else None
        used = weighted if criteria.occupancy_average == "area_weighted" else mean
        unleased = max(0.0, leasable - leased)
        out.append(
            UnitEfficiency(
                level=level,
                unit=unit,
                kind=kind,
                area_ids=tuple(a.id for a in members),
                n_counted=len(members),
                planned_ha=sum(a.planned_ha for a in members),
                leasable_ha=leasable,
                leased_ha=leased,
                unleased_ha=unleased,
                occupancy=weighted,
                mean_occupancy=mean,
                new_area_rule=new_area_rule(
                    kind, len(members), used, unleased, criteria, unit_label(level, str(unit))
                ),
            )
        )
    return out


def land_use_efficiency(
    areas: Iterable[AreaRecord],
    *,
    parcels: Iterable[ParcelRecord] = (),
    projects: Iterable[ProjectRecord] = (),
    parcel_sums: Mapping[Hashable, ClearanceTotals] | None = None,
    project_sums: Mapping[Hashable, ProjectTotals] | None = None,
    levels: Sequence[str] = ("commune", "district", "province"),
    criteria: EfficiencyCriteria = EfficiencyCriteria(),
) -> EfficiencyReport:
    """:func:`area_efficiency` for every area plus :func:`unit_efficiency` at each level."""
    areas = list(areas)
    return EfficiencyReport(
        areas=tuple(
            area_efficiency(
                areas,
                parcels=parcels,
                projects=projects,
                parcel_sums=parcel_sums,
                project_sums=project_sums,
                criteria=criteria,
            )
        ),
        units=tuple(
            u for level in levels for u in unit_efficiency(areas, level=level, criteria=criteria)
        ),
    )
