"""Reporting periods and deadlines of Circular 14/2024/TT-BCT (amended by 38/2025), hand-worked.

Half-year report: data 15 Dec (previous year) – 14 Jun, due by 20 June. Annual report: data
15 Dec (previous year) – 14 Dec, due by 20 December. A report dated on the deadline is on time.
"""

from __future__ import annotations

import datetime as dt

import pytest

from planning.analysis.reporting import (
    ANNUAL,
    HALF_YEAR,
    KCN_BASIS,
    ObligedArea,
    Submission,
    late_by_developer,
    late_reports,
    period,
    period_of,
    periods_due,
    reporting_calendar,
)

D = dt.date
SINCE = D(2026, 1, 1)


def _ccn(**kw):
    base = dict(
        area_id="CCN-GB",
        name="CCN Gò Bằng",
        kind="CCN",
        status="building",
        developer_id=7,
        developer_name="Trung tâm Phát triển CCN Hoài Ân",
        established_on=D(2019, 5, 1),
    )
    return ObligedArea(**{**base, **kw})


def test_half_year_period_2026():
    p = period(2026, HALF_YEAR)
    # data from 15/12/2025 to 14/06/2026, due by 20/06/2026
    assert (p.start, p.end, p.deadline) == (D(2025, 12, 15), D(2026, 6, 14), D(2026, 6, 20))


def test_annual_period_2025():
    p = period(2025, ANNUAL)
    assert (p.start, p.end, p.deadline) == (D(2024, 12, 15), D(2025, 12, 14), D(2025, 12, 20))


@pytest.mark.parametrize(
    "day,kind,key",
    [
        (D(2026, 1, 10), HALF_YEAR, "2026-H1"),
        (D(2025, 12, 15), HALF_YEAR, "2026-H1"),  # the cut-off day opens next year's window
        (D(2025, 12, 14), ANNUAL, "2025-Y"),
        (D(2026, 6, 14), HALF_YEAR, "2026-H1"),
        (D(2026, 6, 15), HALF_YEAR, "2026-Y"),  # no half-year window between 15/6 and 14/12
    ],
)
def test_period_of_a_day(day, kind, key):
    assert period_of(day, kind).key == key


def test_periods_due_since_circular_14():
    # Circular 14 took effect 1/10/2024; on 7/12/2026 the deadlines passed are 20/12/2024,
    # 20/06/2025, 20/12/2025, 20/06/2026 (20/12/2026 not yet).
    assert [p.key for p in periods_due(D(2026, 12, 7))] == [
        "2026-H1",
        "2025-Y",
        "2025-H1",
        "2024-Y",
    ]


def test_calendar_on_the_deadline_day():
    c = reporting_calendar(D(2026, 6, 20))
    assert c.last_due.key == "2025-Y" and c.next_due.key == "2026-H1" and c.days_to_next == 0


def test_not_late_on_19_june():
    # 19/06/2026: the deadline 20/06/2026 has not passed, nothing is listed.
    assert late_reports([_ccn()], [], on=D(2026, 6, 19), since=SINCE) == []


def test_listed_on_21_june_without_a_half_year_report():
    # 21/06/2026 − 20/06/2026 = 1 day overdue.
    (r,) = late_reports([_ccn()], [], on=D(2026, 6, 21), since=SINCE)
    assert (r.area_id, r.period.key, r.state, r.days_late) == ("CCN-GB", "2026-H1", "missing", 1)
    assert r.developer_name == "Trung tâm Phát triển CCN Hoài Ân"
    assert "Circular 14/2024" in r.citation.msgid


def test_received_on_the_deadline_is_on_time():
    got = [Submission(area_id="CCN-GB", year=2026, kind=HALF_YEAR, submitted_on=D(2026, 6, 20))]
    assert late_reports([_ccn()], got, on=D(2026, 6, 21), since=SINCE) == []


def test_received_after_the_deadline_is_late():
    # received 02/07/2026: 12 days after 20/06/2026
    got = [Submission(area_id="CCN-GB", year=2026, kind=HALF_YEAR, submitted_on=D(2026, 7, 2))]
    (r,) = late_reports([_ccn()], got, on=D(2026, 7, 10), since=SINCE)
    assert (r.state, r.days_late, r.submitted_on) == ("late", 12, D(2026, 7, 2))
    # seen on 30/06, before it arrived, it was missing (10 days overdue)
    (r,) = late_reports([_ccn()], got, on=D(2026, 6, 30), since=SINCE)
    assert (r.state, r.days_late) == ("missing", 10)


def test_who_owes_reports():
    on = D(2026, 6, 21)
    # a KCN is not listed by default (no confirmed periodic form, Decree 35 Art. 27)
    assert late_reports([_ccn(kind="KCN")], [], on=on, since=SINCE) == []
    (r,) = late_reports([_ccn(kind="KCN")], [], on=on, since=SINCE, kinds=("CCN", "KCN"))
    assert r.citation == KCN_BASIS
    # planned, revoked, without a developer, or established after the period's data: nothing
    assert late_reports([_ccn(status="planned")], [], on=on, since=SINCE) == []
    assert late_reports([_ccn(status="revoked")], [], on=on, since=SINCE) == []
    assert late_reports([_ccn(developer_id=None)], [], on=on, since=SINCE) == []
    assert late_reports([_ccn(established_on=D(2026, 6, 15))], [], on=on, since=SINCE) == []


def test_per_developer_sums():
    a = _ccn()
    b = _ccn(area_id="CCN-DTS", name="CCN Dốc Truông Sỏi")
    got = [Submission(area_id="CCN-DTS", year=2026, kind=HALF_YEAR, submitted_on=D(2026, 6, 25))]
    rows = late_reports([a, b], got, on=D(2026, 6, 30), since=SINCE)
    (d,) = late_by_developer(rows)
    assert (d.missing, d.late, d.areas, d.latest_period) == (
        1,
        1,
        ("CCN Dốc Truông Sỏi", "CCN Gò Bằng"),
        "2026-H1",
    )
