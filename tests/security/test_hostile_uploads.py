"""Hostile uploads on every path that reads a user's file or document.

Paths: ``POST /api/v1/imports/`` (a job; refusals are a 4xx or a failed job with the reason),
``POST /api/v1/proposals/read-file/`` and ``POST /api/v1/proposals/`` (multipart ``file``; 400),
``manage.py import_layer`` (CommandError) and WFS-T Insert documents (an OGC exception report).

Files: a zip bomb (a few hundred KB declaring 2 GiB; refused from the zip directory before any
byte is inflated), a zip inside a zip, ``../`` and absolute entry names, a symbolic link entry,
KML/GML with an external entity (XXE on /etc/passwd) and with "billion laughs", a PNG renamed
``.zip``, a file over ``PLANNING_MAX_UPLOAD_BYTES`` (lowered for the test), GeoJSON with
self-intersecting / unclosed / empty / NaN / out-of-Vietnam / projected-metres-as-degrees
geometries, a Shapefile without ``.prj`` (VN-2000 assumed, said so) and a 100,000-vertex polygon.

Each refusal must name the problem; nothing is written to the database, no file lands outside
MEDIA_ROOT, and the contents of /etc/passwd never come back.
"""

from __future__ import annotations

import io
import json
import math
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
import shapely
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from planning import models as m
from tests.jobs_support import TASKS_AT_ONCE
from tests.layers.test_wfs_support import basic, exception_code, wfs_post

PASSWD_MARKERS = ("root:x:0:0", "/bin/bash", "/usr/sbin/nologin")
CAT_HANH_RING = [[109.0, 14.0], [109.01, 14.0], [109.01, 14.01], [109.0, 14.01], [109.0, 14.0]]


# --- building hostile files ----------------------------------------------------------------------


