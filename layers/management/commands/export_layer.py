"""manage.py export_layer --layer NAME OUTPUT: a catalogue layer's published fields to a file."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layers.io import LayerIOError, layer_export
from layers.io.exporter import FORMATS
from layers.management.base import LanguageCommand


class Command(LanguageCommand):
    help = gettext_lazy(
        "Export a catalogue layer's published fields (never personal data) and geometry to "
        "GeoPackage, GeoJSON, zipped Shapefile or KML, reprojected to any EPSG code "
        "(KML: WGS 84 only)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "output", help=_("output file: .gpkg, .geojson/.json, .zip (zipped Shapefile), .kml")
        )
        parser.add_argument(
            "--layer", required=True, help=_("catalogue layer, e.g. industrial_areas")
        )
        parser.add_argument(
            "--format", choices=list(FORMATS), help=_("default: from the output name")
        )
        parser.add_argument(
            "--srs", default="4326", help=_("output CRS as an EPSG code (default 4326)")
        )
        parser.add_argument(
            "--overwrite", action="store_true", help=_("replace an existing output file")
        )

    def handle(self, *args, **options):
        try:
            result = layer_export(
                layer=options["layer"],
                path=options["output"],
                format=options["format"],
                srs=options["srs"],
                overwrite=options["overwrite"],
            )
        except LayerIOError as exc:
            raise CommandError(str(exc)) from exc
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(_("Warning: %(text)s") % {"text": warning}))
        self.stdout.write(self.style.SUCCESS(result.summary()))
        if result.format == "shp" and result.field_names:
            pairs = ", ".join(f"{short}={full}" for full, short in result.field_names.items())
            if result.path.suffix.lower() == ".zip":
                where = _("%(table)s inside %(zip)s") % {
                    "table": result.field_table,
                    "zip": result.path.name,
                }
            else:
                where = str(result.field_table)
            self.stdout.write(
                _("Shapefile field names (also in %(where)s): %(pairs)s")
                % {"where": where, "pairs": pairs}
            )
