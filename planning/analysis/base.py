"""The base of every criteria, record and result dataclass: JSON output and value checks.

Results have ``to_dict()`` returning JSON-ready data (geometries as GeoJSON mappings, dates as
ISO strings, NaN as ``None``); criteria check their values in ``__post_init__`` with
:func:`require_positive` and :func:`require_share` and raise
:class:`~planning.analysis.errors.CriteriaError`.

Examples
--------
>>> import dataclasses, datetime, math
>>> @dataclasses.dataclass(frozen=True)
... class Row(Serializable):
...     day: datetime.date
...     value: float
>>> Row(datetime.date(2025, 4, 11), math.nan).to_dict()
{'day': '2025-04-11', 'value': None}
>>> require_share("tolerance", 1.5)
Traceback (most recent call last):
...
planning.analysis.errors.CriteriaError: tolerance must be a share in [0, 1] (got 1.5)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from shapely.geometry import mapping as _geojson
from shapely.geometry.base import BaseGeometry

from planning.analysis.errors import CriteriaError, RecordError

__all__ = ["Serializable", "to_jsonable", "require_positive", "require_share", "coerce_float"]


def to_jsonable(value: Any) -> Any:
    """``value`` as JSON-ready data: dataclasses and mappings as dicts, geometries as GeoJSON.

    Tuples, sets and arrays become lists, NumPy scalars Python numbers, dates ISO text and
    NaN or infinity ``None``.
    """
    # Fast paths for the common leaves (a report has tens of thousands of them).
    if value is None or type(value) is str:
        return value
    if type(value) is float:
        return value if math.isfinite(value) else None
    if type(value) is int or type(value) is bool:
        return value
    if type(value) is dict:
        return {str(k): _leaf(v) for k, v in value.items()}
    if type(value) is list:
        return [_leaf(v) for v in value]
    if hasattr(type(value), "__dataclass_fields__") and not isinstance(value, type):
        return {name: _leaf(getattr(value, name)) for name in _field_names(type(value))}
    if isinstance(value, BaseGeometry):
        return None if value.is_empty else to_jsonable(_geojson(value))
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


_PLAIN = frozenset((str, int, bool, type(None)))


def _leaf(value: Any) -> Any:
    """:func:`_jsonable` with the plain leaves answered here (one call fewer for most values)."""
    t = type(value)
    if t in _PLAIN:
        return value
    if t is float:
        return value if math.isfinite(value) else None
    return to_jsonable(value)


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


class Serializable:
    """Mixin: ``to_dict()`` turns a (nested) dataclass into JSON-ready data."""

    def to_dict(self) -> dict[str, Any]:
        """The dataclass as JSON-ready data (:func:`to_jsonable`)."""
        return to_jsonable(self)


def require_positive(name: str, value: float, *, allow_zero: bool = False) -> None:
    """Raise :class:`CriteriaError` unless ``value`` is a finite number > 0 (or ≥ 0)."""
    ok = value >= 0 if allow_zero else value > 0
    if not (
        isinstance(value, (int, float, np.integer, np.floating)) and math.isfinite(value) and ok
    ):
        raise CriteriaError(f"{name} must be {'>=' if allow_zero else '>'} 0 (got {value!r})")


def coerce_float(obj: Any, name: str) -> float:
    """Coerce a numeric field (int, Decimal, numpy scalar) of a frozen record to float."""
    value = getattr(obj, name)
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise RecordError(f"{type(obj).__name__}.{name} must be a number (got {value!r})") from None
    object.__setattr__(obj, name, value)
    return value


def require_share(name: str, value: float) -> None:
    """Raise :class:`CriteriaError` unless ``value`` is a share in [0, 1]."""
    if not (isinstance(value, (int, float)) and 0 <= value <= 1):
        raise CriteriaError(f"{name} must be a share in [0, 1] (got {value!r})")