def _raw_zip(entries: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip written by hand: (name, deflated bytes, crc32, declared size, unix mode) per entry.

    By hand because :mod:`zipfile` neither reuses compressed bytes (a bomb would take seconds of
    CPU to build) nor writes absolute names or link modes faithfully.
    """
    out, central = io.BytesIO(), io.BytesIO()
    for name, data, crc, size, mode in entries:
        raw = name.encode()
        offset = out.tell()
        method = 8 if size != len(data) or mode == 0o100644 else 0
        out.write(
            struct.pack(
                "<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(data), size, len(raw), 0
            )
        )
        out.write(raw + data)
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                0x0314,
                20,
                0,
                method,
                0,
                0,
                crc,
                len(data),
                size,
                len(raw),
                0,
                0,
                0,
                0,
                mode << 16,
                offset,
            )
        )
        central.write(raw)
    cd = central.getvalue()
    out.write(cd)
    out.write(
        struct.pack(
            "<IHHHHIIH",
            0x06054B50,
            0,
            0,
            len(entries),
            len(entries),
            len(cd),
            out.tell() - len(cd),
            0,
        )
    )
    return out.getvalue()


def _stored(name: str, data: bytes, mode: int = 0o100644) -> tuple:
    return (name, data, zlib.crc32(data), len(data), mode if mode != 0o100644 else 0o100600)


def feature_collection(geometry: dict | None, **props) -> bytes:
    feature = {
        "type": "Feature",
        "properties": {
            "code": "KCN-X",
            "name": "KCN thử",
            "kind": "KCN",
            "planned_area_ha": 120.5,
            "industrial_land_ha": 80.25,
            **props,
        },
        "geometry": geometry,
    }
    return json.dumps({"type": "FeatureCollection", "features": [feature]}, allow_nan=True).encode()


def polygon(ring) -> dict:
    return {"type": "Polygon", "coordinates": [ring]}


GOOD = feature_collection(polygon(CAT_HANH_RING))


def zip_bomb() -> bytes:
    chunk = 128 * 1024 * 1024
    packed = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = packed.compress(b"\0" * chunk) + packed.flush()
    crc = zlib.crc32(b"\0" * chunk)
    # 16 entries of 128 MiB of zeros: 2 GiB declared, a few hundred KB on disk.
    return _raw_zip([(f"part{i}.geojson", data, crc, chunk, 0o100644) for i in range(16)])


def nested_zip() -> bytes:
    inner = _raw_zip([_stored("boundary.geojson", GOOD)])
    return _raw_zip([_stored("inner.zip", inner)])


def kml(name_text: str, prolog: str = "") -> bytes:
    coords = " ".join(f"{x},{y}" for x, y in CAT_HANH_RING)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark>'
        f"<name>{name_text}</name><Polygon><outerBoundaryIs><LinearRing><coordinates>{coords}"
        "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>"
    ).encode()


XXE = '<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
LAUGHS = (
    '<!DOCTYPE kml [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(1, 10))
    + "]>\n"
)


def gml_xxe() -> bytes:
    coords = " ".join(f"{x},{y}" for x, y in CAT_HANH_RING)
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        '<ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" xmlns:gml="http://www.opengis.net/gml">'
        "<gml:featureMember><ogr:parks><ogr:name>&xxe;</ogr:name><ogr:geometryProperty>"
        '<gml:Polygon srsName="EPSG:4326"><gml:outerBoundaryIs><gml:LinearRing>'
        f"<gml:coordinates>{coords}"
        "</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs></gml:Polygon></ogr:geometryProperty>"
        "</ogr:parks></gml:featureMember></ogr:FeatureCollection>"
    ).encode()


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def many_vertices(n: int = 100_000) -> bytes:
    cx, cy, r = 109.005, 14.005, 0.004
    ring = [
        [cx + r * math.cos(2 * math.pi * i / n), cy + r * math.sin(2 * math.pi * i / n)]
        for i in range(n)
    ]
    return feature_collection(polygon(ring + [ring[0]]))


def shapefile_without_prj(tmp_path: Path) -> bytes:
    """A zipped Shapefile of one park in VN-2000 / TM-3 108°15' metres whose .prj was left out."""
    from tests.layers.test_import_export import area_fields, to_crs, write_layer, zip_dir

    folder = tmp_path / "noprj"
    folder.mkdir(exist_ok=True)
    write_layer(
        folder / "khu_cn.shp",
        [to_crs(shapely.Polygon(CAT_HANH_RING), 9217)],
        area_fields(["VN-1"]),
        crs="EPSG:9217",
        driver="ESRI Shapefile",
    )
    return zip_dir(folder, tmp_path / "khu_cn.zip", skip_suffixes=(".prj",)).read_bytes()


HOSTILE = {
    # name: (file name, builder, what the refusal must say, in English or in Vietnamese: the
    # default, for the requests and the command here)
    "zip_bomb": ("bomb.zip", zip_bomb, r"decompression bomb|expands to|bom giải nén|giải nén ra"),
    "nested_zip": (
        "nested.zip",
        nested_zip,
        r"holds no vector dataset|không chứa bộ dữ liệu vector",
    ),
    "dotdot_entry": (
        "evil.zip",
        lambda: _raw_zip([_stored("../../evil.geojson", GOOD)]),
        r"outside the archive|ra ngoài tệp nén",
    ),
    "absolute_entry": (
        "evil.zip",
        lambda: _raw_zip([_stored("/tmp/apifuzz-evil.geojson", GOOD)]),
        r"outside the archive|ra ngoài tệp nén",
    ),
    "symlink_entry": (
        "link.zip",
        lambda: _raw_zip([_stored("boundary.geojson", b"/etc/passwd", 0o120777)]),
        r"symbolic link|liên kết tượng trưng",
    ),
    "kml_xxe": ("xxe.kml", lambda: kml("&xxe;", XXE), r"DOCTYPE|ENTITY"),
    "kml_billion_laughs": ("lol.kml", lambda: kml("&lol9;", LAUGHS), r"DOCTYPE|ENTITY"),
    # Proposals take no GML at all: their refusal names the formats they do take.
    "gml_xxe": ("xxe.gml", gml_xxe, r"DOCTYPE|ENTITY|GeoJSON, KML"),
    "png_named_zip": ("boundary.zip", lambda: PNG, r"not a zip archive|không phải tệp nén zip"),
    "self_intersecting": (
        "bowtie.geojson",
        lambda: feature_collection(
            polygon([[109.0, 14.0], [109.01, 14.01], [109.01, 14.0], [109.0, 14.01], [109.0, 14.0]])
        ),
        r"(?i)self-intersect|invalid|repair|tự cắt|không hợp lệ",
    ),
    "unclosed_ring": (
        "open.geojson",
        lambda: feature_collection(polygon(CAT_HANH_RING[:-1])),
        r"(?i)closed|ring|invalid",
    ),
    "empty_geometry": (
        "empty.geojson",
        lambda: feature_collection({"type": "Polygon", "coordinates": []}),
        r"(?i)empty|no geometr|missing|0 features|rỗng",
    ),
    "nan_coordinates": (
        "nan.geojson",
        lambda: feature_collection(
            polygon([[109.0, 14.0], [float("nan"), 14.0], [109.01, 14.01], [109.0, 14.0]])
        ),
        r"(?i)nan|finite|invalid|cannot",
    ),
    "outside_vietnam": (
        "paris.geojson",
        lambda: feature_collection(
            polygon([[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.86], [2.35, 48.85]])
        ),
        r"(?i)outside|Vi[eệ]t ?Nam|extent|unit|nằm ngoài phạm vi",
    ),
    "metres_as_degrees": (
        "metres.geojson",
        lambda: feature_collection(
            polygon(
                [
                    [580000, 1550000],
                    [581000, 1550000],
                    [581000, 1551000],
                    [580000, 1551000],
                    [580000, 1550000],
                ]
            )
        ),
        r"(?i)metres|degrees|projected|out of range|EPSG|mét của hệ chiếu",
    ),
}


# --- the paths ------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = TASKS_AT_ONCE
    return settings.MEDIA_ROOT


@pytest.fixture
def people(binh_dinh):
    _, commune = binh_dinh
    users = get_user_model().objects
    staff = users.create_user("canbo", password="pw-canbo-1")
    m.Membership.objects.create(user=staff, role="commune_staff", admin_unit=commune)
    admin = users.create_superuser("quantri", password="pw-admin-1", email="qt@example.com")
    return {"staff": staff, "admin": admin}


def _rows() -> dict:
    return {
        "areas": m.IndustrialArea.objects.count(),
        "proposals": m.Proposal.objects.count(),
        "history": m.IndustrialArea.history.count(),
    }


def _no_passwd(text: str) -> None:
    for marker in PASSWD_MARKERS:
        assert marker not in text, f"/etc/passwd leaked: {text[:300]}"


def _files_outside(media_root: Path, before: set) -> set:
    """Files that appeared in the places an escaping archive would write to."""
    suspects = {
        Path("/tmp/apifuzz-evil.geojson"),
        media_root.parent / "evil.geojson",
        media_root.parent.parent / "evil.geojson",
        Path.cwd() / "evil.geojson",
    }
    return {p for p in suspects if p.exists()} - before


def import_via_api(client: Client, name: str, data: bytes) -> tuple[int, str]:
    """POST /api/v1/imports/ (sync runner): (HTTP status, the refusal or the failed job's
    reason)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/api/v1/imports/", {"layer": "industrial_areas", "file": SimpleUploadedFile(name, data)}
    )
    body = response.content.decode("utf-8", "replace")
    assert response.status_code < 500, body[:500]
    payload = response.json()
    if response.status_code == 202:
        assert payload["status"] in ("done", "failed"), payload
        if payload["status"] == "failed":
            assert payload["errors"] and payload["errors"][0]["reason"], payload
            return 422, payload["error"] + " " + json.dumps(payload["errors"], ensure_ascii=False)
        return 202, json.dumps(payload, ensure_ascii=False)
    return response.status_code, payload["error"]["message"]


def read_file_via_api(
    client: Client, file_name: str, data: bytes, url: str = "/api/v1/proposals/read-file/", **fields
) -> tuple[int, str]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(url, {"file": SimpleUploadedFile(file_name, data), **fields})
    body = response.content.decode("utf-8", "replace")
    assert response.status_code < 500, body[:500]
    payload = response.json()
    if response.status_code < 300:
        return response.status_code, json.dumps(payload, ensure_ascii=False)
    return response.status_code, payload["error"]["message"]


def import_via_command(tmp_path: Path, name: str, data: bytes) -> tuple[int, str]:
    path = tmp_path / "upload" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(
            "import_layer", str(path), "--layer", "industrial_areas", stdout=out, stderr=err
        )
    except CommandError as exc:
        return 400, str(exc)
    return 200, out.getvalue() + err.getvalue()


PATHS = ["imports_api", "proposal_read_file", "proposal_create", "import_layer"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_file_is_refused_with_its_reason(case, path, people, media, tmp_path):
    name, build, reason = HOSTILE[case]
    data = build()
    before_rows, before_files = _rows(), _files_outside(media, set())
    client = Client()
    if path == "imports_api":
        client.force_login(people["admin"])
        status, message = import_via_api(client, name, data)
    elif path == "proposal_read_file":
        client.force_login(people["staff"])
        status, message = read_file_via_api(client, name, data)
    elif path == "proposal_create":
        client.force_login(people["staff"])
        status, message = read_file_via_api(
            client,
            name,
            data,
            url="/api/v1/proposals/",
            name="Đề xuất thử",
            kind="CCN",
            admin_unit="21907",
        )
    else:
        status, message = import_via_command(tmp_path, name, data)
    print(f"{case} via {path}: {status} {message[:300]}")  # shown with -s: the refusals users read
    assert 400 <= status < 500, f"accepted: {message[:500]}"
    assert re.search(reason, message), f"{case} via {path}: unclear refusal: {message[:500]}"
    _no_passwd(message)
    assert _rows() == before_rows, "something was written"
    assert not _files_outside(media, before_files), "a file was written outside MEDIA_ROOT"
    if path == "imports_api":
        stored = (
            [p for p in (media / "imports").rglob("*") if p.is_file()]
            if (media / "imports").exists()
            else []
        )
        assert all(p.resolve().is_relative_to(media.resolve()) for p in stored)


# --- sizes, CRS guesses, big polygons -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
def test_file_over_the_size_limit_is_refused_before_reading(
    path, people, media, tmp_path, settings
):
    settings.PLANNING_MAX_UPLOAD_BYTES = 2048
    data = many_vertices(2_000)  # about 80 KB, well over the lowered limit
    before = _rows()
    client = Client()
    if path == "imports_api":
        client.force_login(people["admin"])
        status, message = import_via_api(client, "big.geojson", data)
        assert status == 413
        assert not (media / "imports").exists() or not any((media / "imports").rglob("*.geojson"))
    elif path.startswith("proposal"):
        client.force_login(people["staff"])
        url = (
            "/api/v1/proposals/read-file/" if path == "proposal_read_file" else "/api/v1/proposals/"
        )
        extra = (
            {}
            if path == "proposal_read_file"
            else {"name": "Đề xuất thử", "kind": "CCN", "admin_unit": "21907"}
        )
        status, message = read_file_via_api(client, "big.geojson", data, url=url, **extra)
        assert status == 400
    else:
        status, message = import_via_command(tmp_path, "big.geojson", data)
    assert re.search(r"larger than|largest|too large|lớn hơn|lớn nhất|quá lớn", message), message
    assert re.search(r"2[,.]?048 bytes?|limit|giới hạn", message), message
    assert _rows() == before


@pytest.mark.django_db
def test_zip_bomb_is_refused_from_its_directory_without_inflating(
    people, media, tmp_path, monkeypatch
):
    """The declared sizes refuse the bomb: no member is ever opened for reading."""

    def no_inflating(self, name, mode="r", *args, **kwargs):
        if mode == "r":
            raise AssertionError(f"{name} was opened: the bomb got past the directory check")
        return original(self, name, mode, *args, **kwargs)

    original = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", no_inflating)
    status, message = import_via_command(tmp_path, "bomb.zip", zip_bomb())
    assert status == 400 and re.search("decompression bomb|bom giải nén", message), message


@pytest.mark.django_db
def test_shapefile_without_prj_is_read_as_vn2000_and_says_so(people, media, tmp_path):
    client = Client()
    client.force_login(people["admin"])
    status, body = import_via_api(client, "khu_cn.zip", shapefile_without_prj(tmp_path))
    assert status == 202, body
    job = json.loads(body)
    assert job["status"] == "done" and job["created"] == 1
    # Read in the one TM-3 zone that puts it in a province surveyed in that zone (issue 13 §6).
    assert any(re.search("(only|chỉ) EPSG:9217", w) for w in job["warnings"]), job["warnings"]
    area = m.IndustrialArea.objects.get(code="VN-1")
    assert area.boundary.extent == pytest.approx((109.0, 14.0, 109.01, 14.01), abs=1e-6)

    client.force_login(people["staff"])
    (tmp_path / "again").mkdir()
    status, body = read_file_via_api(
        client, "khu_cn.zip", shapefile_without_prj(tmp_path / "again")
    )
    assert status == 200, body
    notes = " ".join(json.loads(body)["notes"])
    assert "9217" in notes and "VN-2000" in notes, notes


@pytest.mark.django_db
def test_polygon_with_100k_vertices_is_read_whole(people, media):
    client = Client()
    client.force_login(people["staff"])
    status, body = read_file_via_api(client, "tron.geojson", many_vertices(100_000))
    assert status == 200, body[:300]
    ring = json.loads(body)["geometry"]["coordinates"][0][0]
    assert len(ring) == 100_001
    client.force_login(people["admin"])
    status, body = import_via_api(client, "tron.geojson", many_vertices(100_000))
    assert status == 202 and json.loads(body)["status"] == "done", body[:300]
    assert len(m.IndustrialArea.objects.get(code="KCN-X").boundary.coords[0][0]) == 100_001


# --- WFS-T Insert documents -----------------------------------------------------------------------


def _insert(ring: str, prolog: str = "", name: str = "Cụm thử") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{prolog}<Transaction xmlns="http://www.opengis.net/wfs" service="WFS" version="1.0.0"
 xmlns:gml="http://www.opengis.net/gml">
 <Insert><proposals xmlns="http://kcn-planner.vn/kcn">
  <geom><gml:Polygon srsName="EPSG:4326"><gml:outerBoundaryIs><gml:LinearRing>
   <gml:coordinates cs="," ts=" ">{ring}</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs>
   </gml:Polygon></geom>
  <name>{name}</name><kind>CCN</kind>
 </proposals></Insert>
</Transaction>"""


RING_OK = "108.975,14.0 108.985,14.0 108.985,14.01 108.975,14.01 108.975,14.0"
WFS_HOSTILE = {
    "xxe": (_insert(RING_OK, XXE.replace("kml", "Transaction"), name="&xxe;"), r"DOCTYPE|ENTITY"),
    "billion_laughs": (
        _insert(RING_OK, LAUGHS.replace("kml", "Transaction"), name="&lol9;"),
        r"DOCTYPE|ENTITY",
    ),
    "self_intersecting": (
        _insert("108.975,14.0 108.985,14.01 108.985,14.0 108.975,14.01 108.975,14.0"),
        r"(?i)self-intersection|tự cắt",
    ),
    "unclosed_ring": (
        _insert("108.975,14.0 108.985,14.0 108.985,14.01 108.975,14.01"),
        r"(?i)closed|ring",
    ),
    "nan_coordinates": (
        _insert("108.975,14.0 nan,14.0 108.985,14.01 108.975,14.0"),
        r"(?i)nan|finite|number|coordinat|hữu hạn",
    ),
    "outside_vietnam": (
        _insert("2.35,48.85 2.36,48.85 2.36,48.86 2.35,48.85"),
        r"(?i)outside|extent|nằm ngoài",
    ),
    "metres_as_degrees": (
        _insert("580000,1550000 581000,1550000 581000,1551000 580000,1550000"),
        r"(?i)metres|projected|outside|extent|mét của hệ chiếu",
    ),
    "empty_geometry": (_insert(""), r"(?i)empty|coordinat|rỗng"),
    "huge_body": (_insert(RING_OK, name="x" * (11 * 1024 * 1024)), r"(?i)larger than|lớn hơn"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(WFS_HOSTILE))
def test_hostile_wfs_insert_is_refused_with_its_reason(case, binh_dinh):
    from django.contrib.auth import get_user_model

    _, commune = binh_dinh
    user = get_user_model().objects.create_user("canbo_a", password="mật-khẩu-thử-nghiệm-1")
    m.Membership.objects.create(user=user, role="commune_staff", admin_unit=commune)
    body, reason = WFS_HOSTILE[case]
    before = _rows()
    response = wfs_post(Client(), body, HTTP_AUTHORIZATION=basic("canbo_a"))
    text = response.content.decode("utf-8", "replace")
    assert 400 <= response.status_code < 500, f"{response.status_code}: {text[:500]}"
    code, _locator = exception_code(response)
    assert code, text[:300]
    assert re.search(reason, text), f"{case}: unclear refusal: {text[:600]}"
    _no_passwd(text)
    assert _rows() == before
