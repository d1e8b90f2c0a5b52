from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layers.management.base import LanguageCommand
from planning.services.backup import BackupError, backup_create


class Command(LanguageCommand):
    help = gettext_lazy(
        "Back up the database, uploaded files and rasters into one .tar.gz file "
        "(default: var/backups/)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help=_("backup file path (.tar.gz)"))

    def handle(self, *args, output=None, **options):
        try:
            result = backup_create(Path(output) if output else None)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(result.counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "backup written: %(path)s (%(backend)s, %(rows)s rows, %(files)s files, "
                    "%(mb)s MB before compression)"
                )
                % {
                    "path": result.path,
                    "backend": result.backend,
                    "rows": f"{rows:,}",
                    "files": result.files,
                    "mb": f"{result.bytes / 2**20:,.1f}",
                }
            )
        )
