"""Reads for the WFS: which feature types a user sees, querysets for queries, pages of rows.

Reading follows the WMS: a layer the user may read (``planning.access.can_read_layer``) is
published whole, except the rows ``access.readable_rows`` keeps private (other units' draft
proposals). Administrative-unit scope (``access.scope_filter``) restricts what a user may
*edit* (see ``layers.wfs.transactions``), not what a reader of the layer sees.

A layer the user may not read is answered as if it did not exist for anonymous users
(InvalidParameterValue, 400: hidden layers must not reveal themselves) and with AccessDenied
(403) for signed-in users, who know the service and deserve the real reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import AsWKB
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from layers.catalogue import UnknownLayer
from layers.errors import AccessDenied, InvalidParameterValue
from layers.wfs import crs as crs_mod
from layers.wfs.crs import CRSRef
from layers.wfs.filters import bbox_q, filter_q, resource_ids_q
from layers.wfs.requests import Query
from layers.wfs.schema import FeatureType, Prop, all_feature_types, feature_type
from planning import access, geo

WKB = "wfs_geometry_wkb"


def readable_feature_types(user) -> list[FeatureType]:
    return [ft for ft in all_feature_types() if access.can_read_layer(user, ft.spec)]


def editable_feature_types(user) -> list[FeatureType]:
    return [ft for ft in all_feature_types() if access.can_edit_layer(user, ft.spec)]


def readable_feature_type(name: str, user, *, locator: str = "typeNames") -> FeatureType:
    unknown = InvalidParameterValue(
        _("unknown feature type %(name)s") % {"name": repr(name)}, locator=locator
    )
    try:
        ftype = feature_type(name)
    except UnknownLayer:
        raise unknown from None
    if not access.can_read_layer(user, ftype.spec):
        if getattr(user, "is_authenticated", False):
            raise AccessDenied(
                _("you may not read the feature type %(name)s") % {"name": repr(name)},
                locator=locator,
            )
        raise unknown
    return ftype


def selected_properties(
    ftype: FeatureType, names: list[str] | None, *, locator: str = "propertyName"
) -> tuple[list[Prop], bool]:
    """The published properties to write (schema order) and whether the geometry is one of them."""
    if not names:
        return list(ftype.props), True
    wanted = set()
    for name in names:
        if name != ftype.geometry and ftype.prop(name) is None:
            raise InvalidParameterValue(
                _("%(type)s has no property %(name)s; its properties: %(properties)s")
                % {
                    "type": ftype.name,
                    "name": repr(name),
                    "properties": ", ".join(ftype.property_names),
                },
                locator=locator,
            )
        wanted.add(name)
    return [p for p in ftype.props if p.name in wanted], ftype.geometry in wanted


def _order(ftype: FeatureType, sort_by: list[tuple[str, bool]]) -> list[str]:
    order = []
    for name, descending in sort_by:
        prop = ftype.prop(name)
        if prop is None:
            raise InvalidParameterValue(
                _("cannot sort %(type)s by %(name)s; sortable: %(properties)s")
                % {
                    "type": ftype.name,
                    "name": repr(name),
                    "properties": ", ".join(p.name for p in ftype.props),
                },
                locator="sortBy",
            )
        order.append(("-" if descending else "") + prop.path)
    # Paging needs a total order: the primary key breaks every tie.
    return [*order, "pk"]


def query_queryset(ftype: FeatureType, query: Query, *, version: str, user=None) -> QuerySet:
    qs = access.readable_rows(user, ftype.spec, ftype.model._default_manager.all())
    if query.filter is not None:
        qs = qs.filter(filter_q(query.filter, ftype, default_crs=query.srs_name, version=version))
    if query.bbox is not None:
        qs = qs.filter(bbox_q(query.bbox, ftype, default_crs=query.srs_name, version=version))
    if query.resource_ids is not None:
        qs = qs.filter(resource_ids_q(query.resource_ids, ftype))
    return qs.order_by(*_order(ftype, query.sort_by))


@dataclass
class Page:
    pks: list
    rows: list[tuple]
    geoms: np.ndarray | None  # shapely, EPSG:4326 longitude/latitude


def fetch_page(
    qs: QuerySet, props: list[Prop], *, geometry: str | None, start: int, count: int
) -> Page:
    """One query for a page: values of ``props`` (relations by natural key, joined) and WKB."""
    if count <= 0:
        return Page([], [], np.empty(0, dtype=object) if geometry else None)
    columns = ["pk", *[p.path for p in props]]
    if geometry:
        qs = qs.annotate(**{WKB: AsWKB(geometry)})
        columns.append(WKB)
    data = list(qs.values_list(*columns)[start : start + count])
    pks = [row[0] for row in data]
    if geometry:
        rows = [row[1:-1] for row in data]
        geoms = shapely.from_wkb([None if row[-1] is None else bytes(row[-1]) for row in data])
        geoms = np.asarray(geoms, dtype=object).reshape(-1)
    else:
        rows = [row[1:] for row in data]
        geoms = None
    return Page(pks, rows, geoms)


def project(geoms: np.ndarray | None, srs: CRSRef, *, force_xy: bool = False) -> np.ndarray | None:
    """EPSG:4326 lon/lat geometries into ``srs`` (pyproj, EPSG:6960 for VN-2000) and its axis
    order."""
    if geoms is None or not len(geoms):
        return geoms
    if srs.epsg != crs_mod.STORAGE_EPSG:
        t = geo.transformer(crs_mod.STORAGE_EPSG, srs.epsg)

        def reproject(coords):
            x, y = t.transform(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        geoms = shapely.transform(geoms, reproject)
    if not srs.xy and not force_xy:
        geoms = shapely.transform(geoms, lambda c: c[:, ::-1])
    return geoms


def layer_extent(ftype: FeatureType) -> tuple[float, float, float, float] | None:
    return ftype.model._default_manager.aggregate(e=Extent(ftype.geometry))["e"]
