"""Which CRS a source is in: the file's own, ``--srs``, or a guess from the coordinates.

Every CRS is reduced to an EPSG code when PROJ can identify it, so the transformation to
WGS 84 is the EPSG one (EPSG:6960 "VN-2000 to WGS 84 (2)" for VN-2000, DOMAIN.md §4.2) and not
whatever a file's WKT happens to imply.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from layers.io.doors import COMMAND, Door
from layers.io.errors import LayerImportError
from planning import geo
from planning.numbers import number
from planning.selectors.admin_units import ProvinceOutline, province_outlines

# VN-2000 TM-3 coordinates in Vietnam (DOMAIN.md §4.1: false easting 500 000 m, zones 3° wide;
# northings from about 8.3° N to 23.4° N).
TM3_EASTING = (300_000.0, 800_000.0)
TM3_NORTHING = (900_000.0, 2_600_000.0)

#: The VN-2000 TM-3 zones (DOMAIN.md §4.1): the national zones 481, 482, 491 and 107-45
#: (EPSG:5896–5899) and the provincial central meridians (EPSG:9205–9218). A TM-3 easting says
#: how far a point is from its zone's meridian, not which meridian: the zone of a file without a
#: CRS is found by where the features land (:func:`tm3_zone_for`).
TM3_ZONES = (5896, 5897, 5898, 5899, *range(9205, 9219))

# Below this PROJ confidence an identification is a guess (a custom CRS that merely resembles one).
MIN_CONFIDENCE = 70


@dataclass(frozen=True)
class SourceCRS:
    crs: CRS
    key: int | str  # what planning.geo.transform gets: an EPSG code, else the WKT
    label: str  # "EPSG:9217 (VN-2000 / TM-3 108-15)"

    @property
    def epsg(self) -> int | None:
        return self.key if isinstance(self.key, int) else None


def from_epsg(code: int) -> SourceCRS:
    crs = CRS.from_epsg(code)
    return SourceCRS(crs, code, f"EPSG:{code} ({crs.name})")


def parse_srs(value: int | str, *, door: Door = COMMAND) -> SourceCRS:
    """``--srs``: 9217, "9217", "EPSG:9217" or any other text pyproj understands."""
    text = str(value).strip()
    try:
        crs = CRS.from_epsg(int(text)) if text.isdigit() else CRS.from_user_input(text)
    except CRSError as exc:
        raise LayerImportError(
            _("unknown CRS %(srs)s: %(error)s") % {"srs": repr(text), "error": exc}
        ) from exc
    return identify(crs, origin=door.given("srs", text), door=door)


def identify(crs_or_text, *, origin: str, door: Door = COMMAND) -> SourceCRS:
    """Reduce a CRS to its EPSG code, or refuse one whose WGS 84 path PROJ would only guess.

    ``origin`` names where the CRS comes from, in the active language ("the file", "--srs 9217").
    """
    try:
        crs = crs_or_text if isinstance(crs_or_text, CRS) else CRS.from_user_input(crs_or_text)
    except CRSError as exc:
        raise LayerImportError(
            _("cannot read the CRS of %(origin)s: %(error)s") % {"origin": origin, "error": exc}
        ) from exc
    code = crs.to_epsg(min_confidence=MIN_CONFIDENCE)
    if code is not None:
        return from_epsg(code)
    datum = crs.datum.name if crs.datum else ""
    op = Transformer.from_crs(crs, geo.STORAGE_SRID, always_xy=True).description or ""
    if "ballpark" in op.lower() and ("Vietnam" in datum or "VN" in datum.replace("-", "")):
        # Without the EPSG:6960 datum shift a VN-2000 layer lands ~225 m off (DOMAIN.md §4.2).
        raise LayerImportError(
            _(
                "the CRS of %(origin)s (%(name)s) is VN-2000 but is not an EPSG system PROJ can "
                "identify, so the VN-2000 → WGS 84 shift is unknown; pass %(srs)s with its EPSG "
                "code"
            )
            % {"origin": origin, "name": crs.name, "srs": door.option("srs")}
        )
    return SourceCRS(crs, crs.to_wkt(), _("%(name)s (not an EPSG system)") % {"name": crs.name})


def _inside(bounds, x_range, y_range) -> bool:
    minx, miny, maxx, maxy = bounds
    return x_range[0] <= minx and maxx <= x_range[1] and y_range[0] <= miny and maxy <= y_range[1]


def coordinate(value: float) -> str:
    """A coordinate to six significant digits (never in exponent form), in the active language's
    separators: ``109.005`` / ``109,005``, ``1,550,000`` / ``1.550.000``."""
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    whole = len(str(int(abs(value)))) if abs(value) >= 1 else 1
    digits = max(0, 6 - whole)
    text = number(value, digits)
    if digits:
        decimal = text[-digits - 1]
        text = text.rstrip("0").rstrip(decimal)
    return text


def describe_bounds(bounds) -> str:
    """``(580000, 1550000) – (581000, 1551000)``; in Vietnamese the decimal comma makes ``;`` the
    separator between x and y."""
    minx, miny, maxx, maxy = bounds
    return _("(%(minx)s, %(miny)s) – (%(maxx)s, %(maxy)s)") % {
        "minx": coordinate(minx),
        "miny": coordinate(miny),
        "maxx": coordinate(maxx),
        "maxy": coordinate(maxy),
    }


def looks_like(bounds) -> str | None:
    """ "lonlat", "tm3", "tm3-swapped" or None, from the coordinates alone."""
    ex0, ey0, ex1, ey1 = settings.PLANNING_EXTENT
    if _inside(bounds, (ex0, ex1), (ey0, ey1)):
        return "lonlat"
    if _inside(bounds, TM3_EASTING, TM3_NORTHING):
        return "tm3"
    if _inside(bounds, TM3_NORTHING, TM3_EASTING):
        return "tm3-swapped"
    return None


def hint_for(bounds, *, door: Door = COMMAND) -> str:
    """What the coordinates look like and what to do about it (a clause; "" when they look like
    nothing known)."""
    kind = looks_like(bounds)
    if kind == "tm3":
        return _(
            "they look like VN-2000 TM-3 metres — pass %(srs)s with the zone's EPSG code "
            "(e.g. 9217 for Bình Định, 9209 for Sóc Trăng)"
        ) % {"srs": door.option("srs")}
    if kind == "tm3-swapped":
        return _(
            "they look like VN-2000 metres with X = northing and Y = easting (the survey "
            "convention) — swap the columns to easting, northing"
        )
    return ""


def the_file() -> str:
    """Where a CRS came from when the file declares it (``origin`` of :func:`identify`)."""
    return _("the file")


def resolve_source_crs(
    *,
    file_crs: str | None,
    srs,
    bounds,
    door: Door = COMMAND,
    geoms=None,
    provinces: list[ProvinceOutline] | None = None,
) -> tuple[SourceCRS, list[str]]:
    """The CRS to read coordinates in, and the warnings to show.

    ``srs`` (``--srs``) always wins. A file without a CRS is read as EPSG:4326 when its
    coordinates look like lon/lat in Vietnam; when they look like VN-2000 TM-3 metres, in the
    one zone that puts every feature (``geoms``, in the file's coordinates) inside a province
    surveyed in that zone (:func:`tm3_zone_for`), and refused when no zone or several do;
    refused otherwise. Messages name the option the way ``door`` does (``--srs`` for the
    command, ``srs`` for the API).
    """
    warnings: list[str] = []
    option = door.option("srs")
    if srs not in (None, ""):
        chosen = parse_srs(srs, door=door)
        if file_crs:
            declared = identify(file_crs, origin=the_file(), door=door)
            if declared.key != chosen.key:
                warnings.append(
                    _("the file says %(declared)s; reading it as %(chosen)s (%(srs)s)")
                    % {"declared": declared.label, "chosen": chosen.label, "srs": option}
                )
        return chosen, warnings
    if file_crs:
        return identify(file_crs, origin=the_file(), door=door), warnings
    if bounds is None:
        raise LayerImportError(
            _("the file has no CRS and no geometries to guess one from; pass %(srs)s")
            % {"srs": option}
        )
    kind = looks_like(bounds)
    if kind == "lonlat":
        chosen = from_epsg(geo.STORAGE_SRID)
        warnings.append(
            _(
                "the file has no CRS; its coordinates look like longitude/latitude "
                "in Vietnam, assuming %(crs)s; pass %(srs)s to override"
            )
            % {"crs": f"EPSG:{geo.STORAGE_SRID} {chosen.crs.name}", "srs": option}
        )
        return chosen, warnings
    if kind == "tm3":
        if geoms is None:  # only the extent is known: its centre stands for the features
            minx, miny, maxx, maxy = bounds
            geoms = np.array([shapely.Point((minx + maxx) / 2, (miny + maxy) / 2)])
        chosen, note = tm3_zone_for(geoms, bounds=bounds, door=door, provinces=provinces)
        warnings.append(note)
        return chosen, warnings
    parts = [
        _(
            "the file has no CRS and its coordinates %(bounds)s are neither longitude/latitude "
            "in Vietnam nor VN-2000 TM-3 metres"
        )
        % {"bounds": describe_bounds(bounds)},
        hint_for(bounds, door=door),
        _("pass %(srs)s") % {"srs": option},
    ]
    raise LayerImportError("; ".join(p for p in parts if p))


@dataclass(frozen=True)
class ZoneLanding:
    """Where the features land when read in one TM-3 zone: the smallest of the service's
    provinces (any period) that contains every one of them, and whether each feature's own
    province — the smallest one containing it — is surveyed in that zone."""

    zone: SourceCRS
    province: ProvinceOutline
    each_surveyed_in_zone: bool

    @property
    def fits(self) -> bool:
        return self.each_surveyed_in_zone

    def describe(self) -> str:
        """``EPSG:9209 (VN-2000 / TM-3 105-30) → Sóc Trăng (1992–2025)``."""
        return _("%(crs)s → %(province)s") % {
            "crs": self.zone.label,
            "province": self.province.name,
        }


def zone_landings(geoms, provinces: list[ProvinceOutline]) -> list[ZoneLanding]:
    """For each TM-3 zone in which every feature of ``geoms`` (shapely, in the file's metres)
    lands inside one province of ``provinces`` (sorted smallest first): that zone, the smallest
    province containing them all, and whether the smallest province containing each feature is
    surveyed in the zone.

    A feature lands where its point on surface lands (a point inside the feature, also for a
    line or a concave polygon).
    """
    geoms = np.asarray(geoms, dtype=object)
    geoms = geoms[~shapely.is_missing(geoms)]
    geoms = geoms[~shapely.is_empty(geoms)]
    if not len(geoms) or not provinces:
        return []
    xy = shapely.get_coordinates(shapely.point_on_surface(geoms))
    out = []
    for code in TM3_ZONES:
        lon, lat = geo.transformer(code, geo.STORAGE_SRID).transform(xy[:, 0], xy[:, 1])
        lon, lat = np.asarray(lon), np.asarray(lat)
        if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
            continue
        inside = np.array([shapely.contains_xy(p.outline, lon, lat) for p in provinces])
        if not inside.any(axis=0).all():
            continue  # a feature outside every province
        whole = next((p for p, hit in zip(provinces, inside, strict=True) if hit.all()), None)
        if whole is None:
            continue  # the features fall in different provinces
        own = inside.argmax(axis=0)  # each feature's smallest province
        surveyed = all(code in provinces[i].zones for i in set(own.tolist()))
        out.append(ZoneLanding(from_epsg(code), whole, surveyed))
    return out


def tm3_zone_for(
    geoms,
    *,
    bounds,
    door: Door = COMMAND,
    provinces: list[ProvinceOutline] | None = None,
) -> tuple[SourceCRS, str]:
    """The TM-3 zone of a file without a CRS whose coordinates look like VN-2000 metres, and
    the sentence saying how it was chosen; refuse when no zone or several fit.

    A zone fits when, read in it, all features land inside one of the service's provinces
    (AdminUnit outlines of any period) and each lands in a province surveyed in that zone — the
    smallest province containing it, so a pre-2025 province speaks for its part of a merged one
    (DOMAIN.md §4.1: Sóc Trăng 9209, Hậu Giang 5897, Bình Định 9217, ...; a province formed on
    1 July 2025 counts its predecessors' zones too). Neighbouring zones are 15'–30' of
    longitude apart, so the same metres read in the next zone land some 27 km away, often
    still inside a province — but one surveyed in another zone: that reading does not fit.
    Two zones that both fit (a Sóc Trăng file near Hậu Giang, surveyed in 5897) are refused
    with both named: the service never picks one silently.
    """
    provinces = province_outlines() if provinces is None else provinces
    landings = zone_landings(geoms, provinces)
    fitting = [landing for landing in landings if landing.fits]
    option = door.option("srs")
    if len(fitting) == 1:
        chosen = fitting[0]
        note = _(
            "the file has no CRS; its coordinates look like VN-2000 TM-3 metres, and only "
            "%(crs)s puts every feature inside a province surveyed in that zone "
            "(%(province)s): read in that zone; pass %(srs)s to override"
        ) % {"crs": chosen.zone.label, "province": chosen.province.name, "srs": option}
        others = [landing.describe() for landing in landings if not landing.fits]
        if others:
            note += _(
                " (read in these zones they also land in a province, but not one surveyed in "
                "them: %(others)s)"
            ) % {"others": "; ".join(others)}
        return chosen.zone, note
    if len(fitting) > 1:
        raise LayerImportError(
            _(
                "the file has no CRS and its coordinates look like VN-2000 TM-3 metres, but "
                "%(n)s zones put every feature inside a province surveyed in them: "
                "%(candidates)s; pass %(srs)s with the right zone"
            )
            % {
                "n": number(len(fitting)),
                "candidates": "; ".join(landing.describe() for landing in fitting),
                "srs": option,
            }
        )
    if landings:
        raise LayerImportError(
            _(
                "the file has no CRS and its coordinates look like VN-2000 TM-3 metres, but no "
                "zone puts every feature inside a province surveyed in it (%(candidates)s); "
                "pass %(srs)s with the zone's EPSG code"
            )
            % {
                "candidates": "; ".join(landing.describe() for landing in landings),
                "srs": option,
            }
        )
    raise LayerImportError(
        _(
            "the file has no CRS and its coordinates %(bounds)s look like VN-2000 TM-3 metres, "
            "but read in any VN-2000 TM-3 zone (EPSG:5896–5899, 9205–9218) its features do not "
            "all land inside one of the service's provinces; pass %(srs)s with the zone's "
            "EPSG code"
        )
        % {"bounds": describe_bounds(bounds), "srs": option}
    )
