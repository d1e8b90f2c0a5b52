"""Planned versus established industrial areas: counts and hectares by province and kind.

Two bases, said on every row (``basis``):

* ``"plan"`` — the province's provincial plan (quy hoạch tỉnh) is recorded: the planned figures
  are its entries (:class:`PlanEntryRecord`), established / operating are the entries linked to
  an area record of those statuses, occupancy is leased ÷ leasable land of those linked areas,
  and :func:`plan_steps` gives the planned figures as of the original decision and after each
  amendment (:func:`plan_rows`);
* ``"records"`` — no plan is recorded for the province: the park and cluster records that happen
  to exist are counted (:func:`plan_vs_actual`, the old way), and the summary says so.

Records basis: pure analysis on :class:`~planning.analysis.records.AreaRecord`. Modelled on the
Sóc Trăng article of 12 February 2025 (``/work/shared/sources/003_…``): "đến năm 2050 toàn
tỉnh sẽ có 10 khu công nghiệp với diện tích 4.334 ha; có 18 cụm công nghiệp với tổng diện
tích 983,6 ha. Đến nay, đã thành lập 2 khu công nghiệp … 5 cụm công nghiệp, có diện tích
202,5 ha" (figures unverified, DOMAIN §8).

Definitions
-----------
* **planned** (trong quy hoạch): every area of the plan, whatever its progress — all statuses
  except ``revoked`` (the article's 10 KCN include the 2 established ones);
* **established** (đã thành lập): status ``established``, ``clearing``, ``building`` or
  ``operating`` (:data:`~planning.analysis.records.ESTABLISHED_STATUSES`);
* **operating**: status ``operating``;
* hectares are the planned areas (``planned_ha``); ``by_status`` gives (count, ha) per status,
  revoked included.

Examples
--------
>>> from planning.analysis.messages import render
>>> from planning.analysis.records import AreaRecord
>>> areas = [AreaRecord(id=1, kind="KCN", status="operating", planned_ha=243, province="Sóc Trăng"),
...          AreaRecord(id=2, kind="KCN", status="planned", planned_ha=217, province="Sóc Trăng")]
>>> row = plan_vs_actual(areas, totals=False)[0]
>>> row.planned_count, row.planned_ha, row.established_count, round(row.established_share_ha, 3)
(2, 460.0, 1, 0.528)
>>> print(render(row.summary, lang="en"))  # doctest: +NORMALIZE_WHITESPACE
Sóc Trăng: 2 KCN planned (460 ha); 1 KCN established (243 ha, 52.8 % of the area);
1 KCN operating (243 ha). No provincial plan is recorded: counted from the area records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from planning.analysis.base import Serializable
from planning.analysis.messages import N_, Message, number, percent
from planning.analysis.records import AREA_STATUSES, ESTABLISHED_STATUSES, KINDS, AreaRecord

__all__ = [
    "plan_vs_actual",
    "plan_rows",
    "plan_steps",
    "combine",
    "TOTAL_LABEL",
    "PlanRow",
    "PlanEntryRecord",
    "PlanStep",
    "PlanStepRow",
]


@dataclass(frozen=True, kw_only=True)
class PlanRow(Serializable):
    """Counts and hectares of one (province, kind): planned, established, operating."""

    province: str
    kind: str
    planned_count: int
    planned_ha: float
    established_count: int
    established_ha: float
    operating_count: int
    operating_ha: float
    established_share_count: float | None
    established_share_ha: float | None
    by_status: Mapping[str, tuple[int, float]]
    summary: Message | None = None
    #: "plan" (from the provincial plan's entries) or "records" (no plan: the area records)
    basis: str = "records"
    #: The plan and its decision the figures come from ("" on the records basis)
    plan: str = ""
    #: Leasable and leased land (ha) of the established areas, and leased ÷ leasable
    leasable_ha: float = 0.0
    leased_ha: float = 0.0
    occupancy: float | None = None


#: The province of the rows over all provinces (a key: stored runs hold it; shown as "Total").
TOTAL_LABEL = "Tổng cộng"


def _ha(x: float) -> dict:
    return number(x, 0 if float(x).is_integer() else 1)


def _row(province: str, kind: str, members: list[AreaRecord]) -> PlanRow:
    planned = [a for a in members if a.status != "revoked"]
    est = [a for a in members if a.status in ESTABLISHED_STATUSES]
    op = [a for a in members if a.status == "operating"]
    p_ha = round(sum(a.planned_ha for a in planned), 6)
    e_ha = round(sum(a.planned_ha for a in est), 6)
    o_ha = round(sum(a.planned_ha for a in op), 6)
    by_status = {}
    for s in AREA_STATUSES:
        sel = [a for a in members if a.status == s]
        if sel:
            by_status[s] = (len(sel), round(sum(a.planned_ha for a in sel), 6))
    share_ha = e_ha / p_ha if p_ha > 0 else None
    leasable = round(sum(a.leasable_ha for a in est), 6)
    leased = round(sum(a.leased_ha for a in est), 6)
    counts = {
        "province": Message(N_("Total")) if province == TOTAL_LABEL else province,
        "kind": kind,
        "planned": len(planned),
        "planned_ha": _ha(p_ha),
        "established": len(est),
        "established_ha": _ha(e_ha),
        "operating": len(op),
        "operating_ha": _ha(o_ha),
    }
    if share_ha is not None:
        summary = Message(
            N_(
                "%(province)s: %(planned)s %(kind)s planned (%(planned_ha)s ha); %(established)s "
                "%(kind)s established (%(established_ha)s ha, %(share)s of the area); "
                "%(operating)s %(kind)s operating (%(operating_ha)s ha)."
            ),
            {**counts, "share": percent(share_ha)},
        )
    else:
        summary = Message(
            N_(
                "%(province)s: %(planned)s %(kind)s planned (%(planned_ha)s ha); %(established)s "
                "%(kind)s established (%(established_ha)s ha); %(operating)s %(kind)s operating "
                "(%(operating_ha)s ha)."
            ),
            counts,
        )
    return PlanRow(
        province=province,
        kind=kind,
        planned_count=len(planned),
        planned_ha=p_ha,
        established_count=len(est),
        established_ha=e_ha,
        operating_count=len(op),
        operating_ha=o_ha,
        established_share_count=len(est) / len(planned) if planned else None,
        established_share_ha=share_ha,
        by_status=by_status,
        summary=Message(
            N_("%(figures)s No provincial plan is recorded: counted from the area records."),
            {"figures": summary},
        )
        if province != TOTAL_LABEL
        else summary,
        leasable_ha=leasable,
        leased_ha=leased,
        occupancy=leased / leasable if leasable > 0 else None,
    )


def plan_vs_actual(areas: Iterable[AreaRecord], *, totals: bool = True) -> list[PlanRow]:
    """Counts and hectares planned, established and operating per (province, kind).

    Parameters
    ----------
    areas : iterable of AreaRecord
        ``province`` is the province name as reported (e.g. Sóc Trăng before the 2025 merger).
    totals : bool
        Also add one row per kind over all provinces, with province :data:`TOTAL_LABEL`
        (only when there is more than one province).

    Returns
    -------
    list of PlanRow
        Sorted by province, then kind (KCN before CCN); totals last.
    """
    groups: dict[tuple[str, str], list[AreaRecord]] = defaultdict(list)
    for a in areas:
        groups[(a.province, a.kind)].append(a)
    order = {k: i for i, k in enumerate(KINDS)}
    rows = [
        _row(p, k, groups[(p, k)]) for p, k in sorted(groups, key=lambda pk: (pk[0], order[pk[1]]))
    ]
    provinces = {p for p, _ in groups}
    if totals and len(provinces) > 1:
        for kind in KINDS:
            members = [a for (p, k), ms in groups.items() if k == kind for a in ms]
            if members:
                rows.append(_row(TOTAL_LABEL, kind, members))
    return rows


# --------------------------------------------------------------------------------------------
# The provincial plan's basis
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class PlanStep(Serializable):
    """A state of a plan: 0 is the original decision, n the plan after its n-th amendment."""

    step: int
    decision: str
    is_synthetic: bool = False


@dataclass(frozen=True, kw_only=True)
class PlanEntryRecord(Serializable):
    """A park or cluster on a provincial plan's list, with its linked area's figures.

    ``planned_ha`` is the entry's area after the plan's latest amendment; ``area_changes`` the
    amendments that changed it, as ``(step, before_ha, after_ha)``. The entry is on the plan from
    ``added_step`` (0: the original decision) until ``removed_step`` (excluded). An entry that
    ``expands`` another adds hectares to the plan but is not counted as a park of its own.
    ``area_status`` is the linked area's status (None: no area record yet); ``leasable_ha`` and
    ``leased_ha`` its land.

    Examples
    --------
    >>> e = PlanEntryRecord(id="A", kind="CCN", planned_ha=50, area_changes=((1, 31.5, 50),))
    >>> e.ha_at(0), e.ha_at(1), PlanEntryRecord(id="B", kind="CCN", planned_ha=9,
    ...                                          added_step=2).ha_at(1)
    (31.5, 50.0, None)
    """

    id: str
    kind: str
    planned_ha: float
    name: str = ""
    expands: str | None = None
    added_step: int = 0
    removed_step: int | None = None
    area_changes: tuple[tuple[int, float, float], ...] = ()
    area_status: str | None = None
    leasable_ha: float = 0.0
    leased_ha: float = 0.0
    is_synthetic: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "planned_ha", float(self.planned_ha))
        object.__setattr__(
            self,
            "area_changes",
            tuple(sorted((int(s), float(b), float(a)) for s, b, a in self.area_changes)),
        )

    def on_plan(self, step: int) -> bool:
        """Whether the entry is on the plan as of ``step``."""
        return self.added_step <= step and (self.removed_step is None or step < self.removed_step)

    def ha_at(self, step: int) -> float | None:
        """Planned hectares as of ``step`` (None when not on the plan then)."""
        if not self.on_plan(step):
            return None
        ha = self.area_changes[0][1] if self.area_changes else self.planned_ha
        for s, _before, after in self.area_changes:
            if s <= step:
                ha = after
        return ha

    @property
    def established(self) -> bool:
        """Linked to an area of an established status (:data:`ESTABLISHED_STATUSES`)."""
        return self.area_status in ESTABLISHED_STATUSES

    @property
    def operating(self) -> bool:
        """Linked to an operating area."""
        return self.area_status == "operating"


@dataclass(frozen=True, kw_only=True)
class PlanStepRow(Serializable):
    """Planned figures of one (kind, step) of a plan, and the change from the step before."""

    province: str
    kind: str
    step: int
    decision: str
    planned_count: int
    planned_ha: float
    established_count: int
    established_ha: float
    change_count: int
    change_ha: float
    is_synthetic: bool = False


def _plan_row(province: str, plan: str, kind: str, entries: list, step: int) -> PlanRow:
    on = [(e, e.ha_at(step)) for e in entries if e.kind == kind and e.on_plan(step)]
    counted = [e for e, _ in on if e.expands is None]
    est = [(e, ha) for e, ha in on if e.established]
    op = [(e, ha) for e, ha in on if e.operating]
    p_ha = round(sum(ha for _, ha in on), 6)
    e_ha = round(sum(ha for _, ha in est), 6)
    o_ha = round(sum(ha for _, ha in op), 6)
    n_est = len([e for e, _ in est if e.expands is None])
    n_op = len([e for e, _ in op if e.expands is None])
    leasable = round(sum(e.leasable_ha for e, _ in est), 6)
    leased = round(sum(min(e.leased_ha, e.leasable_ha) for e, _ in est), 6)
    by_status: dict[str, tuple[int, float]] = {}
    for status in (*AREA_STATUSES, None):
        sel = [(e, ha) for e, ha in on if e.area_status == status]
        if sel:
            key = status or "no_record"
            by_status[key] = (
                len([e for e, _ in sel if e.expands is None]),
                round(sum(ha for _, ha in sel), 6),
            )
    share_ha = e_ha / p_ha if p_ha > 0 else None
    params = {
        "province": province,
        "plan": plan,
        "kind": kind,
        "planned": len(counted),
        "planned_ha": _ha(p_ha),
        "established": n_est,
        "established_ha": _ha(e_ha),
        "operating": n_op,
        "operating_ha": _ha(o_ha),
        "share": percent(share_ha) if share_ha is not None else "—",
    }
    summary = Message(
        N_(
            "%(province)s, provincial plan (%(plan)s): %(planned)s %(kind)s planned "
            "(%(planned_ha)s ha); %(established)s %(kind)s established (%(established_ha)s ha, "
            "%(share)s of the area); %(operating)s %(kind)s operating (%(operating_ha)s ha)."
        ),
        params,
    )
    return PlanRow(
        province=province,
        kind=kind,
        planned_count=len(counted),
        planned_ha=p_ha,
        established_count=n_est,
        established_ha=e_ha,
        operating_count=n_op,
        operating_ha=o_ha,
        established_share_count=n_est / len(counted) if counted else None,
        established_share_ha=share_ha,
        by_status=by_status,
        summary=summary,
        basis="plan",
        plan=plan,
        leasable_ha=leasable,
        leased_ha=leased,
        occupancy=leased / leasable if leasable > 0 else None,
    )


def plan_rows(
    province: str, plan: str, entries: Iterable[PlanEntryRecord], *, steps: int = 0
) -> list[PlanRow]:
    """Plan versus actual of one province from its plan, per kind, as the plan stands now.

    Parameters
    ----------
    province : str
        The province the plan was approved for (e.g. Sóc Trăng).
    plan : str
        The plan and its decision, for the rows and their summary.
    entries : iterable of PlanEntryRecord
    steps : int
        Number of amendments: the figures are those after the last one.

    Examples
    --------
    Two KCN, one of them expanded (the expansion adds hectares, not a park), one established:

    >>> es = [PlanEntryRecord(id="A", kind="KCN", planned_ha=243, area_status="operating",
    ...                       leasable_ha=170, leased_ha=165),
    ...       PlanEntryRecord(id="A+", kind="KCN", planned_ha=169, expands="A"),
    ...       PlanEntryRecord(id="B", kind="KCN", planned_ha=200)]
    >>> (row,) = plan_rows("Sóc Trăng", "995/QĐ-TTg", es)
    >>> row.planned_count, row.planned_ha, row.established_count, row.established_ha
    (2, 612.0, 1, 243.0)
    >>> round(row.occupancy, 4), row.basis
    (0.9706, 'plan')
    """
    entries = list(entries)
    kinds = [k for k in KINDS if any(e.kind == k for e in entries)]
    return [_plan_row(province, plan, k, entries, steps) for k in kinds]


def plan_steps(
    province: str, entries: Iterable[PlanEntryRecord], steps: Iterable[PlanStep]
) -> list[PlanStepRow]:
    """Planned (and established) figures per kind, as of each step of the plan.

    Step 0 is the original decision, step n the plan after its n-th amendment; each row gives
    the change from the step before.

    Examples
    --------
    >>> es = [PlanEntryRecord(id="A", kind="CCN", planned_ha=50, area_changes=((1, 31.5, 50),)),
    ...       PlanEntryRecord(id="B", kind="CCN", planned_ha=75, added_step=1)]
    >>> rows = plan_steps("Bình Định", es, [PlanStep(step=0, decision="QĐ gốc"),
    ...                                     PlanStep(step=1, decision="QĐ điều chỉnh")])
    >>> [(r.step, r.planned_count, r.planned_ha, r.change_count, r.change_ha) for r in rows]
    [(0, 1, 31.5, 0, 0.0), (1, 2, 125.0, 1, 93.5)]
    """
    entries = list(entries)
    steps = sorted(steps, key=lambda s: s.step)
    out = []
    for kind in KINDS:
        mine = [e for e in entries if e.kind == kind]
        if not mine:
            continue
        before = None
        for st in steps:
            row = _plan_row(province, st.decision, kind, mine, st.step)
            out.append(
                PlanStepRow(
                    province=province,
                    kind=kind,
                    step=st.step,
                    decision=st.decision,
                    planned_count=row.planned_count,
                    planned_ha=row.planned_ha,
                    established_count=row.established_count,
                    established_ha=row.established_ha,
                    change_count=0 if before is None else row.planned_count - before[0],
                    change_ha=0.0 if before is None else round(row.planned_ha - before[1], 6),
                    is_synthetic=st.is_synthetic,
                )
            )
            before = (row.planned_count, row.planned_ha)
    return out


def _sum_rows(kind: str, rows: list[PlanRow]) -> PlanRow:
    """The total of several provinces' rows of one kind (their bases may differ)."""
    p_n = sum(r.planned_count for r in rows)
    p_ha = round(sum(r.planned_ha for r in rows), 6)
    e_n = sum(r.established_count for r in rows)
    e_ha = round(sum(r.established_ha for r in rows), 6)
    o_n = sum(r.operating_count for r in rows)
    o_ha = round(sum(r.operating_ha for r in rows), 6)
    leasable = round(sum(r.leasable_ha for r in rows), 6)
    leased = round(sum(r.leased_ha for r in rows), 6)
    by_status: dict[str, tuple[int, float]] = {}
    for r in rows:
        for s, (n, ha) in r.by_status.items():
            n0, ha0 = by_status.get(s, (0, 0.0))
            by_status[s] = (n0 + n, round(ha0 + ha, 6))
    bases = {r.basis for r in rows}
    share = e_ha / p_ha if p_ha > 0 else None
    return PlanRow(
        province=TOTAL_LABEL,
        kind=kind,
        planned_count=p_n,
        planned_ha=p_ha,
        established_count=e_n,
        established_ha=e_ha,
        operating_count=o_n,
        operating_ha=o_ha,
        established_share_count=e_n / p_n if p_n else None,
        established_share_ha=share,
        by_status=by_status,
        summary=Message(
            N_(
                "Total: %(planned)s %(kind)s planned (%(planned_ha)s ha); %(established)s "
                "%(kind)s established (%(established_ha)s ha); %(operating)s %(kind)s operating "
                "(%(operating_ha)s ha)."
            ),
            {
                "kind": kind,
                "planned": p_n,
                "planned_ha": _ha(p_ha),
                "established": e_n,
                "established_ha": _ha(e_ha),
                "operating": o_n,
                "operating_ha": _ha(o_ha),
            },
        ),
        basis=bases.pop() if len(bases) == 1 else "mixed",
        leasable_ha=leasable,
        leased_ha=leased,
        occupancy=leased / leasable if leasable > 0 else None,
    )


