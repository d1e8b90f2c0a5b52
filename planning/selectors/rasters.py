"""The rasters registered for a province (``RasterLayer``): which exist, the stand-in of a
province formed on 1 July 2025, their files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from planning import models as m
from planning.analysis.messages import N_, Message
from planning.errors import MissingInputs

RASTER_KINDS = ("dem", "landcover", "flood", "population")


# --------------------------------------------------------------------------------------------
# Rasters
# --------------------------------------------------------------------------------------------
def raster_layers_available(province: m.AdminUnit) -> dict[float, dict[str, m.RasterLayer]]:
    """Complete raster sets (all four kinds) of a province, by resolution in metres."""
    by_res: dict[float, dict[str, m.RasterLayer]] = {}
    for layer in m.RasterLayer.objects.filter(name__contains=f":{province.code}:"):
        parts = layer.name.split(":")
        if len(parts) == 3 and parts[1] == province.code:
            by_res.setdefault(float(layer.resolution_m), {})[layer.kind] = layer
    return {res: kinds for res, kinds in by_res.items() if set(RASTER_KINDS) <= set(kinds)}


def _predecessors_with_rasters(
    province: m.AdminUnit,
) -> tuple[list[m.AdminUnit], list[m.AdminUnit]]:
    """The provinces ``province`` was formed from (1 July 2025), and those of them with rasters."""
    before = [
        link.predecessor
        for link in m.AdminUnitSuccession.objects.filter(successor=province)
        .select_related("predecessor")
        .order_by("predecessor__code")
        if link.predecessor.level == "province"
    ]
    return before, [p for p in before if raster_layers_available(p)]


def raster_stand_in(province: m.AdminUnit) -> tuple[m.AdminUnit, dict | None]:
    """The province whose rasters an analysis of ``province`` reads, and a note when it is not
    ``province`` itself: a province formed on 1 July 2025 without rasters of its own reads those of
    its one predecessor that has them (Gia Lai: Bình Định's; Cần Thơ: Sóc Trăng's) — the analysis
    then covers that part of it only, and the note says so. Otherwise ``province``, no note (a
    missing raster is reported by :func:`raster_layers_for`). The note is a stored message
    (``{"msgid", "params"}``, :mod:`planning.analysis.messages`): results keep it as such and
    :func:`planning.texts.translate` renders it in the reader's language."""
    if raster_layers_available(province):
        return province, None
    before, with_rasters = _predecessors_with_rasters(province)
    if len(with_rasters) != 1:
        return province, None
    stand_in = with_rasters[0]
    others = [p.name for p in before if p.pk != stand_in.pk]
    values = {
        "province": province.name,
        "since": f"{province.valid_from:%d/%m/%Y}",
        "stand_in": stand_in.name,
        "others": ", ".join(others),
    }
    if others:
        note = N_(
            "%(province)s (since %(since)s) has no rasters of its own: analysed on the part that "
            "was %(stand_in)s province before 1 July 2025, which has rasters; the part that was "
            "%(others)s has no rasters and was not considered."
        )
    else:
        note = N_(
            "%(province)s (since %(since)s) has no rasters of its own: analysed on the part that "
            "was %(stand_in)s province before 1 July 2025, which has rasters; the rest has no "
            "rasters and was not considered."
        )
    return stand_in, Message(note, values).to_dict()


def raster_layers_for(
    province: m.AdminUnit, resolution_m: float | None = None, *, kinds: Sequence[str] = RASTER_KINDS
) -> dict[str, m.RasterLayer]:
    """The registered rasters of ``province`` at ``resolution_m`` (default: the finest set)."""
    available = raster_layers_available(province)
    if not available:
        _before, with_rasters = _predecessors_with_rasters(province)
        if with_rasters:
            raise MissingInputs(
                _(
                    "No rasters are registered for %(province)s (since %(since)s); its "
                    "predecessor provinces have them: run the analysis for %(names)s "
                    "(`manage.py build_rasters` builds the demo rasters of the provinces before "
                    "1 July 2025)."
                )
                % {
                    "province": province.name,
                    "since": f"{province.valid_from:%d/%m/%Y}",
                    "names": ", ".join(f"{p.name} ({p.code})" for p in with_rasters),
                }
            )
        raise MissingInputs(
            _(
                "No rasters (terrain, land cover, flood, population) are registered for "
                "%(province)s; an administrator runs `manage.py build_rasters` first."
            )
            % {"province": province.name}
        )
    if resolution_m is None:
        resolution_m = min(available)
    if float(resolution_m) not in available:
        raise MissingInputs(
            _("No %(resolution)s m rasters for %(province)s; available: %(sizes)s.")
            % {
                "resolution": f"{resolution_m:g}",
                "province": province.name,
                "sizes": ", ".join(f"{r:g} m" for r in sorted(available)),
            }
        )
    layers = available[float(resolution_m)]
    return {k: layers[k] for k in kinds}


def raster_dir() -> Path:
    """Where the raster files are (``KCN_RASTER_DIR``, default ``VAR_DIR/rasters``)."""
    return Path(getattr(settings, "KCN_RASTER_DIR", settings.VAR_DIR / "rasters"))


def raster_path(layer: m.RasterLayer) -> Path:
    path = raster_dir() / layer.path
    if not path.exists():
        raise MissingInputs(
            _(
                "Raster file %(path)s of %(layer)s is missing; an administrator runs "
                "`manage.py build_rasters --force`."
            )
            % {"path": path, "layer": layer.name}
        )
    return path
