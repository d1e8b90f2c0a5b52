import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gis_service.settings.local")
application = get_wsgi_application()

# Vector tiles through a short door (layers/vectortiles/fastpath.py), imported once Django is set.
from layers.vectortiles.fastpath import wrap  # noqa: E402

application = wrap(application)
