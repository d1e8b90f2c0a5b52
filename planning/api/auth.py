"""Who calls the API and what they may do: the OGC services' identification and the one policy."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.permissions import BasePermission

from layers.auth import identify
from layers.errors import OGCException
from planning import access

REALM = 'Basic realm="KCN Planner"'


class SignInLocked(exceptions.Throttled):
    """429 + Retry-After with the sign-in limit's own message (layers.lockout).

    DRF's Throttled would append "Expected available in N seconds.", formatted before it is looked
    up in a catalogue and so English whatever the request's language."""

    def __init__(self, detail: str, wait: int | None = None):
        exceptions.APIException.__init__(self, detail)
        self.wait = wait


class HeaderAuthentication(BaseAuthentication):
    """``Authorization: Basic …``, ``Token …`` or ``Bearer …`` (``layers.auth.identify``), so the
    same credentials work for QGIS, the OGC services and this API."""

    def authenticate(self, request):
        if not request.META.get("HTTP_AUTHORIZATION", "").strip():
            return None  # leave it to the session
        try:
            caller = identify(request._request)
        except OGCException as exc:
            if exc.http_status == 429:
                raise SignInLocked(exc.message, wait=getattr(exc, "retry_after", None)) from None
            raise exceptions.AuthenticationFailed(exc.message) from None
        return caller.user, caller.method

    def authenticate_header(self, request):
        return REALM


class CsrfSessionAuthentication(SessionAuthentication):
    """The browser session; unsafe methods need the CSRF token (DRF's SessionAuthentication)."""


def has_staff_role(user) -> bool:
    p = access.principal(user)
    return p.is_admin or access.STAFF in p.roles


class StaffRole(BasePermission):
    """A signed-in user holding a role (planning.Membership) or an administrator."""

    message = _("running analyses needs a signed-in user with a planning role (Membership)")

    def has_permission(self, request, view):
        return bool(getattr(request.user, "is_authenticated", False)) and has_staff_role(
            request.user
        )


class ReadStaffOnlyWrites(BasePermission):
    """Reads follow the view's own checks (the catalogue); writes need :class:`StaffRole`."""

    message = StaffRole.message

    def has_permission(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return StaffRole().has_permission(request, view)
