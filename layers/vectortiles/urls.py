"""Vector tiles under /ogc/ (OGC API – Tiles). Only ``collections/<id>/tiles...`` paths: the
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
]
