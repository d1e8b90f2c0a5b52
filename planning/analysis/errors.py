"""Errors raised by the pure analyses (a small root hierarchy that also subclasses built-ins).

Callers that expect built-in exceptions keep working: a bad criterion is a ``ValueError``, an
unknown analysis name is a ``KeyError``.

Examples
--------
>>> issubclass(CriteriaError, ValueError), issubclass(UnknownAnalysis, KeyError)
(True, True)
"""

from __future__ import annotations


class AnalysisError(Exception):
    """Root of every error raised by ``planning.analysis``."""


class CriteriaError(AnalysisError, ValueError):
    """A criterion (threshold, weight, distance …) is out of range or inconsistent."""


class GridError(AnalysisError, ValueError):
    """Rasters or geometries that do not sit on one metric, north-up grid."""


class UnknownAnalysis(AnalysisError, KeyError):
    """An analysis name that is not registered (``planning.services.analyses.ANALYSES``)."""

    def __init__(self, name: str, known: list[str]):
        self.name = name
        self.known = sorted(known)
        super().__init__(name)

    def __str__(self) -> str:
        return f"unknown analysis {self.name!r}; known analyses: {', '.join(self.known)}"


class RecordError(AnalysisError, ValueError):
    """An input record (area, project, parcel …) with an impossible value (negative hectares)."""
