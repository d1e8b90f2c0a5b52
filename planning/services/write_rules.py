"""The domain's rules around a write into a model, whichever door writes (WFS-T, imports, ...).

The domain registers them by model in ``PlanningConfig.ready()``; a publishing door finds them by
the model it writes (``layers.catalogue.LayerSpec.hooks``) and runs them around its own save. The
doors know no model by name: a model without rules gets :data:`NO_RULES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class WriteRules:
    """What the domain does around a write of one object.

    Each callable takes ``(user, obj)``; the checks raise the domain's errors (for proposals,
    ``planning.services.proposals.ProposalRefused`` or another ``PlanningError``) and the door
    turns them into its own refusal. ``written`` runs after the save, in the same transaction,
    with ``created`` and a comment naming the door.
    """

    prepare_insert: Callable | None = None  # a new object, values set, before validation
    check_update: Callable | None = None  # the stored object, before the new values are set
    check_delete: Callable | None = None
    written: Callable | None = None  # (user, obj, *, created: bool, comment: str)
    protected_fields: tuple[str, ...] = ()  # fields only the domain's workflow writes


NO_RULES = WriteRules()
_RULES: dict[str, WriteRules] = {}


def register_write_rules(model_label: str, rules: WriteRules) -> None:
    """One set of rules per model (``"planning.Proposal"``), from ``AppConfig.ready()``."""
    if model_label in _RULES and _RULES[model_label] != rules:
        raise ValueError(f"model {model_label!r} already has write rules")
    _RULES[model_label] = rules


def write_rules_for(model_label: str) -> WriteRules:
    """The rules of writes into ``model_label``; :data:`NO_RULES` if the domain has none."""
    return _RULES.get(model_label, NO_RULES)
