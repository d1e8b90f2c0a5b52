"""The change log across every model with history (django-simple-history): who, when, before/after.

Each history table is read newest first and merged, so a page of the log costs one query per
table plus one per entry for the record before it (the page is small).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.gis.geos import GEOSGeometry
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str


@dataclass
class AuditEntry:
    model_label: str
    model_name: str  # verbose name
    object_id: int
    object_repr: str
    action: str  # "+", "~", "-"
    when: dt.datetime
    user: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)
    record: object = None

    @property
    def admin_change_url(self) -> str | None:
        app, model = self.model_label.split(".")
        try:
            return reverse(f"admin:{app}_{model.lower()}_change", args=[self.object_id])
        except NoReverseMatch:
            return None


def historied_models() -> list:
    """Every model that keeps a history, in a stable order."""
    out = [
        mdl
        for mdl in apps.get_models()
        if getattr(mdl._meta, "simple_history_manager_attribute", None) and not mdl._meta.proxy
    ]
    return sorted(out, key=lambda mdl: mdl._meta.label)


def _text(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, GEOSGeometry):
        return _("%(type)s, %(count)s vertices") % {
            "type": value.geom_type,
            "count": value.num_coords,
        }
    if isinstance(value, dt.datetime):  # local time, as in the "Thời điểm" column
        return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime(
            "%d/%m/%Y %H:%M:%S"
        )
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _changes(record, model) -> list[FieldChange]:
    prev = record.prev_record
    if prev is None:
        return []
    fields = {f.name: f for f in model._meta.fields}
    out = []
    delta = record.diff_against(prev)
    for change in delta.changes:
        old, new = change.old, change.new
        if isinstance(old, GEOSGeometry) or isinstance(new, GEOSGeometry):
            if old is not None and new is not None and old.equals_exact(new, 1e-9):
                continue
        field = fields.get(change.field)
        label = str(field.verbose_name) if field is not None else change.field
        out.append(FieldChange(change.field, label, _shown(field, old), _shown(field, new)))
    return out


def _shown(field, value) -> str:
    """A value as the admin shows it: a choice by its label (with the stored code), yes/no."""
    if field is not None and field.choices and value not in (None, ""):
        label = dict(field.flatchoices).get(value)
        if label is not None and str(label) != str(value):
            return f"{label} ({value})"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return _text(value)


def _repr(record) -> str:
    try:
        return str(record.instance)
    except Exception:  # a historical row that no longer builds an instance still has an id
        return f"#{record.id}"


def audit_count(
    *,
    model_label: str | None = None,
    user_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    object_id: int | None = None,
) -> int:
    return sum(
        _filtered(mdl, user_id, since, until, object_id).count() for mdl in _models(model_label)
    )


def _models(model_label):
    models = historied_models()
    if model_label:
        models = [mdl for mdl in models if mdl._meta.label == model_label]
    return models


def _filtered(model, user_id, since, until, object_id):
    qs = model.history.all()
    if user_id is not None:
        qs = qs.filter(history_user_id=user_id)
    if since is not None:
        qs = qs.filter(history_date__date__gte=since)
    if until is not None:
        qs = qs.filter(history_date__date__lte=until)
    if object_id is not None:
        qs = qs.filter(id=object_id)
    return qs


def audit_entries(
    *,
    model_label: str | None = None,
    user_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    object_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> list[AuditEntry]:
    """Newest first, across models; each entry with the fields it changed (old → new)."""
    rows = []
    for mdl in _models(model_label):
        qs = _filtered(mdl, user_id, since, until, object_id).select_related("history_user")
        for record in qs.order_by("-history_date", "-history_id")[: offset + limit]:
            rows.append((record.history_date, mdl, record))
    rows.sort(key=lambda r: r[0], reverse=True)
    out = []
    for when, mdl, record in rows[offset : offset + limit]:
        user = record.history_user
        out.append(
            AuditEntry(
                model_label=mdl._meta.label,
                model_name=str(mdl._meta.verbose_name),
                object_id=record.id,
                object_repr=_repr(record),
                action=record.history_type,
                when=when,
                user=(
                    user.get_username() if user is not None else _("system (commands, data loads)")
                ),
                reason=record.history_change_reason or "",
                changes=_changes(record, mdl) if record.history_type == "~" else [],
                record=record,
            )
        )
    return out
