"""System checks: the generated MapProxy configuration must validate (MapProxy's own messages)."""

import os
import shutil
import tempfile

from django.core import checks

from layers.catalogue import CATALOGUE
from layers.wms import mapproxy_config
from layers.wms.app import MAPSERV, published_columns, validate
from layers.wms.mapfile import mapfile_layers


@checks.register("layers")
def check_map_services(app_configs=None, **kwargs):
    messages = []
    if not shutil.which(MAPSERV) and not os.path.exists(MAPSERV):
        messages.append(
            checks.Error(
                f"MapServer CGI {MAPSERV} not found",
                hint="apt-get install cgi-mapserver",
                id="layers.E002",
            )
        )
    layers = mapfile_layers(CATALOGUE.values(), published_columns)
    # The paths only have to be well formed: a private folder, never a fixed name in the shared
    # system temp folder (two checks at once, or another user's file, must not meet there).
    with tempfile.TemporaryDirectory(prefix="kcn-check-") as tmp:
        conf = mapproxy_config.build_mapproxy_config(
            layers,
            mapfile=f"{tmp}/check.map",
            mapserv=MAPSERV,
            working_dir=tmp,
            cache_dir=f"{tmp}/cache",
        )
        for problem in validate(conf):
            messages.append(checks.Error(f"MapProxy: {problem}", id="layers.E001"))
    return messages
