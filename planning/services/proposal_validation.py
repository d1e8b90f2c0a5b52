"""Rule checks of proposals: of a stored proposal (kept in ``Proposal.validation`` while it is
open) and of an ad-hoc geometry — the ``proposal-check`` analysis
(:mod:`planning.services.analyses.proposal_check`) run and stored as runs."""

from __future__ import annotations

from collections.abc import Mapping

from planning import models as m
from planning.services.analyses.proposal_check import NAME
from planning.services.analysis_runs import analysis_compute, analysis_run
from planning.texts import translate


def proposal_validate(proposal: m.Proposal, *, user=None, criteria: Mapping | None = None) -> dict:
    """Check ``proposal`` against the rules, store the result in a run and, while the proposal is
    still open (not approved, rejected or withdrawn), in ``proposal.validation``: a decided
    proposal keeps the checks its decision was taken on.

    Returns the validation mapping: ``passed``, ``complete``, ``rules`` (each with ``rule``,
    ``passed``, ``message`` (also ``message_vi``, ``message_en``), ``citation``, ``measured``,
    ``limit``, ``unit``), ``summary``, ``checked_at`` and ``run_id``, its texts in the active
    language (:func:`~planning.texts.translate`); the stored validation keeps the message ids.
    """
    run = analysis_run(NAME, user=user, proposal=proposal, criteria=criteria)
    validation = {**run.results, "checked_at": run.finished_at.isoformat(), "run_id": run.pk}
    open_statuses = (
        m.Proposal.Status.DRAFT,
        m.Proposal.Status.SUBMITTED,
        m.Proposal.Status.UNDER_REVIEW,
        m.Proposal.Status.CHANGES_REQUESTED,
    )
    # The stored checks are the workflow's (models/proposals.py): submission and approval store
    # them here before their step; a re-check by staff or the reviewer refreshes an open one.
    with m.workflow_write("validation"):
        stored = m.Proposal.objects.filter(pk=proposal.pk, status__in=open_statuses).update(
            validation=validation
        )
    if stored:
        proposal.validation = validation
    return translate(validation)


def proposal_check(
    given: Mapping | None = None, /, *, user=None, store: bool = True, **params
) -> dict:
    """Check an ad-hoc geometry (no Proposal row): results, stored as a run unless ``store=False``.

    The parameters (keywords, or one mapping such as an API body) are those of the
    ``proposal-check`` analysis — ``geometry``, ``crs``, ``kind``, ``admin_unit``,
    ``is_craft_village``, ``expands``, ``unit``, ``criteria``, and the figures a form states
    before saving: ``phase_areas``, ``land_use``, ``demand_stated`` — checked by
    :func:`~planning.services.analysis_params.params_validate`. Texts in the active language."""
    if not store:
        return translate(analysis_compute(NAME, given, **params).results)
    run = analysis_run(NAME, given, user=user, **params)
    return translate({**run.results, "run_id": run.pk})
