"""Planned versus established industrial areas: counts and hectares by province and kind.

Pure analysis on :class:`~planning.analysis.records.AreaRecord`. Modelled on the Sóc Trăng article
of 12 February 2025 (``/work/shared/sources/003_…``): "đến năm 2050 toàn tỉnh sẽ có 10 khu công
nghiệp với diện tích 4.334 ha; có 18 cụm công nghiệp với tổng diện tích 983,6 ha. Đến nay, đã
thành lập 2 khu công nghiệp … 5 cụm công nghiệp, có diện tích 202,5 ha" (figures unverified,
DOMAIN §8).

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
1 KCN operating (243 ha).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from planning.analysis.base import Serializable
from planning.analysis.messages import N_, Message, number, percent
from planning.analysis.records import AREA_STATUSES, ESTABLISHED_STATUSES, KINDS, AreaRecord

__all__ = ["plan_vs_actual", "TOTAL_LABEL", "PlanRow"]


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
        summary=summary,
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
