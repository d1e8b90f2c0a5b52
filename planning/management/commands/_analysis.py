"""Shared parts of the analysis commands: options, running through the services, text tables."""

from __future__ import annotations

import json
import textwrap

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from layers.management.base import LanguageCommand
from planning.analysis.errors import AnalysisError
from planning.errors import PlanningError
from planning.numbers import number
from planning.services.analysis_runs import analysis_run
from planning.texts import translate


def table(headers: list[str], rows: list[list], *, max_width: int = 48) -> str:
    """A plain text table: one header line (in the active language), a rule, the rows."""
    cells = [[_cell(v, max_width) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    numeric = [
        all(_is_num(row[i]) for row in rows if row[i] not in (None, "")) and rows
        for i in range(len(headers))
    ]

    def line(values):
        cells_ = (
            v.rjust(w) if numeric[i] else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=False))
        )
        return "  ".join(cells_).rstrip()

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    return "\n".join(out)


def _is_num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _cell(v, max_width: int) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return _("yes") if v else _("no")
    if isinstance(v, float):
        return number(v, 1 if abs(v) >= 10 else 2)
    if isinstance(v, int):
        return number(v)
    text = str(v)
    return text if len(text) <= max_width else text[: max_width - 1] + "…"


def pct(v) -> str | None:
    return None if v is None else f"{number(100 * v, 1)} %"


def wrap(text: str, indent: str = "    ") -> str:
    return textwrap.fill(text, width=110, initial_indent=indent, subsequent_indent=indent)


class AnalysisCommand(LanguageCommand):
    """Base: ``--province``, ``--json``, ``--user``; runs one analysis and stores the run."""

    analysis = ""
    province_option = True

    def add_arguments(self, parser):
        if self.province_option:
            parser.add_argument("--province", help=_("province name or code (default: all)"))
        parser.add_argument("--json", action="store_true", help=_("print the run as JSON"))
        parser.add_argument("--user", help=_("username recorded as who ran it"))

    def user(self, options):
        name = options.get("user")
        if not name:
            return None
        user = get_user_model()._default_manager.filter(username=name).first()
        if user is None:
            raise CommandError(_("unknown user %(name)r") % {"name": name})
        return user

    @staticmethod
    def dask_cluster(address: str | None) -> bool | None:
        """``--dask ADDRESS``: the run's ``dask`` parameter (True), the cluster set for it.

        The command names the cluster; the API and the web page only say "true", which means
        the service's own (``KCN_DASK_SCHEDULER``): a web user never names a host.
        """
        if not address:
            return None
        from django.conf import settings

        from planning.services.analyses.distributed import scheduler_address

        settings.KCN_DASK_SCHEDULER = scheduler_address(address)
        return True

    def run(self, name: str, options, params=None, /, **kwargs):
        """Run analysis ``name`` with ``params`` (a mapping, e.g. ``--params``) and keywords;
        a refused parameter (the services name it) or missing input is a CommandError."""
        try:
            return analysis_run(name, params, user=self.user(options), **kwargs)
        except (PlanningError, AnalysisError, ValidationError, ValueError) as exc:
            raise CommandError(getattr(exc, "message", None) or str(exc)) from exc

    def emit_json(self, run) -> None:
        self.stdout.write(
            json.dumps(
                {
                    "id": run.pk,
                    "kind": run.kind,
                    "status": run.status,
                    "params": run.params,
                    "results": translate(run.results),
                    "input_versions": run.input_versions,
                    "timings": run.timings,
                    "duration_s": run.duration_s,
                },
                ensure_ascii=False,
                indent=1,
            )
        )

    def footer(self, run) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                _("run #%(id)s: %(status)s in %(seconds)s s")
                % {
                    "id": run.pk,
                    "status": run.get_status_display(),
                    "seconds": number(run.duration_s, 1),
                }
            )
        )
