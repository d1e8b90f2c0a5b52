"""The proposal workflow: one state machine for the pages, the REST API and WFS-T.

::

    draft ──submit──▶ submitted ──review──▶ under_review ──approve──▶ approved (→ planned area)
      ▲  ▲                │  │                  │   │
      │  └─resubmit── changes_requested ◀──request-changes──┘   └──reject──▶ rejected
      │                   │
      └── edit (draft, changes_requested)      withdraw (any open state) ──▶ withdrawn

Who (``planning.access``): commune / district staff of the proposal's unit (and its proposer)
create, edit, submit, withdraw and delete drafts; the reviewer of its kind — Sở Công Thương
(``industry_reviewer``) for a CCN, Ban Quản lý KKT (``ezone_reviewer``) for a KCN — whose
province covers the unit starts the review, requests changes, approves or rejects; both may
comment; administrators may do everything.

Submission runs the rule checks (``proposal_validate``) and stores them on the proposal. The legal
size limits and the share outside the proposing unit (``BLOCKING_RULES``) block the submission:
the proposal cannot become a cluster or park of that shape. Every other rule (overlaps, road
access, exclusions, occupancy of existing clusters) is shown to the reviewer, who weighs it.

Each step runs in one transaction, writes a :class:`~planning.models.ProposalEvent` (who, what,
when, comment) and a history record of the proposal. Approval creates the
:class:`~planning.models.IndustrialArea` with status *planned* and links it as ``resulting_area``;
the tile caches of ``industrial_areas`` refresh through ``layers.signals``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from planning import access
from planning import models as m
from planning.errors import PlanningError
from planning.labels import choice_labels
from planning.models.base import normalise_geometry
from planning.models.proposals import EDITABLE_STATUSES, WORKFLOW_FIELDS
from planning.services.proposal_validation import proposal_validate

Status = m.Proposal.Status
Action = m.ProposalEvent.Action

#: Rules whose failure stops a submission (and an approval); the others are for the reviewer.
BLOCKING_RULES = ("area_limits", "inside_unit", "phases")
OPEN = (Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW, Status.CHANGES_REQUESTED)
EDITABLE = tuple(Status(s) for s in EDITABLE_STATUSES)  # the model's rule, as choices
IN_REVIEW = (Status.SUBMITTED, Status.UNDER_REVIEW)
MAX_COMMENT = 5000


class ProposalRefused(PlanningError):
    """The user may not do this to this proposal (their role or administrative unit)."""

    http_status = 403
    code = "forbidden"


class ProposalNotFound(PlanningError):
    http_status = 404
    code = "not_found"


class IllegalTransition(PlanningError):
    """The step does not exist from the proposal's current status."""

    http_status = 409
    code = "illegal_transition"


class ProposalInvalid(PlanningError):
    """Bad input (missing comment, unknown unit) or blocking rule checks failed."""

    http_status = 400
    code = "invalid"


# --------------------------------------------------------------------------------------------
# The transitions: action -> (from statuses, to status, who, event, comment required)
# --------------------------------------------------------------------------------------------
EDITOR, REVIEWER, EITHER = "editor", "reviewer", "either"
TRANSITIONS = {
    "submit": (EDITABLE, Status.SUBMITTED, EDITOR, Action.SUBMITTED, False),
    "withdraw": (OPEN, Status.WITHDRAWN, EDITOR, Action.WITHDRAWN, False),
    "review": ((Status.SUBMITTED,), Status.UNDER_REVIEW, REVIEWER, Action.REVIEW_STARTED, False),
    "request-changes": (
        IN_REVIEW,
        Status.CHANGES_REQUESTED,
        REVIEWER,
        Action.CHANGES_REQUESTED,
        True,
    ),
    "approve": (IN_REVIEW, Status.APPROVED, REVIEWER, Action.APPROVED, False),
    "reject": (IN_REVIEW, Status.REJECTED, REVIEWER, Action.REJECTED, True),
    "comment": (tuple(Status.values), None, EITHER, Action.COMMENTED, True),
    # issue 13 rules: the reviewer confirms an expansion's stated demand for land (the
    # alternative to 60 % occupancy, Decree 32/2024); recorded in the timeline.
    "confirm-demand": (IN_REVIEW, None, REVIEWER, Action.DEMAND_CONFIRMED, False),
}
ACTIONS = tuple(TRANSITIONS)


