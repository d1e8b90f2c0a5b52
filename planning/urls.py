from django.urls import path

from planning import views

app_name = "planning"
urlpatterns = [
    path("context.geojson", views.context_geojson, name="context_geojson"),
]
