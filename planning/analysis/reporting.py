"""Periodic reporting of industrial clusters: the periods, their deadlines and who is late.

Circular 14/2024/TT-BCT (effective 1 October 2024, amended by Circular 38/2025/TT-BCT from
1 July 2025; DOMAIN.md §2.5, confirmed from secondary sources): reports are half-yearly and
annual. The data of the **half-year** report run from 15 December of the previous year to
14 June; those of the **annual** report from 15 December of the previous year to 14 December.
Enterprises in a CCN and the cluster's infrastructure investor report before **20 June** and
**20 December**.

Reading taken here (flagged for legal review): a report dated on the deadline itself
(20 June, 20 December) is on time; from the day after it is late. A period is owed by an
area's investor when the area existed (established on or before the period's last data day,
or no date recorded) and was not revoked.

KCN: Decree 35/2022/ND-CP Art. 27(1)(c) makes KCN investors report on project implementation
under the investment law, but no periodic form or calendar was confirmed (DOMAIN.md §1.5). The
service lists KCN only when asked (``kinds`` including ``"KCN"``, setting
``PLANNING_REPORTING_KINDS``), under this same calendar, with :data:`KCN_BASIS` as the citation.

Pure: dates and plain records in, dataclasses out; no Django.

Examples
--------
>>> import datetime as dt
>>> p = period(2026, HALF_YEAR)
>>> (p.start.isoformat(), p.end.isoformat(), p.deadline.isoformat())
('2025-12-15', '2026-06-14', '2026-06-20')
>>> [q.key for q in periods_due(dt.date(2026, 6, 21), since=dt.date(2026, 1, 1))]
['2026-H1']
>>> periods_due(dt.date(2026, 6, 19), since=dt.date(2026, 1, 1))
[]
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from planning.analysis import citations
from planning.analysis.base import Serializable
from planning.analysis.messages import N_, Message

__all__ = [
    "HALF_YEAR",
    "ANNUAL",
    "CIRCULAR_14_EFFECTIVE",
    "ReportingPeriod",
    "ReportingCalendar",
    "ObligedArea",
    "Submission",
    "MissingReport",
    "DeveloperLateness",
    "period",
    "period_of",
    "periods_due",
    "reporting_calendar",
    "late_reports",
    "late_by_developer",
    "BASIS",
    "KCN_BASIS",
]

HALF_YEAR = "half_year"
ANNUAL = "annual"
#: Circular 14/2024/TT-BCT took effect on 1 October 2024; its first deadline is 20 December 2024.
CIRCULAR_14_EFFECTIVE = dt.date(2024, 10, 1)

BASIS = citations.PERIODIC_REPORTING
KCN_BASIS = citations.KCN_REPORTING

_LABELS = {
    HALF_YEAR: N_("half-year report %(year)s"),
    ANNUAL: N_("annual report %(year)s"),
}


@dataclass(frozen=True, kw_only=True)
class ReportingPeriod(Serializable):
    """One report owed: its year, kind, data window (inclusive) and deadline (inclusive)."""

    year: int
    kind: str  # HALF_YEAR | ANNUAL
    start: dt.date
    end: dt.date
    deadline: dt.date

    @property
    def key(self) -> str:
        """``2026-H1`` or ``2026-Y`` (file names, API keys)."""
        return f"{self.year}-{'H1' if self.kind == HALF_YEAR else 'Y'}"

    @property
    def label(self) -> Message:
        """``half-year report 2026`` / ``annual report 2026`` as a message."""
        return Message(_LABELS[self.kind], {"year": self.year})


def period(year: int, kind: str) -> ReportingPeriod:
    """The half-year or annual period of ``year``.

    >>> period(2024, ANNUAL).to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'year': 2024, 'kind': 'annual', 'start': '2023-12-15', 'end': '2024-12-14',
     'deadline': '2024-12-20'}
    """
    if kind not in (HALF_YEAR, ANNUAL):
        raise ValueError(f"unknown report kind {kind!r} (known: {HALF_YEAR}, {ANNUAL})")
    start = dt.date(year - 1, 12, 15)
    if kind == HALF_YEAR:
        return ReportingPeriod(
            year=year,
            kind=kind,
            start=start,
            end=dt.date(year, 6, 14),
            deadline=dt.date(year, 6, 20),
        )
    return ReportingPeriod(
        year=year, kind=kind, start=start, end=dt.date(year, 12, 14), deadline=dt.date(year, 12, 20)
    )


def period_of(day: dt.date, kind: str = HALF_YEAR) -> ReportingPeriod:
    """The period of ``kind`` whose data window contains ``day``.

    Data from 15 December belong to the next year's reports:

    >>> period_of(dt.date(2025, 12, 16)).key, period_of(dt.date(2025, 12, 14), ANNUAL).key
    ('2026-H1', '2025-Y')
    >>> period_of(dt.date(2026, 7, 1)).key  # after 14 June: only the annual window is open
    '2026-Y'
    """
    year = day.year + 1 if (day.month, day.day) >= (12, 15) else day.year
    p = period(year, kind)
    if day > p.end:  # between 15 June and 14 December no half-year window is open
        return period(year, ANNUAL)
    return p


def _all_periods(first_year: int, last_year: int) -> list[ReportingPeriod]:
    return [period(y, k) for y in range(first_year, last_year + 1) for k in (HALF_YEAR, ANNUAL)]


def periods_due(on: dt.date, *, since: dt.date = CIRCULAR_14_EFFECTIVE) -> list[ReportingPeriod]:
    """Periods whose deadline has passed on ``on`` (deadline < on), from ``since``, newest first.

    >>> [p.key for p in periods_due(dt.date(2025, 12, 21))]
    ['2025-Y', '2025-H1', '2024-Y']
    """
    return sorted(
        (p for p in _all_periods(since.year, on.year) if since <= p.deadline < on),
        key=lambda p: p.deadline,
        reverse=True,
    )


@dataclass(frozen=True, kw_only=True)
class ReportingCalendar(Serializable):
    """Where ``on`` stands: the last deadline passed, the next one, and the open data windows."""

    on: dt.date
    last_due: ReportingPeriod | None
    next_due: ReportingPeriod
    days_to_next: int


def reporting_calendar(on: dt.date) -> ReportingCalendar:
    """The last and next deadlines around ``on``.

    >>> c = reporting_calendar(dt.date(2026, 6, 20))
    >>> c.last_due.key, c.next_due.key, c.days_to_next
    ('2025-Y', '2026-H1', 0)
    """
    candidates = _all_periods(on.year - 1, on.year + 1)
    past = [p for p in candidates if p.deadline < on]
    nxt = min((p for p in candidates if p.deadline >= on), key=lambda p: p.deadline)
    return ReportingCalendar(
        on=on,
        last_due=max(past, key=lambda p: p.deadline) if past else None,
        next_due=nxt,
        days_to_next=(nxt.deadline - on).days,
    )


@dataclass(frozen=True, kw_only=True)
class ObligedArea(Serializable):
    """An area whose investor reports: kind, status, date established, developer."""

    area_id: Hashable
    name: str
    kind: str  # KCN | CCN
    status: str
    developer_id: Hashable | None
    developer_name: str = ""
    established_on: dt.date | None = None


@dataclass(frozen=True, kw_only=True)
class Submission(Serializable):
    """A report received: area, period year and kind, the date it was received."""

    area_id: Hashable
    year: int
    kind: str
    submitted_on: dt.date | None


@dataclass(frozen=True, kw_only=True)
class MissingReport(Serializable):
    """A report not received by its deadline.

    ``state`` is ``missing`` (none yet) or ``late`` (received after the deadline).
    """

    area_id: Hashable
    area_name: str
    kind: str
    developer_id: Hashable | None
    developer_name: str
    period: ReportingPeriod
    state: str  # "missing" | "late"
    submitted_on: dt.date | None
    days_late: int
    message: Message
    citation: Message


@dataclass(frozen=True, kw_only=True)
class DeveloperLateness(Serializable):
    """One developer's reports not received by the deadline, over all its areas."""

    developer_id: Hashable | None
    developer_name: str
    areas: tuple[str, ...]
    missing: int
    late: int
    latest_period: str
    message: Message