def status_label(status: str) -> str:
    """The status's label in the active language (the model's gettext label)."""
    labels = choice_labels(m.Proposal._meta.get_field("status"))
    return labels.get(status, status)


def _may(user, proposal, who: str) -> bool:
    if who == EDITOR:
        return access.can_edit_proposal(user, proposal)
    if who == REVIEWER:
        return access.can_review_proposal(user, proposal)
    return access.can_work_on_proposal(user, proposal)


def allowed_actions(user, proposal: m.Proposal) -> list[str]:
    """The workflow steps ``user`` may take on ``proposal`` now (for buttons and the API)."""
    out = []
    if proposal.status in EDITABLE and access.can_edit_proposal(user, proposal):
        out.append("edit")
    for name, (sources, _to, who, _event, _needs) in TRANSITIONS.items():
        if name == "confirm-demand" and not (
            proposal.expands_id
            and proposal.demand_exceeds_existing
            and proposal.demand_confirmed_at is None
        ):
            continue
        if proposal.status in sources and _may(user, proposal, who):
            out.append(name)
    if proposal.status == Status.DRAFT and access.can_edit_proposal(user, proposal):
        out.append("delete")
    return out


def get_visible(user, pk) -> m.Proposal:
    """The proposal ``pk`` if ``user`` may see it (404 otherwise: its existence is not
    disclosed)."""
    proposal = (
        m.Proposal.objects.select_related(
            "admin_unit", "proposed_by", "resulting_area", "plan_entry"
        )
        .filter(pk=pk)
        .first()
    )
    if proposal is None or not access.can_view_proposal(user, proposal):
        raise ProposalNotFound(
            _("No proposal %(id)s among the proposals you may see.") % {"id": pk}
        )
    return proposal


# --------------------------------------------------------------------------------------------
# Drafts
# --------------------------------------------------------------------------------------------
def new_code(unit: m.AdminUnit, *, today=None) -> str:
    """``DX-<unit code>-<year>-<n>``: the n-th proposal of that unit this year
    (:meth:`~planning.models.Proposal.next_code`)."""
    return m.Proposal.next_code(unit, today=today)


def _unit(value) -> m.AdminUnit:
    if isinstance(value, m.AdminUnit):
        return value
    if value in (None, ""):
        raise ProposalInvalid(_("Choose the administrative unit that proposes it."))
    qs = m.AdminUnit.objects.filter(code=str(value)).order_by("-valid_from")
    unit = qs.first()
    if unit is None and str(value).isdigit():
        unit = m.AdminUnit.objects.filter(pk=int(value)).first()
    if unit is None:
        raise ProposalInvalid(_("Unknown administrative unit %(code)s.") % {"code": value})
    return unit


def _kind(value) -> str:
    kind = str(value or "").upper()
    if kind not in access.REVIEWER_ROLE_FOR_KIND:
        raise ProposalInvalid(
            _("The kind must be CCN (industrial cluster) or KCN (industrial park).")
        )
    return kind


def _geometry(value, srid=None):
    if value is None:
        raise ProposalInvalid(_("Draw the boundary on the map or upload a file."))
    if getattr(value, "srid", None) is None and srid:
        value.srid = srid
    return normalise_geometry(value, "MULTIPOLYGON", srid=srid)


def _event(proposal, user, action, comment: str = "") -> m.ProposalEvent:
    with m.workflow_write("event"):
        return m.ProposalEvent.objects.create(
            proposal=proposal,
            actor=user if getattr(user, "pk", None) else None,
            action=action,
            comment=comment or "",
        )


def _save(proposal: m.Proposal, user) -> None:
    proposal._history_user = user if getattr(user, "pk", None) else None
    proposal.full_clean()
    proposal.save()


def check_can_draft(user, unit) -> None:
    if not access.can_draft_proposal_in(user, unit):
        raise ProposalRefused(_("Only staff of %(unit)s may propose there.") % {"unit": unit.name})


def check_can_edit(user, proposal: m.Proposal) -> None:
    """Raise unless ``user`` may change ``proposal``'s content now (WFS-T uses this too)."""
    if not access.can_edit_proposal(user, proposal):
        raise ProposalRefused(
            _("Only staff of %(unit)s may change this proposal.")
            % {"unit": proposal.admin_unit.name}
        )
    if proposal.status not in EDITABLE:
        raise IllegalTransition(
            _(
                "A proposal can be changed only as a draft or when changes were requested; it is "
                "now “%(status)s”."
            )
            % {"status": status_label(proposal.status)}
        )


