"""Sign-in lockout: too many failed sign-ins lock a user name at an address, and an address.

django-axes does the counting (settings ``AXES_*`` in ``gis_service/settings/base.py``). Every
password check goes through ``django.contrib.auth.authenticate`` with the request — the sign-in
page, the admin's sign-in, HTTP Basic on the API and the OGC services (:mod:`layers.auth`) — and
axes' backend refuses it, before any password is checked, while either rule is locked:

* one user name from one address: ``KCN_LOGIN_MAX_FAILURES`` failures (default 5);
* one address, whatever the names: ``KCN_LOGIN_MAX_FAILURES_PER_IP`` (default 30).

A lock ends ``KCN_LOGIN_WINDOW_SECONDS`` (default 900) after the failure that counted last
(failures while locked are refused unchecked and not counted). A successful sign-in clears its
name's failures from its address, never the address's other names. Failures are rows of axes'
``AccessAttempt`` table, counted with an atomic ``UPDATE … SET failures = failures + 1``, so
concurrent attempts are never lost as they were by a get-then-set on the cache.

axes knows one failure limit; :class:`LockoutHandler` gives each rule its own by scaling the
rule's count to the per-name limit. The answer while locked is 429 with ``Retry-After`` and a
message in the request's language: the OGC services and the API answer it in their own format
(:mod:`layers.auth`), the sign-in pages show it in their form (:func:`lockout_response`).
Old attempts are removed by ``manage.py axes_reset_logs`` / ``axes_reset`` (see README).
"""

from __future__ import annotations

import ipaddress
import math
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_parameters, get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.forms.forms import NON_FIELD_ERRORS
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import ngettext

MAX_USERNAME = 255  # AccessAttempt.username


# --- what axes reads from the settings (AXES_* in gis_service/settings/base.py) -----------------


def failure_limit(request=None, credentials=None) -> int:
    """``AXES_FAILURE_LIMIT``: the per-name limit (the per-address one is scaled to it)."""
    return max(1, int(getattr(settings, "KCN_LOGIN_MAX_FAILURES", 5)))


def address_limit() -> int:
    return max(1, int(getattr(settings, "KCN_LOGIN_MAX_FAILURES_PER_IP", 30)))


def cool_off(request=None) -> timedelta:
    """``AXES_COOLOFF_TIME``: how long a lock lasts after the last counted failure."""
    return timedelta(seconds=max(1, int(getattr(settings, "KCN_LOGIN_WINDOW_SECONDS", 900))))


def username(request, credentials) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the name as counted: trimmed, lower case, at most 255
    characters (``Can_Bo`` and ``can_bo `` are one name)."""
    if credentials is not None:
        value = credentials.get("username")
    else:
        value = getattr(request, "POST", {}).get("username")
    if value is None:
        return None
    return str(value).strip().lower()[:MAX_USERNAME]


def client_address(request) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: ``REMOTE_ADDR``, or behind the reverse proxy
    (``KCN_BEHIND_PROXY``, production) the last ``X-Forwarded-For`` entry, the one the proxy
    itself appended. None when that is not an address (the column is an IP address)."""
    value = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "KCN_BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            value = forwarded.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


# --- counting -------------------------------------------------------------------------------------


def _rules(request, credentials) -> list[tuple[dict, int]]:
    """Each lockout rule (``AXES_LOCKOUT_PARAMETERS``) as its filter and its own limit."""
    filters = get_client_parameters(
        get_client_username(request, credentials),
        request.axes_ip_address,
        request.axes_user_agent,
        request,
        credentials,
    )
    return [(f, failure_limit() if "username" in f else address_limit()) for f in filters]


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per rule, and a reset that spares the address."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The worst rule's failures scaled to the per-name limit: ``n * per_name // limit``
        reaches the per-name limit exactly when ``n`` reaches the rule's own limit."""
        per_name = failure_limit()
        threshold = request.axes_attempt_time - cool_off()
        worst = 0
        for filters, limit in _rules(request, credentials):
            recent = AccessAttempt.objects.filter(**filters, attempt_time__gte=threshold)
            failures = recent.aggregate(n=Sum("failures_since_start"))["n"] or 0
            worst = max(worst, failures * per_name // limit)
        return worst

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """After a successful sign-in (``AXES_RESET_ON_SUCCESS``): this name's failures from this
        address only — axes' own reset would clear every rule's, the address's other names too."""
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()
        return count


def retry_after(request, credentials: dict | None = None) -> int:
    """Seconds until ``request`` (for the name in ``credentials``) may try again; 0 if it may now.

    A rule is locked while its failures of the last cool-off reach its limit; it frees when the
    oldest failure it needs leaves the cool-off (the newest rows, summed, reaching the limit)."""
    AxesProxyHandler.update_request(request)
    now = timezone.now()
    length = get_cool_off(request)
    wait = 0.0
    for filters, limit in _rules(request, credentials):
        recent = (
            AccessAttempt.objects.filter(**filters, attempt_time__gte=now - length)
            .order_by("-attempt_time")
            .values_list("attempt_time", "failures_since_start")[:limit]
        )
        total = 0
        for attempt_time, failures in recent:
            total += failures
            if total >= limit:
                wait = max(wait, (attempt_time + length - now).total_seconds(), 1)
                break
    return math.ceil(wait)


def locked_message(seconds: int) -> str:
    """The refusal, wholly in the active language (the request's: see gis_service.middleware)."""
    minutes = max(1, -(-seconds // 60))
    return ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


# --- the answer while locked ----------------------------------------------------------------------


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: 429 with ``Retry-After`` and the message in the request's
    language (``axes.middleware.AxesMiddleware`` runs inside the project's language middleware).

    * A view that said it already (the OGC services' exception report, the API's error, both
      from :mod:`layers.auth`) keeps its answer.
    * A sign-in form (the site's page, the admin's) is shown again with the message as its error;
      the page's template reads ``sign_in_locked``.
    * Anything else: the message as plain text.
    """
    if original_response is not None and original_response.status_code == 429:
        return original_response
    seconds = max(1, retry_after(request, credentials))
    message = locked_message(seconds)
    context = getattr(original_response, "context_data", None) or {}
    form = context.get("form")
    if isinstance(original_response, TemplateResponse) and form is not None:
        form.errors[NON_FIELD_ERRORS] = form.error_class(
            [message], error_class="nonfield", renderer=form.renderer
        )
        context["sign_in_locked"] = True
        response = original_response
        response.content = response.rendered_content
        response.status_code = 429
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response
