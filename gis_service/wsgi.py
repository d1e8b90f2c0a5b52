import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_service.settings.local")
application = get_wsgi_application()

# Vector tiles through a short door (layers/vectortiles/fastpath.py), imported once Django is set.
from layers.vectortiles.fastpath import wrap  # noqa: E402

application = wrap(application)

# Load now what the first requests would load (views, catalogues, MapProxy: gis_service/warmup.py).
from gis_service.warmup import warm_up  # noqa: E402

warm_up()

# What is loaded now (Django, the catalogue, GDAL and MapProxy modules) lives as long as the
# process: keep it out of the collector's full passes, which walked all of it under load (gen2
# passes of 75-95 ms in a tile worker, stalling every thread of the process; issue 16).
gc.freeze()