def check_can_delete(user, proposal: m.Proposal) -> None:
    if not access.can_edit_proposal(user, proposal):
        raise ProposalRefused(
            _("Only staff of %(unit)s may delete this proposal.")
            % {"unit": proposal.admin_unit.name}
        )
    if proposal.status != Status.DRAFT:
        raise IllegalTransition(
            _("Only drafts can be deleted; this proposal is “%(status)s” (withdraw it instead).")
            % {"status": status_label(proposal.status)}
        )


def prepare_new(user, proposal: m.Proposal) -> m.Proposal:
    """Check the right to draft and fill a new proposal's own fields (proposer, code).

    Used by :func:`proposal_create` and, through the ``proposals`` layer's write hooks, by WFS-T
    inserts and imports, which build the object themselves. A new proposal is a draft: one that
    arrives with another status or with workflow dates is refused (the model refuses it too)."""
    if proposal.admin_unit_id is None:
        raise ProposalInvalid(_("Choose the administrative unit that proposes it."))
    check_can_draft(user, proposal.admin_unit)
    if proposal.status in ("", None):
        proposal.status = Status.DRAFT
    errors = proposal.workflow_errors(stored=None)
    if errors:
        raise ProposalInvalid(
            " ".join(dict.fromkeys(str(e) for e in errors.values())),
            details={"fields": sorted(errors)},
        )
    proposal.validation = {}
    proposal.proposed_by = user if getattr(user, "pk", None) else None
    if not proposal.code:
        proposal.code = new_code(proposal.admin_unit)
        proposal.code_is_numbered = True  # renumbered on save if taken since (one WFS-T document)
    return proposal


def refuse_workflow_fields(given, *, creating: bool = False) -> None:
    """A create or edit request naming a workflow field (status, dates, decision) is refused with
    the way to do it, rather than silently ignored: 400 for a new proposal, 409 for a stored one."""
    if not isinstance(given, Mapping):
        return  # not an object: the input's own check says so
    named = sorted(set(given) & set(WORKFLOW_FIELDS))
    if named:
        raise (ProposalInvalid if creating else IllegalTransition)(
            _(
                "%(fields)s change only through the review workflow: POST "
                "/api/v1/proposals/<id>/<step>/ with a step among %(steps)s."
            )
            % {"fields": ", ".join(named), "steps": ", ".join(ACTIONS)},
            details={"fields": named, "steps": list(ACTIONS)},
        )


def record_write(user, proposal: m.Proposal, *, created: bool, comment: str = "") -> None:
    """The timeline entry of a draft written elsewhere (WFS-T, an import): created or edited."""
    _event(proposal, user, Action.CREATED if created else Action.EDITED, comment)


# --- issue 13 rules: the figures the rules read, and the phases --------------------------------
#: Proposal fields a proposer fills for the size, expansion and land-use rules.
DETAIL_FIELDS = (
    "is_craft_village",
    "expands",
    "demand_exceeds_existing",
    "demand_statement",
    "industrial_land_ha",
    "services_land_ha",
    "green_land_ha",
    "infrastructure_land_ha",
    "isolation_strip_m",
)


def _apply_details(proposal: m.Proposal, details: Mapping | None) -> None:
    for name, value in (details or {}).items():
        if name not in DETAIL_FIELDS:
            raise ProposalInvalid(
                _("Unknown field %(name)s; the fields are: %(fields)s.")
                % {"name": name, "fields": ", ".join(DETAIL_FIELDS)}
            )
        if name == "expands":
            area = None
            if value not in (None, ""):
                area = (
                    value
                    if isinstance(value, m.IndustrialArea)
                    else m.IndustrialArea.objects.filter(code=str(value)).first()
                )
                if area is None:
                    raise ProposalInvalid(
                        _("No park or cluster with the code %(code)s to expand.") % {"code": value}
                    )
            proposal.expands = area
        else:
            setattr(proposal, name, value)


def _replace_phases(proposal: m.Proposal, phases, srid=None) -> None:
    """Replace the proposal's phases with ``phases``: mappings with ``number`` (default: the
    position), ``year``, ``area_ha`` and/or ``geometry`` (GEOS, WKT or shapely; ``srid``)."""
    if phases is None:
        return
    proposal.phases.all().delete()
    for i, ph in enumerate(phases, start=1):
        geom = ph.get("geometry")
        phase = m.ProposalPhase(
            proposal=proposal,
            number=ph.get("number") or i,
            year=ph.get("year"),
            area_ha=ph.get("area_ha"),
            geom=None if geom in (None, "") else _geometry(geom, ph.get("srid") or srid),
        )
        phase.full_clean()
        phase.save()


