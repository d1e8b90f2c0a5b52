"""/ogc/: OGC API – Features Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0), Part 4 (create, replace,
update, delete; ``layers.ogcapi.editing``) and feature history (``layers.ogcapi.history``)."""

from django.urls import path

from layers.ogcapi import editing, history, views

app_name = "ogcapi"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("conformance", views.conformance, name="conformance"),
    path("api", editing.api_resource, name="api"),
    path("collections", views.collections, name="collections"),
    path("collections/<str:collection_id>", views.collection, name="collection"),
    path("collections/<str:collection_id>/items", editing.items_resource, name="items"),
    path(
        "collections/<str:collection_id>/items/<str:feature_id>",
        editing.item_resource,
        name="item",
    ),
    path(
        "collections/<str:collection_id>/items/<str:feature_id>/versions",
        history.versions,
        name="versions",
    ),
    path(
        "collections/<str:collection_id>/items/<str:feature_id>/versions/<str:version_id>",
        history.version,
        name="version",
    ),
    path("collections/<str:collection_id>/queryables", views.queryables, name="queryables"),
]
