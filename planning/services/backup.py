"""Backup and restore of everything the service holds: the database, uploaded files and rasters.

One archive (``.tar.gz``) with

* ``manifest.json``: format version, when, the database backend, the applied migrations, row
  counts of every model, and the SHA-256 of every member;
* ``database.dump`` (PostGIS: ``pg_dump --format=custom``, the added VN-2000 rows of
  ``spatial_ref_sys`` included) or ``database.sqlite3`` (SpatiaLite: SQLite's online backup API,
  a consistent copy while the service runs);
* ``media/…`` (``MEDIA_ROOT``: uploaded imports) and ``rasters/…`` (``KCN_RASTER_DIR``).

Restore checks the whole archive first (manifest, checksums, backend, that the migrations it was
made with are known to this code) and touches nothing if any check fails. By default it then
takes a safety backup of the current state, so a restore loses nothing either. The database is
replaced in one transaction (``pg_restore --single-transaction``; SQLite's backup API), then the
directories are swapped in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from planning.selectors.rasters import raster_dir

FORMAT = "kcn-planner-backup/1"
DB_POSTGIS = "database.dump"
DB_SQLITE = "database.sqlite3"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why (nothing was changed)."""


@dataclass
class BackupResult:
    path: Path
    backend: str
    counts: dict[str, int]
    files: int
    bytes: int


@dataclass
class RestoreResult:
    path: Path
    backend: str
    counts: dict[str, int]
    files: int
    safety_backup: Path | None = None
    warnings: list[str] = field(default_factory=list)


# --- where things are ---------------------------------------------------------------------------


def backend() -> str:
    engine = connection.settings_dict["ENGINE"]
    if "postgis" in engine or "postgresql" in engine:
        return "postgis"
    if "spatialite" in engine or "sqlite" in engine:
        return "spatialite"
    raise BackupError(f"unsupported database engine {engine}")


def media_dir() -> Path:
    return Path(settings.MEDIA_ROOT)


def backup_dir() -> Path:
    return Path(getattr(settings, "KCN_BACKUP_DIR", settings.VAR_DIR / "backups"))


def _pg_tool(name: str) -> str:
    for candidate in (f"/usr/lib/postgresql/15/bin/{name}", shutil.which(name)):
        if candidate and Path(candidate).exists():
            return candidate
    raise BackupError(f"{name} is not installed (Debian package postgresql-client-15)")


def _pg_env() -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    args = ["--dbname", s["NAME"]]
    if s.get("HOST"):
        args += ["--host", s["HOST"]]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", s["USER"]]
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy and m._meta.app_label in ("planning", "auth")
    }


