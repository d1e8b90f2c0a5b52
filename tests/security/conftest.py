"""The world of the access matrix: two pre-2025 provinces, a district, four communes, a post-2025
province and commune linked across the 1 July 2025 reform, at least one feature of every catalogue
layer on both sides of every scope boundary, and one user per role.

Committed (``transactional_db``): MapServer reads the rows from its own process.

Layout (lon/lat):

* Bình Định ``52`` (to 30/6/2025) ⊃ district Hoài Nhơn ``540`` ⊃ commune A (Cát Hanh ``21907``)
  and the spare commune ``21909``; commune B (Cát Tài ``21910``) directly under the province.
* Gia Lai ``64`` (from 1/7/2025) ⊃ Phường Hoài Nhơn ``21880``; successions Bình Định → Gia Lai and
  commune A → Phường Hoài Nhơn.
* Sóc Trăng ``94`` ⊃ commune S (An Hiệp ``31510``) and the spare ``31511``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString, MultiLineString, MultiPolygon, Point, Polygon

from planning import models as m

PASSWORD = "mật-khẩu-ma-trận-1"
# Personal data of the parcels (ClearanceParcel.PERSONAL_FIELDS): must never appear in a response.
HOLDER_NAMES = ("Nguyễn Văn Bí Mật", "Trần Thị Riêng Tư")
HOLDER_IDS = ("052099001234", "094188005678")
SECRETS = HOLDER_NAMES + HOLDER_IDS

OLD_FROM, OLD_TO, NEW_FROM = dt.date(1976, 1, 1), dt.date(2025, 6, 30), dt.date(2025, 7, 1)


def mp(x0, y0, x1, y1) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((x0, y0, x1, y1)), srid=4326)


def ml(*points) -> MultiLineString:
    return MultiLineString(LineString(*points), srid=4326)


# Role name -> (Membership role, unit key) ; None = no membership.
ROLES = {
    "anonymous": None,
    "no_role": None,
    "staff_a": ("commune_staff", "commune_a"),
    "staff_b": ("commune_staff", "commune_b"),
    "district": ("district_staff", "district"),
    "industry": ("industry_reviewer", "bd"),
    "ezone": ("ezone_reviewer", "bd"),
    "admin": ("admin", None),
    "superuser": None,
}


def _unit(key, code, name, level, parent, box, *, new=False, zone=9217, **kw):
    return m.AdminUnit.objects.create(
        code=code,
        name=name,
        level=level,
        parent=parent,
        boundary=mp(*box),
        valid_from=NEW_FROM if new else OLD_FROM,
        valid_to=None if new else OLD_TO,
        zone_srid=zone,
        is_synthetic=level != "province",
        **kw,
    )


@pytest.fixture
def matrix_world(transactional_db):
    u = {}
    u["bd"] = _unit("bd", "52", "Bình Định", "province", None, (108.6, 13.5, 109.4, 14.7))
    u["district"] = _unit(
        "district", "540", "Thị xã Hoài Nhơn", "district", u["bd"], (108.9, 13.9, 109.1, 14.2)
    )
    u["commune_a"] = _unit(
        "commune_a", "21907", "Xã Cát Hanh", "commune", u["district"], (108.95, 13.95, 109.1, 14.1)
    )
    u["spare_a"] = _unit(
        "spare_a", "21909", "Xã Cát Lâm", "commune", u["district"], (108.9, 14.1, 108.95, 14.2)
    )
    u["commune_b"] = _unit(
        "commune_b", "21910", "Xã Cát Tài", "commune", u["bd"], (109.10, 13.95, 109.25, 14.10)
    )
    u["gl"] = _unit("gl", "64", "Gia Lai", "province", None, (107.5, 12.5, 109.5, 14.8), new=True)
    u["new_commune"] = _unit(
        "new_commune",
        "21880",
        "Phường Hoài Nhơn",
        "commune",
        u["gl"],
        (108.95, 13.95, 109.1, 14.1),
        new=True,
    )
    u["st"] = _unit(
        "st", "94", "Sóc Trăng", "province", None, (105.55, 9.2, 106.35, 9.95), zone=9209
    )
    u["commune_s"] = _unit(
        "commune_s",
        "31510",
        "Xã An Hiệp",
        "commune",
        u["st"],
        (105.88, 9.6, 105.98, 9.7),
        zone=9209,
    )
    u["spare_s"] = _unit(
        "spare_s", "31511", "Xã An Ninh", "commune", u["st"], (105.98, 9.6, 106.08, 9.7), zone=9209
    )
    m.AdminUnitSuccession.objects.create(predecessor=u["bd"], successor=u["gl"], area_share=1)
    m.AdminUnitSuccession.objects.create(
        predecessor=u["commune_a"], successor=u["new_commune"], area_share=1
    )

    dev = m.Developer.objects.create(name="Công ty Hạ tầng Nhơn Hòa", kind="enterprise")
    areas = {}
    for code, name, kind, unit, box in (
        ("KCN-NH", "KCN Nhơn Hòa", "KCN", "commune_a", (109.00, 13.96, 109.04, 13.99)),
        ("CCN-BTX", "CCN Bùi Thị Xuân", "CCN", "commune_a", (109.05, 14.02, 109.07, 14.04)),
        ("CCN-CH2", "CCN Cát Hanh 2", "CCN", "commune_a", (108.96, 14.06, 108.97, 14.07)),
        ("CCN-PA", "CCN Phước An", "CCN", "commune_b", (109.15, 13.97, 109.17, 13.99)),
        ("CCN-AH", "CCN An Hiệp", "CCN", "commune_s", (105.90, 9.62, 105.92, 9.64)),
        ("CCN-AH2", "CCN An Hiệp 2", "CCN", "commune_s", (105.94, 9.66, 105.95, 9.67)),
    ):
        areas[code] = m.IndustrialArea.objects.create(
            code=code,
            name=name,
            kind=kind,
            boundary=mp(*box),
            planned_area_ha=Decimal("60"),
            industrial_land_ha=Decimal("40"),
            leased_land_ha=Decimal("20"),
            status="operating" if kind == "KCN" else "planned",
            admin_unit=u[unit],
            developer=dev if kind == "KCN" else None,
            established_on=dt.date(2010, 5, 1),
        )

    roads = {
        "bd": m.RoadCorridor.objects.create(
            code="QL19",
            name="Quốc lộ 19",
            route_ref="QL19",
            road_class="national",
            status="invested",
            centerline=ml((108.96, 13.97), (109.20, 13.99)),
            admin_unit=u["commune_a"],
        ),
        "st": m.RoadCorridor.objects.create(
            code="QL1-ST",
            name="Quốc lộ 1 Sóc Trăng",
            route_ref="QL1",
            road_class="national",
            status="invested",
            centerline=ml((105.88, 9.61), (105.98, 9.69)),
            admin_unit=u["commune_s"],
        ),
    }
    # issue 13 roads: an expressway per province with one interchange each
    expressways = {
        key: m.RoadCorridor.objects.create(
            code=f"CT-{key.upper()}",
            name=f"Cao tốc thử {key.upper()}",
            route_ref="CT.01",
            road_class="expressway",
            status="under_construction",
            centerline=ml(*pts),
            admin_unit=u[unit],
        )
        for key, unit, pts in (
            ("bd", "commune_a", ((108.96, 14.03), (109.08, 14.03))),
            ("st", "commune_s", ((105.88, 9.66), (105.98, 9.66))),
        )
    }
    interchanges = {
        key: m.RoadInterchange.objects.create(
            code=f"NG-{key.upper()}",
            name=f"Nút giao thử {key.upper()}",
            expressway=expressways[key],
            crossing_road=roads[key],
            status="under_construction",
            geom=Point(*xy, srid=4326),
            admin_unit=u[unit],
            is_synthetic=True,
        )
        for key, unit, xy in (
            ("bd", "commune_a", (109.0, 14.03)),
            ("st", "commune_s", (105.93, 9.66)),
        )
    }
    lines = {
        "bd": m.InfrastructureLine.objects.create(
            name="Đường dây 110 kV Cát Hanh",
            kind="power_hv",
            status="invested",
            geom=ml((108.97, 14.0), (109.05, 14.0)),
            admin_unit=u["commune_a"],
        ),
        "st": m.InfrastructureLine.objects.create(
            name="Đường dây 110 kV An Hiệp",
            kind="power_hv",
            status="invested",
            geom=ml((105.90, 9.65), (105.96, 9.65)),
            admin_unit=u["commune_s"],
        ),
    }
    points = {
        "bd": m.InfrastructurePoint.objects.create(
            name="TBA 110 kV Cát Hanh",
            kind="substation",
            status="invested",
            geom=Point(109.01, 14.0, srid=4326),
            admin_unit=u["commune_a"],
        ),
        "st": m.InfrastructurePoint.objects.create(
            name="TBA 110 kV An Hiệp",
            kind="substation",
            status="invested",
            geom=Point(105.93, 9.65, srid=4326),
            admin_unit=u["commune_s"],
        ),
    }
    parcels = {
        "a": m.ClearanceParcel.objects.create(
            area=areas["CCN-BTX"],
            map_sheet="12",
            parcel_no="1",
            boundary=mp(109.05, 14.02, 109.053, 14.023),
            land_use="LUC",
            admin_unit=u["commune_a"],
            holder_name=HOLDER_NAMES[0],
            holder_id_number=HOLDER_IDS[0],
            households=3,
        ),
        "b": m.ClearanceParcel.objects.create(
            area=areas["CCN-PA"],
            map_sheet="7",
            parcel_no="2",
            boundary=mp(109.15, 13.97, 109.153, 13.973),
            land_use="LUC",
            admin_unit=u["commune_b"],
            holder_name=HOLDER_NAMES[1],
            holder_id_number=HOLDER_IDS[1],
            households=2,
        ),
        "st": m.ClearanceParcel.objects.create(
            area=areas["CCN-AH"],
            map_sheet="3",
            parcel_no="9",
            boundary=mp(105.90, 9.62, 105.903, 9.623),
            land_use="LUC",
            admin_unit=u["commune_s"],
            holder_name=HOLDER_NAMES[0],
            holder_id_number=HOLDER_IDS[1],
            households=1,
        ),
    }
    projects = {
        key: m.SecondaryProject.objects.create(
            area=areas[code],
            code=f"P-{code}",
            name=f"Nhà máy {code}",
            investor="Công ty TNHH Thử",
            sector="Dệt may",
            plot=mp(*box),
            leased_area_ha=Decimal("5"),
            registered_capital_bn_vnd=Decimal("100"),
            disbursed_capital_bn_vnd=Decimal("50"),
            registered_on=dt.date(2020, 1, 1),
            status="operating",
        )
        for key, code, box in (
            ("bd", "KCN-NH", (109.01, 13.97, 109.02, 13.98)),
            ("st", "CCN-AH", (105.91, 9.63, 105.915, 9.635)),
        )
    }

    def proposal(code, kind, unit, box, status="draft", **kw):
        # Recorded states (not workflow steps under test), each with the timeline entries the
        # workflow would have written, so that the invariants hold from the start.
        if status != "draft":
            # With microseconds, as timezone.now() writes them (files keep milliseconds).
            kw.setdefault("submitted_at", dt.datetime(2026, 3, 2, 8, 30, 15, 123456, tzinfo=dt.UTC))
        with m.workflow_write("fixture"):
            p = m.Proposal.objects.create(
                code=code,
                name=f"Đề xuất {code}",
                kind=kind,
                geom=mp(*box),
                admin_unit=u[unit],
                status=status,
                rationale="Gần Quốc lộ 19.",
                **kw,
            )
            m.ProposalEvent.objects.create(proposal=p, action="created")
            for action in {
                "submitted": ["submitted"],
                "under_review": ["submitted", "review_started"],
            }.get(status, []):
                m.ProposalEvent.objects.create(proposal=p, action=action)
        return p

    # CCN boxes ~0.006° (≈ 43 ha), KCN ~0.012° (≈ 170 ha): inside the legal size limits.
    proposals = {
        "a_draft": proposal("DX-A-DRAFT", "CCN", "commune_a", (108.97, 14.05, 108.976, 14.056)),
        "a_submitted": proposal(
            "DX-A-SUB", "CCN", "commune_a", (108.98, 14.05, 108.986, 14.056), "submitted"
        ),
        "a_kcn_review": proposal(
            "DX-A-KCN", "KCN", "commune_a", (108.96, 13.96, 108.972, 13.972), "under_review"
        ),
        "b_draft": proposal("DX-B-DRAFT", "CCN", "commune_b", (109.20, 14.05, 109.206, 14.056)),
        "b_submitted": proposal(
            "DX-B-SUB", "CCN", "commune_b", (109.21, 14.06, 109.216, 14.066), "submitted"
        ),
        "new_submitted": proposal(
            "DX-N-SUB", "CCN", "new_commune", (109.0, 14.08, 109.006, 14.086), "submitted"
        ),
        "s_submitted": proposal(
            "DX-S-SUB", "CCN", "commune_s", (105.95, 9.61, 105.956, 9.616), "submitted"
        ),
        "s_draft": proposal("DX-S-DRAFT", "KCN", "commune_s", (105.96, 9.67, 105.972, 9.682)),
    }

    site_run = m.AnalysisRun.objects.create(
        kind="site-suggestion", status="done", admin_unit=u["bd"]
    )
    common = dict(
        kind="CCN",
        area_ha=40,
        reasons="Cách tuyến QL19 (đã đầu tư) 300 m.",
        nearest_road_name="QL19",
    )
    sites = {
        "bd": m.SuggestedSite.objects.create(
            run=site_run,
            rank=1,
            score=0.9,
            geom=mp(109.08, 13.96, 109.09, 13.97),
            admin_unit=u["commune_a"],
            province_name="Bình Định",
            **common,
        ),
        "st": m.SuggestedSite.objects.create(
            run=site_run,
            rank=2,
            score=0.8,
            geom=mp(105.96, 9.62, 105.97, 9.63),
            admin_unit=u["commune_s"],
            province_name="Sóc Trăng",
            **common,
        ),
    }
    infra_run = m.AnalysisRun.objects.create(
        kind="infrastructure-gaps", status="done", admin_unit=u["bd"]
    )
    connectors = {
        key: m.InfrastructureConnector.objects.create(
            run=infra_run,
            area=areas[code],
            area_code=code,
            area_name=areas[code].name,
            network="power",
            feature_name="TBA 110 kV",
            distance_m=1500,
            geom=LineString(*pts, srid=4326),
        )
        for key, code, pts in (
            ("bd", "CCN-BTX", ((109.06, 14.03), (109.07, 14.05))),
            ("st", "CCN-AH", ((105.91, 9.63), (105.93, 9.65))),
        )
    }

    # issue 13 plan: a provincial plan per province, each with a planned entry not yet
    # established (the plan_entries layer).
    plan_entries = {}
    for key, unit, box in (
        ("bd", "bd", (109.22, 14.0, 109.226, 14.006)),
        ("st", "st", (106.0, 9.75, 106.006, 9.756)),
    ):
        plan = m.ProvincialPlan.objects.create(
            code=f"QHT-{key.upper()}",
            name=f"Quy hoạch tỉnh {u[unit].name}",
            province=u[unit],
            period_start=2021,
            period_end=2030,
            decision_agency="Thủ tướng Chính phủ",
            decision_unsourced=True,
        )
        plan_entries[key] = m.PlannedSite.objects.create(
            plan=plan,
            code=f"QH-{key.upper()}-CCN1",
            name=f"CCN quy hoạch {u[unit].name}",
            kind="CCN",
            planned_area_ha=Decimal("40"),
            geometry=mp(*box),
        )

    users = {}
    User = get_user_model()
    for name, spec in ROLES.items():
        if name == "anonymous":
            continue
        user = User.objects.create_user(
            username=f"mt_{name}",
            password=PASSWORD,
            is_superuser=name == "superuser",
            is_staff=name == "superuser",
        )
        if spec:
            role, unit = spec
            kind = {"industry_reviewer": "CCN", "ezone_reviewer": "KCN"}.get(role, "")
            m.Membership.objects.create(
                user=user, role=role, admin_unit=u[unit] if unit else None, area_kind=kind
            )
        users[name] = user

    # Per layer: a feature inside Bình Định commune A (the "in" target of scoped edits) and one in
    # Sóc Trăng ("out"), both without dependants so that a permitted Delete succeeds.
    samples = {
        "admin_units": {"in": u["spare_a"], "out": u["spare_s"]},
        "industrial_areas": {"in": areas["CCN-CH2"], "out": areas["CCN-AH2"]},
        "clearance_parcels": {"in": parcels["a"], "out": parcels["st"]},
        "road_corridors": roads,
        "infrastructure_lines": lines,
        "infrastructure_points": points,
        "secondary_projects": projects,
        "proposals": {"in": proposals["a_draft"], "out": proposals["s_draft"]},
        "suggested_sites": sites,
        "infrastructure_connectors": connectors,
        "road_interchanges": interchanges,
        "plan_entries": plan_entries,  # issue 13 plan
    }
    samples = {
        k: {"in": v.get("in", v.get("bd")), "out": v.get("out", v.get("st"))}
        for k, v in samples.items()
    }
    # The map draws today's units and the pre-2025 districts only (layers/wms/styles.py "where"),
    # so the WMS checks identify a post-2025 commune.
    for k, v in samples.items():
        v["map"] = u["new_commune"] if k == "admin_units" else v["in"]
    # Drafts are never drawn (shared tiles; access.readable_rows): the map checks use a submitted
    # one.
    samples["proposals"]["map"] = proposals["a_submitted"]
    return {
        "units": u,
        "areas": areas,
        "parcels": parcels,
        "proposals": proposals,
        "users": users,
        "samples": samples,
        "runs": {"sites": site_run, "infrastructure": infra_run},
    }
