from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from planning.services.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Khôi phục từ tệp sao lưu của lệnh backup. Kiểm tra toàn bộ tệp trước; mặc định sao lưu "
        "trạng thái hiện tại trước khi khôi phục. Restore a backup made by `backup`."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="tệp .tar.gz do lệnh backup tạo")
        parser.add_argument(
            "--no-safety-backup",
            action="store_true",
            help="không sao lưu trạng thái hiện tại trước khi khôi phục",
        )
        parser.add_argument("--yes", action="store_true", help="không hỏi xác nhận")

    def handle(self, *args, archive, no_safety_backup=False, yes=False, **options):
        if not yes and options.get("interactive", True):
            answer = input(
                f"Replace the database, uploaded files and rasters with {archive}? [y/N] "
            )
            if answer.strip().lower() not in ("y", "yes", "c", "có"):
                raise CommandError("restore cancelled; nothing changed")
        try:
            result = backup_restore(Path(archive), safety_backup=not no_safety_backup)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if result.safety_backup:
            self.stdout.write(f"the state before the restore was saved to {result.safety_backup}")
        for w in result.warnings:
            self.stdout.write(self.style.WARNING(w))
        self.stdout.write(
            self.style.SUCCESS(
                f"restored {result.path} ({result.backend}, "
                f"{sum(result.counts.values()):,} rows, {result.files} files)"
            )
        )
