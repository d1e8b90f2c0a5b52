"""manage.py import_layer PATH --layer NAME: any GDAL/OGR vector source into a catalogue layer."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layers.io import LayerIOError, layer_import
from layers.io.doors import COMMAND
from layers.io.importer import MODES
from layers.management.base import LanguageCommand


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        src, sep, dst = pair.partition("=")
        if not sep or not src.strip() or not dst.strip():
            raise CommandError(
                _("%(option)s expects SRC=DST, got %(value)s")
                % {"option": "--map", "value": repr(pair)}
            )
        mapping[src.strip()] = dst.strip()
    return mapping


class Command(LanguageCommand):
    # Messages are in the active language: Vietnamese (settings.LANGUAGE_CODE) unless the caller
    # activated another or --lang picks one; they name options as this command does (--srs,
    # --key, --map).
    help = gettext_lazy(
        "Import a vector file (GeoPackage, Shapefile or zipped Shapefile, GeoJSON, KML, CSV with "
        "a WKT or X/Y columns, ...) into a catalogue layer, in one transaction: a bad row aborts "
        "the import and nothing is stored. VN-2000 coordinates are reprojected to WGS 84."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help=_("the file (.gpkg, .zip, .shp, .geojson, .kml, .csv, ...)")
        )
        parser.add_argument(
            "--layer", required=True, help=_("catalogue layer, e.g. industrial_areas")
        )
        parser.add_argument("--srs", help=_("source CRS (EPSG code); overrides the file's"))
        parser.add_argument(
            "--mode",
            choices=MODES,
            default="append",
            help=_("append (default), replace the layer's rows, or upsert by --key"),
        )
        parser.add_argument(
            "--key", help=_("upsert key field(s), comma-separated; default: the layer's key")
        )
        parser.add_argument(
            "--map",
            nargs="+",
            action="extend",
            default=[],
            metavar="SRC=DST",
            help=_("rename source fields to model fields (put PATH before --map)"),
        )
        parser.add_argument(
            "--layer-name", help=_("layer inside the source (or dataset inside a .zip)")
        )
        parser.add_argument("--encoding", help=_("text encoding of the source, e.g. cp1258"))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("check every row, then roll back")
        )
        parser.add_argument(
            "--user",
            help=_(
                "import on behalf of this user (history, and the rights and workflow of layers "
                "such as proposals, which need one)"
            ),
        )

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(
                    _("%(option)s: no such user") % {"option": f"--user {options['user']}"}
                )
        try:
            result = layer_import(
                path=options["path"],
                layer=options["layer"],
                mode=options["mode"],
                key=options["key"],
                srs=options["srs"],
                mapping=_mapping(options["map"]),
                layer_name=options["layer_name"],
                encoding=options["encoding"],
                progress=True,
                dry_run=options["dry_run"],
                user=user,
                door=COMMAND,
            )
        except LayerIOError as exc:
            raise CommandError(str(exc)) from exc
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(_("Warning: %(text)s") % {"text": warning}))
        self.stdout.write(self.style.SUCCESS(result.summary()))
