"""Login rate limiting: too many failed sign-ins lock the name and the address for a while.

Every password check goes through ``django.contrib.auth.authenticate`` — the sign-in page, the
admin's sign-in, HTTP Basic on the API and the OGC services — so the limit sits there:

* :class:`ThrottledModelBackend` (``AUTHENTICATION_BACKENDS``) refuses (``PermissionDenied``)
  while the user name or the client address is locked, before any password is checked;
* the ``user_login_failed`` signal counts failures per user name + address
  (``KCN_LOGIN_MAX_FAILURES``, default 5) and per address alone (``KCN_LOGIN_MAX_FAILURES_PER_IP``,
  default 30, for one address trying many names), in windows of ``KCN_LOGIN_WINDOW_SECONDS``
  (default 900);
* a successful sign-in clears the user name's count.

Counts live in Django's cache (a file cache under ``var/`` shared by the server's workers).
Forms and views ask :func:`retry_after` to answer 429 with a message and ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils.translation import ngettext


def _limits() -> tuple[int, int, int]:
    return (
        int(getattr(settings, "KCN_LOGIN_MAX_FAILURES", 5)),
        int(getattr(settings, "KCN_LOGIN_MAX_FAILURES_PER_IP", 30)),
        int(getattr(settings, "KCN_LOGIN_WINDOW_SECONDS", 900)),
    )


def client_address(request) -> str:
    if request is None:
        return "-"
    # Behind the reverse proxy (production settings) REMOTE_ADDR is the proxy; it passes the
    # client in X-Forwarded-For, whose last entry is the one the proxy itself appended.
    if getattr(settings, "KCN_BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "-")


def _key(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
    return f"kcn-login:{digest}"


def _keys(request, username: str | None) -> tuple[str, str]:
    ip = client_address(request)
    return _key("user", (username or "").strip().lower(), ip), _key("ip", ip)


def retry_after(request, username: str | None) -> int:
    """Seconds until ``username`` may try again from this client; 0 when not locked."""
    per_user, per_ip, window = _limits()
    user_key, ip_key = _keys(request, username)
    for key, limit in ((user_key, per_user), (ip_key, per_ip)):
        entry = cache.get(key)
        if entry and entry[0] >= limit:
            return max(1, int(entry[1] + window - time.time()))
    return 0


def _count(key: str, window: int) -> None:
    entry = cache.get(key)
    now = time.time()
    if entry is None or now - entry[1] > window:
        entry = (0, now)
    cache.set(key, (entry[0] + 1, entry[1]), timeout=window)


def locked_message(seconds: int) -> str:
    """The refusal, wholly in the active language (the request's: see gis_service.middleware)."""
    minutes = max(1, -(-seconds // 60))
    return ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class ThrottledModelBackend(ModelBackend):
    """Django's ModelBackend that refuses, without checking the password, while locked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        wait = retry_after(request, username)
        if wait:
            raise PermissionDenied(locked_message(wait))
        return super().authenticate(request, username=username, password=password, **kwargs)


@receiver(user_login_failed)
def _on_failure(sender, credentials, request=None, **kwargs):
    _per_user, _per_ip, window = _limits()
    user_key, ip_key = _keys(request, credentials.get("username"))
    _count(user_key, window)
    _count(ip_key, window)


@receiver(user_logged_in)
def _on_success(sender, request, user, **kwargs):
    cache.delete(_keys(request, user.get_username())[0])


# --- the sign-in forms --------------------------------------------------------------------------

from django import forms  # noqa: E402
from django.contrib.admin.forms import AdminAuthenticationForm  # noqa: E402
from django.contrib.auth import views as auth_views  # noqa: E402
from django.contrib.auth.forms import AuthenticationForm  # noqa: E402


class _ThrottledFormMixin:
    locked_seconds = 0

    def clean(self):
        username = self.cleaned_data.get("username")
        self.locked_seconds = retry_after(self.request, username)
        if self.locked_seconds:
            raise forms.ValidationError(locked_message(self.locked_seconds), code="throttled")
        try:
            return super().clean()
        except forms.ValidationError:
            # This failure may have been the one that locks the name: say so at once.
            self.locked_seconds = retry_after(self.request, username)
            if self.locked_seconds:
                raise forms.ValidationError(
                    locked_message(self.locked_seconds), code="throttled"
                ) from None
            raise


class ThrottledAuthenticationForm(_ThrottledFormMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(_ThrottledFormMixin, AdminAuthenticationForm):
    pass


class _ThrottledResponseMixin:
    def form_invalid(self, form):
        response = super().form_invalid(form)
        if getattr(form, "locked_seconds", 0):
            response.status_code = 429
            response["Retry-After"] = str(form.locked_seconds)
        return response


class LoginView(_ThrottledResponseMixin, auth_views.LoginView):
    authentication_form = ThrottledAuthenticationForm


def admin_login(request, extra_context=None):
    """The admin's sign-in (``admin.site.login``), answering 429 + Retry-After while locked as
    the site's sign-in page does (the admin builds its own LoginView, without the mixin)."""
    from django.contrib import admin

    response = admin.site.login(request, extra_context)
    form = (getattr(response, "context_data", None) or {}).get("form")
    seconds = getattr(form, "locked_seconds", 0)
    if seconds:
        response.status_code = 429
        response["Retry-After"] = str(seconds)
    return response
