"""Errors of the planning domain, raised by its selectors and services (carry their HTTP status
and a code).

Pure analyses raise :class:`planning.analysis.errors.AnalysisError` (bad criteria, grids,
records); Django's ``ValidationError`` means invalid data on write. The API's one exception
handler (``planning.api.errors``) maps all three to JSON answers.
"""

from __future__ import annotations


class PlanningError(Exception):
    """Root of the errors of the planning services; ``http_status`` and ``code`` for the API."""

    http_status = 400
    code = "planning_error"

    def __init__(self, message: str, *, details=None):
        super().__init__(message)
        self.message = message
        self.details = details


class UnknownProvince(PlanningError, LookupError):
    http_status = 400
    code = "unknown_province"


class MissingInputs(PlanningError):
    """An analysis lacks an input it cannot run without (e.g. no rasters built for a province)."""

    http_status = 409
    code = "missing_inputs"


class InvalidParameter(PlanningError, ValueError):
    code = "invalid_parameter"
