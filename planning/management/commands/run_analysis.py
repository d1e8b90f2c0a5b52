import json

from django.core.management.base import CommandError

from planning.analysis._text import fmt_vi
from planning.analysis.errors import UnknownAnalysis
from planning.management.commands._analysis import AnalysisCommand
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
    help = (
        "Chạy một phân tích theo tên (NAME --params JSON); các lần chạy đang chờ do "
        "manage.py run_worker chạy. "
        f"Run an analysis by name: {', '.join(ANALYSES)}. Tham số / parameters: "
        + "; ".join(
            f"{s.name}: {', '.join(p.name for p in s.parameters)}" for s in ANALYSES.values()
        )
    )
    province_option = False

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="tên phân tích / analysis name")
        parser.add_argument(
            "--params", default="{}", help='tham số dạng JSON, ví dụ {"province": "52"}'
        )
        super().add_arguments(parser)

    def handle(self, *args, name=None, **options):
        names = ", ".join(ANALYSES)
        if not name:
            raise CommandError(f"Hãy cho tên phân tích: {names} / give an analysis name: {names}")
        try:
            spec = analysis_spec(name)
        except UnknownAnalysis:
            raise CommandError(
                f"Không có phân tích {name!r}; các phân tích: {names} / "
                f"unknown analysis {name!r}; known analyses: {names}"
            ) from None
        try:
            params = json.loads(options["params"])
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"--params không phải JSON hợp lệ: {exc} / --params is not valid JSON: {exc}"
            ) from None
        if not isinstance(params, dict):
            accepted = ", ".join(p.name for p in spec.parameters)
            raise CommandError(
                f"--params phải là một đối tượng JSON {{tên: giá trị}}; tham số của {name}: "
                f"{accepted} / --params must be a JSON object {{name: value}}; parameters of "
                f"{name}: {accepted}"
            )
        run = self.run(name, options, params)
        if options["json"] or name not in COMMANDS:
            self.emit_json(run)
        else:
            self.stdout.write(
                f"lần chạy / run #{run.pk} ({name}): {run.get_status_display()}, "
                f"{fmt_vi(run.duration_s, 1)} s; chi tiết / details: "
                f"manage.py {COMMANDS[name]} hoặc --json"
            )
