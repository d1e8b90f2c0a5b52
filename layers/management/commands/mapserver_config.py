"""``manage.py mapserver_config``: write MapServer 8's configuration file and print its path.

MapServer refuses a map path unless the file named by ``MAPSERVER_CONFIG_FILE`` allows it
(``MS_MAP_PATTERN``: the map services this checkout builds under ``KCN_VAR_DIR``). The service
writes it itself when it runs MapServer as a CGI process; a long-lived FastCGI MapServer
(README "Production": ``spawn-fcgi … /usr/bin/mapserv``) reads it when it starts, so write it
first:

    MAPSERVER_CONFIG_FILE=$(manage.py mapserver_config) spawn-fcgi … -- /usr/bin/mapserv
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy

from layers.management.base import LanguageCommand


class Command(LanguageCommand):
    help = gettext_lazy(
        "Write MapServer's configuration file (MS_MAP_PATTERN for this service's maps) and "
        "print its path."
    )

    def handle(self, *args, **options):
        from layers.wms.app import mapserver_config_file

        self.stdout.write(str(mapserver_config_file(Path(settings.VAR_DIR) / "mapserver")))
