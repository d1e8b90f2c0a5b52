"""Writes of the enforcement trail: actions on the watch list, their outcomes, conversion plans,
transfer stages and revoking an area — one set of rules for the admin, the REST API and
commands.

* Only the provincial office of the area's kind (``access.can_enforce_on``) writes.
* A decision to revoke whose outcome is ``revoked`` revokes the area (:func:`area_revoke`); a
  CCN without a conversion plan is refused by the model's rule
  (``planning.models.enforcement.revocation_refusal``), and the action is not stored either.
* A decision to adjust the investor whose outcome is ``investor_replaced`` records a
  :class:`~planning.models.DeveloperTransfer` and makes the new developer the area's.
* A transfer case reaching ``transferred`` does the same (the pipeline's end is the transfer).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from planning import access
from planning import models as m
from planning.errors import PlanningError
from planning.models.enforcement import revocation_refusal


class EnforcementRefused(PlanningError):
    http_status = 403
    code = "enforcement_refused"


def check_can_enforce(user, area: m.IndustrialArea) -> None:
    """Refuse unless ``user`` may write the enforcement trail of ``area`` (``None`` = operator)."""
    if user is None:
        return  # a command run by the operator, like import_layer without --user
    if not access.can_enforce_on(user, area):
        raise EnforcementRefused(
            _(
                "Only the provincial office for %(area)s (Department of Industry and Trade for a "
                "cluster, Economic Zone Management Board for a park) records enforcement actions."
            )
            % {"area": area.name}
        )


def _history_user(obj, user):
    if user is not None and getattr(user, "is_authenticated", False):
        obj._history_user = user


def area_revoke(*, area: m.IndustrialArea, user=None, reason: str = "") -> m.IndustrialArea:
    """Store ``area`` as revoked (taken off the plan). A CCN needs its conversion plan first
    (the model refuses otherwise, whichever door). The provincial plan's "remove entry" step
    should call this for the entry's linked area."""
    if area.status == m.IndustrialArea.Status.REVOKED:
        return area
    area.status = m.IndustrialArea.Status.REVOKED
    _history_user(area, user)
    area._change_reason = reason or "area_revoke"
    area.full_clean()
    area.save()
    return area


def _replace_developer(area, new_developer, *, on: dt.date, decision: str, notes: str, user):
    old = area.developer
    transfer = None
    if old is not None and old.pk != new_developer.pk:
        transfer = m.DeveloperTransfer.objects.create(
            area=area,
            from_developer=old,
            to_developer=new_developer,
            decided_on=on,
            decision=decision[:200],
            notes=notes,
        )
    if area.developer_id != new_developer.pk:
        area.developer = new_developer
        _history_user(area, user)
        area._change_reason = "developer replaced"
        area.save()
    return transfer


def outcome_refusal(obj) -> str | None:
    """Why the outcome of ``obj`` (an action about to be saved) cannot be applied, or None —
    for forms, which report it beside the field instead of failing on save."""
    if not isinstance(obj, m.EnforcementAction):
        return None
    if obj.kind == obj.Kind.REVOKE and obj.outcome == obj.Outcome.REVOKED:
        area = m.IndustrialArea.objects.get(pk=obj.area_id)
        area.status = m.IndustrialArea.Status.REVOKED
        return revocation_refusal(area)
    return None


def _apply_outcome(action: m.EnforcementAction, user) -> None:
    area = action.area
    if action.kind == action.Kind.REVOKE and action.outcome == action.Outcome.REVOKED:
        area_revoke(
            area=area,
            user=user,
            reason=_("revoked by %(doc)s") % {"doc": action.document_no},
        )
    elif (
        action.kind == action.Kind.ADJUST_INVESTOR
        and action.outcome == action.Outcome.INVESTOR_REPLACED
    ):
        _replace_developer(
            area,
            action.new_developer,
            on=action.outcome_on or action.issued_on,
            decision=f"{action.document_no} — {action.agency}",
            notes=action.notes,
            user=user,
        )


ACTION_FIELDS = (
    "developer",
    "kind",
    "document_no",
    "issued_on",
    "agency",
    "watch_years",
    "outcome",
    "outcome_on",
    "new_developer",
    "notes",
    "is_synthetic",
)


@transaction.atomic
def enforcement_action_record(*, user, area: m.IndustrialArea, **values) -> m.EnforcementAction:
    """Record an action about ``area`` (its developer by default) and apply its outcome."""
    check_can_enforce(user, area)
    unknown = set(values) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    values.setdefault("developer", area.developer)
    action = m.EnforcementAction(area=area, **values)
    action.full_clean()
    _history_user(action, user)
    action.save()
    _apply_outcome(action, user)
    return action


@transaction.atomic
def enforcement_action_update(*, user, action: m.EnforcementAction, **values):
    """Change an action (typically its outcome) and apply the outcome."""
    check_can_enforce(user, action.area)
    unknown = set(values) - set(ACTION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    for name, value in values.items():
        setattr(action, name, value)
    action.full_clean()
    _history_user(action, user)
    action.save()
    _apply_outcome(action, user)
    return action


def enforcement_action_saved(*, user, action: m.EnforcementAction) -> None:
    """After a door saved ``action`` itself (the admin's form): apply its outcome. The caller
    runs in a transaction, so a refusal undoes the save."""
    check_can_enforce(user, action.area)
    _apply_outcome(action, user)


@transaction.atomic
def conversion_plan_record(*, user, area: m.IndustrialArea, **values) -> m.ConversionPlan:
    """Record (or replace) the conversion plan of a CCN taken off the plan."""
    check_can_enforce(user, area)
    plan = m.ConversionPlan.objects.filter(area=area).first() or m.ConversionPlan(area=area)
    for name, value in values.items():
        setattr(plan, name, value)
    plan.full_clean()
    _history_user(plan, user)
    plan.save()
    return plan


@transaction.atomic
def transfer_case_advance(
    *,
    user,
    case: m.TransferCase,
    stage: str,
    on: dt.date | None = None,
    interested_developer: m.Developer | None = None,
    decision: str = "",
    notes: str | None = None,
) -> m.TransferCase:
    """Move a transfer case to ``stage``. Reaching ``transferred`` records the developer
    transfer and makes the enterprise the area's developer."""
    check_can_enforce(user, case.area)
    if stage not in m.TransferCase.Stage.values:
        raise PlanningError(_("Unknown stage %(stage)s.") % {"stage": stage})
    case.stage = stage
    case.stage_on = on or case.stage_on
    if interested_developer is not None:
        case.interested_developer = interested_developer
    if decision:
        case.decision = decision
    if notes is not None:
        case.notes = notes
    if stage == m.TransferCase.Stage.TRANSFERRED and case.transfer_id is None:
        if case.interested_developer is None:
            raise PlanningError(_("Name the enterprise the cluster is transferred to."))
        case.transfer = _replace_developer(
            case.area,
            case.interested_developer,
            on=case.stage_on or dt.date.today(),
            decision=case.decision,
            notes=case.notes,
            user=user,
        ) or m.DeveloperTransfer.objects.create(
            area=case.area,
            from_developer=case.from_developer,
            to_developer=case.interested_developer,
            decided_on=case.stage_on or dt.date.today(),
            decision=case.decision[:200],
            notes=case.notes,
        )
    case.full_clean()
    _history_user(case, user)
    case.save()
    return case
