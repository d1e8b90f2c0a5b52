"""Load the national base map (issue 14 map) into the database; ``load_demo`` does it too."""

from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layers.management.base import LanguageCommand
from planning.services.basemap import BASEMAP_FILE, load_basemap


class Command(LanguageCommand):
    help = gettext_lazy(
        "Load the national base map (provinces after 1 July 2025, national roads and railway). "
        "Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(BASEMAP_FILE), help=_("the base map GeoJSON"))
        parser.add_argument("--force", action="store_true", help=_("reload even if unchanged"))

    def handle(self, *args, file, force, **options):
        result = load_basemap(Path(file), force=force)
        if result.skipped:
            self.stdout.write(_("base map already loaded; nothing to do"))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("base map loaded: %(count)d features") % {"count": result.count}
                )
            )
        self.stdout.write(result.attribution)
