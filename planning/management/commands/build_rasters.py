import time

from django.core.management.base import BaseCommand

from planning.services.rasters import rasters_build


class Command(BaseCommand):
    help = (
        "Dựng các lớp raster tổng hợp (DEM, lớp phủ, ngập, dân số) của tỉnh mẫu "
        "và đăng ký RasterLayer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--resolution", type=float, default=30.0, help="kích thước ô (m), 10–30"
        )
        parser.add_argument("--force", action="store_true", help="dựng lại dù đã có")

    def handle(self, *args, resolution, force, **options):
        if not 10 <= resolution <= 100:
            from django.core.management.base import CommandError

            raise CommandError("resolution must be between 10 and 100 m")
        start = time.monotonic()
        builds = rasters_build(resolution_m=resolution, force=force)
        if not builds:
            self.stdout.write("rasters already built; nothing to do (--force to rebuild)")
            return
        for build in builds:
            self.stdout.write(
                f"{build.province}: {build.cells:,} cells → "
                + ", ".join(f"{k}={p.name}" for k, p in build.files.items())
            )
        self.stdout.write(self.style.SUCCESS(f"rasters built in {time.monotonic() - start:.1f} s"))
