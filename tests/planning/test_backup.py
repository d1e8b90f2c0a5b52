"""``manage.py backup`` / ``restore``: a round trip of database, uploaded files and rasters.

Runs on the real test database of each backend (pg_dump/pg_restore on PostGIS, SQLite's backup
API on SpatiaLite), so it needs ``transactional_db``: the restore replaces whole tables.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tarfile
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from planning import models as m
from planning.services import backup as svc
from tests.conftest import box4326
from tests.factories import IndustrialAreaFactory


@pytest.fixture
def province_state(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.KCN_RASTER_DIR = tmp_path / "rasters"
    settings.KCN_BACKUP_DIR = tmp_path / "backups"
    (tmp_path / "media" / "imports").mkdir(parents=True)
    (tmp_path / "media" / "imports" / "khu_cn.geojson").write_text(
        '{"type": "FeatureCollection", "features": []}'
    )
    (tmp_path / "rasters" / "binh_dinh").mkdir(parents=True)
    (tmp_path / "rasters" / "binh_dinh" / "dem.tif").write_bytes(
        b"II*\x00" + bytes(range(256)) * 40
    )
    unit = m.AdminUnit.objects.create(
        code="52",
        name="Bình Định",
        level="province",
        boundary=box4326(108.6, 13.5, 109.4, 14.7),
        valid_from=dt.date(1976, 1, 1),
        zone_srid=9217,
    )
    area = IndustrialAreaFactory(code="CCN-CH", name="CCN Cát Hanh", admin_unit=unit)
    return tmp_path, unit, area


def test_round_trip_restores_rows_files_and_history(province_state):
    tmp_path, unit, area = province_state
    result = svc.backup_create()
    assert result.path.parent == tmp_path / "backups" and result.path.name.endswith(
        f"-{result.backend}.tar.gz"
    )
    assert result.counts["planning.IndustrialArea"] == 1 and result.files == 2
    with tarfile.open(result.path) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["backend"] == ("postgis" if connection.vendor == "postgresql" else "spatialite")
    assert {"media/imports/khu_cn.geojson", "rasters/binh_dinh/dem.tif"} <= set(manifest["files"])

    # Everything changes after the backup ...
    area.name = "Tên bị sửa nhầm"
    area.leased_land_ha = Decimal("1")
    area.save()
    IndustrialAreaFactory(code="CCN-XX", admin_unit=unit)
    m.AdminUnit.objects.filter(pk=unit.pk).update(name="Sai")
    (tmp_path / "media" / "imports" / "khu_cn.geojson").unlink()
    (tmp_path / "rasters" / "binh_dinh" / "dem.tif").write_bytes(b"broken")
    (tmp_path / "media" / "stray.txt").write_text("after the backup")

    call_command("restore", str(result.path), "--yes", stdout=io.StringIO())

    restored = m.IndustrialArea.objects.get()
    assert (restored.code, restored.name, restored.leased_land_ha) == (
        "CCN-CH",
        "CCN Cát Hanh",
        Decimal("20.000"),
    )
    assert m.AdminUnit.objects.get().name == "Bình Định"
    assert restored.history.count() == 1  # the history is restored too, not just current rows
    assert (tmp_path / "media" / "imports" / "khu_cn.geojson").read_text().startswith('{"type"')
    assert (tmp_path / "rasters" / "binh_dinh" / "dem.tif").read_bytes().startswith(b"II*\x00")
    assert not (tmp_path / "media" / "stray.txt").exists()
    # The state just before the restore was kept.
    safety = sorted((tmp_path / "backups").glob("pre-restore-*.tar.gz"))
    assert len(safety) == 1
    with tarfile.open(safety[0]) as tar:
        assert (
            json.loads(tar.extractfile("manifest.json").read())["counts"]["planning.IndustrialArea"]
            == 2
        )
    # Geometry, its SRID and the metric measures survive; the VN-2000 zones are still known.
    assert restored.boundary.srid == 4326 and restored.boundary.num_geom == 1
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM spatial_ref_sys WHERE srid = 9217")
        assert c.fetchone()[0] == 1


def test_command_prints_what_it_wrote(province_state):
    tmp_path, _unit, _area = province_state
    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "b.tar.gz"), stdout=out)
    assert "đã ghi bản sao lưu" in out.getvalue() and (tmp_path / "b.tar.gz").exists()
    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "c.tar.gz"), "--lang", "en", stdout=out)
    assert "backup written" in out.getvalue() and (tmp_path / "c.tar.gz").exists()
    assert not list(tmp_path.glob("*.partial"))


def _tamper(src, dst, *, member=None, data=None, extra=None):
    with tarfile.open(src) as tin, tarfile.open(dst, "w:gz") as tout:
        for info in tin.getmembers():
            payload = tin.extractfile(info).read() if info.isfile() else None
            if info.name == member:
                payload = data
                info.size = len(data)
            tout.addfile(info, io.BytesIO(payload) if payload is not None else None)
        if extra:
            name, payload = extra
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tout.addfile(info, io.BytesIO(payload))


@pytest.mark.parametrize(
    "damage, message",
    [
        ({"member": "rasters/binh_dinh/dem.tif", "data": b"II*\x00 flipped bits"}, "corrupt"),
        ({"extra": ("../../etc/evil", b"x")}, "unsafe entry"),
        ({"extra": ("media/unlisted.txt", b"x")}, "does not match its manifest"),
        ({"member": "manifest.json", "data": b"{not json"}, "cannot be read"),
    ],
)
def test_a_bad_archive_is_refused_and_nothing_changes(province_state, damage, message):
    tmp_path, _unit, area = province_state
    good = svc.backup_create(tmp_path / "good.tar.gz").path
    IndustrialAreaFactory(code="CCN-NEW", admin_unit=area.admin_unit)
    bad = tmp_path / "bad.tar.gz"
    _tamper(good, bad, **damage)
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(bad), "--yes", stdout=io.StringIO())
    assert m.IndustrialArea.objects.count() == 2  # nothing restored, nothing lost
    assert not list((tmp_path / "backups").glob("pre-restore-*"))  # refused before any work


def test_not_an_archive_and_missing_file(province_state):
    tmp_path, *_ = province_state
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"PK\x03\x04 this is a zip, not a backup")
    with pytest.raises(CommandError, match="not a backup archive"):
        call_command("restore", str(junk), "--yes")
    with pytest.raises(CommandError, match="no backup archive"):
        call_command("restore", str(tmp_path / "nope.tar.gz"), "--yes")


def test_a_backup_of_the_other_backend_is_refused(province_state):
    tmp_path, *_ = province_state
    good = svc.backup_create(tmp_path / "good.tar.gz").path
    other = "spatialite" if svc.backend() == "postgis" else "postgis"
    with tarfile.open(good) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    manifest["backend"] = other
    bad = tmp_path / "other.tar.gz"
    _tamper(good, bad, member="manifest.json", data=json.dumps(manifest).encode())
    with pytest.raises(CommandError, match=f"backup is of a {other} database"):
        call_command("restore", str(bad), "--yes")


def test_a_backup_from_newer_code_is_refused(province_state):
    tmp_path, *_ = province_state
    good = svc.backup_create(tmp_path / "good.tar.gz").path
    with tarfile.open(good) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    manifest["migrations"].append(["planning", "9999_from_the_future"])
    bad = tmp_path / "newer.tar.gz"
    _tamper(good, bad, member="manifest.json", data=json.dumps(manifest).encode())
    with pytest.raises(CommandError, match="newer version"):
        call_command("restore", str(bad), "--yes")
