from django.urls import path, re_path

from layers.qgis import views as qgis_views
from layers.wfs import views as wfs_views
from layers.wms import views as wms_views

app_name = "layers"
urlpatterns = [
    path("wfs", wfs_views.wfs, name="wfs"),
    # MapProxy: WMS (/wms and MapProxy's own /service), WMTS, XYZ tiles.
    path("wms", wms_views.mapproxy, {"prefix": "service"}, name="wms"),
    path("service", wms_views.mapproxy, {"prefix": "service"}),
    re_path(r"^wmts(?:/(?P<path>.*))?$", wms_views.mapproxy, {"prefix": "wmts"}, name="wmts"),
    re_path(r"^tiles/(?P<path>.+)$", wms_views.mapproxy, {"prefix": "tiles"}, name="tiles"),
    # issue 14 qgz: the caller's QGIS project (layers they may read, styled like the map).
    path("project.qgz", qgis_views.project_qgz, name="qgis_project"),
]
