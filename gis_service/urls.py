from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from gis_service.ratelimit import ThrottledAdminAuthenticationForm

admin.site.site_header = "KCN Planner — Quản trị"
admin.site.login_form = ThrottledAdminAuthenticationForm
admin.site.site_title = "KCN Planner"
admin.site.index_title = "Quản lý khu, cụm công nghiệp"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("ows/", include("layers.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("planning.api.urls")),
    path("", include("planning.web.urls")),  # the map page and its helpers
    path("", include("planning.urls")),
]
