"""Shared parts of the department report commands: ``--province``, files, errors."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from layers.management.base import LanguageCommand
from planning.analysis.errors import AnalysisError
from planning.errors import PlanningError


class DepartmentReportCommand(LanguageCommand):
    """Base: a required ``--province`` and ``--json``; ``report()`` turns refusals into errors."""

    def add_arguments(self, parser):
        parser.add_argument("--province", required=True, help=_("province name or code"))
        parser.add_argument("--json", action="store_true", help=_("print the report as JSON"))

    def report(self, func, **kwargs) -> dict:
        try:
            return func(**kwargs)
        except (PlanningError, AnalysisError, ValidationError, ValueError) as exc:
            raise CommandError(getattr(exc, "message", None) or str(exc)) from exc

    def write_file(self, path: str, content: bytes) -> None:
        Path(path).write_bytes(content)
        self.stdout.write(_("written: %(path)s") % {"path": path})

    def emit_json(self, report: dict) -> None:
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=1, default=str))