REPORTING_STATUSES = ("established", "clearing", "building", "operating")


def late_reports(
    areas: Iterable[ObligedArea],
    submissions: Iterable[Submission],
    *,
    on: dt.date,
    since: dt.date = CIRCULAR_14_EFFECTIVE,
    kinds: tuple[str, ...] = ("CCN",),
    include_late: bool = True,
) -> list[MissingReport]:
    """Reports owed whose deadline has passed on ``on`` and that were not received by it.

    Parameters
    ----------
    areas : ObligedArea
        Areas of ``kinds`` in a reporting status (established … operating) with a developer
        owe every period whose data window ends on or after their establishment.
    submissions : Submission
        What was received; a submission dated after ``on`` is ignored (not known yet then).
    on : date
        The day of the check; a period is due when its deadline is before ``on``.
    include_late : bool
        Also list reports received after the deadline (``state="late"``).

    Returns
    -------
    list of MissingReport, newest deadline first, then by area name.

    Examples
    --------
    Hand-worked: the half-year report 2026 is due by 20 June 2026. On 19 June it is not late;
    on 21 June, with nothing received, it is missing (1 day late).

    >>> a = ObligedArea(area_id="CCN-1", name="Gò Bằng", kind="CCN", status="building",
    ...                 developer_id=7, developer_name="Trung tâm PT CCN Hoài Ân")
    >>> since = dt.date(2026, 1, 1)
    >>> late_reports([a], [], on=dt.date(2026, 6, 19), since=since)
    []
    >>> [(r.period.key, r.state, r.days_late)
    ...  for r in late_reports([a], [], on=dt.date(2026, 6, 21), since=since)]
    [('2026-H1', 'missing', 1)]
    >>> got = [Submission(area_id="CCN-1", year=2026, kind=HALF_YEAR,
    ...                   submitted_on=dt.date(2026, 6, 20))]
    >>> late_reports([a], got, on=dt.date(2026, 6, 21), since=since)
    []
    """
    due = periods_due(on, since=since)
    received: dict[tuple, dt.date | None] = {}
    for s in submissions:
        if s.submitted_on is not None and s.submitted_on > on:
            continue
        k = (s.area_id, int(s.year), s.kind)
        prev = received.get(k)
        if k not in received or (prev is None or (s.submitted_on and s.submitted_on < prev)):
            received[k] = s.submitted_on
    out = []
    for a in areas:
        if a.kind not in kinds or a.status not in REPORTING_STATUSES or a.developer_id is None:
            continue
        for p in due:
            if a.established_on is not None and a.established_on > p.end:
                continue
            k = (a.area_id, p.year, p.kind)
            if k in received:
                got = received[k]
                if got is None or got <= p.deadline or not include_late:
                    continue  # received (an undated receipt counts as on time)
                state, days = "late", (got - p.deadline).days
            else:
                state, days, got = "missing", (on - p.deadline).days, None
            if state == "missing":
                msg = Message(
                    N_(
                        "%(name)s: %(period)s not received (due by %(deadline)s, %(days)s days "
                        "overdue)."
                    ),
                    {
                        "name": a.name,
                        "period": p.label,
                        "deadline": f"{p.deadline:%d/%m/%Y}",
                        "days": days,
                    },
                )
            else:
                msg = Message(
                    N_(
                        "%(name)s: %(period)s received on %(got)s, %(days)s days after the "
                        "deadline of %(deadline)s."
                    ),
                    {
                        "name": a.name,
                        "period": p.label,
                        "got": f"{got:%d/%m/%Y}",
                        "days": days,
                        "deadline": f"{p.deadline:%d/%m/%Y}",
                    },
                )
            out.append(
                MissingReport(
                    area_id=a.area_id,
                    area_name=a.name,
                    kind=a.kind,
                    developer_id=a.developer_id,
                    developer_name=a.developer_name,
                    period=p,
                    state=state,
                    submitted_on=got,
                    days_late=days,
                    message=msg,
                    citation=KCN_BASIS if a.kind == "KCN" else BASIS,
                )
            )
    out.sort(key=lambda r: (-r.period.deadline.toordinal(), r.area_name, str(r.area_id)))
    return out


