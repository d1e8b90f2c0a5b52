"""The dashboards on the demo provinces (Bình Định, Sóc Trăng): figures checked against the
database, downloads parsed back, the PDF map sheet read back, access rules, both languages.

The demo data (planning.services.demo.demo_load) are loaded once for the module and flushed at
the end; each test runs in its own transaction on top of them.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from planning.analysis import numformat
from planning.analysis.records import ESTABLISHED_STATUSES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from django.db import connections

    from planning.services.demo import demo_load

    with django_db_blocker.unblock():
        demo_load()
        yield
        call_command("flush", interactive=False, verbosity=0)
        connections.close_all()


@pytest.fixture
def binh_dinh_demo(demo, db):
    from planning.models import AdminUnit

    return AdminUnit.objects.get(code="52", level="province")


@pytest.fixture
def soc_trang_demo(demo, db):
    from planning.models import AdminUnit

    return AdminUnit.objects.get(code="94", level="province")


@pytest.fixture
def tran_de(demo, db):
    from planning.models import IndustrialArea

    return IndustrialArea.objects.get(code="KCN-TRANDE")


@pytest.fixture
def staff_client(soc_trang_demo, django_user_model):
    """A district officer of Sóc Trăng (a role holder: reads the staff layers), own cookies."""
    from django.test import Client

    from planning.models import Membership

    client = Client()
    user = django_user_model.objects.create_user("can-bo-st", password="x")
    Membership.objects.create(user=user, role="district_staff", admin_unit=soc_trang_demo)
    client.force_login(user)
    return client


def areas_of(province):
    from planning.models import IndustrialArea

    return list(IndustrialArea.objects.filter(boundary__intersects=province.boundary))


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff"), "CSV starts with a BOM so Excel reads UTF-8"
    return list(csv.reader(io.StringIO(text[1:])))


def personal_values(province) -> list[str]:
    from planning.models import ClearanceParcel

    rows = ClearanceParcel.objects.filter(area__in=areas_of(province)).exclude(holder_name="")
    return [
        v
        for name, number in rows.values_list("holder_name", "holder_id_number")[:50]
        for v in (name, number)
        if v
    ]


# --- pages --------------------------------------------------------------------------------------


def test_index_lists_the_provinces_with_parks_and_clusters(client, binh_dinh_demo, soc_trang_demo):
    response = client.get(reverse("web:dashboards"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bảng tổng hợp" in html  # the header link and the title, in Vietnamese by default
    assert f'href="{reverse("web:dashboard_province", args=[binh_dinh_demo.pk])}"' in html
    assert f'href="{reverse("web:dashboard_province", args=[soc_trang_demo.pk])}"' in html
    assert f"Khu, cụm công nghiệp: {len(areas_of(soc_trang_demo))}" in html
    # Provinces without any park or cluster (Hậu Giang) are not offered.
    assert "Hậu Giang" not in html


def test_a_user_with_one_province_goes_straight_to_it(staff_client, soc_trang_demo):
    response = staff_client.get(reverse("web:dashboards"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:dashboard_province", args=[soc_trang_demo.pk])
    assert staff_client.get(reverse("web:dashboards") + "?all=1").status_code == 200


def test_province_headline_figures_match_the_database(client, binh_dinh_demo):
    from planning.models import SecondaryProject

    areas = areas_of(binh_dinh_demo)
    response = client.get(reverse("web:dashboard_province", args=[binh_dinh_demo.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        f'<span class="kcn-figure-value">{len(areas)}</span>'
        '<span class="kcn-figure-label">khu, cụm công nghiệp' in html
    )
    # Average occupancy of the KCN: Σ leased ÷ Σ leasable over the established ones (DOMAIN §3.1).
    kcn = [a for a in areas if a.kind == "KCN" and a.status in ESTABLISHED_STATUSES]
    expected = (
        sum(float(a.leased_land_ha) for a in kcn)
        / sum(float(a.industrial_land_ha) for a in kcn)
        * 100
    )
    shown = f"{expected:.1f}".replace(".", ",")
    assert f'data-occupancy="KCN">{shown} %</span>' in html
    n_projects = SecondaryProject.objects.filter(area__in=areas).exclude(status="revoked").count()
    assert (
        f'<span class="kcn-figure-value">{n_projects}</span>'
        '<span class="kcn-figure-label">dự án thứ cấp' in html
    )
    # Each area links to its dashboard and to the map, centred on it.
    a = areas[0]
    assert reverse("web:dashboard_area", args=[a.pk]) in html
    assert "/#bbox=" in html
    # Charts get their data in the page, with the thresholds of DOMAIN.md.
    data = response.context["chart_data"]
    assert data["thresholds"] == {"new_ccn": 50.0, "expansion": 60.0}
    assert len(data["charts"]["occupancy"]["values"]) == sum(
        1 for a in areas if a.status in ESTABLISHED_STATUSES and a.industrial_land_ha > 0
    )


def test_areas_csv_matches_the_database(client, soc_trang_demo):
    from planning.models import IndustrialArea

    url = reverse("web:dashboard_province_download", args=[soc_trang_demo.pk, "areas", "csv"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "soc-trang_areas_" in response["Content-Disposition"]
    rows = read_csv(response)
    header, body = rows[0], rows[1:]
    assert header[:2] == ["Khu / cụm công nghiệp", "Loại hình"]
    assert len(body) == len(areas_of(soc_trang_demo))
    occ = header.index("Tỷ lệ lấp đầy")
    by_name = {
        a.name: a
        for a in IndustrialArea.objects.filter(pk__in=[a.pk for a in areas_of(soc_trang_demo)])
    }
    for row in body:
        area = by_name[row[0]]
        expected = float(area.leased_land_ha) / float(area.industrial_land_ha) * 100
        # the page's figure (0.1 %), as a number: 54.8, not 54.84230055658627
        assert row[occ] == str(numformat.rounded(expected, 1)), (row[occ], expected)
    # Anonymous downloads have no clearance columns.
    assert "Tiến độ GPMB" not in header


def test_xlsx_holds_every_table_the_user_may_see(client, staff_client, soc_trang_demo):
    from openpyxl import load_workbook

    url = reverse("web:dashboard_province_xlsx", args=[soc_trang_demo.pk])
    anonymous = load_workbook(io.BytesIO(client.get(url).content))
    staff = load_workbook(io.BytesIO(staff_client.get(url).content))
    assert "Các khu, cụm công nghiệp" in anonymous.sheetnames
    assert "Vướng mắc và hạn xử lý" not in anonymous.sheetnames
    assert "Vướng mắc và hạn xử lý" in staff.sheetnames
    ws = staff["Các khu, cụm công nghiệp"]
    assert ws.max_row - 1 == len(areas_of(soc_trang_demo))
    assert "Tiến độ GPMB" in [c.value for c in ws[1]]


def test_staff_only_sections_are_hidden_from_anonymous_users(client, staff_client, soc_trang_demo):
    url = reverse("web:dashboard_province", args=[soc_trang_demo.pk])
    public = client.get(url).content.decode()
    for marker in (
        'id="table-obstacles"',
        'id="table-watch_list"',
        'id="fig-clearance"',
        'id="chart-clearance"',
        'id="table-targets"',
    ):
        assert marker not in public
    assert "chỉ hiển thị cho cán bộ đã đăng nhập" in public
    csv_url = reverse(
        "web:dashboard_province_download", args=[soc_trang_demo.pk, "obstacles", "csv"]
    )
    refused = client.get(csv_url)
    assert refused.status_code == 404 and "areas" in refused.content.decode()

    staff = staff_client.get(url).content.decode()
    for marker in (
        'id="table-obstacles"',
        'id="table-watch_list"',
        'id="fig-clearance"',
        'id="chart-clearance"',
    ):
        assert marker in staff
    assert staff_client.get(csv_url).status_code == 200


def test_obstacles_are_sorted_by_deadline_and_overdue_ones_marked(staff_client, soc_trang_demo):
    import datetime as dt

    from planning.models import Obstacle

    response = staff_client.get(
        reverse("web:dashboard_province_download", args=[soc_trang_demo.pk, "obstacles", "csv"])
    )
    rows = read_csv(response)
    header, body = rows[0], rows[1:]
    obstacles = Obstacle.objects.filter(area__in=areas_of(soc_trang_demo))
    assert len(body) == obstacles.count()
    today = dt.date.today()
    open_rows = [r for r in body if r[header.index("Tình trạng")] != "Đã giải quyết"]
    deadlines = [r[header.index("Hạn xử lý")] for r in open_rows if r[header.index("Hạn xử lý")]]
    assert deadlines == sorted(deadlines)
    overdue = obstacles.exclude(status="resolved").filter(deadline__lt=today).count()
    assert sum(1 for r in body if r[header.index("Số ngày quá hạn")]) == overdue
    html = staff_client.get(
        reverse("web:dashboard_province", args=[soc_trang_demo.pk])
    ).content.decode()
    assert html.count('class="kcn-overdue"') >= overdue
    assert (
        f'<span class="kcn-figure-value">{overdue}</span>'
        '<span class="kcn-figure-label">vướng mắc quá hạn' in html
    )


def test_personal_data_never_appears(
    staff_client, binh_dinh_demo, tran_de, soc_trang_demo, admin_client
):
    secrets = personal_values(soc_trang_demo)
    assert secrets, "the demo has parcel holders to look for"
    urls = [
        reverse("web:dashboard_province", args=[soc_trang_demo.pk]),
        reverse("web:dashboard_area", args=[tran_de.pk]),
        reverse("web:dashboard_area_download", args=[tran_de.pk, "clearance", "csv"]),
        reverse("web:dashboard_area_xlsx", args=[tran_de.pk]),
        reverse("web:dashboard_province_xlsx", args=[soc_trang_demo.pk]),
    ]
    for c in (staff_client, admin_client):
        for url in urls:
            response = c.get(url)
            assert response.status_code == 200, url
            body = response.content
            if url.endswith(".xlsx"):
                from openpyxl import load_workbook

                wb = load_workbook(io.BytesIO(body))
                body = "\n".join(
                    str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row
                ).encode()
            text = body.decode("utf-8")
            for s in secrets:
                assert s not in text, f"{s!r} leaked in {url}"


def test_english_mode_shows_english_labels(client, soc_trang_demo, tran_de):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("web:dashboard_province", args=[soc_trang_demo.pk])).content.decode()
    assert '<html lang="en">' in html
    assert "Industrial parks and clusters of Sóc Trăng" in html
    assert ">Occupancy</th>" in html and "Tỷ lệ lấp đầy" not in html
    rows = read_csv(
        client.get(reverse("web:dashboard_area_download", args=[tran_de.pk, "projects", "csv"]))
    )
    assert rows[0][:3] == ["Code", "Project", "Investor"]


def test_area_dashboard_figures_and_tables(client, staff_client, tran_de):
    from planning.models import ClearanceParcel, SecondaryProject

    url = reverse("web:dashboard_area", args=[tran_de.pk])
    html = client.get(url).content.decode()
    assert "KCN Trần Đề" in html
    # Breadcrumbs lead back to the province it was reported under.
    assert "Sóc Trăng</a> › KCN Trần Đề" in html
    occupancy = float(tran_de.leased_land_ha) / float(tran_de.industrial_land_ha) * 100
    assert f'data-occupancy="KCN">{occupancy:.1f} %'.replace(".", ",") in html
    assert "Xem trên bản đồ" in html and 'href="/#bbox=' in html
    assert 'id="kcn-dash-map"' in html and 'id="table-eco"' in html
    assert 'id="table-clearance"' not in html  # anonymous
    rows = read_csv(
        client.get(reverse("web:dashboard_area_download", args=[tran_de.pk, "projects", "csv"]))
    )
    assert len(rows) - 1 == SecondaryProject.objects.filter(area=tran_de).count()

    # Staff: clearance by status adds up to the parcels' own figures.
    rows = read_csv(
        staff_client.get(
            reverse("web:dashboard_area_download", args=[tran_de.pk, "clearance", "csv"])
        )
    )
    header, body = rows[0], rows[1:]
    assert header == [
        "Tình trạng",
        "Số thửa",
        "Diện tích (ha)",
        "Bồi thường theo phương án (triệu đồng)",
        "Đã chi trả (triệu đồng)",
    ]
    parcels = ClearanceParcel.objects.filter(area=tran_de)
    assert sum(int(r[1]) for r in body) == parcels.count()
    assert sum(float(r[2]) for r in body) == pytest.approx(
        sum(p.area_m2 for p in parcels) / 10_000, abs=0.01
    )
    staff_html = staff_client.get(url).content.decode()
    assert 'id="table-clearance"' in staff_html and 'id="table-obstacles"' in staff_html


def test_pdf_map_sheet(client, tran_de):
    from pypdf import PdfReader

    response = client.get(reverse("web:dashboard_area_sheet", args=[tran_de.pk]))
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape
    text = page.extract_text()
    assert "KCN Trần Đề" in text
    assert "EPSG:9209" in text  # Sóc Trăng's VN-2000 TM-3 zone
    assert "Tỷ lệ 1:" in text and "Chú giải" in text and "Open Development Mekong" in text
    images = list(page.images)
    assert images, "the map image is embedded"
    from PIL import Image

    img = Image.open(io.BytesIO(images[0].data)).convert("RGB")
    colours = img.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 20, (
        "the WMS map has drawn features, not a blank image"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/dashboards/99999/",
        "/dashboards/areas/99999/",
        "/dashboards/areas/99999/sheet.pdf",
        "/dashboards/99999999999999999999/",
        "/dashboards/areas/99999/projects.csv",
    ],
)
def test_unknown_ids_are_404(client, demo, db, path):
    response = client.get(path)
    assert response.status_code == 404


def test_unknown_table_names_the_known_ones(client, soc_trang_demo):
    response = client.get(f"/dashboards/{soc_trang_demo.pk}/secrets.csv")
    assert response.status_code == 404
    assert "areas" in response.content.decode() and "plan_vs_actual" in response.content.decode()


def test_a_district_is_not_a_province(client, demo, db):
    from planning.models import AdminUnit

    district = AdminUnit.objects.filter(level="district").first()
    assert client.get(reverse("web:dashboard_province", args=[district.pk])).status_code == 404


def test_the_header_links_to_the_dashboards(client, demo, db):
    html = client.get(reverse("web:map")).content.decode()
    assert f'href="{reverse("web:dashboards")}" id="kcn-dashboards-link"' in html


# --- one number formatter for pages, the PDF sheet, CSV and XLSX (issue 11, items 7 and 8) --------


def pdf_text(response) -> str:
    """The sheet's text with its line breaks folded (wrapped names read as one line)."""
    from pypdf import PdfReader

    assert response.status_code == 200, response.content[:300]
    return " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())


