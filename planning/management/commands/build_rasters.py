import time

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layers.management.base import LanguageCommand
from planning.services.rasters import rasters_build


class Command(LanguageCommand):
    help = gettext_lazy(
        "Build the synthetic raster layers (DEM, land cover, flooding, population) of the demo "
        "provinces and register them as RasterLayer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--resolution", type=float, default=30.0, help=_("cell size (m), 10–30")
        )
        parser.add_argument("--force", action="store_true", help=_("rebuild even if already built"))

    def handle(self, *args, resolution, force, **options):
        if not 10 <= resolution <= 100:
            raise CommandError(_("resolution must be between 10 and 100 m"))
        start = time.monotonic()
        builds = rasters_build(resolution_m=resolution, force=force)
        if not builds:
            self.stdout.write(_("rasters already built; nothing to do (--force to rebuild)"))
            return
        for build in builds:
            self.stdout.write(
                _("%(province)s: %(cells)s cells → %(files)s")
                % {
                    "province": build.province,
                    "cells": f"{build.cells:,}",
                    "files": ", ".join(f"{k}={p.name}" for k, p in build.files.items()),
                }
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("rasters built in %(seconds)s s") % {"seconds": f"{time.monotonic() - start:.1f}"}
            )
        )
