"""The planning errors as the services' callers have imported them so far.

The errors live in :mod:`planning.errors` (the selectors raise them too, and selectors do not
import services); import them from there.
"""

from __future__ import annotations

from planning.errors import InvalidParameter, MissingInputs, PlanningError, UnknownProvince

__all__ = ["InvalidParameter", "MissingInputs", "PlanningError", "UnknownProvince"]
