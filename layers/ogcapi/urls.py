"""/ogc/: OGC API – Features Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0)."""

from django.urls import path

from layers.ogcapi import views

app_name = "ogcapi"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("conformance", views.conformance, name="conformance"),
    path("api", views.api, name="api"),
    path("collections", views.collections, name="collections"),
    path("collections/<str:collection_id>", views.collection, name="collection"),
    path("collections/<str:collection_id>/items", views.items, name="items"),
    path("collections/<str:collection_id>/items/<str:feature_id>", views.item, name="item"),
    path("collections/<str:collection_id>/queryables", views.queryables, name="queryables"),
]
