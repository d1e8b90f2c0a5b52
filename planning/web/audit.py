"""The change log for administrators: ``/admin/audit/`` (inside the admin, admin rights only)."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from planning import access
from planning.selectors import audit

PAGE = 50


def _date(value: str | None):
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: str | None):
    try:
        return int(value) if value else None
    except ValueError:
        return None


def audit_log(request):
    if not access.principal(request.user).is_admin:
        raise PermissionDenied(_("Only administrators may read the change log."))
    q = request.GET
    filters = {
        "model_label": q.get("model") or None,
        "user_id": _int(q.get("user")),
        "since": _date(q.get("since")),
        "until": _date(q.get("until")),
        "object_id": _int(q.get("object")),
    }
    what = {
        "user": _("user (number)"),
        "since": _("start date (YYYY-MM-DD)"),
        "until": _("end date (YYYY-MM-DD)"),
        "object": _("object id (number)"),
    }
    errors = [
        _("“%(value)s” is not a valid %(what)s; this filter is ignored.")
        % {"value": q[k], "what": what[k]}
        for k, parsed in (
            ("user", filters["user_id"]),
            ("since", filters["since"]),
            ("until", filters["until"]),
            ("object", filters["object_id"]),
        )
        if q.get(k) and parsed is None
    ]
    models = {mdl._meta.label: mdl for mdl in audit.historied_models()}
    if filters["model_label"] and filters["model_label"] not in models:
        errors.append(
            _("The change log has no table “%(table)s”; this filter is ignored.")
            % {"table": filters["model_label"]}
        )
        filters["model_label"] = None
    page = max(1, _int(q.get("page")) or 1)
    total = audit.audit_count(**filters)
    entries = audit.audit_entries(**filters, offset=(page - 1) * PAGE, limit=PAGE)
    users = get_user_model().objects.filter(pk__in=_actor_ids(models.values())).order_by("username")
    base = q.copy()
    base.pop("page", None)
    context = {
        **admin.site.each_context(request),
        "title": _("Change log"),
        "entries": entries,
        "total": total,
        "page": page,
        "has_next": page * PAGE < total,
        "has_prev": page > 1,
        "query": base.urlencode(),
        "filters": q,
        "errors": errors,
        "models": [(label, mdl._meta.verbose_name_plural) for label, mdl in models.items()],
        "users": users,
    }
    return render(request, "admin/planning/audit_log.html", context)


def _actor_ids(models) -> set[int]:
    ids: set[int] = set()
    for mdl in models:
        ids.update(
            mdl.history.exclude(history_user=None)
            .values_list("history_user_id", flat=True)
            .distinct()
        )
    return ids
