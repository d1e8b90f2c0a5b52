import time
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layers.management.base import LanguageCommand
from planning.services.demo import DEMO_DIR, DemoDataError, demo_load


class Command(LanguageCommand):
    help = gettext_lazy(
        "Load the demo provinces (Bình Định, Sóc Trăng). Idempotent: running it again loses "
        "no data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(DEMO_DIR), help=_("the fixtures/demo folder"))
        parser.add_argument(
            "--force", action="store_true", help=_("reload even if the data is already there")
        )

    def handle(self, *args, dir, force, **options):
        start = time.monotonic()
        try:
            result = demo_load(directory=Path(dir), force=force)
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        if result.skipped:
            self.stdout.write(
                _("demo province already loaded (fixtures %(checksum)s); nothing to do")
                % {"checksum": result.checksum[:12]}
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("demo province loaded in %(seconds)s s (fixtures %(checksum)s)")
                    % {
                        "seconds": f"{time.monotonic() - start:.1f}",
                        "checksum": result.checksum[:12],
                    }
                )
            )
            for label in result.created:
                self.stdout.write(
                    f"  {label:24s} "
                    + _("created %(created)6d  updated %(updated)6d")
                    % {"created": result.created[label], "updated": result.updated[label]}
                )
        self.stdout.write(
            _("totals: %(totals)s")
            % {"totals": ", ".join(f"{k} {v}" for k, v in result.totals.items())}
        )
