"""Build and register the demo province's rasters (DEM, land cover, flood, population)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import shapely
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from planning import geo
from planning import models as m
from planning.selectors.rasters import raster_dir
from planning.synthetic_rasters import ProvinceScene, grid_for, synthesise, write_cog

# Approximate town centres and populations (district seats; DOMAIN.md §6.3 anchors), and the
# main rivers, drawn coarsely for the synthetic rasters only.
TOWNS = {
    "Bình Định": [
        ("Quy Nhơn", 109.22, 13.77, 290_000),
        ("An Nhơn", 109.10, 13.89, 80_000),
        ("Phú Phong", 108.92, 13.91, 30_000),
        ("Bồng Sơn", 109.02, 14.43, 40_000),
        ("Ngô Mây (Phù Cát)", 109.06, 14.00, 25_000),
        ("Bình Dương (Phù Mỹ)", 109.05, 14.17, 20_000),
        ("Tăng Bạt Hổ (Hoài Ân)", 108.90, 14.35, 12_000),
        ("Diêu Trì (Tuy Phước)", 109.13, 13.81, 25_000),
        ("Vân Canh", 108.99, 13.62, 8_000),
        ("Vĩnh Thạnh", 108.78, 14.13, 8_000),
        ("An Lão", 108.90, 14.55, 6_000),
        ("Tam Quan", 109.05, 14.55, 25_000),
    ],
    "Sóc Trăng": [
        ("Sóc Trăng", 105.974, 9.603, 140_000),
        ("Châu Thành", 105.90, 9.70, 15_000),
        ("Kế Sách", 105.98, 9.77, 15_000),
        ("Huỳnh Hữu Nghĩa (Mỹ Tú)", 105.83, 9.63, 12_000),
        ("Long Phú", 106.12, 9.61, 15_000),
        ("Mỹ Xuyên", 105.99, 9.55, 20_000),
        ("Ngã Năm", 105.60, 9.56, 25_000),
        ("Phú Lộc (Thạnh Trị)", 105.70, 9.47, 15_000),
        ("Vĩnh Châu", 105.98, 9.33, 45_000),
        ("Trần Đề", 106.20, 9.52, 15_000),
        ("Cù Lao Dung", 106.17, 9.65, 10_000),
    ],
}
RIVERS = {
    "Bình Định": [
        [
            (108.72, 13.97),
            (108.85, 13.93),
            (108.95, 13.92),
            (109.05, 13.87),
            (109.12, 13.86),
            (109.19, 13.84),
        ],  # Kôn
        [(108.80, 14.45), (108.92, 14.42), (109.02, 14.40), (109.10, 14.40)],  # Lại Giang
        [(108.95, 13.66), (109.05, 13.72), (109.12, 13.77), (109.18, 13.80)],  # Hà Thanh
    ],
    "Sóc Trăng": [
        [
            (105.87, 9.98),
            (105.98, 9.88),
            (106.07, 9.78),
            (106.15, 9.69),
            (106.23, 9.58),
            (106.30, 9.50),
        ],  # Hậu
        [(105.95, 9.45), (106.00, 9.40), (106.05, 9.35), (106.12, 9.30)],  # Mỹ Thanh
        [
            (105.60, 9.62),
            (105.75, 9.63),
            (105.90, 9.62),
            (105.97, 9.60),
        ],  # Nhu Gia – Sóc Trăng canal
    ],
}
SEEDS = {"Bình Định": 52, "Sóc Trăng": 94}
# Titles and legends are stored with the raster (file description, RasterLayer.title/legend/
# source): data written once, so in the service's language (settings.LANGUAGE_CODE), whatever
# the language of the request or command that builds them. English msgids, Vietnamese in the .po.
KINDS = {
    "dem": (gettext_noop("Digital elevation model (synthetic)"), {"unit": "m"}),
    "landcover": (
        gettext_noop("Land cover (synthetic)"),
        {
            "0": gettext_noop("no data"),
            "1": gettext_noop("rice, two crops"),
            "2": gettext_noop("other annual crops"),
            "3": gettext_noop("forest, protected land"),
            "4": gettext_noop("water"),
            "5": gettext_noop("built-up land"),
            "6": gettext_noop("bare land"),
            "7": gettext_noop("perennial crops"),
        },
    ),
    "flood": (gettext_noop("Design flood depth (synthetic)"), {"unit": "m"}),
    "population": (
        gettext_noop("Population per cell (synthetic)"),
        {"unit": gettext_noop("people/cell")},
    ),
}


def _stored(kind: str) -> tuple[str, dict]:
    """The title and legend of ``kind`` in the service's language (they are stored as data)."""
    title, legend = KINDS[kind]
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(title), {
            key: (value if value == "m" else gettext(value)) for key, value in legend.items()
        }


