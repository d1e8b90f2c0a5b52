"""MapProxy mounted inside Django: configuration generated from the catalogue, validated, built
once.

MapServer renders from the database Django uses (PostGIS directly, SpatiaLite through OGR).
The configuration depends on the active database settings, so a test database gets its own.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings
from django.db import connection
from django.utils import translation

from layers import tilestore
from layers.catalogue import CATALOGUE
from layers.wfs.schema import feature_type
from layers.wms.mapfile import (
    FEATURE_INFO_FOOTER,
    FEATURE_INFO_HEADER,
    DataSource,
    build_mapfile,
    feature_info_template,
    mapfile_layers,
)
from layers.wms.mapproxy_config import build_mapproxy_config

log = logging.getLogger(__name__)
MAPSERV = os.environ.get("KCN_MAPSERV", "/usr/bin/mapserv")
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


class MapServiceConfigError(RuntimeError):
    """The generated MapProxy / MapServer configuration is not usable; the message lists why."""


def datasource() -> DataSource:
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        parts = {
            "host": s.get("HOST") or "localhost",
            "port": s.get("PORT") or "5432",
            "dbname": s["NAME"],
            "user": s.get("USER") or "",
            "password": s.get("PASSWORD") or "",
        }
        return DataSource("postgis", " ".join(f"{k}={v}" for k, v in parts.items() if v))
    name = str(s["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise MapServiceConfigError(
            "MapServer runs in its own process and cannot read an in-memory SpatiaLite database; "
            "use a database file"
        )
    return DataSource("spatialite", name)


def published_columns(spec) -> list[str]:
    """The attributes WFS publishes for ``spec`` (without the geometry), under WFS's names:
    GetFeatureInfo answers with these, in every format."""
    return [prop.name for prop in feature_type(spec.name).props]


def write_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old content or the new, never a part.

    Every worker process builds the map service files at its first map, while MapServer
    processes (a CGI per map, or long-lived FastCGI) read them: a file truncated and rewritten in
    place made MapServer read an empty mapfile now and then ("msLoadMap(): … this doesn't look
    like a mapfile", a 500 under load). Unchanged content is not written at all."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # readable by MapServer whoever runs it (mkstemp makes it 0600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class BuiltService:
    key: str
    directory: Path
    mapfile: Path
    config: dict
    app: object


def build_files(directory: Path, source: DataSource) -> tuple[Path, dict]:
    """Write the mapfile, GetFeatureInfo templates and MapServer config; return (mapfile, MapProxy
    dict)."""
    directory.mkdir(parents=True, exist_ok=True)
    templates = directory / "templates"
    templates.mkdir(exist_ok=True)
    specs = [CATALOGUE[n] for n in CATALOGUE]
    layers = mapfile_layers(specs, published_columns)
    published = {lyr.name for lyr in layers}
    for layer, spec in zip(layers, [s for s in specs if s.name in published], strict=False):
        model = spec.model
        labels = {n: str(model._meta.get_field(n).verbose_name) for n in layer.columns}
        write_file(templates / f"{layer.name}.html", feature_info_template(layer, labels))
    write_file(templates / "blank.html", "<!-- MapServer Template -->\n")
    write_file(templates / "header.html", FEATURE_INFO_HEADER)
    write_file(templates / "footer.html", FEATURE_INFO_FOOTER)
    fontset = directory / "fonts.txt"
    write_file(fontset, f"sans {FONT}\n")
    mapfile = directory / "kcn.map"
    write_file(
        mapfile, build_mapfile(layers, source, template_dir=str(templates), fontset=str(fontset))
    )
    conf = build_mapproxy_config(
        layers,
        mapfile=str(mapfile),
        mapserv=MAPSERV,
        working_dir=str(directory),
        cache_dir=str(directory / "tiles"),
        mapserver_url=settings.KCN_MAPSERVER_URL,
        redis_cache=tilestore.mapproxy_redis(directory.name) if tilestore.shared() else None,
    )
    return mapfile, conf


def mapserver_config_file(base: Path) -> Path:
    """MapServer 8 refuses map paths unless MS_MAP_PATTERN allows them."""
    base.mkdir(parents=True, exist_ok=True)
    path = base / "mapserver.conf"
    pattern = "^" + str(base).replace(".", r"\.") + r"/.*\.map$"
    write_file(
        path,
        "CONFIG\n  ENV\n"
        f'    MS_MAP_PATTERN "{pattern}"\n'
        f'    PROJ_DATA "/usr/share/proj"\n'
        "  END\nEND\n",
    )
    return path


def validate(conf: dict) -> list[str]:
    """MapProxy's own validators, all messages at once."""
    # MapProxy is loaded when the map services are first built, not with every page (heavy).
    from mapproxy.config.spec import validate_options
    from mapproxy.config.validator import validate as validate_references

    errors, _informal_only = validate_options(conf)
    messages = list(errors or [])
    if not messages:
        messages += list(validate_references(conf) or [])
    return [str(m) for m in messages]


def make_app(config_path: Path):
    # MapProxy is loaded when the map services are first built, not with every page (heavy).
    from mapproxy.wsgiapp import make_wsgi_app

    return make_wsgi_app(str(config_path), ignore_config_warnings=False)


_lock = threading.Lock()
_built: dict[str, BuiltService] = {}


_SERVICE_KEYS: dict[str, str] = {}


def service_key() -> str:
    s = connection.settings_dict
    raw = f"{connection.vendor}|{s.get('HOST')}|{s.get('PORT')}|{s['NAME']}"
    key = _SERVICE_KEYS.get(raw)
    if key is None:  # asked on every tile request: hashed once per database
        key = _SERVICE_KEYS[raw] = hashlib.sha256(raw.encode()).hexdigest()[:12]
    return key


def cache_dir(layer: str) -> Path:
    """The tile cache folder of ``layer`` for this database's map service."""
    return Path(settings.VAR_DIR) / "mapserver" / service_key() / "tiles" / layer


def get_service() -> BuiltService:
    key = service_key()
    svc = _built.get(key)
    if svc is not None:
        return svc
    with _lock:
        svc = _built.get(key)
        if svc is not None:
            return svc
        base = Path(settings.VAR_DIR) / "mapserver"
        os.environ["MAPSERVER_CONFIG_FILE"] = str(mapserver_config_file(base))
        directory = base / key
        # Built once per process and shared by every user (GetFeatureInfo templates label fields
        # with their verbose names): in the service's language, not the first request's.
        with translation.override(settings.LANGUAGE_CODE):
            mapfile, conf = build_files(directory, datasource())
        problems = validate(conf)
        if problems:
            raise MapServiceConfigError("invalid MapProxy configuration: " + "; ".join(problems))
        config_path = directory / "mapproxy.yaml"
        write_file(config_path, yaml.safe_dump(conf, allow_unicode=True, sort_keys=False))
        app = make_app(config_path)
        svc = _built[key] = BuiltService(key, directory, mapfile, conf, app)
        log.info("map services built in %s", directory)
        if gc.get_freeze_count():
            # A server process froze what it loaded at start (gis_service/wsgi.py); the map
            # service lives as long and is built at the first map: out of the collector's full
            # passes too (~20,000 objects of MapProxy's configuration).
            gc.freeze()
        return svc