def combine(
    plans: Iterable[tuple[str, str, list[PlanEntryRecord], int]],
    records: Iterable[AreaRecord] = (),
    *,
    totals: bool = True,
) -> list[PlanRow]:
    """Rows of every province: from its plan where one is recorded, else from its records.

    Parameters
    ----------
    plans : iterable of (province, plan label, entries, number of amendments)
    records : iterable of AreaRecord
        Area records of the provinces **without** a plan (the caller leaves out the others).
    totals : bool
        Add a total row per kind over all provinces when there is more than one.

    Examples
    --------
    >>> es = [PlanEntryRecord(id="A", kind="CCN", planned_ha=40, area_status="operating")]
    >>> recs = [AreaRecord(id="X", kind="CCN", status="planned", planned_ha=20, province="Z")]
    >>> [(r.province, r.basis, r.planned_ha) for r in combine([("Y", "QĐ", es, 0)], recs)]
    [('Y', 'plan', 40.0), ('Z', 'records', 20.0), ('Tổng cộng', 'mixed', 60.0)]
    """
    rows: list[PlanRow] = []
    for province, label, entries, steps in plans:
        rows += plan_rows(province, label, entries, steps=steps)
    rows += plan_vs_actual(records, totals=False)
    order = {k: i for i, k in enumerate(KINDS)}
    rows.sort(key=lambda r: (r.province, order[r.kind]))
    if totals and len({r.province for r in rows}) > 1:
        for kind in KINDS:
            mine = [r for r in rows if r.kind == kind]
            if mine:
                rows.append(_sum_rows(kind, mine))
    return rows
