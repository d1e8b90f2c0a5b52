"""System checks: the generated MapProxy configuration must validate (MapProxy's own messages)."""
from django.core import checks


@checks.register("layers")
def check_map_services(app_configs=None, **kwargs):
    import shutil

    from layers.catalogue import CATALOGUE
    from layers.wms.app import MAPSERV, published_columns, validate
    from layers.wms.mapfile import mapfile_layers
    from layers.wms.mapproxy_config import build_mapproxy_config

    messages = []
    if not shutil.which(MAPSERV) and not __import__("os").path.exists(MAPSERV):
        messages.append(checks.Error(f"MapServer CGI {MAPSERV} not found", hint="apt-get install cgi-mapserver",
                                     id="layers.E002"))
    layers = mapfile_layers(CATALOGUE.values(), published_columns)
    conf = build_mapproxy_config(layers, mapfile="/tmp/check.map", mapserv=MAPSERV, working_dir="/tmp",
                                 cache_dir="/tmp/kcn-check-cache")
    for problem in validate(conf):
        messages.append(checks.Error(f"MapProxy: {problem}", id="layers.E001"))
    return messages