@pytest.mark.parametrize(
    "lang, occupancy, boundary, truncated",
    [
        ("vi", "93,4 %", "349,0", ("93,3 %", "348,9")),
        ("en", "93.4 %", "349.0", ("93.3 %", "348.9")),
    ],
)
def test_the_sheet_shows_the_figures_of_the_page(
    client, tran_de, lang, occupancy, boundary, truncated
):
    """True values 0.93352 and 348.9886 ha: the page rounded them, the sheet cut them off."""
    from decimal import Decimal

    from planning.models import IndustrialArea

    IndustrialArea.objects.filter(pk=tran_de.pk).update(
        planned_area_ha=Decimal("400.00"),
        industrial_land_ha=Decimal("250.00"),
        leased_land_ha=Decimal("233.38"),
        boundary_area_ha=348.9886,
    )
    client.cookies["django_language"] = lang
    html = client.get(reverse("web:dashboard_area", args=[tran_de.pk])).content.decode()
    assert f'data-occupancy="KCN">{occupancy}</span>' in html
    assert f": {boundary} ha</li>" in html  # by boundary
    sheet = pdf_text(client.get(reverse("web:dashboard_area_sheet", args=[tran_de.pk])))
    assert occupancy in sheet and boundary in sheet
    for wrong in truncated:
        assert wrong not in sheet and wrong not in html


