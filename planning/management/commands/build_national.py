"""Generate the national synthetic dataset and load it (issue 15, item 1).

    manage.py build_national --parcels 5000000            # generate (or reuse) and load
    manage.py build_national --parcels 1000 --no-load     # only write the GeoPackage
    manage.py build_national --from var/national/x.gpkg   # only load a GeoPackage

The same seed and counts give the same file, byte for byte in its rows. Load it into a database
of its own (``DATABASE_URL``): its provinces cover the whole country, the demo's two among them.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layers.io.national import NationalLoadError, load_geopackage, write_geopackage
from layers.management.base import LanguageCommand
from planning import synthetic_national as sn


def default_source() -> Path:
    return Path(os.environ.get("KCN_VN_DATA", settings.BASE_DIR.parent / "shared" / "data" / "vn"))


def source_folder(source: str | None) -> Path:
    """The folder of the Vietnam data (``--source``, else :func:`default_source`), checked."""
    folder = Path(source) if source else default_source()
    missing = [f for f in sn.SOURCE_FILES if not (folder / f).exists()]
    if missing:
        raise CommandError(
            _("the Vietnam data is not in %(folder)s (missing %(files)s); give --source")
            % {"folder": folder, "files": ", ".join(missing)}
        )
    return folder


class Command(LanguageCommand):
    help = gettext_lazy(
        "Generate the national synthetic dataset (63 provinces before and 34 after 1 July 2025, "
        "KCN and CCN along the roads, clearance parcels, projects, targets, reports) into a "
        "GeoPackage, reproducibly from a seed, and load it with COPY."
    )

    def add_arguments(self, parser):
        parser.add_argument("--parcels", type=int, default=5_000_000, help=_("clearance parcels"))
        parser.add_argument("--kcn", type=int, default=450, help=_("industrial parks"))
        parser.add_argument("--ccn", type=int, default=1300, help=_("industrial clusters"))
        parser.add_argument("--seed", type=int, default=2025, help=_("random seed"))
        parser.add_argument("--source", default=None, help=_("folder of the Vietnam data"))
        parser.add_argument("--out", default=None, help=_("the GeoPackage to write"))
        parser.add_argument(
            "--from", dest="from_file", default=None, help=_("load this GeoPackage only")
        )
        parser.add_argument(
            "--no-load", action="store_true", help=_("write the GeoPackage, do not load it")
        )
        parser.add_argument(
            "--regenerate", action="store_true", help=_("write the GeoPackage even if it exists")
        )

    def progress(self, message: str) -> None:
        self.stdout.write(f"  {message}")
        self.stdout.flush()

    def handle(self, *args, parcels, kcn, ccn, seed, source, out, from_file, no_load,
               regenerate, **options):  # fmt: skip
        if parcels < 0 or kcn < 1 or ccn < 0:
            raise CommandError(_("--parcels must be 0 or more, --kcn 1 or more, --ccn 0 or more"))
        if from_file:
            path = Path(from_file)
        else:
            folder = source_folder(source)
            params = {"parcels": parcels, "kcn": kcn, "ccn": ccn, "seed": seed, "version": 2}
            params["extent"] = list(settings.PLANNING_EXTENT)
            tag = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:8]
            path = (
                Path(out)
                if out
                else Path(settings.VAR_DIR) / "national" / f"national-{seed}-{parcels}-{tag}.gpkg"
            )
            if regenerate or not path.exists():
                t0 = time.monotonic()
                self.stdout.write(_("generating %(path)s") % {"path": path})
                dataset = sn.build(
                    sn.Source.read(folder),
                    seed=seed,
                    parcels=parcels,
                    kcn=kcn,
                    ccn=ccn,
                    extent=tuple(settings.PLANNING_EXTENT),
                )
                self.stdout.write(json.dumps(dataset.summary, ensure_ascii=False))
                write_geopackage(path, dataset, self.progress)
                self.stdout.write(_("generated in %(s).1f s") % {"s": time.monotonic() - t0})
            else:
                self.stdout.write(_("reusing %(path)s (same seed and counts)") % {"path": path})
        if no_load:
            self.stdout.write(self.style.SUCCESS(str(path)))
            return
        try:
            counts = load_geopackage(path, self.progress)
        except NationalLoadError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("national dataset loaded: %(rows)s rows") % {"rows": f"{sum(counts.values()):,}"}
            )
        )
        self.stdout.write(sn.ATTRIBUTION)
