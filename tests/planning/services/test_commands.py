"""The analysis management commands: they run through the services, store runs and print tables."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from planning import models as m
from tests.jobs_support import TASKS_QUEUED, tasks_run_ready
from tests.planning.services.demo_case import DemoTestCase


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


class AnalysisCommandTests(DemoTestCase):
    def test_suggest_sites_prints_a_ranked_table_with_reasons(self):
        out = run(
            "suggest_sites", "--province", "Bình Định", "--max-count", "3", "--user", "planner"
        )
        self.assertIn("Bình Định — CCN:", out)
        self.assertIn("Thứ hạng", out)
        self.assertIn("Lý do:", out)
        self.assertRegex(out, r"\n +1\. (Cách|Tiếp giáp) tuyến")
        run_ = m.AnalysisRun.objects.filter(kind="site-suggestion").latest("pk")
        self.assertEqual(run_.started_by.username, "planner")
        self.assertEqual(run_.params["criteria"]["max_count"], 3)
        self.assertIn(f"lần chạy #{run_.pk}: Hoàn thành", out)

    def test_suggest_sites_options_and_json(self):
        out = run(
            "suggest_sites",
            "--province",
            "94",
            "--kind",
            "KCN",
            "--corridor-m",
            "3000",
            "--weights",
            "road=0.5,population=0.3",
            "--max-count",
            "2",
            "--json",
        )
        data = json.loads(out)
        self.assertEqual(data["status"], "done")
        crit = data["params"]["criteria"]
        self.assertEqual((crit["kind"], crit["corridor_m"], crit["max_count"]), ("KCN", 3000.0, 2))
        self.assertEqual(crit["weights"]["road"], 0.5)
        self.assertLessEqual(data["results"]["count"], 2)

    def test_suggest_sites_without_province_runs_every_province_with_rasters(self):
        out = run("suggest_sites", "--max-count", "1")
        self.assertIn("Bình Định — CCN", out)
        self.assertIn("Sóc Trăng — CCN", out)

    def test_suggest_sites_for_a_merged_province_reads_its_predecessors_rasters(self):
        out = run("suggest_sites", "--province", "Gia Lai", "--max-count", "2")
        self.assertIn("Lưu ý: Gia Lai (từ 01/07/2025) chưa có raster riêng", out)
        self.assertIn("tỉnh Bình Định trước", out)
        self.assertIn("phần thuộc Gia Lai cũ chưa có raster", " ".join(out.split()))
        self.assertIn("Bình Định — CCN:", out)

    def test_suggest_sites_bad_input_is_a_command_error(self):
        # Gia Lai without its succession from Bình Định: no rasters anywhere to read.
        m.AdminUnitSuccession.objects.filter(
            successor__name="Gia Lai", predecessor__level="province"
        ).delete()
        # The commands speak the service's language (Vietnamese).
        for args, message in (
            (["--province", "Hà Nội"], "Tham số 'province': không có tỉnh 'Hà Nội'"),
            (["--province", "52", "--weights", "road=x"], "trọng số road phải là số"),
            (["--province", "52", "--criteria", "{bad"], "--criteria không phải JSON hợp lệ"),
            (["--province", "Gia Lai"], "build_rasters"),
            (["--province", "Gia Lai"], "Gia Lai chưa có raster (địa hình, lớp phủ, ngập, dân số)"),
        ):
            with self.subTest(args=args), self.assertRaisesMessage(CommandError, message):
                run("suggest_sites", *args)

    def test_efficiency_report_table_and_exports(self):
        out = run("efficiency_report", "--unit", "district", "--province", "52")
        self.assertIn("Hiệu quả sử dụng đất — Bình Định", out)
        self.assertIn("Theo đơn vị (district)", out)
        self.assertIn("Cho thuê được (ha)", out)
        self.assertIn("Thị xã An Nhơn", out)
        out = run("efficiency_report", "--unit", "district", "--province", "52", "--lang", "en")
        self.assertIn("Land-use efficiency — Bình Định", out)
        self.assertIn("By unit (district)", out)
        self.assertIn("Leasable (ha)", out)
        self.assertNotIn("Hiệu quả", out)
        self.assertRegex(out, r"run #\d+: Done in ")
        with tempfile.TemporaryDirectory() as tmp:
            csv_path = Path(tmp) / "areas.csv"
            run("efficiency_report", "--format", "csv", "--output", str(csv_path), "--year", "2024")
            rows = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
            self.assertEqual(
                len(rows),
                m.IndustrialArea.objects.filter(established_on__year__lte=2024).count()
                + m.IndustrialArea.objects.filter(established_on__isnull=True).count(),
            )
            self.assertIn("occupancy", rows[0])
            run("efficiency_report", "--format", "xlsx", "--output", tmp, "--unit", "commune")
            (xlsx,) = Path(tmp).glob("*.xlsx")
            self.assertIn("Don_vi", load_workbook(xlsx).sheetnames)
        printed = run("efficiency_report", "--format", "csv", "--table", "units")
        self.assertTrue(printed.startswith("level,unit,unit_name"))
        with self.assertRaisesMessage(CommandError, "--format xlsx cần --output ĐƯỜNG_DẪN"):
            run("efficiency_report", "--format", "xlsx")
        with self.assertRaisesMessage(CommandError, "--format xlsx needs --output PATH"):
            run("efficiency_report", "--format", "xlsx", "--lang", "en")

    def test_other_commands_print_their_tables(self):
        cases = {
            "target_watch_list": "Không hoàn thành chỉ tiêu 2 năm liên tiếp",
            "eco_readiness": "KCN/CCN sinh thái — ",
            "infrastructure_gaps": "Hạ tầng đến chân hàng rào — ",
            "labour_catchment": "Nguồn lao động — Sóc Trăng",
            "plan_vs_actual": "Quy hoạch so với thực hiện — ",
        }
        english = {
            "target_watch_list": "Missed targets two years running",
            "eco_readiness": "Eco-industrial readiness — ",
            "infrastructure_gaps": "Infrastructure to the fence — ",
            "labour_catchment": "Labour catchment — Sóc Trăng",
            "plan_vs_actual": "Plan vs actual — ",
        }
        for command, heading in cases.items():
            args = ["--province", "94"] if command == "labour_catchment" else []
            with self.subTest(command=command):
                out = run(command, *args)
                self.assertIn(heading, out)
                self.assertRegex(out, r"lần chạy #\d+: Hoàn thành")
                self.assertNotIn(english[command], out)
            with self.subTest(command=command, lang="en"):
                out = run(command, *args, "--lang", "en")
                self.assertIn(english[command], out)
                self.assertRegex(out, r"run #\d+: Done")
                self.assertNotIn(heading, out)
        self.assertEqual(m.AnalysisRun.objects.filter(status="done").count(), 2 * len(cases))

    def test_run_analysis_by_name(self):
        out = run("run_analysis", "plan-vs-actual", "--params", '{"province": "94"}', "--json")
        data = json.loads(out)
        self.assertEqual(data["params"]["province"]["name"], "Sóc Trăng")
        with self.assertRaisesMessage(CommandError, "Không có phân tích 'nope'"):
            run("run_analysis", "nope")
        with self.assertRaisesMessage(CommandError, "unknown analysis 'nope'"):
            run("run_analysis", "nope", "--lang", "en")
        with self.assertRaisesMessage(CommandError, "Tham số 'province': không có tỉnh 'Mars'"):
            run("run_analysis", "eco-readiness", "--params", '{"province": "Mars"}')
        with self.settings(TASKS=TASKS_QUEUED):
            from planning.services.analysis_runs import analysis_submit

            queued = analysis_submit("plan-vs-actual", province="52")
            self.assertEqual(queued.status, "queued")
            # Queued runs are the worker's (manage.py run_worker): here, in the test's transaction.
            self.assertEqual(tasks_run_ready(), 1)
        queued.refresh_from_db()
        self.assertEqual(queued.get_status_display(), "Hoàn thành")


def test_every_project_command_has_one_language_help_and_a_lang_option():
    """Issue 12, item 7: help texts are messages (no "vi / en" pairs), in the active language."""
    from django.core.management import get_commands, load_command_class
    from django.utils import translation

    ours = {n: app for n, app in get_commands().items() if app in ("planning", "layers")}
    assert {"efficiency_report", "backup", "import_layer", "export_layer"} <= set(ours)
    for name, app in ours.items():
        command = load_command_class(app, name)
        if name in ("makemessages", "run_worker"):
            continue  # Django's and django-tasks-db's commands, extended
        for lang, words in (("vi", ("ngôn ngữ",)), ("en", ("language of the output",))):
            with translation.override(lang):
                text = command.create_parser("manage.py", name).format_help()
            assert "--lang {vi,en}" in text, (name, text)
            assert all(w in text for w in words), (name, lang, text)
            assert " / " not in text.replace("fixtures/demo", ""), (name, text)
