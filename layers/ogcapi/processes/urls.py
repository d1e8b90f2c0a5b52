"""/ogc/processes and /ogc/jobs (OGC API – Processes – Part 1: Core), mounted at /ogc/ beside the
OGC API – Features views (``gis_service/urls.py``)."""

from django.urls import path

from layers.ogcapi.processes import views

app_name = "ogcprocesses"
urlpatterns = [
    path("processes", views.processes, name="processes"),
    path("processes/<str:process_id>", views.process, name="process"),
    path("processes/<str:process_id>/execution", views.execution, name="execution"),
    path("jobs", views.jobs, name="jobs"),
    path("jobs/<str:job_id>", views.job, name="job"),
    path("jobs/<str:job_id>/results", views.results, name="results"),
    path("jobs/<str:job_id>/results/<str:output_id>", views.result, name="result"),
]