def late_by_developer(reports: Iterable[MissingReport]) -> list[DeveloperLateness]:
    """The late and missing reports summed per developer (most missing first).

    >>> a = ObligedArea(area_id=1, name="A", kind="CCN", status="operating", developer_id=7,
    ...                 developer_name="D")
    >>> b = ObligedArea(area_id=2, name="B", kind="CCN", status="operating", developer_id=7,
    ...                 developer_name="D")
    >>> rows = late_reports([a, b], [], on=dt.date(2026, 6, 21), since=dt.date(2026, 1, 1))
    >>> [(d.developer_name, d.areas, d.missing) for d in late_by_developer(rows)]
    [('D', ('A', 'B'), 2)]
    """
    groups: dict[Hashable, list[MissingReport]] = defaultdict(list)
    for r in reports:
        groups[r.developer_id].append(r)
    out = []
    for dev_id, rows in groups.items():
        name = rows[0].developer_name or str(dev_id)
        missing = sum(1 for r in rows if r.state == "missing")
        late = len(rows) - missing
        latest = max(rows, key=lambda r: r.period.deadline).period
        out.append(
            DeveloperLateness(
                developer_id=dev_id,
                developer_name=name,
                areas=tuple(sorted({r.area_name for r in rows})),
                missing=missing,
                late=late,
                latest_period=latest.key,
                message=Message(
                    N_(
                        "Developer %(name)s: %(missing)s reports not received and %(late)s "
                        "received late, latest %(period)s."
                    ),
                    {"name": name, "missing": missing, "late": late, "period": latest.label},
                ),
            )
        )
    out.sort(key=lambda d: (-d.missing, -d.late, d.developer_name))
    return out
