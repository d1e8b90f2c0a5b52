"""Conversion roadmaps (eco, smart): criteria counts, deadline, overdue — hand-worked cases."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from planning.analysis.conversion import RoadmapRecord, roadmap_status, roadmap_status_all
from planning.analysis.errors import RecordError
from planning.analysis.messages import render

TODAY = dt.date(2026, 12, 7)
PHU_TAI = RoadmapRecord(
    area_id="KCN-PHUTAI",
    area_name="KCN Phú Tài",
    kind="KCN",
    programme="eco",
    target_year=2026,
    deadline=dt.date(2026, 6, 30),
    achieved=False,
    statuses=("met", "met", "met", "in_progress", "in_progress", "not_started"),
)


def test_deadline_passed_and_not_certified_is_overdue():
    s = roadmap_status(PHU_TAI, today=TODAY)
    # 2026-06-30 → 2026-12-07: July 31 + Aug 31 + Sep 30 + Oct 31 + Nov 30 + 7 = 160 days.
    assert s.overdue is True
    assert s.days_overdue == 160
    assert s.days_left is None
    assert "passed 160 days ago without certification (overdue)" in render(s.summary, lang="en")
    assert "quá hạn" in render(s.summary, lang="vi") or "overdue" in render(s.summary, lang="vi")


def test_certified_is_never_overdue():
    s = roadmap_status(replace(PHU_TAI, achieved=True), today=TODAY)
    assert (s.overdue, s.days_overdue, s.achieved) == (False, 0, True)
    assert render(s.summary, lang="en").endswith("criteria met; certified.")


def test_on_the_deadline_day_it_is_not_yet_overdue():
    s = roadmap_status(PHU_TAI, today=dt.date(2026, 6, 30))
    assert (s.overdue, s.days_left) == (False, 0)
    s = roadmap_status(PHU_TAI, today=dt.date(2026, 7, 1))
    assert (s.overdue, s.days_overdue) == (True, 1)


def test_days_left_before_the_deadline():
    # 2026-12-07 → 2028-12-31: 24 (rest of Dec 2026) + 365 (2027) + 366 (2028) = 755 days.
    s = roadmap_status(replace(PHU_TAI, deadline=dt.date(2028, 12, 31)), today=TODAY)
    assert (s.overdue, s.days_left) == (False, 755)


def test_criteria_counts():
    s = roadmap_status(PHU_TAI, today=TODAY)
    assert (s.n_met, s.n_in_progress, s.n_not_started, s.n_total) == (3, 2, 1, 6)


def test_smart_checklist_incomplete_after_deadline_is_overdue():
    smart = replace(
        PHU_TAI,
        programme="smart",
        statuses=("met", "met", "met", "met", "in_progress"),
        achieved=False,
    )
    s = roadmap_status(smart, today=TODAY)
    assert s.overdue and (s.n_met, s.n_total) == (4, 5)
    assert "checklist incomplete" in render(s.summary, lang="en")
    assert "ASSUMPTION" in render(s.citation, lang="en")
    done = roadmap_status(replace(smart, achieved=True, statuses=("met",) * 5), today=TODAY)
    assert not done.overdue and render(done.summary, lang="en").endswith("complete.")


def test_results_are_json_ready_and_in_input_order():
    out = roadmap_status_all([PHU_TAI, replace(PHU_TAI, area_id="KCN-HOAHOI")], today=TODAY)
    assert [s.area_id for s in out] == ["KCN-PHUTAI", "KCN-HOAHOI"]
    d = out[0].to_dict()
    assert d["deadline"] == "2026-06-30" and d["as_of"] == "2026-12-07"
    assert d["summary"]["msgid"].startswith("%(name)s")


@pytest.mark.parametrize(
    "change", [{"programme": "green"}, {"statuses": ("met", "done")}], ids=["programme", "status"]
)
def test_bad_records_are_refused(change):
    with pytest.raises(RecordError):
        replace(PHU_TAI, **change)
