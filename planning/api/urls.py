"""URLs of the REST API, mounted at ``/api/`` (``gis_service/urls.py``)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from layers.catalogue import CATALOGUE
from planning.api import analyses as a
from planning.api import conversion as conv
from planning.api import department_reports as dr
from planning.api import enforcement as enf
from planning.api import imports as imp
from planning.api import plans as pl  # issue 13 plan
from planning.api import proposals as pr
from planning.api import schema  # noqa: F401  (registers the authentication schemes)
from planning.api.auth import CsrfSessionAuthentication, HeaderAuthentication
from planning.api.layers import LayerIndexApi, layer_views
from planning.api.root import ApiRootApi

app_name = "api"


def _layer_patterns():
    out = [path("layers/", LayerIndexApi.as_view(), name="layers")]
    for name in CATALOGUE:
        list_view, detail_view = layer_views(name)
        out += [
            path(f"layers/{name}/", list_view, name=f"layer-{name}"),
            path(f"layers/{name}/<int:pk>/", detail_view, name=f"layer-{name}-detail"),
        ]
    return out


v1 = [
    *_layer_patterns(),
    path("analyses/", a.AnalysisIndexApi.as_view(), name="analyses"),
    path("analyses/runs/", a.RunListApi.as_view(), name="runs"),
    path("analyses/runs/<int:pk>/", a.RunDetailApi.as_view(), name="run-detail"),
    path("analyses/runs/<int:pk>/sites/", a.RunSitesApi.as_view(), name="run-sites"),
    path("analyses/runs/<int:pk>/connectors/", a.RunConnectorsApi.as_view(), name="run-connectors"),
    path("analyses/runs/<int:pk>/export/", a.RunExportApi.as_view(), name="run-export"),
    path("analyses/<slug:name>/", a.AnalysisStartApi.as_view(), name="analysis-start"),
    path("efficiency/", a.EfficiencyReportApi.as_view(), name="efficiency"),
    path("watch-list/", a.WatchListApi.as_view(), name="watch-list"),
    path("eco-readiness/", a.EcoReadinessApi.as_view(), name="eco-readiness"),
    path(  # issue 13 eco
        "conversion-criteria/", conv.ConversionCriteriaApi.as_view(), name="conversion-criteria"
    ),
    path("infrastructure-gaps/", a.InfrastructureGapsApi.as_view(), name="infrastructure-gaps"),
    path("labour-catchment/", a.LabourCatchmentApi.as_view(), name="labour-catchment"),
    path("plan-vs-actual/", a.PlanVsActualApi.as_view(), name="plan-vs-actual"),
    path("proposals/check/", a.ProposalCheckApi.as_view(), name="proposal-check"),
    path("proposals/<int:pk>/validate/", a.ProposalValidateApi.as_view(), name="proposal-validate"),
    path("proposals/", pr.ProposalListApi.as_view(), name="proposals"),
    path("proposals/read-file/", pr.ProposalFileApi.as_view(), name="proposal-read-file"),
    path("proposals/<int:pk>/", pr.ProposalDetailApi.as_view(), name="proposal-detail"),
    path(
        "proposals/<int:pk>/<slug:action>/", pr.ProposalActionApi.as_view(), name="proposal-action"
    ),
    # issue 13 plan: provincial plans
    path("plans/", pl.PlanListApi.as_view(), name="plans"),
    path("plans/<str:code>/", pl.PlanDetailApi.as_view(), name="plan-detail"),
    path("imports/", imp.ImportListApi.as_view(), name="imports"),
    path("imports/<int:pk>/", imp.ImportDetailApi.as_view(), name="import-detail"),
    path("jobs/", imp.JobListApi.as_view(), name="jobs"),
    path(
        "analyses/runs/<int:pk>/sites/export/",
        imp.RunSitesExportApi.as_view(),
        name="run-sites-export",
    ),
    # issue 13 reports: the departments' reports (planning/api/department_reports.py)
    path("infrastructure-costs/", dr.InfrastructureCostsApi.as_view(), name="infrastructure-costs"),
    path("labour-report/", dr.LabourReportApi.as_view(), name="labour-report"),
    path("lease-prices/", dr.LeasePricesApi.as_view(), name="lease-prices"),
    # issue 13 enforce: reporting periods and the enforcement trail
    path("reporting/late/", enf.LateReportsApi.as_view(), name="late-reports"),
    path("enforcement-actions/", enf.ActionListApi.as_view(), name="enforcement-actions"),
    path(
        "enforcement-actions/<int:pk>/",
        enf.ActionDetailApi.as_view(),
        name="enforcement-action-detail",
    ),
    path("conversion-plans/", enf.ConversionPlanListApi.as_view(), name="conversion-plans"),
    path("transfer-cases/", enf.TransferCaseListApi.as_view(), name="transfer-cases"),
    path(
        "transfer-cases/<int:pk>/advance/",
        enf.TransferCaseAdvanceApi.as_view(),
        name="transfer-case-advance",
    ),
]

# The root lists the API's endpoints, itself first.
v1.insert(0, path("", ApiRootApi.as_view(patterns=v1), name="root"))

SCHEMA_SETTINGS = {
    "TITLE": "KCN Planner API",
    "DESCRIPTION": (
        "Quy hoạch khu, cụm công nghiệp — REST API (GeoJSON). Authentication: HTTP Basic, "
        "`Authorization: Token <key>` or the session (CSRF). Errors: "
        '`{"error": {"status", "code", "message", "details"}}`.'
    ),
    "VERSION": "1.0.0",
}

urlpatterns = [
    path("v1/", include(v1)),
    # Only this API is described (other DRF views of the project are not part of it).
    path(
        "schema/",
        SpectacularAPIView.as_view(
            patterns=[path("api/v1/", include((v1, "api")))], custom_settings=SCHEMA_SETTINGS
        ),
        name="schema",
    ),
    # The schema as a page (Swagger UI). Its scripts and styles are static files of the
    # drf-spectacular-sidecar package (SPECTACULAR_SETTINGS "SIDECAR"): no CDN is reachable from
    # provincial networks.
    path(
        "schema/ui/",
        SpectacularSwaggerView.as_view(
            url_name="api:schema",
            title=SCHEMA_SETTINGS["TITLE"],
            authentication_classes=[HeaderAuthentication, CsrfSessionAuthentication],
        ),
        name="schema-page",
    ),
]
