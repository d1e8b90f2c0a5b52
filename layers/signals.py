"""Keep the tile caches true to the data: every save or delete refreshes the tiles it touches —
the raster tiles (MapProxy's cache) and the vector tiles (``layers.vectortiles.cache``: the
collection's and, for a public collection, the public tileset's)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from layers import tilestore
from layers.catalogue import CATALOGUE
from layers.vectortiles import cache as vector_cache
from layers.wms.app import cache_dir, service_key
from planning.signals import analysis_results_written

log = logging.getLogger(__name__)


def _extent(geom):
    if geom is None:
        return None
    return (
        geom.transform(4326, clone=True).extent if geom.srid and geom.srid != 4326 else geom.extent
    )


def _union(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _vector_caches(layer: str) -> list[str]:
    """The vector tile caches holding ``layer`` (issue 14 map)."""
    if layer == "basemap":
        return [vector_cache.BASEMAP]
    spec = CATALOGUE.get(layer)
    if spec is not None and "anonymous" in spec.read_roles:
        return [layer, vector_cache.PUBLIC]
    return [layer]


def refresh_extent(layer: str, extent) -> None:
    if extent is None:
        return
    n = tilestore.refresh_raster_extent(service_key(), cache_dir(layer), layer, extent)
    n += vector_cache.refresh_extent(_vector_caches(layer), extent)
    if n:
        log.info("refreshed %d cached tiles of %s", n, layer)


def refresh_layer(layer: str) -> None:
    """After bulk loads: drop the whole cache of a layer."""
    tilestore.refresh_raster_all(service_key(), cache_dir(layer), layer)
    vector_cache.refresh_all(_vector_caches(layer))


def refresh_layer_on_commit(layer: str) -> None:
    """For bulk writes that send no model signals: drop the layer's cache once committed."""
    transaction.on_commit(lambda: refresh_layer(layer))


def refresh_analysis_layers(sender, *, layers=(), **kwargs):
    """``planning.signals.analysis_results_written``: drop the written layers' caches."""
    for layer in layers:
        refresh_layer_on_commit(layer)


def _spec_for(sender):
    label = sender._meta.label
    return [s for s in CATALOGUE.values() if s.model_label == label]


def remember_old_extent(sender, instance, **kwargs):
    for spec in _spec_for(sender):
        if instance.pk is None:
            continue
        old = (
            sender._default_manager.filter(pk=instance.pk)
            .values_list(spec.geometry_field, flat=True)
            .first()
        )
        instance._kcn_old_extent = _extent(old)


def refresh_after_save(sender, instance, **kwargs):
    for spec in _spec_for(sender):
        extent = _union(
            getattr(instance, "_kcn_old_extent", None),
            _extent(getattr(instance, spec.geometry_field)),
        )
        transaction.on_commit(lambda s=spec.name, e=extent: refresh_extent(s, e))


def refresh_after_delete(sender, instance, **kwargs):
    for spec in _spec_for(sender):
        extent = _extent(getattr(instance, spec.geometry_field))
        transaction.on_commit(lambda s=spec.name, e=extent: refresh_extent(s, e))


def connect() -> None:
    analysis_results_written.connect(refresh_analysis_layers, dispatch_uid="kcn-tiles-analyses")
    for spec in CATALOGUE.values():
        model = spec.model
        uid = f"kcn-tiles-{spec.name}"
        pre_save.connect(remember_old_extent, sender=model, dispatch_uid=uid + "-pre")
        post_save.connect(refresh_after_save, sender=model, dispatch_uid=uid + "-post")
        post_delete.connect(refresh_after_delete, sender=model, dispatch_uid=uid + "-del")