def _plan_entry(value) -> m.PlanEntry | None:
    """A provincial plan entry from itself, its code or id (issue 13 plan); ""/None: none."""
    if value is None or value == "":
        return None
    if isinstance(value, m.PlanEntry):
        return value
    entry = (
        m.PlanEntry.objects.filter(pk=value).first()
        if isinstance(value, int)
        else m.PlanEntry.objects.filter(code=str(value).strip()).first()
    )
    if entry is None:
        raise ProposalInvalid(_("Unknown provincial plan entry %(code)s.") % {"code": value})
    return entry


@transaction.atomic
def proposal_create(
    user,
    *,
    name: str,
    kind: str,
    admin_unit,
    geometry,
    rationale: str = "",
    srid: int | None = None,
    details: Mapping | None = None,
    phases=None,
    plan_entry=None,
    needs_plan_amendment: bool = False,
) -> m.Proposal:
    """A new draft by ``user`` for ``admin_unit`` (code, id or AdminUnit); ``plan_entry`` (a
    provincial plan entry or its code) or ``needs_plan_amendment``: establishment condition 1."""
    unit = _unit(admin_unit)
    name = (name or "").strip()
    if not name:
        raise ProposalInvalid(_("Give the proposal a name."))
    proposal = m.Proposal(
        name=name,
        kind=_kind(kind),
        admin_unit=unit,
        geom=_geometry(geometry, srid),
        rationale=(rationale or "").strip(),
        plan_entry=_plan_entry(plan_entry),
        needs_plan_amendment=bool(needs_plan_amendment),
    )
    _apply_details(proposal, details)
    prepare_new(user, proposal)
    _save(proposal, user)
    _replace_phases(proposal, phases, srid)
    _event(proposal, user, Action.CREATED)
    return proposal


@transaction.atomic
def proposal_update(
    user,
    proposal: m.Proposal,
    *,
    name=None,
    kind=None,
    admin_unit=None,
    geometry=None,
    rationale=None,
    srid: int | None = None,
    details: Mapping | None = None,
    phases=None,
    plan_entry=None,
    needs_plan_amendment=None,
) -> m.Proposal:
    """Change a draft (or a proposal sent back for changes); only the fields given (``phases``,
    when given, replace the stored ones; ``plan_entry=""`` unlinks the plan entry)."""
    proposal = _locked(proposal)
    check_can_edit(user, proposal)
    if name is not None:
        if not str(name).strip():
            raise ProposalInvalid(_("Give the proposal a name."))
        proposal.name = str(name).strip()
    if kind is not None:
        proposal.kind = _kind(kind)
    if rationale is not None:
        proposal.rationale = str(rationale).strip()
    if plan_entry is not None:
        proposal.plan_entry = _plan_entry(plan_entry)
    if needs_plan_amendment is not None:
        proposal.needs_plan_amendment = bool(needs_plan_amendment)
    if admin_unit is not None:
        unit = _unit(admin_unit)
        check_can_draft(user, unit)
        proposal.admin_unit = unit
    if geometry is not None:
        proposal.geom = _geometry(geometry, srid)
    _apply_details(proposal, details)
    _save(proposal, user)
    _replace_phases(proposal, phases, srid)
    _event(proposal, user, Action.EDITED)
    return proposal


@transaction.atomic
def proposal_delete(user, proposal: m.Proposal) -> None:
    proposal = _locked(proposal)
    check_can_delete(user, proposal)
    proposal._history_user = user
    proposal.delete()


# --------------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------------
def _locked(proposal: m.Proposal) -> m.Proposal:
    return m.Proposal.objects.select_for_update().select_related("admin_unit").get(pk=proposal.pk)


def blocking_failures(validation: dict) -> list[dict]:
    return [
        r
        for r in validation.get("rules", [])
        if r.get("rule") in BLOCKING_RULES and r.get("passed") is False
    ]


