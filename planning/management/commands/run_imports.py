from django.core.management.base import BaseCommand

from planning.services.imports import imports_process_queued


class Command(BaseCommand):
    help = (
        'Xử lý các lần nhập dữ liệu đang chờ trong hàng đợi (PLANNING_IMPORT_RUNNER = "queue"), '
        "ví dụ chạy định kỳ bằng cron hoặc systemd timer. Run queued import jobs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, help="số lần nhập tối đa")

    def handle(self, *args, limit=None, **options):
        jobs = imports_process_queued(limit=limit)
        for job in jobs:
            self.stdout.write(
                f"import #{job.pk} {job.layer}: {job.status} — {job.progress_message or job.error}"
            )
        self.stdout.write(f"{len(jobs)} queued import(s) processed")
