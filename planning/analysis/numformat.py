"""Numbers as people read them: the one rounding and the separators of every figure shown.

Web pages, the PDF map sheet, CSV and XLSX downloads and the analyses' messages all use them.

* **Rounding** is half-up on the number as it is written (``repr`` of a float, or the Decimal
  itself), as Django's ``floatformat`` and Excel's ``ROUND`` do: 93.352 → ``93,4``,
  348.9886 → ``349,0``, 2.675 → ``2,68``. (Truncating, as ``django.utils.formats.number_format``
  does, printed 93,3 % on the map sheet beside 93,4 % on the page.) Percentages are scaled in
  decimal, so 0.285 is 28.5 % and not 28.499999999999996 %.
* **Separators** follow the language: Vietnamese groups thousands with ``.`` and writes decimals
  with ``,`` (``5.279 ha``, ``12,5 %``); English the other way round (``5,279 ha``, ``12.5 %``).
* **Files** (CSV, XLSX) get numbers, not text: :func:`for_file` rounds to the same decimals as the
  page so that no binary tail (``16.00999999999999``) reaches a spreadsheet, and whole numbers
  (people, counts) come out as integers.

Pure standard library (no Django): the analyses' Vietnamese messages use it too.

Examples
--------
>>> share = 0.93352
>>> number(348.9886, 1), number(348.9886, 1, lang="en"), percent(share), percent(share, lang="en")
('349,0', '349.0', '93,4 %', '93.4 %')
>>> number(5279), number(5279, lang="en"), number(1234567.891, 2), number(-0.04, 1)
('5.279', '5,279', '1.234.567,89', '0,0')
>>> number(None), percent(None), number(float("nan"))
('—', '—', '—')
>>> for_file(16.00999999999999, 2), for_file(12345.678, 0), for_file(0.5714285, 4), for_file(None)
(16.01, 12346, 0.5714, None)
>>> rounded(2.675, 2), rounded(0.285 * 100, 0), percent(0.285, 0), for_file_percent(0.93352, 1)
(Decimal('2.68'), Decimal('28'), '29 %', 93.4)
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "SEPARATORS",
    "rounded",
    "number",
    "percent",
    "for_file",
    "for_file_percent",
    "excel_format",
    "NO_VALUE",
]

# (thousands, decimal) by language; anything but English is written the Vietnamese way.
SEPARATORS = {"vi": (".", ","), "en": (",", ".")}
NO_VALUE = "—"


def _decimal(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(f):
        return None
    # repr() is the shortest text that reads back as the same float: the number "as written".
    return Decimal(repr(f))


def rounded(value, digits: int = 0) -> Decimal | None:
    """``value`` rounded half-up to ``digits`` decimals (``None`` for no value, NaN or infinity)."""
    d = _decimal(value)
    if d is None:
        return None
    try:
        q = d.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than the context holds: already as precise as it gets
        q = d
    return q.copy_abs() if q.is_zero() else q  # never "-0,0"


def _group(digits: str, sep: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return sep.join(parts)


def number(value, digits: int = 0, *, lang: str = "vi", grouping: bool = True) -> str:
    """``value`` as text in ``lang`` with ``digits`` decimals; ``—`` when there is no value."""
    q = rounded(value, digits)
    if q is None:
        return NO_VALUE
    thousands, decimal = SEPARATORS["en" if str(lang).startswith("en") else "vi"]
    text = f"{q.copy_abs():f}"
    whole, _, frac = text.partition(".")
    if grouping:
        whole = _group(whole, thousands)
    out = whole + (decimal + frac.ljust(digits, "0") if digits > 0 else "")
    return ("-" if q < 0 else "") + out


def percent(fraction, digits: int = 1, *, lang: str = "vi") -> str:
    """A share (0–1) as a percentage: ``0.93352`` → ``93,4 %`` (``—`` when there is none)."""
    d = _decimal(fraction)
    return NO_VALUE if d is None else number(d * 100, digits, lang=lang) + " %"


def for_file(value, digits: int = 0):
    """The number a CSV or XLSX cell holds: rounded like the page, an ``int`` for 0 decimals.

    Anything that is not a number (text, dates, booleans) is returned unchanged.
    """
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return value
    q = rounded(value, digits)
    if q is None:
        return None
    return int(q) if digits <= 0 else float(q)


def for_file_percent(fraction, digits: int = 1):
    """A share (0–1) as the percentage a CSV or XLSX cell holds: ``0.93352`` → ``93.4``."""
    d = _decimal(fraction)
    return None if d is None else for_file(d * 100, digits)


def excel_format(digits: int = 0, *, percent_of_one: bool = False) -> str:
    """The XLSX number format showing ``digits`` decimals, thousands grouped.

    Excel then writes the number with the reader's own separators.
    """
    base = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return base.replace("#,##", "") + "%" if percent_of_one else base
