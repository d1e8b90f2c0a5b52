"""Proposals for new KCN / CCN from local staff, reviewed by the province.

The review workflow (``planning.services.proposals``) is the only writer of a proposal's workflow
fields (:data:`WORKFLOW_FIELDS`: status, dates, decision, proposer, stored checks) and of its
timeline (:class:`ProposalEvent`). The rule is kept here, where every door passes — pages, REST
API, WFS-T, imports, the admin, commands, ``QuerySet.update()`` — not in each door: outside a
:func:`workflow_write` block a new proposal can only be a draft, a stored one keeps its workflow
fields, and only a draft (or one sent back for changes) may change at all.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from planning import geo
from planning.models.admin_units import AdminUnit, SpatialRecord
from planning.models.areas import AreaKind, IndustrialArea
from planning.models.base import GeometryRecord

#: Fields only the review workflow writes.
WORKFLOW_FIELDS = (
    "status",
    "submitted_at",
    "decided_at",
    "resulting_area",
    "proposed_by",
    "validation",
    # issue 13 rules: the reviewer's confirmation of the stated demand (expansion condition 3)
    "demand_confirmed_at",
    "demand_confirmed_by",
)
#: Statuses in which a proposal's content (name, boundary, rationale...) may change.
EDITABLE_STATUSES = ("draft", "changes_requested")

_WORKFLOW_WRITE: ContextVar[str | None] = ContextVar("proposal_workflow_write", default=None)


@contextmanager
def workflow_write(reason: str = "workflow"):
    """Within the block, workflow fields and timeline events may be written.

    Entered by the review workflow's steps (``planning.services.proposals``) and by loaders
    that restore recorded states (test fixtures); nowhere else."""
    token = _WORKFLOW_WRITE.set(reason)
    try:
        yield
    finally:
        _WORKFLOW_WRITE.reset(token)


def in_workflow_write() -> bool:
    return _WORKFLOW_WRITE.get() is not None


class WorkflowViolation(ValidationError):
    """A write that would change a proposal's workflow outside the review workflow."""


def _refuse_workflow_kwargs(names) -> None:
    touched = sorted(set(names) & {*WORKFLOW_FIELDS, "resulting_area_id", "proposed_by_id"})
    if touched and not in_workflow_write():
        raise WorkflowViolation(
            {
                touched[0]: _(
                    "%(fields)s change only through the review workflow "
                    "(submit, review, approve, reject, withdraw)."
                )
                % {"fields": ", ".join(touched)}
            }
        )


def _refuse_past_drafts(queryset) -> None:
    """Outside the workflow only drafts (and proposals sent back for changes) may change."""
    if not in_workflow_write() and queryset.exclude(status__in=EDITABLE_STATUSES).exists():
        raise WorkflowViolation(
            _(
                "Only drafts and proposals sent back for changes can be changed; "
                "the others change only through the review workflow."
            )
        )


