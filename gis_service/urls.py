from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from gis_service.ratelimit import ThrottledAdminAuthenticationForm
from planning.web.audit import audit_log

admin.site.site_header = "KCN Planner — Quản trị"
admin.site.login_form = ThrottledAdminAuthenticationForm
admin.site.site_title = "KCN Planner"
admin.site.index_title = "Quản lý khu, cụm công nghiệp"

# JSON errors for unmatched URLs under /api/, Django's page elsewhere.
handler404 = "planning.api.errors.api_aware_page_not_found"

urlpatterns = [
    # The change log across models, inside the admin (administrators only).
    path("admin/audit/", admin.site.admin_view(audit_log), name="admin-audit"),
    path("admin/", admin.site.urls),
    path("ows/", include("layers.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("planning.api.urls")),
    path("", include("planning.web.urls")),  # the map page and its helpers
    path("", include("planning.urls")),
]
