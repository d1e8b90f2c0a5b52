import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from planning.services.demo import DEMO_DIR, DemoDataError, demo_load


class Command(BaseCommand):
    help = "Nạp dữ liệu tỉnh mẫu (Bình Định, Sóc Trăng). Idempotent: chạy lại không mất dữ liệu."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(DEMO_DIR), help="thư mục fixtures/demo")
        parser.add_argument("--force", action="store_true", help="nạp lại dù dữ liệu đã có")

    def handle(self, *args, dir, force, **options):
        start = time.monotonic()
        try:
            result = demo_load(directory=Path(dir), force=force)
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        if result.skipped:
            self.stdout.write(
                f"demo province already loaded (fixtures {result.checksum[:12]}); nothing to do"
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"demo province loaded in {time.monotonic() - start:.1f} s "
                    f"(fixtures {result.checksum[:12]})"
                )
            )
            for label in result.created:
                self.stdout.write(
                    f"  {label:24s} created {result.created[label]:6d}  "
                    f"updated {result.updated[label]:6d}"
                )
        self.stdout.write("totals: " + ", ".join(f"{k} {v}" for k, v in result.totals.items()))