class ProposalQuerySet(models.QuerySet):
    """``update()`` and the bulk writes obey the workflow rule too."""

    def update(self, **kwargs):
        _refuse_workflow_kwargs(kwargs)
        _refuse_past_drafts(self)
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        _refuse_workflow_kwargs(fields)
        _refuse_past_drafts(self.filter(pk__in=[o.pk for o in objs]))
        return super().bulk_update(objs, fields, *args, **kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if not in_workflow_write():
            if kwargs.get("update_conflicts") or (len(args) > 2 and args[2]):
                raise WorkflowViolation(
                    _(
                        "Stored proposals are not overwritten in bulk; "
                        "change them one by one through the workflow."
                    )
                )
            for obj in objs:
                errors = obj.workflow_errors(stored=None)
                if errors:
                    raise WorkflowViolation(list(dict.fromkeys(str(e) for e in errors.values())))
        return super().bulk_create(objs, *args, **kwargs)


class ProposalEventQuerySet(models.QuerySet):
    """The timeline is the workflow's record: no bulk writes, changes or deletions by hand
    (a draft's entries go with it through the cascade, which does not pass here)."""

    def _refuse(self):
        if not in_workflow_write():
            raise WorkflowViolation(_("Timeline entries are written by the review workflow only."))

    def update(self, **kwargs):
        self._refuse()
        return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        self._refuse()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        self._refuse()
        return super().bulk_update(objs, fields, *args, **kwargs)

    def delete(self):
        self._refuse()
        return super().delete()


class Proposal(SpatialRecord):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", pgettext_lazy("proposal status", "Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    code = models.CharField(_("proposal code"), max_length=30, unique=True)
    name = models.CharField(_("proposal name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=3, choices=AreaKind.choices, default=AreaKind.CCN)
    geom = models.MultiPolygonField(_("proposed boundary"), srid=4326)
    area_ha = models.FloatField(_("area (ha)"), editable=False, default=0)
    admin_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("proposing unit"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
    )
    rationale = models.TextField(_("rationale"), blank=True)
    # issue 13 plan: establishment condition 1 — on the provincial plan's list, or flagged as
    # needing a plan amendment (Decree 32/2024 for CCN, Decree 35/2022 Art. 9 for KCN).
    plan_entry = models.ForeignKey(
        "planning.PlanEntry",
        verbose_name=_("provincial plan entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
        help_text=_("The park or cluster of the provincial plan this proposal carries out."),
    )
    needs_plan_amendment = models.BooleanField(
        _("needs a plan amendment"),
        default=False,
        help_text=_("Not on the provincial plan's list: the plan must be amended first."),
    )
    status = models.CharField(
        pgettext_lazy("proposal", "status"),
        max_length=18,
        choices=Status.choices,
        default=Status.DRAFT,
    )
    validation = models.JSONField(_("validation results"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted on"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    # PROTECT: deleting the planned area an approval created would unlink the decision behind
    # the workflow's back (Django clears a SET_NULL link with a raw UPDATE); revoke it instead.
    resulting_area = models.OneToOneField(
        IndustrialArea,
        verbose_name=_("area or cluster established"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposal",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # --- issue 13 rules: what the size, expansion and land-use rules read ----------------------
    is_craft_village = models.BooleanField(
        _("craft-village cluster"),
        default=False,
        help_text=_("A cluster for a craft village (làng nghề): the 5 ha minimum applies."),
    )
    # PROTECT: an expansion proposal names the area it expands; deleting that area would
    # silently turn the proposal into a new one.
    expands = models.ForeignKey(
        IndustrialArea,
        verbose_name=_("expands the area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expansion_proposals",
        help_text=_(
            "For an expansion: the existing park or cluster; the boundary is the added land."
        ),
    )
    demand_exceeds_existing = models.BooleanField(
        _("demand exceeds the existing industrial land"),
        default=False,
        help_text=_(
            "Expansion: the proposer states that the demand for industrial land exceeds the "
            "existing cluster's industrial land (a reviewer confirms it)."
        ),
    )
    demand_statement = models.TextField(_("evidence of the demand"), blank=True)
    demand_confirmed_at = models.DateTimeField(_("demand confirmed on"), null=True, blank=True)
    demand_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demand confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    industrial_land_ha = models.FloatField(
        _("industrial land (ha)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    services_land_ha = models.FloatField(
        _("services land (ha)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Warehousing, packaging, transport, repair and similar services."),
    )
    green_land_ha = models.FloatField(
        _("green land (ha)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    infrastructure_land_ha = models.FloatField(
        _("roads and shared infrastructure land (ha)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    isolation_strip_m = models.FloatField(
        _("green isolation strip width (m)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    history = HistoricalRecords(verbose_name=_("proposal history"))

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposed industrial park / cluster")
        verbose_name_plural = _("proposed industrial parks and clusters")
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True)
                | Q(decided_at__isnull=True)
                | Q(decided_at__gte=models.F("submitted_at")),
                name="proposal_decided_after_submitted",
                violation_error_message=_("The decision must come after the submission."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def update_measures(self) -> None:
        self.area_ha = round(geo.area_ha(self.geom, self.metric_srid), 4)

    # --- the workflow rule ---------------------------------------------------------------------
    def _stored_workflow(self) -> dict | None:
        """The stored workflow fields of this row, or None for a row not yet stored."""
        if self._state.adding or self.pk is None:
            return None
        names = [Proposal._meta.get_field(f).attname for f in WORKFLOW_FIELDS]
        return type(self)._base_manager.filter(pk=self.pk).values(*names).first()

    def workflow_errors(self, stored: dict | None) -> dict:
        """Why this write is not the workflow's to allow: ``{field: message}`` (empty when fine)."""
        errors: dict = {}
        if stored is None:
            if self.status != self.Status.DRAFT:
                errors["status"] = _(
                    "A new proposal starts as a draft; its status (“%(status)s”) changes only "
                    "through the review workflow."
                ) % {"status": self.status}
            for name in ("submitted_at", "decided_at", "resulting_area"):
                if getattr(self, Proposal._meta.get_field(name).attname) is not None:
                    errors[name] = _(
                        "A new proposal has no submission date, decision or resulting area; "
                        "the review workflow sets them."
                    )
            if self.validation:
                errors["validation"] = _("The rule checks are stored by the workflow, not written.")
            return errors
        for name in WORKFLOW_FIELDS:
            attname = Proposal._meta.get_field(name).attname
            if getattr(self, attname) != stored[attname]:
                errors[name] = _(
                    "%(field)s changes only through the review workflow "
                    "(submit, review, approve, reject, withdraw)."
                ) % {"field": name}
        if not errors and stored["status"] not in EDITABLE_STATUSES:
            errors["__all__"] = _(
                "A proposal can be changed only as a draft or when changes were requested; it is "
                "now “%(status)s”."
            ) % {
                "status": self.Status(stored["status"]).label
                if stored["status"] in self.Status.values
                else stored["status"]
            }
        return errors

    def check_workflow(self) -> None:
        """Raise :class:`WorkflowViolation` unless this write is allowed outside the workflow."""
        if in_workflow_write():
            return
        errors = self.workflow_errors(self._stored_workflow())
        if errors:
            # Not keyed by field: a form without the field (the admin shows them read only)
            # must still show the refusal. Each message names what it refuses.
            raise WorkflowViolation(list(dict.fromkeys(str(e) for e in errors.values())))

    def clean(self):
        super().clean()
        self.check_workflow()
        if self.expands_id is not None and self.expands.kind != self.kind:
            raise ValidationError(
                {
                    "expands": _("An expansion has the kind of the area it expands (%(kind)s).")
                    % {"kind": self.expands.kind}
                }
            )

    #: Set when :meth:`next_code` gave the code: the number is checked again when the proposal
    #: is first saved, and a later one taken if a proposal saved since has it (a WFS-T document
    #: or an import prepares every new proposal before saving the first).
    code_is_numbered = False

    @classmethod
    def next_code(cls, unit, *, today=None) -> str:
        """``DX-<unit code>-<year>-<n>``: the n-th proposal of that unit this year."""
        year = (today or timezone.localdate()).year
        prefix = f"DX-{unit.code[:16]}-{year}-"
        if transaction.get_connection().in_atomic_block:
            # Concurrent drafts of one unit would read the same n: lock the unit's row until
            # commit (PostgreSQL; SQLite has one writer at a time anyway).
            AdminUnit.objects.select_for_update().filter(pk=unit.pk).values_list(
                "pk", flat=True
            ).first()
        used = [
            int(c[len(prefix) :])
            for c in cls._base_manager.filter(code__startswith=prefix).values_list(
                "code", flat=True
            )
            if c[len(prefix) :].isdigit()
        ]
        n = max(used, default=0) + 1
        while cls._base_manager.filter(code=f"{prefix}{n}").exists():
            n += 1
        return f"{prefix}{n}"

    def save(self, *args, **kwargs):
        self.check_workflow()
        self._drop_stale_demand_confirmation()
        if (
            self._state.adding
            and self.code_is_numbered
            and type(self)._base_manager.filter(code=self.code).exists()
        ):
            self.code = self.next_code(self.admin_unit)
        super().save(*args, **kwargs)
        self.code_is_numbered = False

    def _drop_stale_demand_confirmation(self) -> None:
        """A reviewer confirmed the demand as stated for one area: a changed statement or
        expanded area needs a new confirmation (every door: the rule is here)."""
        if self.demand_confirmed_at is None or self._state.adding or self.pk is None:
            return
        names = ("expands_id", "demand_exceeds_existing", "demand_statement")
        stored = type(self)._base_manager.filter(pk=self.pk).values(*names).first()
        if stored and any(getattr(self, n) != stored[n] for n in names):
            self.demand_confirmed_at = None
            self.demand_confirmed_by = None


class ProposalPhaseQuerySet(models.QuerySet):
    """Phases change with their proposal: only while it is a draft (or sent back for changes)."""

    def _refuse(self):
        _refuse_past_drafts(Proposal._base_manager.filter(pk__in=self.values("proposal_id")))

    def update(self, **kwargs):
        self._refuse()
        return super().update(**kwargs)

    def delete(self):
        self._refuse()
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        _refuse_past_drafts(Proposal._base_manager.filter(pk__in=[o.proposal_id for o in objs]))
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        _refuse_past_drafts(Proposal._base_manager.filter(pk__in=[o.proposal_id for o in objs]))
        return super().bulk_update(objs, fields, *args, **kwargs)


class ProposalPhase(GeometryRecord):
    """One investment phase of a proposal (Decree 35/2022 Art. 9: a KCN over 500 ha is invested
    in phases of at most 500 ha; rice land is converted in phases): a boundary, or only an area,
    with the year it starts. Written with its proposal, under the same workflow rule."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="phases", verbose_name=_("proposal")
    )
    number = models.PositiveSmallIntegerField(_("phase"), validators=[MinValueValidator(1)])
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    area_ha = models.FloatField(
        _("phase area (ha)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Measured from the boundary when one is drawn; otherwise as stated."),
    )
    geom = models.MultiPolygonField(_("phase boundary"), srid=4326, null=True, blank=True)

    objects = ProposalPhaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal phase")
        verbose_name_plural = _("proposal phases")
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "number"], name="proposal_phase_number_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.number}"

    def resolve_metric_srid(self) -> int:
        if self.proposal_id and self.proposal.metric_srid:
            return self.proposal.metric_srid
        return super().resolve_metric_srid()

    def update_measures(self) -> None:
        if self.geom is not None:
            self.area_ha = round(geo.area_ha(self.geom, self.metric_srid), 4)

    def check_workflow(self) -> None:
        if in_workflow_write() or not self.proposal_id:
            return
        _refuse_past_drafts(Proposal._base_manager.filter(pk=self.proposal_id))

    def clean(self):
        super().clean()
        self.check_workflow()
        if self.geom is None and self.area_ha is None:
            raise ValidationError(_("A phase needs a boundary or an area."))

    def save(self, *args, **kwargs):
        self.check_workflow()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.check_workflow()
        return super().delete(*args, **kwargs)


class ProposalEvent(models.Model):
    """One step of the review workflow: who did what, when, with what comment."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        EDITED = "edited", _("Edited")
        SUBMITTED = "submitted", _("Submitted for review")
        REVIEW_STARTED = "review_started", _("Review started")
        COMMENTED = "commented", _("Commented")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", pgettext_lazy("proposal event", "Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrew the proposal")
        DEMAND_CONFIRMED = "demand_confirmed", _("Confirmed the stated demand for land")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="events", verbose_name=_("proposal")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        verbose_name=_("done by"),
    )
    action = models.CharField(_("action"), max_length=18, choices=Action.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = ProposalEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal step")
        verbose_name_plural = _("proposal steps")
        ordering = ["proposal", "created_at"]

    def __str__(self) -> str:
        return f"{self.proposal}: {self.get_action_display()}"

    def save(self, *args, **kwargs):
        # The timeline is the workflow's record: written by its steps, never by hand.
        if not in_workflow_write():
            raise WorkflowViolation(_("Timeline entries are written by the review workflow only."))
        super().save(*args, **kwargs)