def _check_step(user, proposal: m.Proposal, action: str, comment: str) -> tuple:
    if action not in TRANSITIONS:
        raise ProposalInvalid(
            _("Unknown step %(action)s; the steps are: %(steps)s.")
            % {"action": action, "steps": ", ".join(ACTIONS)}
        )
    sources, target, who, event, needs_comment = TRANSITIONS[action]
    if not _may(user, proposal, who):
        if who == REVIEWER:
            role = (
                _("Department of Industry and Trade")
                if proposal.kind == "CCN"
                else _("Economic Zone Management Board")
            )
            raise ProposalRefused(
                _(
                    "Only the reviewer of %(kind)s proposals (%(role)s) for this province may do "
                    "this."
                )
                % {"kind": proposal.kind, "role": role}
            )
        raise ProposalRefused(
            _("Only staff of %(unit)s may do this.") % {"unit": proposal.admin_unit.name}
        )
    if proposal.status not in sources:
        raise IllegalTransition(
            _("“%(action)s” is not possible while the proposal is “%(status)s”.")
            % {"action": action_label(action), "status": status_label(proposal.status)},
            details={"status": proposal.status, "allowed": allowed_actions(user, proposal)},
        )
    if action == "confirm-demand" and not (
        proposal.expands_id and proposal.demand_exceeds_existing
    ):
        raise ProposalInvalid(
            _(
                "Only an expansion whose proposer states that the demand for land exceeds the "
                "existing industrial land has a demand to confirm."
            )
        )
    if needs_comment and not comment:
        raise ProposalInvalid(
            _("Write a comment for “%(action)s”.") % {"action": action_label(action)}
        )
    if len(comment) > MAX_COMMENT:
        raise ProposalInvalid(
            _("The comment is too long (at most %(n)s characters).") % {"n": MAX_COMMENT}
        )
    return target, event


def action_label(action: str) -> str:
    return {
        "submit": _("Submit"),
        "withdraw": _("Withdraw"),
        "review": _("Start review"),
        "request-changes": _("Request changes"),
        "approve": _("Approve"),
        "reject": _("Reject"),
        "comment": _("Comment"),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "confirm-demand": _("Confirm the stated demand"),
    }.get(action, action)


def proposal_act(user, proposal: m.Proposal, action: str, comment: str = "") -> m.Proposal:
    """Take workflow step ``action`` (one of :data:`ACTIONS`) as ``user``; returns the proposal."""
    comment = (comment or "").strip()
    _check_step(user, proposal, action, comment)
    if action in ("submit", "approve"):
        # The checks are stored whatever they say: the proposer sees why a submission is refused.
        validation = proposal_validate(proposal, user=user)
        failed = blocking_failures(validation)
        if failed:
            raise ProposalInvalid(
                _("The proposal cannot be %(done)s: %(reasons)s")
                % {
                    "done": _("submitted") if action == "submit" else _("approved"),
                    "reasons": "; ".join(
                        r.get("message") or r.get("message_vi") or r["rule"] for r in failed
                    ),
                },
                details={"failed_rules": failed},
            )
    with transaction.atomic(), m.workflow_write(action):
        locked = _locked(proposal)
        target, event = _check_step(user, locked, action, comment)  # again, under the lock
        now = timezone.now()
        if action == "submit":
            locked.submitted_at = now
            locked.decided_at = None
        if action in ("approve", "reject"):
            locked.decided_at = now
        if action == "approve":
            if locked.expands_id:
                # An expansion enlarges the area it expands (total = planned + added, as the
                # size rule counted it); the area keeps its code, status and history.
                _expand_area(user, locked, comment)
            else:
                locked.resulting_area = _planned_area(user, locked, comment)
        if action == "confirm-demand":
            locked.demand_confirmed_at = now
            locked.demand_confirmed_by = user if getattr(user, "pk", None) else None
            locked._history_user = user
            locked.save()
        if target is not None:
            locked.status = target
            locked._history_user = user
            locked.save()
        _event(locked, user, event, comment)
    proposal.refresh_from_db()
    if action == "confirm-demand":
        proposal_validate(proposal, user=user)  # the stored checks now count the confirmation
    return proposal


