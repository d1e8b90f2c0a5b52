"""Which CRS a source is in: the file's own, ``--srs``, or a guess from the coordinates.

Every CRS is reduced to an EPSG code when PROJ can identify it, so the transformation to
WGS 84 is the EPSG one (EPSG:6960 "VN-2000 to WGS 84 (2)" for VN-2000, DOMAIN.md §4.2) and not
whatever a file's WKT happens to imply.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from layers.io.doors import COMMAND, Door
from layers.io.errors import LayerImportError
from planning import geo
from planning.numbers import number

# VN-2000 TM-3 coordinates in Vietnam (DOMAIN.md §4.1: false easting 500 000 m, zones 3° wide;
# northings from about 8.3° N to 23.4° N).
TM3_EASTING = (300_000.0, 800_000.0)
TM3_NORTHING = (900_000.0, 2_600_000.0)

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
    *, file_crs: str | None, srs, bounds, door: Door = COMMAND
) -> tuple[SourceCRS, list[str]]:
    """The CRS to read coordinates in, and the warnings to show.

    ``srs`` (``--srs``) always wins. A file without a CRS is read as EPSG:4326 when its
    coordinates look like lon/lat in Vietnam, as the default TM-3 zone when they look like
    VN-2000 metres (eastings cannot tell the zone apart), and refused otherwise. Messages name
    the option the way ``door`` does (``--srs`` for the command, ``srs`` for the API).
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
    if kind in ("lonlat", "tm3"):
        code = geo.STORAGE_SRID if kind == "lonlat" else settings.PLANNING_DEFAULT_METRIC_SRID
        chosen = from_epsg(code)
        values = {"crs": f"EPSG:{code} {chosen.crs.name}", "srs": option}
        if kind == "lonlat":
            warnings.append(
                _(
                    "the file has no CRS; its coordinates look like longitude/latitude "
                    "in Vietnam, assuming %(crs)s; pass %(srs)s to override"
                )
                % values
            )
        else:
            warnings.append(
                _(
                    "the file has no CRS; its coordinates look like VN-2000 TM-3 metres, "
                    "assuming %(crs)s; pass %(srs)s to override"
                )
                % values
            )
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