def test_the_sheet_wraps_long_names_instead_of_cutting_them(admin_client, tran_de):
    from layers.catalogue import CATALOGUE
    from layers.wms.styles import STYLES
    from planning.models import Developer
    from planning.web.map_sheet import SHEET_LAYERS

    name = (
        "Công ty Cổ phần Đầu tư Phát triển Hạ tầng Khu công nghiệp và Đô thị Trần Đề "
        "tỉnh Sóc Trăng (tên dài để thử xuống dòng)"
    )
    Developer.objects.filter(pk=tran_de.developer_id).update(name=name)
    sheet = pdf_text(admin_client.get(reverse("web:dashboard_area_sheet", args=[tran_de.pk])))
    assert name in sheet and "…" not in sheet
    # Every legend entry of every layer drawn (an administrator reads them all), whole.
    for layer in SHEET_LAYERS:
        for cls in STYLES[CATALOGUE[layer].default_style or layer].classes:
            assert cls.title_vi in sheet, cls.title_vi


def dashboard_downloads(html: str, base: str) -> list[str]:
    import re

    tables = sorted(set(re.findall(re.escape(base) + r"([a-z_]+)\.csv", html)))
    return [f"{base}{t}.csv" for t in tables] + [f"{base}dashboard.xlsx"]


@pytest.mark.parametrize("page", ["province", "area"])
def test_every_dashboard_download_is_the_file_it_says(
    staff_client, soc_trang_demo, tran_de, page, tmp_path
):
    """Each table as CSV, all of them as XLSX, the map sheet as PDF: type, name, parsed back."""
    import re

    from openpyxl import load_workbook
    from pypdf import PdfReader

    if page == "province":
        base = reverse("web:dashboard_province", args=[soc_trang_demo.pk])
        stem = "dashboard_soc-trang"
    else:
        base = reverse("web:dashboard_area", args=[tran_de.pk])
        stem = "dashboard_kcn-tran-de"
    html = staff_client.get(base).content.decode()
    urls = dashboard_downloads(html, base)
    assert len(urls) >= 4, urls
    for url in urls:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        name = re.fullmatch(
            r'attachment; filename="([^"]+)"', response["Content-Disposition"]
        ).group(1)
        assert name.startswith(stem), name
        if url.endswith(".csv"):
            assert response["Content-Type"] == "text/csv; charset=utf-8" and name.endswith(".csv")
            rows = read_csv(response)
            assert len(rows) >= 2 and all(len(r) == len(rows[0]) for r in rows), url
        else:
            assert response["Content-Type"] == XLSX and name.endswith(".xlsx")
            wb = load_workbook(io.BytesIO(response.content))
            assert len(wb.sheetnames) == len(urls)  # "About" + one sheet per table
    if page == "area":
        response = staff_client.get(reverse("web:dashboard_area_sheet", args=[tran_de.pk]))
        assert response["Content-Type"] == "application/pdf"
        assert re.fullmatch(
            r'inline; filename="ban_do_kcn-tran-de_[0-9-]+\.pdf"', response["Content-Disposition"]
        )
        assert "KCN Trần Đề" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_dashboard_files_hold_the_page_figures_as_numbers(staff_client, soc_trang_demo):
    """No binary tails (16.00999999999999), the figures the page shows, links as URLs."""
    import re

    from openpyxl import load_workbook

    base = reverse("web:dashboard_province", args=[soc_trang_demo.pk])
    response = staff_client.get(base)
    html = response.content.decode()
    tables = response.context["tables"]
    for url in dashboard_downloads(html, base)[:-1]:
        rows = read_csv(staff_client.get(url))
        for row in rows[1:]:
            for value in row:
                assert not re.fullmatch(r"-?\d+\.\d{3,}", value), f"{value} in {url}"
    # The table of parks and clusters: each figure of the page is its CSV number, formatted.
    header, *body = read_csv(staff_client.get(f"{base}areas.csv"))
    cells = tables["areas"].cells()
    occ, planned, link = (
        header.index("Tỷ lệ lấp đầy"),
        header.index("Diện tích quy hoạch (ha)"),
        header.index("Bản đồ"),
    )
    for row, page_row in zip(body, cells, strict=True):
        texts = [c["text"] for c in page_row["cells"]]
        assert texts[occ] == (numformat.number(float(row[occ]), 1) + " %" if row[occ] else "—")
        assert texts[planned] == numformat.number(float(row[planned]), 1)
        # "Bản đồ": the link itself, not its text ("Xem trên bản đồ")
        assert row[link].startswith("http://testserver/#bbox="), row[link]
        assert page_row["cells"][link]["url"] in row[link]
    ws = load_workbook(io.BytesIO(staff_client.get(f"{base}dashboard.xlsx").content))[
        "Các khu, cụm công nghiệp"
    ]
    xheader = [c.value for c in ws[1]]
    first = {h: c for h, c in zip(xheader, ws[2], strict=True)}
    assert first["Bản đồ"].value.startswith("http://testserver/#bbox=")
    assert first["Bản đồ"].hyperlink.target == first["Bản đồ"].value
    assert first["Khu / cụm công nghiệp"].hyperlink.target.startswith(
        "http://testserver/dashboards/areas/"
    )
    assert isinstance(first["Diện tích quy hoạch (ha)"].value, float)
    assert first["Diện tích quy hoạch (ha)"].number_format == "#,##0.0"


@pytest.mark.parametrize(
    "lang, grouped", [("vi", r"\d{1,3}(\.\d{3})+"), ("en", r"\d{1,3}(,\d{3})+")]
)
def test_thousands_are_grouped_the_way_the_language_writes_them(
    client, binh_dinh_demo, lang, grouped
):
    import re

    client.cookies["django_language"] = lang
    html = client.get(reverse("web:dashboard_province", args=[binh_dinh_demo.pk])).content.decode()
    planned = re.search(r'id="fig-land"><span class="kcn-figure-value">([^<]+) ha<', html).group(1)
    assert re.fullmatch(grouped, planned), planned  # Bình Định plans more than 1,000 ha


def test_vietnamese_text_groups_thousands_the_vietnamese_way_in_english_mode(admin_client, demo):
    """The audit log is written in Vietnamese: its count reads "2.767 bản ghi" whatever the
    language."""
    import re

    from planning.selectors.audit import audit_count

    admin_client.cookies["django_language"] = "en"
    html = admin_client.get(reverse("admin-audit")).content.decode()
    total = audit_count()
    assert total >= 1000
    assert f"{numformat.number(total, 0, lang='vi')} bản ghi." in html
    assert not re.search(r"\d,\d{3} bản ghi", html)