def applied_migrations() -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def _files_under(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


# --- backup -------------------------------------------------------------------------------------


def _dump_database(work: Path) -> Path:
    if backend() == "postgis":
        out = work / DB_POSTGIS
        args, env = _pg_env()
        proc = subprocess.run(
            [
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(out),
                *args,
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise BackupError(f"pg_dump failed: {proc.stderr.strip()}")
        return out
    out = work / DB_SQLITE
    connection.ensure_connection()
    source = sqlite3.connect(connection.settings_dict["NAME"])
    target = sqlite3.connect(out)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()
    return out


def backup_create(output: Path | None = None) -> BackupResult:
    """Write a backup archive and return what is in it."""
    kind = backend()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    if output is None:
        backup_dir().mkdir(parents=True, exist_ok=True)
        output = backup_dir() / f"kcn-backup-{stamp}-{kind}.tar.gz"
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kcn-backup-", dir=output.parent) as tmp:
        work = Path(tmp)
        db_file = _dump_database(work)
        members: list[tuple[Path, str]] = [(db_file, db_file.name)]
        for prefix, root in (("media", media_dir()), ("rasters", raster_dir())):
            for p in _files_under(root):
                if backup_dir() in p.parents:
                    continue  # never back up the backups
                members.append((p, f"{prefix}/{p.relative_to(root).as_posix()}"))
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "backend": kind,
            "migrations": applied_migrations(),
            "counts": row_counts(),
            "files": {
                arcname: {"sha256": _sha256(p), "bytes": p.stat().st_size} for p, arcname in members
            },
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(dt.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            for p, arcname in members:
                tar.add(p, arcname=arcname, recursive=False)
        partial.replace(output)  # a crash never leaves a half archive under the final name
    total = sum(f["bytes"] for f in manifest["files"].values())
    return BackupResult(output, kind, manifest["counts"], len(members) - 1, total)


# --- restore ------------------------------------------------------------------------------------


def _safe_member(name: str) -> bool:
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts and name != ""


def backup_read(path: Path, work: Path) -> dict:
    """Extract and verify an archive into ``work``; returns its manifest. Raises BackupError."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no backup archive at {path}")
    try:
        tar = tarfile.open(path, "r:*")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{path.name} is not a backup archive: {exc}") from exc
    with tar:
        try:
            names = tar.getnames()
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise BackupError(f"{path.name} is damaged: {exc}") from exc
        if "manifest.json" not in names:
            raise BackupError(f"{path.name} has no manifest.json: not a KCN Planner backup")
        for member in tar.getmembers():
            if not _safe_member(member.name) or not (member.isfile() or member.isdir()):
                raise BackupError(f"{path.name} contains an unsafe entry {member.name!r}; refused")
        try:
            manifest = json.loads(tar.extractfile("manifest.json").read())
        except (ValueError, AttributeError) as exc:
            raise BackupError(f"the manifest of {path.name} cannot be read: {exc}") from exc
        if manifest.get("format") != FORMAT:
            raise BackupError(
                f"{path.name} has format {manifest.get('format')!r}; this version reads {FORMAT}"
            )
        listed = set(manifest.get("files", {}))
        present = {n for n in names if n != "manifest.json" and tar.getmember(n).isfile()}
        if listed != present:
            missing, extra = sorted(listed - present), sorted(present - listed)
            raise BackupError(
                f"{path.name} does not match its manifest (missing {missing[:5]}, unexpected "
                f"{extra[:5]})"
            )
        try:
            # Members were checked above (relative paths, regular files and directories only);
            # Debian 12's Python 3.11.2 predates tarfile's extraction filters.
            tar.extractall(work)
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise BackupError(f"{path.name} is damaged: {exc}") from exc
    for name, meta in manifest["files"].items():
        if _sha256(work / name) != meta["sha256"]:
            raise BackupError(
                f"{name} in {path.name} is corrupt (checksum differs); nothing restored"
            )
    return manifest


def _check_compatible(manifest: dict) -> list[str]:
    kind = backend()
    if manifest["backend"] != kind:
        raise BackupError(
            f"the backup is of a {manifest['backend']} database and this service runs on {kind}; "
            f"restore it into a {manifest['backend']} database (DATABASE_URL), or use "
            "export_layer/import_layer"
        )
    known = set(MigrationLoader(connection, ignore_no_migrations=True).disk_migrations)
    unknown = [f"{a}.{n}" for a, n in manifest["migrations"] if (a, n) not in known]
    if unknown:
        raise BackupError(
            "the backup was made by a newer version (unknown migrations "
            f"{', '.join(unknown[:5])}); "
            "update the code first"
        )
    ours = {tuple(x) for x in applied_migrations()}
    theirs = {tuple(x) for x in manifest["migrations"]}
    return (
        [
            "the backup predates migrations "
            + ", ".join(f"{a}.{n}" for a, n in sorted(ours - theirs))
            + "; run manage.py migrate after the restore"
        ]
        if ours - theirs
        else []
    )


def _restore_database(work: Path, kind: str) -> None:
    connections.close_all()
    if kind == "postgis":
        args, env = _pg_env()
        # Objects first dropped then recreated, all in one transaction: a failure changes nothing.
        proc = subprocess.run(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *args,
                str(work / DB_POSTGIS),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise BackupError(
                f"pg_restore failed, the database is unchanged: {proc.stderr.strip()[-2000:]}"
            )
        return
    source = sqlite3.connect(work / DB_SQLITE)
    target = sqlite3.connect(connection.settings_dict["NAME"], timeout=30)
    try:
        source.backup(target)  # page by page under one lock: all or nothing
    finally:
        target.close()
        source.close()


def _swap_dir(extracted: Path, live: Path) -> None:
    live.parent.mkdir(parents=True, exist_ok=True)
    old = live.with_name(live.name + ".before-restore")
    if old.exists():
        shutil.rmtree(old)
    if live.exists():
        live.rename(old)
    if extracted.exists():
        shutil.move(str(extracted), str(live))
    else:
        live.mkdir(parents=True)
    if old.exists():
        shutil.rmtree(old)


def backup_restore(path: Path, *, safety_backup: bool = True) -> RestoreResult:
    """Restore an archive made by :func:`backup_create`. Checks everything before changing
    anything."""
    path = Path(path)
    kind = backend()
    with tempfile.TemporaryDirectory(prefix="kcn-restore-") as tmp:
        work = Path(tmp)
        manifest = backup_read(path, work)
        warnings = _check_compatible(manifest)
        safety = (
            backup_create(
                backup_dir() / f"pre-restore-{dt.datetime.now():%Y%m%d-%H%M%S}-{kind}.tar.gz"
            )
            if safety_backup
            else None
        )
        _restore_database(work, kind)
        _swap_dir(work / "media", media_dir())
        _swap_dir(work / "rasters", raster_dir())
    connections.close_all()
    counts = row_counts()
    differ = {k: (v, counts.get(k)) for k, v in manifest["counts"].items() if counts.get(k) != v}
    if differ:
        warnings.append(f"row counts differ from the manifest after restore: {differ}")
    files = sum(1 for n in manifest["files"] if n.startswith(("media/", "rasters/")))
    return RestoreResult(path, kind, counts, files, safety.path if safety else None, warnings)
