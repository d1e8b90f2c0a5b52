"""Write the national synthetic rasters (issue 15, item 2).

    manage.py build_national_rasters                                  # 30 m, the whole country
    manage.py build_national_rasters --fine "Bình Định,Sóc Trăng"     # and 10 m of two provinces
    manage.py build_national_rasters --cell 1000 --out /tmp/r         # a quick look

DEM, land cover, flood depth and population as tiled COGs in EPSG:3405, computed window by
window from the same seed's national dataset (``build_national``): the same seed gives the same
files. Needs no database.
"""

from __future__ import annotations

import json
import resource
import time
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layers.management.base import LanguageCommand
from planning import synthetic_national as sn
from planning import synthetic_national_rasters as nr
from planning.management.commands.build_national import source_folder


def slug(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return "-".join(plain.lower().split())


class Command(LanguageCommand):
    help = gettext_lazy(
        "Write the national synthetic rasters (DEM, land cover, flood depth, population) at 30 m "
        "as Cloud-Optimised GeoTIFFs, window by window, consistent with the national dataset of "
        "the same seed; and at 10 m for the provinces given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2025, help=_("random seed"))
        parser.add_argument("--source", default=None, help=_("folder of the Vietnam data"))
        parser.add_argument("--out", default=None, help=_("folder to write the rasters into"))
        parser.add_argument(
            "--cell", type=float, default=30.0, help=_("cell size of the national rasters (m)")
        )
        parser.add_argument(
            "--fine",
            default="",
            help=_("provinces (names, comma-separated) to write at --fine-cell as well"),
        )
        parser.add_argument(
            "--fine-cell", type=float, default=10.0, help=_("cell size of those provinces (m)")
        )
        parser.add_argument(
            "--no-national", action="store_true", help=_("write only the provinces of --fine")
        )
        parser.add_argument(
            "--window", type=int, default=2048, help=_("window side in cells (memory knob)")
        )

    def handle(self, *args, seed, source, out, cell, fine, fine_cell, no_national, window,
               **options):  # fmt: skip
        if not 5 <= cell <= 5000 or not 5 <= fine_cell <= 5000:
            raise CommandError(_("cell sizes must be between 5 and 5000 m"))
        if window < nr.BLOCK:
            raise CommandError(_("--window must be at least %(n)d cells") % {"n": nr.BLOCK})
        folder = source_folder(source)
        target = Path(out) if out else Path(settings.VAR_DIR) / "national" / f"rasters-{seed}"
        start = time.monotonic()
        dataset = sn.build(
            sn.Source.read(folder), seed=seed, parcels=0, extent=tuple(settings.PLANNING_EXTENT)
        )
        scene = nr.scene_from_dataset(dataset, seed)
        fields = nr.Fields(scene, seed)
        wanted = [n.strip() for n in fine.split(",") if n.strip()]
        provinces = self._provinces(dataset, wanted)
        tags = {"SEED": str(seed), "SOURCE": sn.ATTRIBUTION}
        written = []

        def write(label: str, grid, stem: str, clip=None) -> None:
            files = {k: target / f"{stem}_{k}_{grid.cell:g}m.tif" for k in nr.KINDS}
            written.append((label, nr.write_rasters(
                scene, fields, grid, files, window=window, clip=clip, tags=tags,
                progress=self._progress(label))))  # fmt: skip

        if not no_national:
            grid = nr.national_grid(scene, cell)
            self.stdout.write(
                _("national %(cell)g m: %(h)s × %(w)s cells → %(dir)s")
                % {"cell": cell, "h": f"{grid.height:,}", "w": f"{grid.width:,}", "dir": target}
            )
            write(_("national"), grid, "national")
        for name, outline, grid in nr.province_grids(provinces, fine_cell):
            write(name, grid, slug(name), clip=outline)
        for label, w in written:
            self.stdout.write(
                _("%(what)s: %(land)s land cells of %(cells)s, %(win)d of %(total)d windows")
                % {
                    "what": label,
                    "land": f"{w.land_cells:,}",
                    "cells": f"{w.grid.cells:,}",
                    "win": w.windows_with_land,
                    "total": w.windows_total,
                }
            )
            for path in w.files.values():
                self.stdout.write(f"  {path} ({path.stat().st_size / 2**20:,.1f} MB)")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            self.style.SUCCESS(
                _("rasters written in %(s).1f s (peak memory %(mb).0f MB)")
                % {"s": time.monotonic() - start, "mb": peak}
            )
        )
        self.stdout.write(json.dumps({"attribution": sn.ATTRIBUTION}, ensure_ascii=False))

    def _progress(self, label: str):
        last = [0.0]

        def report(done: int, total: int) -> None:
            now = time.monotonic()
            if done == total or now - last[0] > 10:
                last[0] = now
                self.stdout.write(f"  {label}: {done}/{total}")
                self.stdout.flush()

        return report

    def _provinces(self, dataset, wanted: list[str]) -> list[tuple[str, object]]:
        if not wanted:
            return []
        units = next(t for t in dataset.tables if t.table == "planning_adminunit")
        names, levels = units.columns["name"], units.columns["level"]
        found, unknown = [], []
        for name in wanted:
            rows = [
                i
                for i in range(len(names))
                if levels[i] == "province" and names[i].casefold() == name.casefold()
            ]
            if not rows:
                unknown.append(name)
                continue
            # the province as it is now if the name is still one, else as it was before 2025
            i = max(rows, key=lambda r: units.columns["valid_to"][r] is None)
            found.append((str(names[i]), nr.metric(units.geometry[i])))
        if unknown:
            raise CommandError(
                _("no province named %(names)s in the national dataset")
                % {"names": ", ".join(unknown)}
            )
        return found