def _source(title: str, province: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(
            "%(title)s; %(province)s; synthesised from the sample province's vector data, "
            "seed %(seed)s"
        ) % {"title": title, "province": province, "seed": SEEDS[province]}


@dataclass
class RasterBuild:
    province: str
    files: dict[str, Path]
    cells: int


def _to_metric(geom, srid):
    return geo.transform(shapely.from_wkb(bytes(geom.wkb)), 4326, srid)


def rasters_present(province, resolution_m: float) -> bool:
    layers = m.RasterLayer.objects.filter(name__endswith=f":{province.code}:{int(resolution_m)}m")
    return layers.count() == len(KINDS) and all((raster_dir() / r.path).exists() for r in layers)


def rasters_build(
    *, resolution_m: float = 30.0, provinces=("Bình Định", "Sóc Trăng"), force: bool = False
) -> list[RasterBuild]:
    """Synthesise and register the four rasters of each province (same seed, same files).

    Provinces whose rasters are registered and on disk are skipped unless ``force``.
    """
    out = []
    for name in provinces:
        province = m.AdminUnit.objects.get(name=name, level="province")
        if not force and rasters_present(province, resolution_m):
            continue
        srid = province.zone_srid
        outline = _to_metric(province.boundary, srid)
        to_metric = geo.transformer(4326, srid)
        towns = [(*to_metric.transform(lon, lat), pop) for _, lon, lat, pop in TOWNS[name]]
        rivers = [
            shapely.LineString([to_metric.transform(lon, lat) for lon, lat in line])
            for line in RIVERS[name]
        ]
        areas = [
            _to_metric(a.boundary, srid)
            for a in m.IndustrialArea.objects.exclude(status="planned").filter(
                boundary__intersects=province.boundary
            )
        ]
        scene = ProvinceScene(
            outline=outline,
            towns=towns,
            rivers=rivers,
            areas=areas,
            relief="delta" if name == "Sóc Trăng" else "coastal_mountains",
        )
        grid = grid_for(outline, resolution_m)
        arrays = synthesise(scene, grid, SEEDS[name])
        folder = raster_dir() / f"{province.code}"
        folder.mkdir(parents=True, exist_ok=True)
        files = {}
        for kind, array in arrays.items():
            path = folder / f"{kind}_{int(resolution_m)}m.tif"
            nodata = 0 if kind == "landcover" else (-9999.0 if kind == "dem" else None)
            write_cog(
                path, array, grid, f"EPSG:{srid}", nodata=nodata, description=_stored(kind)[0]
            )
            files[kind] = path
        with transaction.atomic():
            for kind, path in files.items():
                title, legend = _stored(kind)
                m.RasterLayer.objects.update_or_create(
                    name=f"{kind}:{province.code}:{int(resolution_m)}m",
                    defaults=dict(
                        kind=kind,
                        path=str(path.relative_to(raster_dir())),
                        srid=srid,
                        resolution_m=resolution_m,
                        nodata=0 if kind == "landcover" else None,
                        legend=legend,
                        is_synthetic=True,
                        source=_source(title, name),
                        checksum=hashlib.sha256(path.read_bytes()).hexdigest(),
                    ),
                )
        out.append(RasterBuild(name, files, grid.width * grid.height))
    return out
