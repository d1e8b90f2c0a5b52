"""What several analyses share: references to units in stored parameters, optional parameters,
the parameters declared by several analyses."""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from planning import models as m
from planning.analysis.records import KINDS
from planning.selectors.admin_units import AREA_LEVELS, province_resolve
from planning.services.analysis_params import TYPES, Param, param_error


def unit_ref(unit: m.AdminUnit | None) -> dict | None:
    """A unit as stored in a run's parameters (JSON)."""
    return None if unit is None else {"id": unit.pk, "code": unit.code, "name": unit.name}


def unit_from_ref(ref: dict | None) -> m.AdminUnit | None:
    return None if not ref else m.AdminUnit.objects.get(pk=ref["id"])


def province_optional(province) -> m.AdminUnit | None:
    return None if province in (None, "") else province_resolve(province)


def parse_year(value, name="year") -> int | None:
    if value in (None, ""):
        return None
    return TYPES["year"].parse(Param(name, "year"), value, {})


def parse_level(value, name="unit") -> str:
    """The aggregation level: ``value`` or ``settings.PLANNING_AGGREGATION_LEVEL``."""
    level = value or getattr(settings, "PLANNING_AGGREGATION_LEVEL", "district")
    if level not in AREA_LEVELS:
        levels = ", ".join(AREA_LEVELS)
        raise param_error(
            name,
            _("unknown value %(value)s; accepted: %(accepted)s")
            % {"value": repr(level), "accepted": levels},
            accepted=list(AREA_LEVELS),
        )
    return level


def rounded(x, n=4):
    return None if x is None else round(float(x), n)


def scope_name(province: m.AdminUnit | None) -> str:
    """The name of a run's scope: the province, or "all" (translated)."""
    return province.name if province else pgettext("analysis scope", "all")


# --------------------------------------------------------------------------------------------
# Parameters shared by several analyses (see planning.services.analysis_params)
# --------------------------------------------------------------------------------------------
P_PROVINCE = Param(
    "province",
    "province",
    pgettext_lazy(
        "parameter help", "province name or code, e.g. 'Bình Định' or '52' (default: all)"
    ),
)
P_KIND = Param(
    "kind",
    "choice",
    pgettext_lazy("parameter help", "CCN (cluster) or KCN (park)"),
    choices=KINDS,
    default="CCN",
)
P_LEVEL = Param(
    "unit",
    "choice",
    pgettext_lazy("parameter help", "aggregation level"),
    choices=AREA_LEVELS,
)


def criteria_param(cls_name: str, name: str = "criteria") -> Param:
    """The parameter overriding an analysis' criteria dataclass ``cls_name``."""
    return Param(name, "object", _criteria_help(cls_name))


def _criteria_help_text(cls_name: str) -> str:
    return pgettext("parameter help", '%(name)s values to override, as {"name": value}') % {
        "name": cls_name
    }


#: The help of a criteria parameter, in the language active where it is shown.
_criteria_help = lazy(_criteria_help_text, str)
