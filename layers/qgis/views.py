"""/ows/project.qgz: a QGIS project with every layer the caller may read, styled like the map.

* Layers: the WFS's readable feature types (``layers.wfs.selectors.readable_feature_types``:
  ``planning.access.can_read_layer``, the rights of WFS/WMS capabilities and of ``/ogc/``) that
  the WMS draws (a ``layers.wms.styles`` style), read in QGIS through the WFS 2.0.0.
* Who: the caller as the OGC services see them (``layers.auth.identify``: session, Basic or
  token). QGIS cannot use the browser's session, so a signed-in caller's project carries their
  REST API token (``rest_framework.authtoken``, created on the first download) as QGIS's HTTP
  Basic user ``token`` — ``layers.auth`` reads it as the token (DESIGN.md, "QGIS project
  download"). An anonymous project holds only public layers and no credentials.
* Where: ``?province=<code>`` (a current province), else the caller's unit's current province,
  else the current province holding the most parks and clusters; its VN-2000 TM-3 zone
  (``AdminUnit.zone_srid``) is the project CRS and its boundary the initial view.
"""

from __future__ import annotations

import logging

from django.contrib.gis.geos import GEOSGeometry
from django.http import HttpResponse
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from rest_framework.authtoken.models import Token

from layers import auth
from layers.errors import InvalidParameterValue, OGCException, exception_response
from layers.qgis import project as qp
from layers.wfs.selectors import readable_feature_types
from layers.wms.styles import STYLES
from planning import access, geo, labels
from planning.models import AdminUnit, IndustrialArea
from planning.numbers import active_lang

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/x-qgis-project-container"  # QGIS's own MIME type for .qgz
BACKGROUND = "background"
BACKGROUND_TILES = "admin_units"  # public, drawn for everyone: the raster background
# Groups top first (QGIS draws the top of its layer panel last, on top), each with its layers
# top first: points and lines above areas, the base at the bottom (the web map's draw order).
GROUPS: tuple[tuple[object, tuple[str, ...]], ...] = (
    (
        gettext_lazy("Infrastructure"),
        ("infrastructure_points", "road_interchanges", "road_corridors", "infrastructure_lines"),
    ),
    (gettext_lazy("Proposals"), ("proposals",)),
    (
        gettext_lazy("Industrial parks and clusters"),
        ("secondary_projects", "clearance_parcels", "plan_entries", "industrial_areas"),
    ),
    (gettext_lazy("Analyses"), ("infrastructure_connectors", "suggested_sites")),
    (gettext_lazy("Base map"), ("admin_units", BACKGROUND)),
)
OTHER_GROUP = gettext_lazy("Other layers")
# The vector administrative units duplicate the raster background: listed, not drawn at first.
HIDDEN_AT_FIRST = {"admin_units"}
# No province yet (an empty database): Vietnam in the zone of its centre (105°E, EPSG:5897).
DEFAULT_ZONE = 5897
VIETNAM_WKT = "POLYGON((102 8.4, 109.6 8.4, 109.6 23.4, 102 23.4, 102 8.4))"


class ProvinceNotFound(InvalidParameterValue):
    pass


def choose_province(code: str | None, user=None) -> AdminUnit | None:
    """``?province=`` (a current province's code); else the current province of the caller's
    first unit (a membership's unit, today's or from before the 2025 merger, lies in it); else
    the current province holding the most parks and clusters (an area counts for each province
    its boundary meets)."""
    provinces = AdminUnit.objects.filter(level="province", valid_to__isnull=True).order_by("code")
    if code:
        found = provinces.filter(code=code).first()
        if found is None:
            raise ProvinceNotFound(
                _("no current province has the code %(code)r") % {"code": code},
                locator="province",
            )
        return found
    for membership in access.principal(user).memberships:
        unit = membership.admin_unit
        if unit is not None and unit.boundary is not None:
            found = provinces.filter(boundary__intersects=unit.boundary.point_on_surface).first()
            if found is not None:
                return found
    best, most = None, -1
    for province in provinces:
        areas = IndustrialArea.objects.filter(boundary__intersects=province.boundary).count()
        if areas > most:
            best, most = province, areas
    return best


