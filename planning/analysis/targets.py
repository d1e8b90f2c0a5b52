"""Targets and developers: the two-year rule, capacity, state clusters, late projects.

The two-consecutive-years rule, developer capacity, state clusters to transfer, and secondary
projects behind schedule.

Pure analysis on plain records; no geometry. Source of the rules: the Bình Định conclusion notice
of 11 April 2025 (``/work/shared/sources/000_…``) — "xem xét thu hồi đối với các khu, cụm công
nghiệp không hoàn thành chỉ tiêu đầu tư, phát triển được giao trong vòng 02 năm liên tiếp", select
developers with financial capacity, transfer state-developed clusters to enterprises, review
secondary projects — and DOMAIN.md §2.4, §2.4b.

When does an area "miss" a year? (default, :class:`~planning.analysis.targets.TargetRule`)
------------------------------------------------------------------------------------------
The notice does not say which indicators count. Default: an area misses a year when **any**
indicator assigned to it for that year has an actual **below the target** (no tolerance), and an
assigned target with **no reported actual counts as missed** (an unreported year cannot prove
the target was met). Years without assigned targets are never missed, so they break a run.
An area is on the watch list when it missed ``consecutive_years`` (2) consecutive calendar years.
``main_indicators`` restricts the counted indicators; ``mode="all"`` requires every counted
indicator to be missed.

Examples
--------
>>> from planning.analysis.records import ActualRecord, TargetRecord
>>> t = [TargetRecord(1, y, "leased_ha", 10) for y in (2023, 2024)]
>>> a = [ActualRecord(1, 2023, "leased_ha", 4), ActualRecord(1, 2024, "leased_ha", 6)]
>>> [(w.area_id, w.years) for w in target_watch_list(t, a)]
[(1, (2023, 2024))]
>>> target_watch_list(t, a + [ActualRecord(1, 2024, "leased_ha", 12)])
[]
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass

from planning.analysis import citations
from planning.analysis.base import Serializable, require_share
from planning.analysis.errors import CriteriaError
from planning.analysis.messages import N_, Message, join, number, percent
from planning.analysis.records import (
    ActualRecord,
    AreaRecord,
    DeveloperRecord,
    ProjectRecord,
    TargetRecord,
)

__all__ = [
    "target_watch_list",
    "developer_capacity",
    "transfer_candidates",
    "lagging_projects",
    "INDICATOR_LABELS",
    "months_between",
    "TargetRule",
    "TargetMiss",
    "WatchEntry",
    "CapacityItem",
    "CapacityCheck",
    "TransferCandidate",
    "LaggingProject",
]


@dataclass(frozen=True, kw_only=True)
class TargetRule(Serializable):
    """When an area "misses" a year (the default is documented in :mod:`planning.analysis.targets`).

    ``main_indicators``: only these indicators count (None = every assigned indicator).
    ``mode``: ``"any"`` — a year is missed if any counted indicator's actual < target (default);
    ``"all"`` — only if every counted indicator is missed.
    ``missing_actual_is_miss``: an assigned target with no reported actual counts as missed.
    ``tolerance``: relative shortfall accepted (0.0 = actual must reach the target).
    """

    consecutive_years: int = 2
    main_indicators: tuple[str, ...] | None = None
    mode: str = "any"
    missing_actual_is_miss: bool = True
    tolerance: float = 0.0

    def __post_init__(self) -> None:
        if not (isinstance(self.consecutive_years, int) and self.consecutive_years >= 1):
            raise CriteriaError("consecutive_years must be an integer >= 1")
        if self.mode not in ("any", "all"):
            raise CriteriaError("mode must be 'any' or 'all'")
        require_share("tolerance", self.tolerance)


@dataclass(frozen=True, kw_only=True)
class TargetMiss(Serializable):
    """One indicator of one year below its target (``actual`` ``None``: not reported)."""

    year: int
    indicator: str
    target: float
    actual: float | None  # None: no actual reported


@dataclass(frozen=True, kw_only=True)
class WatchEntry(Serializable):
    """An area that missed assigned targets in ``consecutive_years`` consecutive years."""

    area_id: Hashable
    area_name: str
    developer_id: Hashable | None
    years: tuple[int, ...]
    misses: tuple[TargetMiss, ...]
    message: Message
    citation: Message


@dataclass(frozen=True, kw_only=True)
class CapacityItem(Serializable):
    """One area of a developer: its total investment and the own capital it requires."""

    area_id: Hashable
    land_ha: float
    total_investment_bn_vnd: float | None
    min_share: float
    required_bn_vnd: float | None


@dataclass(frozen=True, kw_only=True)
class CapacityCheck(Serializable):
    """Own capital of a developer against the minimum share of its areas' total investment."""

    developer_id: Hashable
    developer_name: str
    own_capital_bn_vnd: float | None
    required_bn_vnd: float
    passed: bool | None
    items: tuple[CapacityItem, ...]
    message: Message
    citation: Message
    # The verdict uses an invented figure: the developer's own capital or the total investment
    # of one of its counted areas (issue 13 §6); the message says so.
    rests_on_demonstration_data: bool = False


