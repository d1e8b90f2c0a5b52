"""Vector tiles under /ogc/ (OGC API – Tiles). Only ``collections/<id>/tiles...``, the
dataset's ``tiles/WebMercatorQuad...`` and the base map's ``basemap/tiles/...`` paths: the
OGC API – Features views mounted at /ogc/ beside these own the rest."""

from django.urls import path, re_path

from layers.vectortiles import views

app_name = "vectortiles"
urlpatterns = [
    path("collections/<str:collection>/tiles", views.tilesets, name="tilesets"),
    path("collections/<str:collection>/tiles/WebMercatorQuad", views.tileset, name="tileset"),
    re_path(
        r"^collections/(?P<collection>[^/]+)/tiles/WebMercatorQuad/"
        r"(?P<z>-?\d+)/(?P<y>-?\d+)/(?P<x>-?\d+)$",
        views.tile,
        name="tile",
    ),
    path("tiles", views.dataset_tilesets, name="dataset-tilesets"),
    path("tiles/WebMercatorQuad", views.dataset_tileset, name="dataset-tileset"),
    re_path(
        r"^tiles/WebMercatorQuad/(?P<z>-?\d+)/(?P<y>-?\d+)/(?P<x>-?\d+)$",
        views.dataset_tile,
        name="dataset-tile",
    ),
    # issue 14 map: the national base map (not a collection: context only, see basemap.py)
    path("basemap/tiles/WebMercatorQuad", views.basemap_tileset, name="basemap-tileset"),
    re_path(
        r"^basemap/tiles/WebMercatorQuad/(?P<z>-?\d+)/(?P<y>-?\d+)/(?P<x>-?\d+)$",
        views.basemap,
        name="basemap-tile",
    ),
]
