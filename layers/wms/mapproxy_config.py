"""Build the MapProxy configuration from the catalogue (pure: data in, dict out)."""

from __future__ import annotations

from collections.abc import Sequence

from layers.wms.mapfile import MapLayer

# The CRSs offered to WMS clients: web, WGS 84, and the VN-2000 systems planners use.
WMS_SRS = [
    "EPSG:3857",
    "EPSG:4326",
    "CRS:84",
    "EPSG:900913",
    "EPSG:4756",
    "EPSG:3405",
    "EPSG:3406",
    "EPSG:5896",
    "EPSG:5897",
    "EPSG:5898",
    "EPSG:5899",
    *[f"EPSG:{c}" for c in range(9205, 9219)],
]
# Vietnam with a margin, lon/lat.
COVERAGE_BBOX = [100.0, 6.0, 112.0, 24.5]
# GetFeatureInfo: each INFO_FORMAT offered on WMS 1.1.1 and 1.3.0 -> the one MapServer is asked
# for (mapfile.MAPSERVER_INFO_FORMATS). Both XML names get MapServer's GML 2 (msGMLOutput), the
# document QGIS's identify reads as features; MapProxy lists only one of them per WMS version, so
# the view writes this list into GetCapabilities (views.advertise_feature_info_formats).
FEATURE_INFO_FORMATS = {
    "text/html": "text/html",
    "text/plain": "text/plain",
    "application/vnd.ogc.gml": "application/vnd.ogc.gml",
    "text/xml": "application/vnd.ogc.gml",
}


def build_mapproxy_config(
    layers: Sequence[MapLayer],
    *,
    mapfile: str,
    mapserv: str,
    working_dir: str,
    cache_dir: str,
    title: str = "KCN Planner",
    mapserver_url: str = "",
    redis_cache: dict | None = None,
) -> dict:
    """Return a MapProxy configuration dict serving ``layers`` through MapServer.

    WMS renders straight from MapServer (uncached, any CRS, GetFeatureInfo and legends);
    WMTS and XYZ tiles come from a per-layer tile cache on GLOBAL_WEBMERCATOR.

    MapServer runs as a CGI process per request (``mapserv``: nothing to start, the default),
    or, given ``mapserver_url``, is a long-lived FastCGI MapServer reached over HTTP (README
    "Production": spawn-fcgi behind nginx) — the same mapfile, the same requests.

    ``redis_cache``: MapProxy's ``redis`` cache (connection and key ``prefix``; each layer adds
    ``:<layer>``) instead of the file cache under ``cache_dir``, so that several web nodes share
    the tiles (``layers/tilestore.py``).
    """
    sources, caches, mp_layers = {}, {}, []
    for layer in layers:
        src = f"{layer.name}_src"
        req = {"layers": layer.name, "map": mapfile, "transparent": True}
        sources[src] = (
            {"type": "wms", "req": {"url": mapserver_url, **req}}
            if mapserver_url
            else {
                "type": "mapserver",
                "req": req,
                "mapserver": {"binary": mapserv, "working_dir": working_dir},
            }
        )
        sources[src].update(
            {
                "coverage": {"bbox": COVERAGE_BBOX, "srs": "EPSG:4326"},
                "supported_srs": [
                    "EPSG:4326",
                    "EPSG:3857",
                    "EPSG:9217",
                    "EPSG:9209",
                    "EPSG:9218",
                    "EPSG:5897",
                ],
                # No fixed featureinfo_format: MapServer is asked for the client's INFO_FORMAT.
                "wms_opts": {"version": "1.3.0", "featureinfo": True, "legendgraphic": True},
            }
        )
        caches[f"{layer.name}_cache"] = {
            "grids": ["GLOBAL_WEBMERCATOR"],
            "sources": [src],
            "format": "image/png",
            "meta_size": [4, 4],
            "meta_buffer": 64,
            "cache": (
                {**redis_cache, "prefix": f"{redis_cache['prefix']}:{layer.name}"}
                if redis_cache
                else {
                    "type": "file",
                    "directory_layout": "tms",
                    "directory": f"{cache_dir}/{layer.name}",
                }
            ),
        }
        mp_layers.append(
            {
                "name": layer.name,
                "title": layer.title,
                "md": {"abstract": layer.abstract},
                "sources": [src],
                "tile_sources": [f"{layer.name}_cache"],
            }
        )
    return {
        "globals": {
            "cache": {
                "base_dir": cache_dir,
                "lock_dir": f"{cache_dir}/locks",
                "tile_lock_dir": f"{cache_dir}/tile_locks",
            },
            "image": {"resampling_method": "bilinear", "paletted": False},
            "http": {"client_timeout": 60},
        },
        "services": {
            "wms": {
                "versions": ["1.1.1", "1.3.0"],
                "srs": WMS_SRS,
                "bbox_srs": ["EPSG:4326", "EPSG:3857"],
                "image_formats": ["image/png", "image/jpeg"],
                "featureinfo_types": ["html", "text", "xml"],
                "strict": False,
                "md": {
                    "title": title,
                    "abstract": "Khu, cụm công nghiệp: ranh giới, giải phóng mặt bằng, "
                    "tuyến đường, dự án thứ cấp. Industrial parks and clusters.",
                    "access_constraints": "Dữ liệu minh họa một phần; xem thuộc tính is_synthetic.",
                    "fees": "none",
                },
            },
            "wmts": {"restful": True, "kvp": True, "md": {"title": title}},
            "tms": {"use_grid_names": True, "origin": "nw"},
        },
        "sources": sources,
        "caches": caches,
        "layers": mp_layers,
    }
