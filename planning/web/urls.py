from django.contrib.auth import views as auth_views
from django.urls import path

from planning.web import views

app_name = "web"
urlpatterns = [
    path("", views.map_page, name="map"),
    path("search.json", views.search, name="search"),
    path("jsi18n/", views.js_catalog, name="jsi18n"),
    # Anyone holding a role signs in here (the admin's login admits Django staff only).
    path("accounts/login/", auth_views.LoginView.as_view(template_name="planning/web/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="web:map"), name="logout"),
]
