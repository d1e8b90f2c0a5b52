"""What a server process loads before it serves, so that ``gc.freeze()`` in ``wsgi.py`` keeps it
out of the collector's full passes.

Without it, the first requests of each worker import the views (Django resolves its URL
patterns lazily), read the translation catalogues and load MapProxy: some 40,000 objects that
live as long as the process, tracked by the collector, walked by every full collection (a full
pass over them: 27 ms idle, much more under load with the requests' own objects). Loaded here,
before the freeze, they are never walked again (1.6 ms after the same requests, measured
2026-12-07). Nothing here touches the database: a worker starts while the database is down.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import get_resolver
from django.utils import translation


def warm_up() -> None:
    """Import every view, read every language's catalogue, load MapProxy."""
    # What the first resolve() does: walk every pattern, includes too, importing their views.
    get_resolver()._populate()  # noqa: SLF001
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Map")
    import mapproxy.config.loader  # noqa: F401 - MapProxy is loaded by the first map otherwise
    import mapproxy.wsgiapp  # noqa: F401
