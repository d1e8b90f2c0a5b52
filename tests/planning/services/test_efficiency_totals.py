"""The efficiency report's database aggregates give what the per-record path gives.

``clearance_totals`` / ``project_totals`` (one aggregate query each) against the pure sums of
``parcel_records`` / ``project_records``; ``areas_with_points`` + ``locate_many`` against each
boundary located one by one. On the factory-made case of test_efficiency_report.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from planning.analysis import efficiency as eff
from planning.analysis.errors import RecordError
from planning.analysis.records import AreaRecord, ParcelRecord
from planning.selectors.admin_units import UnitLocator
from planning.selectors.analysis_inputs.areas import area_rows, areas_in, areas_with_points
from planning.selectors.analysis_inputs.efficiency import (
    clearance_totals,
    parcel_records,
    project_totals,
)
from planning.selectors.analysis_inputs.targets import project_records
from tests.planning.services.test_efficiency_report import case  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _as_dicts(totals: dict, approx: bool = False) -> dict:
    return {
        code: pytest.approx(dataclasses.asdict(t)) if approx else dataclasses.asdict(t)
        for code, t in totals.items()
    }


@pytest.mark.parametrize("as_of", [None, dt.date(2022, 12, 31), dt.date(2023, 12, 31)])
@pytest.mark.parametrize("all_areas", [False, True])
def test_database_totals_equal_the_record_sums(case, as_of, all_areas):  # noqa: F811
    areas = list(areas_in(case["p"]))
    parcels = clearance_totals(areas, as_of=as_of, all_areas=all_areas)
    projects = project_totals(areas, as_of=as_of, all_areas=all_areas)
    assert _as_dicts(parcels) == _as_dicts(
        eff.clearance_totals(parcel_records(areas, as_of=as_of)), True
    )
    assert _as_dicts(projects) == _as_dicts(
        eff.project_totals(project_records(areas, as_of=as_of)), True
    )
    a2 = parcels["CCN-A2"]
    assert a2.n_parcels == 4
    # the two parcels were handed over on 1 May 2023
    assert (a2.handed_over_ha > 0) == (as_of is None or as_of >= dt.date(2023, 5, 1))
    # P2 is revoked; P3 was registered in 2024
    assert projects["CCN-A1"].n_projects == (1 if as_of else 2)
    assert projects["CCN-A1"].n_operating == 1


def test_totals_leave_out_areas_not_asked_for(case):  # noqa: F811
    only_a1 = [case["a1"]]
    assert set(clearance_totals(only_a1)) == set()  # A1 has no parcels
    assert set(project_totals(only_a1, all_areas=True)) == {"CCN-A1"}
    assert set(clearance_totals(only_a1, all_areas=True)) == set()  # A2's are not returned


def test_points_from_the_database_locate_like_the_boundaries(case):  # noqa: F811
    locator = UnitLocator.load()
    areas, points = areas_with_points(None)
    assert [a.code for a in areas] == ["CCN-A1", "CCN-A2", "CCN-A3"]
    fast = area_rows(areas, locator=locator, points=points)
    slow = area_rows(list(areas_in(None)), locator=locator)
    assert [(r.record, r.units) for r in fast] == [(r.record, r.units) for r in slow]
    assert fast[1].units["commune"].name == "Xã Đông"
    assert locator.locate_many(points) == [locator.locate(p) for p in points]


def test_sums_and_records_are_not_mixed():
    area = AreaRecord(id="A", kind="CCN", planned_ha=10, leasable_ha=8, leased_ha=2)
    parcel = ParcelRecord(id=1, area_id="A", area_ha=1, status="handed_over")
    with pytest.raises(RecordError, match="not both"):
        eff.area_efficiency([area], parcels=[parcel], parcel_sums={})
    (by_sums,) = eff.area_efficiency([area], parcel_sums=eff.clearance_totals([parcel]))
    (by_records,) = eff.area_efficiency([area], parcels=[parcel])
    assert by_sums == by_records and by_sums.clearance_progress == 1.0


def test_the_kept_unit_locator_sees_every_change_of_the_units(case):  # noqa: F811
    """UnitLocator.current keeps the boundaries between runs on PostgreSQL; a change made any way
    (here QuerySet.update, which sends no signal, inside the same transaction) is seen at once."""
    from django.contrib.gis.geos import MultiPolygon, Polygon
    from django.db import connection

    from planning import models as m

    first = UnitLocator.current()
    again = UnitLocator.current()
    assert (again is first) == (connection.vendor == "postgresql")
    areas, points = areas_with_points(None)
    commune = first.locate(points[1])["commune"]
    assert commune.name == "Xã Đông"

    m.AdminUnit.objects.filter(pk=commune.id).update(name="Xã Đông Mới")
    renamed = UnitLocator.current()
    assert renamed is not first and renamed.locate(points[1])["commune"].name == "Xã Đông Mới"

    far = MultiPolygon(Polygon.from_bbox((100.0, 10.0, 100.1, 10.1)), srid=4326)
    m.AdminUnit.objects.filter(pk=commune.id).update(boundary=far)
    moved = UnitLocator.current()
    assert (
        moved is not renamed
        and moved.locate(points[1])["commune"] != renamed.locate(points[1])["commune"]
    )
