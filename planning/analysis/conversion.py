"""Eco- and smart-park conversion roadmaps: criteria met, deadline, overdue.

Pure analysis on :class:`RoadmapRecord` (built from ``planning.models.eco`` by the selectors).
The Bình Định conclusion notice of 11 April 2025 asks that old parks (Phú Tài, Hòa Hội) convert
gradually to the eco and smart model and that measures be taken against parks that do not
(:data:`~planning.analysis.citations.ECO_CONVERSION`).

Rules
-----
* A criterion counts as **met** only with its evidence (the model refuses "met" without a
  document or description and a date); a criterion without a progress row is **not started**.
* **Achieved**: eco — the area is certified; smart — every applicable checklist item is met.
* **Overdue**: ``today`` is after the deadline and the conversion is not achieved; on the
  deadline day itself the roadmap is not yet overdue.
* **Conflict**: a criterion declared met that the recorded figures contradict
  (:func:`measured_check`, e.g. basic services declared met while wastewater collection is 80 %
  built) — shown to the reviewer beside the evidence.

Examples
--------
>>> import datetime as dt
>>> from planning.analysis.messages import render
>>> r = RoadmapRecord(area_id=1, area_name="KCN Phú Tài", kind="KCN", programme="eco",
...                   target_year=2026, deadline=dt.date(2026, 6, 30), achieved=False,
...                   statuses=("met", "met", "in_progress", "not_started"))
>>> s = roadmap_status(r, today=dt.date(2026, 12, 7))
>>> (s.n_met, s.n_total, s.overdue, s.days_overdue)
(2, 4, True, 160)
>>> import textwrap
>>> print(textwrap.fill(render(s.summary, lang="en"), 90))
KCN Phú Tài: eco-industrial park conversion 2 of 4 criteria met; deadline 2026-06-30
passed 160 days ago without certification (overdue).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from planning.analysis import citations
from planning.analysis.base import Serializable
from planning.analysis.errors import RecordError
from planning.analysis.messages import N_, Message

__all__ = [
    "RoadmapRecord",
    "RoadmapStatus",
    "roadmap_status",
    "roadmap_status_all",
    "measured_check",
    "MEASURED_BY",
    "STATUSES",
]

STATUSES = ("not_started", "in_progress", "met")
PROGRAMMES = ("eco", "smart")


@dataclass(frozen=True, kw_only=True)
class RoadmapRecord(Serializable):
    """One area's roadmap: its deadline and the status of each applicable criterion."""

    area_id: Hashable
    area_name: str
    kind: str
    programme: str  # "eco" or "smart"
    target_year: int
    deadline: dt.date
    achieved: bool  # eco: certified; smart: every applicable item met (model's rule)
    statuses: tuple[str, ...]  # one per applicable criterion: not_started / in_progress / met

    def __post_init__(self) -> None:
        if self.programme not in PROGRAMMES:
            raise RecordError(f"programme must be one of {PROGRAMMES} (got {self.programme!r})")
        bad = set(self.statuses) - set(STATUSES)
        if bad:
            raise RecordError(f"unknown criterion status {sorted(bad)}; known: {STATUSES}")


@dataclass(frozen=True, kw_only=True)
class RoadmapStatus(Serializable):
    """Where a roadmap stands on ``as_of``: counts, deadline, overdue and a summary."""

    area_id: Hashable
    area_name: str
    programme: str
    target_year: int
    deadline: dt.date
    as_of: dt.date
    n_met: int
    n_in_progress: int
    n_not_started: int
    n_total: int
    achieved: bool
    overdue: bool
    days_overdue: int  # 0 unless overdue
    days_left: int | None  # days until the deadline; None once it has passed
    summary: Message
    citation: Message


