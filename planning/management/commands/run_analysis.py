import json

from django.core.management.base import CommandError
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from planning.analysis.errors import UnknownAnalysis
from planning.management.commands._analysis import AnalysisCommand
from planning.numbers import number
from planning.services.analyses import ANALYSES, analysis_spec

COMMANDS = {
    "site-suggestion": "suggest_sites",
    "efficiency": "efficiency_report",
    "targets": "target_watch_list",
    "eco-readiness": "eco_readiness",
    "infrastructure-gaps": "infrastructure_gaps",
    "labour-catchment": "labour_catchment",
    "plan-vs-actual": "plan_vs_actual",
}


class Command(AnalysisCommand):
    help = format_lazy(
        "{} {}",
        gettext_lazy(
            "Run an analysis by name (NAME --params JSON); queued runs are run by manage.py "
            "run_worker. Parameters:"
        ),
        "; ".join(
            f"{s.name}: {', '.join(p.name for p in s.parameters)}" for s in ANALYSES.values()
        ),
    )
    province_option = False

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help=_("analysis name"))
        parser.add_argument(
            "--params", default="{}", help=_('parameters as JSON, e.g. {"province": "52"}')
        )
        super().add_arguments(parser)

    def handle(self, *args, name=None, **options):
        names = ", ".join(ANALYSES)
        if not name:
            raise CommandError(_("give an analysis name: %(names)s") % {"names": names})
        try:
            spec = analysis_spec(name)
        except UnknownAnalysis:
            raise CommandError(
                _("unknown analysis %(name)r; known analyses: %(names)s")
                % {"name": name, "names": names}
            ) from None
        try:
            params = json.loads(options["params"])
        except json.JSONDecodeError as exc:
            raise CommandError(
                _("--params is not valid JSON: %(error)s") % {"error": exc}
            ) from None
        if not isinstance(params, dict):
            accepted = ", ".join(p.name for p in spec.parameters)
            raise CommandError(
                _(
                    "--params must be a JSON object {name: value}; parameters of %(name)s: "
                    "%(accepted)s"
                )
                % {"name": name, "accepted": accepted}
            )
        run = self.run(name, options, params)
        if options["json"] or name not in COMMANDS:
            self.emit_json(run)
        else:
            self.stdout.write(
                _(
                    "run #%(id)s (%(name)s): %(status)s, %(seconds)s s; details: "
                    "manage.py %(command)s or --json"
                )
                % {
                    "id": run.pk,
                    "name": name,
                    "status": run.get_status_display(),
                    "seconds": number(run.duration_s, 1),
                    "command": COMMANDS[name],
                }
            )
