from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from planning.services.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu, tệp tải lên và raster vào một tệp .tar.gz "
        "(mặc định var/backups/). Back up the database, uploaded files and rasters."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="đường dẫn tệp sao lưu (.tar.gz)")

    def handle(self, *args, output=None, **options):
        try:
            result = backup_create(Path(output) if output else None)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(result.counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"backup written: {result.path} ({result.backend}, {rows:,} rows, "
                f"{result.files} files, "
                f"{result.bytes / 2**20:,.1f} MB before compression)"
            )
        )