def roadmap_status(r: RoadmapRecord, *, today: dt.date) -> RoadmapStatus:
    """The status of roadmap ``r`` on ``today`` (rules in the module docstring).

    Parameters
    ----------
    r : RoadmapRecord
        Deadline, target year, whether achieved, one status per applicable criterion.
    today : datetime.date
        The day of the check.

    Returns
    -------
    RoadmapStatus
        Criteria met / in progress / not started / total, ``overdue`` and the days past the
        deadline (or left before it), with a one-sentence summary.
    """
    n = {s: sum(1 for x in r.statuses if x == s) for s in STATUSES}
    total = len(r.statuses)
    passed = today > r.deadline
    overdue = passed and not r.achieved
    days = (today - r.deadline).days
    what = (
        Message(N_("eco-industrial park conversion"))
        if r.programme == "eco"
        else Message(N_("smart industrial park checklist"))
    )
    params = {
        "name": r.area_name,
        "what": what,
        "met": n["met"],
        "total": total,
        "deadline": r.deadline.isoformat(),
        "days": abs(days),
    }
    if r.achieved:
        tail = (
            N_("%(name)s: %(what)s %(met)s of %(total)s criteria met; certified.")
            if r.programme == "eco"
            else N_("%(name)s: %(what)s %(met)s of %(total)s criteria met; complete.")
        )
    elif overdue:
        tail = (
            N_(
                "%(name)s: %(what)s %(met)s of %(total)s criteria met; deadline %(deadline)s "
                "passed %(days)s days ago without certification (overdue)."
            )
            if r.programme == "eco"
            else N_(
                "%(name)s: %(what)s %(met)s of %(total)s criteria met; deadline %(deadline)s "
                "passed %(days)s days ago with the checklist incomplete (overdue)."
            )
        )
    else:
        tail = N_(
            "%(name)s: %(what)s %(met)s of %(total)s criteria met; %(days)s days left before "
            "the deadline %(deadline)s."
        )
    return RoadmapStatus(
        area_id=r.area_id,
        area_name=r.area_name,
        programme=r.programme,
        target_year=r.target_year,
        deadline=r.deadline,
        as_of=today,
        n_met=n["met"],
        n_in_progress=n["in_progress"],
        n_not_started=n["not_started"],
        n_total=total,
        achieved=r.achieved,
        overdue=overdue,
        days_overdue=days if overdue else 0,
        days_left=None if passed else -days,
        summary=Message(tail, params),
        citation=citations.ECO_CONVERSION if r.programme == "eco" else citations.SMART_CHECKLIST,
    )


def roadmap_status_all(roadmaps: Iterable[RoadmapRecord], *, today: dt.date) -> list[RoadmapStatus]:
    """:func:`roadmap_status` of each roadmap, in input order."""
    return [roadmap_status(r, today=today) for r in roadmaps]


#: Catalogue criteria (``planning.models.eco``) that the recorded figures also measure
#: (:mod:`planning.analysis.eco`): a criterion declared met while the figures say otherwise is a
#: conflict for the reviewer, not a silent "met".
MEASURED_BY = {
    "d35-basic-services": "basic_services",
    "ent-green-shared-land": "green_shared_land_share",
    "ent-symbiosis-links": "symbiosis_link",
    "ent-recp-aware": "recp_awareness",
    "ent-recp-applying": "recp_application",
}


def measured_check(criteria: list[dict], measured: Iterable[dict]) -> int:
    """Check roadmap criteria against the recorded figures; return the number of conflicts.

    Each criterion (a dict with ``code`` and ``status``) gets ``measured_met`` (True, False, or
    None when the figures do not measure it), ``measured_missing`` and ``conflict`` (declared
    met while the figures say not met).

    Examples
    --------
    >>> rows = [{"code": "d35-basic-services", "status": "met"},
    ...         {"code": "notice-recycling", "status": "met"}]
    >>> measured_check(rows, [{"key": "basic_services", "met": False, "missing": "80 %"}])
    1
    >>> [(r["measured_met"], r["conflict"]) for r in rows]
    [(False, True), (None, False)]
    """
    by_key = {m["key"]: m for m in measured}
    n = 0
    for c in criteria:
        m = by_key.get(MEASURED_BY.get(c["code"], ""))
        c["measured_met"] = None if m is None else m["met"]
        c["measured_missing"] = None if m is None or m["met"] else m.get("missing")
        c["conflict"] = c["status"] == "met" and c["measured_met"] is False
        n += c["conflict"]
    return n
