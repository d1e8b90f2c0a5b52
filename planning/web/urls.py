from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from planning.web import dashboards, department_reports, proposals, views

app_name = "web"
urlpatterns = [
    path("", views.map_page, name="map"),
    path("search.json", views.search, name="search"),
    path("jsi18n/", views.js_catalog, name="jsi18n"),
    # Anyone holding a role signs in here (the admin's login admits Django staff only). Too many
    # failures answer 429 with the form (django-axes, layers/lockout.py).
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="planning/web/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="web:map"), name="logout"),
    # Dashboards (planning/web/dashboards.py)
    path("dashboards/", dashboards.index, name="dashboards"),
    path("dashboards/<int:pk>/", dashboards.province, name="dashboard_province"),
    re_path(
        r"^dashboards/(?P<pk>[0-9]+)/(?P<table>[a-z_]+)\.(?P<fmt>csv)$",
        dashboards.province_download,
        name="dashboard_province_download",
    ),
    path(
        "dashboards/<int:pk>/dashboard.xlsx",
        dashboards.province_download,
        {"table": "", "fmt": "xlsx"},
        name="dashboard_province_xlsx",
    ),
    path("dashboards/areas/<int:pk>/", dashboards.area, name="dashboard_area"),
    path("dashboards/areas/<int:pk>/sheet.pdf", dashboards.area_sheet, name="dashboard_area_sheet"),
    re_path(
        r"^dashboards/areas/(?P<pk>[0-9]+)/(?P<table>[a-z_]+)\.(?P<fmt>csv)$",
        dashboards.area_download,
        name="dashboard_area_download",
    ),
    path(
        "dashboards/areas/<int:pk>/dashboard.xlsx",
        dashboards.area_download,
        {"table": "", "fmt": "xlsx"},
        name="dashboard_area_xlsx",
    ),
    # issue 13 reports: the departments' reports (planning/web/department_reports.py)
    path(
        "dashboards/<int:pk>/infrastructure-costs.xlsx",
        department_reports.infrastructure_costs,
        name="dashboard_infrastructure_costs",
    ),
    re_path(
        r"^dashboards/(?P<pk>[0-9]+)/labour-report\.(?P<fmt>xlsx|pdf)$",
        department_reports.labour,
        name="dashboard_labour_report",
    ),
    # Proposals (planning/web/proposals.py)
    path("proposals/", proposals.proposal_list, name="proposals"),
    path("proposals/new/", proposals.proposal_new, name="proposal-new"),
    path("proposals/<int:pk>/", proposals.proposal_detail, name="proposal-detail"),
    path("proposals/<int:pk>/edit/", proposals.proposal_edit, name="proposal-edit"),
    path("proposals/<int:pk>/action/", proposals.proposal_action, name="proposal-action"),
]