def province_extent(province: AdminUnit | None, zone: int) -> tuple[float, float, float, float]:
    """The province's box in its zone (a transformed outline, not transformed corners)."""
    if province is None or province.boundary is None:
        boundary = GEOSGeometry(VIETNAM_WKT, srid=geo.STORAGE_SRID)
    else:
        boundary = province.boundary
    shape = geo.transform(geo.to_shapely([boundary])[0], geo.STORAGE_SRID, zone)
    return tuple(float(v) for v in shape.bounds)


def _fields(spec) -> tuple[qp.Field, ...]:
    """The published fields as the map's popups name them (``planning.labels``)."""
    return tuple(
        qp.Field(
            entry["name"],
            entry["label"],
            tuple(entry.get("choices", {}).items()),
        )
        for entry in labels.layer_fields(spec)
    )


def _layers(user, request) -> list[qp.Group]:
    readable = {ft.spec.name: ft.spec for ft in readable_feature_types(user)}
    drawn = {name: spec for name, spec in readable.items() if name in STYLES}
    listed = {name for _title, names in GROUPS for name in names}
    tiles = request.build_absolute_uri(
        reverse("layers:tiles", kwargs={"path": "LAYER"}).replace(
            "LAYER", f"{BACKGROUND_TILES}/GLOBAL_WEBMERCATOR/{{z}}/{{x}}/{{y}}.png"
        )
    )
    groups = []
    # A layer the catalogue gains later: in "Other layers", above the base map.
    other = (OTHER_GROUP, tuple(sorted(set(drawn) - listed)))
    for title, names in (*GROUPS[:-1], other, GROUPS[-1]):
        members: list[qp.VectorLayer | qp.RasterLayer] = []
        for name in names:
            if name == BACKGROUND:
                members.append(qp.RasterLayer(BACKGROUND, _("Background map (WMTS)"), tiles))
            elif name in drawn:
                members.append(
                    qp.VectorLayer(
                        name,
                        str(drawn[name].title),
                        STYLES[name],
                        visible=name not in HIDDEN_AT_FIRST,
                        fields=_fields(drawn[name]),
                        editable=access.can_edit_layer(user, drawn[name]),
                    )
                )
        if any(isinstance(m, qp.VectorLayer) for m in members):
            groups.append(qp.Group(str(title), tuple(members)))
    return groups


def build(request, user, *, credentials: tuple[str, str] | None) -> tuple[qp.Project, str]:
    province = choose_province(request.GET.get("province") or None, user)
    zone = province.zone_srid if province is not None else DEFAULT_ZONE
    name = province.name if province is not None else "Việt Nam"
    title = _("KCN Planner — %(province)s") % {"province": name}
    notes = []
    if credentials:
        notes.append(
            _(
                "This project carries your access token for the service's layers: keep it like a "
                "password; an administrator can revoke the token."
            )
        )
    project = qp.Project(
        title=title,
        lang=active_lang(),
        wfs_url=request.build_absolute_uri(reverse("layers:wfs")),
        crs_epsg=zone,
        extent=province_extent(province, zone),
        groups=tuple(_layers(user, request)),
        credentials=credentials,
        abstract=_(
            "Industrial parks and clusters: the layers you may read, through the service's OGC "
            "services, styled like the web map."
        ),
        notes=tuple(notes),
    )
    return project, f"kcn_planner_{slugify(name) or 'project'}"


@require_safe
def project_qgz(request):
    """The caller's QGIS project as a .qgz download."""
    try:
        caller = auth.identify(request)
        credentials = None
        if caller.is_authenticated:
            token, _created = Token.objects.get_or_create(user=caller.user)
            credentials = (auth.TOKEN_USERNAME, token.key)
        project, filename = build(request, caller.user, credentials=credentials)
    except OGCException as exc:
        return exception_response(exc)
    response = HttpResponse(qp.qgz(project, name=filename), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.qgz"'
    # Signed in, the file holds a credential: never stored by a cache. Anonymous, it depends on
    # the language and the host only.
    response["Cache-Control"] = "private, no-store" if credentials else "no-cache"
    response["Vary"] = "Cookie, Authorization, Accept-Language"
    return response