def _area_code(proposal: m.Proposal) -> str:
    base = re.sub(r"^DX-", f"{proposal.kind}-", proposal.code)[:27]
    code, n = base, 1
    while m.IndustrialArea.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def _planned_area(user, proposal: m.Proposal, comment: str) -> m.IndustrialArea:
    """The planned KCN / CCN an approved proposal becomes."""
    unit = proposal.admin_unit
    planned = Decimal(str(proposal.area_ha)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    reviewer = user.get_full_name() or user.get_username()
    # Stored text: in the service's language, whatever the reviewer's page speaks.
    with translation.override(settings.LANGUAGE_CODE):
        return _planned_area_record(user, proposal, unit, planned, reviewer, comment)


def _planned_area_record(user, proposal, unit, planned, reviewer, comment) -> m.IndustrialArea:
    area = m.IndustrialArea(
        code=_area_code(proposal),
        name=proposal.name,
        kind=proposal.kind,
        boundary=proposal.geom,
        planned_area_ha=max(planned, Decimal("0.01")),
        industrial_land_ha=Decimal("0"),
        status=m.IndustrialArea.Status.PLANNED,
        admin_unit=unit,
        province_name_reported=unit.province.name,
        is_mountainous=bool((proposal.validation or {}).get("is_mountainous", False)),
        planning_decision=_("Approval of proposal %(code)s") % {"code": proposal.code},
        source=(
            _("Proposal %(code)s by %(unit)s, approved by %(reviewer)s on %(date)s.")
            % {
                "code": proposal.code,
                "unit": unit.name,
                "reviewer": reviewer,
                "date": f"{timezone.localdate():%d/%m/%Y}",
            }
            + (" " + _("Comment: %(comment)s") % {"comment": comment} if comment else "")
        ),
    )
    area._history_user = user
    area.full_clean()
    area.save()
    entry = proposal.plan_entry
    if entry is not None and entry.area_id is None and entry.kind == area.kind:
        # The provincial plan's entry this proposal carries out now has its area record.
        entry.area = area
        entry._history_user = user
        entry.full_clean()
        entry.save()
    return area


def _expand_area(user, proposal: m.Proposal, comment: str) -> m.IndustrialArea:
    """Enlarge the area an approved expansion proposal expands: its boundary takes in the
    proposal's land and its planned area grows by the proposal's area (Decree 32/2024: the
    total after expansion is what the size rule checked)."""
    area = m.IndustrialArea.objects.select_for_update().get(pk=proposal.expands_id)
    added = Decimal(str(proposal.area_ha)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    area.boundary = normalise_geometry(area.boundary.union(proposal.geom), "MULTIPOLYGON")
    area.planned_area_ha = area.planned_area_ha + added
    reviewer = user.get_full_name() or user.get_username()
    with translation.override(settings.LANGUAGE_CODE):
        note = _(
            "Expanded by %(added)s ha: proposal %(code)s approved by %(reviewer)s on %(date)s."
        ) % {
            "added": added,
            "code": proposal.code,
            "reviewer": reviewer,
            "date": f"{timezone.localdate():%d/%m/%Y}",
        }
    area.source = f"{area.source}\n{note}".strip()
    area._history_user = user
    area._change_reason = note + (f" {comment}" if comment else "")
    area.full_clean()
    area.save()
    return area


# Named steps, for callers that prefer functions to ``proposal_act``.
def proposal_submit(user, proposal, comment=""):
    return proposal_act(user, proposal, "submit", comment)


def proposal_withdraw(user, proposal, comment=""):
    return proposal_act(user, proposal, "withdraw", comment)


def proposal_start_review(user, proposal, comment=""):
    return proposal_act(user, proposal, "review", comment)


def proposal_comment(user, proposal, comment):
    return proposal_act(user, proposal, "comment", comment)


def proposal_request_changes(user, proposal, comment):
    return proposal_act(user, proposal, "request-changes", comment)


def proposal_approve(user, proposal, comment=""):
    return proposal_act(user, proposal, "approve", comment)


def proposal_reject(user, proposal, comment):
    return proposal_act(user, proposal, "reject", comment)


# --------------------------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------------------------
def visible_proposals(user, *, status=None, kind=None, queue: bool = False):
    """Proposals ``user`` may see, newest first; ``queue`` keeps those they review."""
    qs = m.Proposal.objects.select_related(
        "admin_unit", "proposed_by", "resulting_area", "expands", "plan_entry"
    ).prefetch_related("phases")
    qs = access.proposals_to_review(user, qs) if queue else access.proposals_visible(user, qs)
    if status:
        statuses = [s.strip() for s in str(status).split(",") if s.strip()]
        unknown = [s for s in statuses if s not in Status.values]
        if unknown:
            raise ProposalInvalid(
                _("Unknown status %(status)s; the statuses are: %(all)s.")
                % {"status": ", ".join(unknown), "all": ", ".join(Status.values)}
            )
        qs = qs.filter(status__in=statuses)
    if kind:
        qs = qs.filter(kind=_kind(kind))
    return qs.order_by("-updated_at", "-pk")
