"""Name search: accent-insensitive in Python, so SpatiaLite and PostGIS answer the same."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import LineString, MultiLineString

from planning import models as m
from planning.web.search import fold, search
from planning.web.units import unit_filter_options
from tests.conftest import box4326
from tests.factories import IndustrialAreaFactory, square


@pytest.mark.parametrize(
    "text, folded",
    [
        ("KCN Nhơn Hòa", "kcn nhon hoa"),
        ("Nhơn Hoà", "nhon hoa"),  # the tone mark on the other vowel
        ("NHƠN HÒA", "nhon hoa"),
        ("Đập Đá", "dap da"),
        ("Ân Tường Tây", "an tuong tay"),
        ("Xã  Cát-Hanh ", "xa cat hanh"),
        ("ĐT639 – đoạn Cát Tiến", "dt639 doan cat tien"),
        ("Nhơn Hòa".encode().decode("utf-8"), "nhon hoa"),
        ("Nho\u031b\u0301n", "nhon"),  # already decomposed (NFD) input
        ("", ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


@pytest.fixture
def places(db, binh_dinh):
    province, commune = binh_dinh
    new_commune = m.AdminUnit.objects.create(
        code="50717007",
        name="Phường An Nhơn",
        level="commune",
        boundary=box4326(108.95, 13.9, 109.1, 14.05),
        valid_from=dt.date(2025, 7, 1),
        zone_srid=9217,
    )
    ward = m.AdminUnit.objects.create(
        code="549-03",
        name="Phường Nhơn Hòa",
        level="commune",
        parent=province,
        boundary=box4326(109.0, 13.85, 109.1, 13.9),
        valid_from=dt.date(1976, 1, 1),
        valid_to=dt.date(2025, 6, 30),
        zone_srid=9217,
    )
    kcn = IndustrialAreaFactory(
        code="KCN-NHONHOA",
        name="KCN Nhơn Hòa",
        kind="KCN",
        admin_unit=commune,
        boundary=square(109.0, 13.96, 0.02),
    )
    ccn = IndustrialAreaFactory(
        code="CCN-NHONHOA",
        name="CCN Nhơn Hòa",
        kind="CCN",
        admin_unit=commune,
        boundary=square(109.05, 13.96, 0.01),
    )
    other = IndustrialAreaFactory(
        code="CCN-HOAIAN",
        name="CCN Hoài Nhơn",
        kind="CCN",
        admin_unit=commune,
        boundary=square(109.02, 14.02, 0.01),
    )
    road = m.RoadCorridor.objects.create(
        code="BD-QL19",
        name="Quốc lộ 19",
        route_ref="QL19",
        road_class="national",
        status="invested",
        centerline=MultiLineString(LineString((108.9, 13.95), (109.2, 13.88)), srid=4326),
        admin_unit=province,
    )
    return {
        "province": province,
        "commune": commune,
        "new_commune": new_commune,
        "ward": ward,
        "kcn": kcn,
        "ccn": ccn,
        "other": other,
        "road": road,
    }


@pytest.mark.parametrize(
    "query", ["nhon hoa", "Nhơn Hòa", "NHƠN HOÀ", "nhơn hoà", "  Nhon   Hoa ", "kcn nhon hoa"]
)
def test_nhon_hoa_finds_kcn_nhon_hoa_first(client, places, query):
    r = client.get("/search.json", {"q": query})
    assert r.status_code == 200
    results = r.json()["results"]
    assert results[0]["name"] == "KCN Nhơn Hòa"
    assert (
        results[0]["type"] == "area" and results[0]["fid"] == f"industrial_areas.{places['kcn'].pk}"
    )
    assert results[0]["detail"] == "Khu công nghiệp"
    x0, y0, x1, y1 = results[0]["bbox"]
    assert (x0, y0) == pytest.approx((109.0, 13.96)) and (x1, y1) == pytest.approx((109.02, 13.98))
    names = [r["name"] for r in results]
    if not query.startswith("kcn"):
        assert names[:3] == ["KCN Nhơn Hòa", "CCN Nhơn Hòa", "Phường Nhơn Hòa"]
    assert "CCN Hoài Nhơn" not in names  # the words, but not in that order


def test_scattered_words_still_match_when_nothing_matches_in_order(places):
    assert [e.name for e in search("nhon hoai")] == ["CCN Hoài Nhơn"]


def test_partial_words_match_while_typing(places):
    assert [e.name for e in search("nhon h")][:2] == ["KCN Nhơn Hòa", "CCN Nhơn Hòa"]


@pytest.mark.parametrize(
    "query, name, kind",
    [
        ("quoc lo 19", "Quốc lộ 19 (QL19)", "road"),
        ("ql19", "Quốc lộ 19 (QL19)", "road"),
        ("cat hanh", "Xã Cát Hanh", "unit"),
        ("binh dinh", "Bình Định", "unit"),
        ("KCN-NHONHOA", "KCN Nhơn Hòa", "area"),
    ],
)
def test_roads_units_and_codes(places, query, name, kind):
    first = search(query)[0]
    assert (first.name, first.kind) == (name, kind)


def test_units_say_their_period(client, places):
    results = client.get("/search.json", {"q": "phuong"}).json()["results"]
    details = {r["name"]: r["detail"] for r in results}
    assert details["Phường An Nhơn"] == "Xã / phường / thị trấn, từ 2025"
    assert details["Phường Nhơn Hòa"] == "Xã / phường / thị trấn, 1976–2025"
    # Today's units before the abolished ones.
    assert [r["name"] for r in results] == ["Phường An Nhơn", "Phường Nhơn Hòa"]


def test_search_in_english(client, places):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    results = client.get("/search.json", {"q": "nhon hoa"}).json()["results"]
    assert [r["detail"] for r in results[:3]] == [
        "Industrial park",
        "Industrial cluster",
        "Commune / ward, 1976–2025",
    ]


@pytest.mark.parametrize("query", ["", "   ", "—", "zzzz"])
def test_nothing_to_find(client, places, query):
    assert client.get("/search.json", {"q": query}).json()["results"] == []


def test_limit(client, places):
    assert len(client.get("/search.json", {"q": "n", "limit": "2"}).json()["results"]) == 2
    assert client.get("/search.json", {"q": "n", "limit": "x"}).status_code == 200


def test_search_sees_new_names_once_the_cache_expires(places):
    from django.core.cache import cache

    assert search("tam quan") == []
    IndustrialAreaFactory(code="CCN-TQ", name="CCN Tam Quan", admin_unit=places["commune"])
    cache.clear()  # stands for the minute the index is cached
    assert [e.name for e in search("tam quan")] == ["CCN Tam Quan"]


def test_areas_belong_to_their_units_in_both_periods(places):
    """Reported under the old commune (and its province); inside the new ward by location."""
    options = unit_filter_options()
    provinces = {p["name"]: p["areas"] for p in options["provinces"]}
    assert provinces == {"Bình Định": ["CCN-HOAIAN", "CCN-NHONHOA", "KCN-NHONHOA"]}
    units = {u["name"]: u for u in options["units"]}
    assert units["Xã Cát Hanh"]["areas"] == ["CCN-HOAIAN", "CCN-NHONHOA", "KCN-NHONHOA"]
    # The 2025 ward holds the parks it contains although they were reported under the old commune.
    assert units["Phường An Nhơn"]["areas"] == ["CCN-HOAIAN", "CCN-NHONHOA", "KCN-NHONHOA"]
    assert units["Phường An Nhơn"]["period"] == [2025, None]
    assert units["Phường An Nhơn"]["province"] == [places["province"].pk]
    assert "Phường Nhơn Hòa" not in units  # no park inside it


def test_examples_in_docstrings():
    import doctest

    from planning.web import layers
    from planning.web import search as search_module

    for module in (search_module, layers):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__
