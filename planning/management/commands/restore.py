from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layers.management.base import LanguageCommand
from planning.services.backup import BackupError, backup_restore


class Command(LanguageCommand):
    help = gettext_lazy(
        "Restore a backup made by the backup command. The whole file is checked first; by "
        "default the current state is backed up before the restore."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help=_(".tar.gz file made by the backup command"))
        parser.add_argument(
            "--no-safety-backup",
            action="store_true",
            help=_("do not back up the current state before the restore"),
        )
        parser.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))

    def handle(self, *args, archive, no_safety_backup=False, yes=False, **options):
        if not yes and options.get("interactive", True):
            answer = input(
                _("Replace the database, uploaded files and rasters with %(archive)s? [y/N] ")
                % {"archive": archive}
            )
            if answer.strip().lower() not in ("y", "yes", "c", "có"):
                raise CommandError(_("restore cancelled; nothing changed"))
        try:
            result = backup_restore(Path(archive), safety_backup=not no_safety_backup)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if result.safety_backup:
            self.stdout.write(
                _("the state before the restore was saved to %(path)s")
                % {"path": result.safety_backup}
            )
        for w in result.warnings:
            self.stdout.write(self.style.WARNING(w))
        self.stdout.write(
            self.style.SUCCESS(
                _("restored %(path)s (%(backend)s, %(rows)s rows, %(files)s files)")
                % {
                    "path": result.path,
                    "backend": result.backend,
                    "rows": f"{sum(result.counts.values()):,}",
                    "files": result.files,
                }
            )
        )