@dataclass(frozen=True, kw_only=True)
class TransferCandidate(Serializable):
    """A state-developed cluster not yet transferred to an enterprise."""

    area_id: Hashable
    area_name: str
    developer_id: Hashable | None
    status: str
    occupancy: float | None
    unleased_ha: float
    message: Message
    citation: Message


@dataclass(frozen=True, kw_only=True)
class LaggingProject(Serializable):
    """A secondary project behind schedule or stalled, with the land it holds."""

    project_id: Hashable
    area_id: Hashable
    name: str
    status: str
    reason: str  # "stalled" | "late"
    operation_planned: dt.date | None
    months_late: int | None
    land_to_recover_ha: float
    message: Message
    citation: Message


#: Indicators of ``planning.models.targets.Indicator`` (labels repeated here: no Django import).
INDICATOR_LABELS = {
    "clearance_ha": N_("cleared land handed over (ha)"),
    "infrastructure_pct": N_("infrastructure completed, cumulative (%%)"),
    "leased_ha": N_("land newly leased (ha)"),
    "new_projects": N_("new secondary projects attracted"),
    "disbursed_bn_vnd": N_("infrastructure investment disbursed (bn VND)"),
}


def _actuals_index(actuals) -> dict[tuple[Hashable, int], dict[str, float]]:
    if isinstance(actuals, Mapping):
        return {
            (k[0], int(k[1])): {i: float(v) for i, v in vals.items() if v is not None}
            for k, vals in actuals.items()
        }
    index: dict[tuple[Hashable, int], dict[str, float]] = defaultdict(dict)
    for a in actuals:
        if not isinstance(a, ActualRecord):
            a = ActualRecord(*a)
        if a.value is not None:
            index[(a.area_id, int(a.year))][a.indicator] = float(a.value)
    return index


