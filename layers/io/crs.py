"""Which CRS a source is in: the file's own, ``--srs``, or a guess from the coordinates.

Every CRS is reduced to an EPSG code when PROJ can identify it, so the transformation to
WGS 84 is the EPSG one (EPSG:6960 "VN-2000 to WGS 84 (2)" for VN-2000, DOMAIN.md §4.2) and not
whatever a file's WKT happens to imply.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from layers.io.errors import LayerImportError
from planning import geo

# VN-2000 TM-3 coordinates in Vietnam (DOMAIN.md §4.1: false easting 500 000 m, zones 3° wide;
# northings from about 8.3° N to 23.4° N).
TM3_EASTING = (300_000.0, 800_000.0)
TM3_NORTHING = (900_000.0, 2_600_000.0)

# Below this PROJ confidence an identification is a guess (a custom CRS that merely resembles one).
MIN_CONFIDENCE = 70


@dataclass(frozen=True)
class SourceCRS:
    crs: CRS
    key: int | str      # what planning.geo.transform gets: an EPSG code, else the WKT
    label: str          # "EPSG:9217 (VN-2000 / TM-3 108-15)"

    @property
    def epsg(self) -> int | None:
        return self.key if isinstance(self.key, int) else None


def from_epsg(code: int) -> SourceCRS:
    crs = CRS.from_epsg(code)
    return SourceCRS(crs, code, f"EPSG:{code} ({crs.name})")


def parse_srs(value: int | str) -> SourceCRS:
    """``--srs``: 9217, "9217", "EPSG:9217" or any other text pyproj understands."""
    text = str(value).strip()
    try:
        crs = CRS.from_epsg(int(text)) if text.isdigit() else CRS.from_user_input(text)
    except CRSError as exc:
        raise LayerImportError(f"unknown CRS {text!r}: {exc}") from exc
    return identify(crs, origin=f"--srs {text}")


def identify(crs_or_text, *, origin: str) -> SourceCRS:
    """Reduce a CRS to its EPSG code, or refuse one whose WGS 84 path PROJ would only guess."""
    try:
        crs = crs_or_text if isinstance(crs_or_text, CRS) else CRS.from_user_input(crs_or_text)
    except CRSError as exc:
        raise LayerImportError(f"cannot read the CRS of {origin}: {exc}") from exc
    code = crs.to_epsg(min_confidence=MIN_CONFIDENCE)
    if code is not None:
        return from_epsg(code)
    datum = crs.datum.name if crs.datum else ""
    op = Transformer.from_crs(crs, geo.STORAGE_SRID, always_xy=True).description or ""
    if "ballpark" in op.lower() and ("Vietnam" in datum or "VN" in datum.replace("-", "")):
        # Without the EPSG:6960 datum shift a VN-2000 layer lands ~225 m off (DOMAIN.md §4.2).
        raise LayerImportError(
            f"the CRS of {origin} ({crs.name}) is VN-2000 but is not an EPSG system PROJ can "
            f"identify, so the VN-2000 → WGS 84 shift is unknown; pass --srs with its EPSG code"
        )
    return SourceCRS(crs, crs.to_wkt(), f"{crs.name} (not an EPSG system)")


def _inside(bounds, x_range, y_range) -> bool:
    minx, miny, maxx, maxy = bounds
    return x_range[0] <= minx and maxx <= x_range[1] and y_range[0] <= miny and maxy <= y_range[1]


def describe_bounds(bounds) -> str:
    minx, miny, maxx, maxy = bounds
    return f"({minx:.6g}, {miny:.6g}) – ({maxx:.6g}, {maxy:.6g})"


def looks_like(bounds) -> str | None:
    """"lonlat", "tm3", "tm3-swapped" or None, from the coordinates alone."""
    ex0, ey0, ex1, ey1 = settings.PLANNING_EXTENT
    if _inside(bounds, (ex0, ex1), (ey0, ey1)):
        return "lonlat"
    if _inside(bounds, TM3_EASTING, TM3_NORTHING):
        return "tm3"
    if _inside(bounds, TM3_NORTHING, TM3_EASTING):
        return "tm3-swapped"
    return None


def hint_for(bounds) -> str:
    kind = looks_like(bounds)
    if kind == "tm3":
        return ("; they look like VN-2000 TM-3 metres — pass --srs with the zone's EPSG code "
                "(e.g. 9217 for Bình Định, 9209 for Sóc Trăng)")
    if kind == "tm3-swapped":
        return ("; they look like VN-2000 metres with X = northing and Y = easting (the survey "
                "convention) — swap the columns to easting, northing")
    return ""


def resolve_source_crs(*, file_crs: str | None, srs, bounds) -> tuple[SourceCRS, list[str]]:
    """The CRS to read coordinates in, and the warnings to show.

    ``srs`` (``--srs``) always wins. A file without a CRS is read as EPSG:4326 when its
    coordinates look like lon/lat in Vietnam, as the default TM-3 zone when they look like
    VN-2000 metres (eastings cannot tell the zone apart), and refused otherwise.
    """
    warnings: list[str] = []
    if srs not in (None, ""):
        chosen = parse_srs(srs)
        if file_crs:
            declared = identify(file_crs, origin="the file")
            if declared.key != chosen.key:
                warnings.append(f"the file says {declared.label}; reading it as {chosen.label} (--srs)")
        return chosen, warnings
    if file_crs:
        return identify(file_crs, origin="the file"), warnings
    if bounds is None:
        raise LayerImportError("the file has no CRS and no geometries to guess one from; pass --srs")
    kind = looks_like(bounds)
    if kind == "lonlat":
        chosen = from_epsg(geo.STORAGE_SRID)
        warnings.append(
            f"the file has no CRS; its coordinates look like longitude/latitude in Vietnam, "
            f"assuming EPSG:{geo.STORAGE_SRID} {chosen.crs.name}; pass --srs to override"
        )
        return chosen, warnings
    if kind == "tm3":
        code = settings.PLANNING_DEFAULT_METRIC_SRID
        chosen = from_epsg(code)
        warnings.append(
            f"the file has no CRS; its coordinates look like VN-2000 TM-3 metres, "
            f"assuming EPSG:{code} {chosen.crs.name}; pass --srs to override"
        )
        return chosen, warnings
    raise LayerImportError(
        f"the file has no CRS and its coordinates {describe_bounds(bounds)} are neither "
        f"longitude/latitude in Vietnam nor VN-2000 TM-3 metres{hint_for(bounds)}; pass --srs"
    )
