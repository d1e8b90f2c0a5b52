from django.urls import path

from layers.wfs import views as wfs_views

app_name = "layers"
urlpatterns = [
    path("wfs", wfs_views.wfs, name="wfs"),
]