def target_watch_list(
    targets: Iterable[TargetRecord],
    actuals: Iterable[ActualRecord] | Mapping[tuple[Hashable, int], Mapping[str, float]],
    *,
    areas: Iterable[AreaRecord] = (),
    rule: TargetRule = TargetRule(),
    as_of_year: int | None = None,
) -> list[WatchEntry]:
    """Areas that missed their assigned targets in ``rule.consecutive_years`` consecutive years.

    Parameters
    ----------
    targets : iterable of TargetRecord (or (area_id, year, indicator, value) tuples)
    actuals : iterable of ActualRecord, or mapping ``(area_id, year) -> {indicator: value}``
    areas : iterable of AreaRecord, optional
        For names and developer ids.
    rule : TargetRule
        What counts as a missed year (module docstring).
    as_of_year : int, optional
        Ignore targets of later years (e.g. the current, unfinished year).

    Returns
    -------
    list of WatchEntry
        One per area, sorted by area id (as text); ``years`` are the years of every qualifying
        run, ``misses`` the missed indicators in those years.
    """
    by_id = {a.id: a for a in areas}
    actual = _actuals_index(actuals)
    assigned: dict[Hashable, dict[int, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for t in targets:
        if not isinstance(t, TargetRecord):
            t = TargetRecord(*t)
        if as_of_year is not None and t.year > as_of_year:
            continue
        if rule.main_indicators is not None and t.indicator not in rule.main_indicators:
            continue
        assigned[t.area_id][int(t.year)][t.indicator] = float(t.value)

    out = []
    for area_id in sorted(assigned, key=str):
        missed: dict[int, list[TargetMiss]] = {}
        for year, inds in assigned[area_id].items():
            got = actual.get((area_id, year), {})
            misses = []
            for ind in sorted(inds):
                target = inds[ind]
                value = got.get(ind)
                if value is None:
                    if rule.missing_actual_is_miss:
                        misses.append(
                            TargetMiss(year=year, indicator=ind, target=target, actual=None)
                        )
                elif value < target * (1 - rule.tolerance):
                    misses.append(TargetMiss(year=year, indicator=ind, target=target, actual=value))
            if misses and (rule.mode == "any" or len(misses) == len(inds)):
                missed[year] = misses
        years = _qualifying_years(sorted(missed), rule.consecutive_years)
        if not years:
            continue
        area = by_id.get(area_id)
        name = area.name if area and area.name else str(area_id)
        misses = tuple(m for y in years for m in missed[y])
        out.append(
            WatchEntry(
                area_id=area_id,
                area_name=name,
                developer_id=area.developer_id if area else None,
                years=tuple(years),
                misses=misses,
                message=_watch_message(area, name, years, misses),
                citation=citations.TWO_YEAR_RULE,
            )
        )
    return out


def _qualifying_years(years: list[int], n: int) -> list[int]:
    """Years belonging to runs of at least ``n`` consecutive years.

    >>> _qualifying_years([2019, 2021, 2022, 2024], 2)
    [2021, 2022]
    """
    out, run = [], []
    for y in years + [None]:
        if run and (y is None or y != run[-1] + 1):
            if len(run) >= n:
                out.extend(run)
            run = []
        if y is not None:
            run.append(y)
    return out


_WATCH = {
    "KCN": N_(
        "Industrial park %(name)s missed its assigned targets %(count)s years in a row "
        "(%(years)s): %(detail)s."
    ),
    "CCN": N_(
        "Industrial cluster %(name)s missed its assigned targets %(count)s years in a row "
        "(%(years)s): %(detail)s."
    ),
    None: N_(
        "Industrial park or cluster %(name)s missed its assigned targets %(count)s years in a "
        "row (%(years)s): %(detail)s."
    ),
}


def _watch_message(area, name, years, misses) -> Message:
    detail = []
    for m in misses:
        label = INDICATOR_LABELS.get(m.indicator)
        params = {
            "year": m.year,
            "indicator": Message(label) if label else m.indicator,
            "target": number(m.target, 1),
        }
        if m.actual is None:
            detail.append(Message(N_("%(year)s: %(indicator)s not reported/%(target)s"), params))
        else:
            params["actual"] = number(m.actual, 1)
            detail.append(
                Message(N_("%(year)s: %(indicator)s reached %(actual)s/%(target)s"), params)
            )
    return Message(
        _WATCH.get(area.kind if area else None, _WATCH[None]),
        {
            "name": name,
            "count": len(years),
            "years": ", ".join(str(y) for y in years),
            "detail": join(detail),
        },
    )


def developer_capacity(
    *,
    developers: Iterable[DeveloperRecord],
    areas: Iterable[AreaRecord],
    min_share_below: float = 0.20,
    min_share_from: float = 0.15,
    threshold_ha: float = 20.0,
    per_developer: bool = True,
    statuses: tuple[str, ...] = ("planned", "established", "clearing", "building"),
    synthetic_investment: Collection[Hashable] = (),
) -> list[CapacityCheck]:
    """Own capital of each developer against the minimum share of its areas' total investment.

    The minimum share is ``min_share_below`` (20 %) for areas of less than ``threshold_ha``
    (20 ha, by planned area) and ``min_share_from`` (15 %) from 20 ha (DOMAIN §2.4b, partially
    confirmed; the service passes ``settings.PLANNING_OWN_CAPITAL_MIN_SHARE``). With
    ``per_developer`` (default) the developer's own capital must cover the requirements of all
    its areas in ``statuses`` together (still being built — the conservative reading); otherwise
    each area is checked alone and all must pass. ``passed`` is ``None`` when the own capital or
    every area's total investment is unknown.

    A verdict that uses an invented figure — the developer's ``capital_is_synthetic`` own
    capital, or the total investment of a counted area listed in ``synthetic_investment`` —
    has ``rests_on_demonstration_data`` and its message says so: it is no finding about the
    company.

    Examples
    --------
    >>> from planning.analysis.records import AreaRecord, DeveloperRecord
    >>> dev = DeveloperRecord(id="D", kind="enterprise", own_capital_bn_vnd=60)
    >>> areas = [AreaRecord(id=1, kind="CCN", status="building", planned_ha=18, developer_id="D",
    ...                     total_investment_bn_vnd=150),
    ...          AreaRecord(id=2, kind="CCN", status="clearing", planned_ha=50, developer_id="D",
    ...                     total_investment_bn_vnd=300)]
    >>> c = developer_capacity(developers=[dev], areas=areas)[0]
    >>> c.required_bn_vnd, c.passed      # 20 % × 150 + 15 % × 300 = 75 > 60
    (75.0, False)
    """
    areas = list(areas)
    out = []
    for dev in developers:
        items = []
        for a in areas:
            if a.developer_id != dev.id or a.status not in statuses:
                continue
            share = min_share_below if a.planned_ha < threshold_ha else min_share_from
            inv = a.total_investment_bn_vnd
            items.append(
                CapacityItem(
                    area_id=a.id,
                    land_ha=a.planned_ha,
                    total_investment_bn_vnd=inv,
                    min_share=share,
                    required_bn_vnd=None if inv is None else round(share * inv, 6),
                )
            )
        known = [i.required_bn_vnd for i in items if i.required_bn_vnd is not None]
        required = round(sum(known), 6)
        own = dev.own_capital_bn_vnd
        unknown = [i.area_id for i in items if i.required_bn_vnd is None]
        if own is None or not known:
            passed = None
        elif per_developer:
            passed = own >= required
        else:
            passed = all(own >= r for r in known)
        name = dev.name or str(dev.id)
        if own is None:
            msg = Message(
                N_("Developer %(name)s: own capital not recorded (audited financial statements)."),
                {"name": name},
            )
        elif not known:
            msg = Message(
                N_("Developer %(name)s: no total investment of its projects to compare with."),
                {"name": name},
            )
        else:
            figures = {
                "name": name,
                "own": number(own, 1),
                "required": number(required, 1),
                "count": len(known),
            }
            if passed:
                msg = Message(
                    N_(
                        "Developer %(name)s: own capital %(own)s bn VND ≥ the minimum "
                        "%(required)s bn VND (%(count)s projects) — met."
                    ),
                    figures,
                )
            else:
                msg = Message(
                    N_(
                        "Developer %(name)s: own capital %(own)s bn VND < the minimum "
                        "%(required)s bn VND (%(count)s projects) — financial capacity not met."
                    ),
                    figures,
                )
            if unknown:
                msg = Message(
                    N_("%(message)s Total investment missing for: %(areas)s."),
                    {"message": msg, "areas": ", ".join(map(str, unknown))},
                )
        invented = []
        if own is not None and dev.capital_is_synthetic:
            invented.append(Message(N_("its own capital")))
        synthetic_areas = [
            i.area_id
            for i in items
            if i.required_bn_vnd is not None and i.area_id in synthetic_investment
        ]
        if synthetic_areas and own is not None:
            invented.append(
                Message(
                    N_("the total investment of %(areas)s"),
                    {"areas": ", ".join(map(str, synthetic_areas))},
                )
            )
        if invented:
            msg = Message(
                N_(
                    "%(message)s This verdict rests on demonstration data (%(what)s invented "
                    "for the demonstration), not on audited figures."
                ),
                {"message": msg, "what": join(invented, ", ")},
            )
        out.append(
            CapacityCheck(
                developer_id=dev.id,
                developer_name=name,
                own_capital_bn_vnd=own,
                required_bn_vnd=required,
                passed=passed,
                items=tuple(items),
                message=msg,
                citation=citations.OWN_CAPITAL,
                rests_on_demonstration_data=bool(invented),
            )
        )
    return out


_TRANSFER = {
    "KCN": N_(
        "Industrial park %(name)s is developed by a state unit and not yet transferred to an "
        "enterprise (occupancy %(occupancy)s, %(unleased)s ha not leased)."
    ),
    "CCN": N_(
        "Industrial cluster %(name)s is developed by a state unit and not yet transferred to an "
        "enterprise (occupancy %(occupancy)s, %(unleased)s ha not leased)."
    ),
}


def transfer_candidates(
    areas: Iterable[AreaRecord], *, kinds: tuple[str, ...] = ("CCN",)
) -> list[TransferCandidate]:
    """State-developed areas (developer kind ``state``) not yet transferred to an enterprise.

    Revoked areas are skipped. Sorted by unleased land (largest first), then id.

    >>> from planning.analysis.records import AreaRecord
    >>> a = AreaRecord(id="CCN-1", kind="CCN", name="Cầu 16", planned_ha=20, leasable_ha=14,
    ...                leased_ha=7, developer_id=3, developer_kind="state")
    >>> [(c.area_id, c.occupancy, c.unleased_ha) for c in transfer_candidates([a])]
    [('CCN-1', 0.5, 7.0)]
    """
    out = []
    for a in areas:
        if (
            a.kind not in kinds
            or a.developer_kind != "state"
            or a.transferred
            or a.status == "revoked"
        ):
            continue
        leased = min(a.leased_ha, a.leasable_ha)
        occ = leased / a.leasable_ha if a.leasable_ha > 0 else None
        unleased = max(0.0, a.leasable_ha - leased)
        name = a.name or str(a.id)
        out.append(
            TransferCandidate(
                area_id=a.id,
                area_name=name,
                developer_id=a.developer_id,
                status=a.status,
                occupancy=occ,
                unleased_ha=unleased,
                message=Message(
                    _TRANSFER[a.kind],
                    {"name": name, "occupancy": percent(occ), "unleased": number(unleased, 1)},
                ),
                citation=citations.STATE_CLUSTER_TRANSFER,
            )
        )
    out.sort(key=lambda c: (-c.unleased_ha, str(c.area_id)))
    return out


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (negative if ``end`` is earlier).

    >>> d = dt.date
    >>> (months_between(d(2024, 1, 31), d(2024, 7, 30)),
    ...  months_between(d(2024, 1, 15), d(2024, 7, 15)))
    (5, 6)
    """
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if months > 0 and end.day < start.day:
        months -= 1
    elif months < 0 and end.day > start.day:
        months += 1
    return months


def lagging_projects(
    projects: Iterable[ProjectRecord], *, as_of: dt.date, grace_months: int = 6
) -> list[LaggingProject]:
    """Secondary projects stalled, or more than ``grace_months`` past their planned operation.

    A project is *late* when it has a planned operation date, no actual operation date, is not
    operating, and more than ``grace_months`` whole months have passed since the planned date at
    ``as_of``; *stalled* when its status is ``stalled``. Revoked and operating projects are skipped.
    The land to recover is the project's leased area. Sorted stalled first, then by delay.

    >>> from planning.analysis.records import ProjectRecord
    >>> p = ProjectRecord(id="P1", area_id=1, leased_ha=2.5, name="Nhà máy A",
    ...                   operation_planned=dt.date(2023, 6, 30))
    >>> [(x.project_id, x.reason, x.months_late, x.land_to_recover_ha)
    ...  for x in lagging_projects([p], as_of=dt.date(2025, 4, 11))]
    [('P1', 'late', 21, 2.5)]
    """
    out = []
    for p in projects:
        if p.status in ("revoked", "operating") or (
            p.operation_actual is not None and p.status != "stalled"
        ):
            continue
        late = months_between(p.operation_planned, as_of) if p.operation_planned else None
        name = p.name or str(p.id)
        if p.status == "stalled":
            reason = "stalled"
            msg = Message(
                N_(
                    "Project %(name)s stopped or behind schedule: consider recovering %(land)s ha "
                    "of land."
                ),
                {"name": name, "land": number(p.leased_ha, 2)},
            )
        elif late is not None and late > grace_months:
            reason = "late"
            msg = Message(
                N_(
                    "Project %(name)s is %(months)s months late going into operation (planned "
                    "%(planned)s); land that may be recovered: %(land)s ha."
                ),
                {
                    "name": name,
                    "months": late,
                    "planned": f"{p.operation_planned:%d/%m/%Y}",
                    "land": number(p.leased_ha, 2),
                },
            )
        else:
            continue
        out.append(
            LaggingProject(
                project_id=p.id,
                area_id=p.area_id,
                name=name,
                status=p.status,
                reason=reason,
                operation_planned=p.operation_planned,
                months_late=late if late is None or late > 0 else 0,
                land_to_recover_ha=p.leased_ha,
                message=msg,
                citation=citations.SECONDARY_PROJECT_RECOVERY,
            )
        )
    out.sort(key=lambda x: (x.reason != "stalled", -(x.months_late or 0), str(x.project_id)))
    return out
