from django.contrib import admin
from django.urls import include, path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from layers.ogcapi import views as ogc_views
from planning.web.audit import audit_log

# In the request's language, like the rest of the admin (its sign-in page included).
admin.site.site_header = format_lazy("KCN Planner — {}", _("Administration"))
admin.site.site_title = "KCN Planner"
admin.site.index_title = _("Management of industrial parks and clusters")

# JSON errors for unmatched URLs under /api/, Django's page elsewhere.
handler404 = "planning.api.errors.api_aware_page_not_found"

urlpatterns = [
    # The change log across models, inside the admin (administrators only).
    path("admin/audit/", admin.site.admin_view(audit_log), name="admin-audit"),
    path("admin/", admin.site.urls),
    path("ows/", include("layers.urls")),
    path("ogc/", include("layers.ogcapi.urls")),  # OGC API – Features Part 1
    path("ogc", ogc_views.landing),  # clients (QGIS) ask the landing page without the slash
    path("ogc/", include("layers.vectortiles.urls")),  # OGC API – Tiles: vector tiles
    path("ogc/", include("layers.ogcapi.processes.urls")),  # OGC API – Processes (issue 14 proc)
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("planning.api.urls")),
    path("", include("planning.web.urls")),  # the map page and its helpers
    path("", include("planning.urls")),
]
