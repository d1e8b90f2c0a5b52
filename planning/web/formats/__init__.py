"""Figures in the active language: the page-side face of :mod:`planning.analysis.numformat`.

``FORMAT_MODULE_PATH`` points here for the per-language date formats (``vi/formats.py``,
``en/formats.py``). Numbers on pages, on the PDF map sheet and in CSV/XLSX downloads all go
through :mod:`planning.analysis.numformat` (one rounding, the language's separators); these
helpers only pick the language that is active for the request. Templates use the same through
``{% load kcn_numbers %}`` (``{{ value|num:1 }}``, ``{{ share|percent }}``).
"""

from __future__ import annotations

from planning.analysis import numformat


def active_lang() -> str:
    """``"en"`` or ``"vi"`` (the default), from the request's active language."""
    from django.utils.translation import get_language

    return "en" if (get_language() or "vi").startswith("en") else "vi"


def number(value, digits: int = 0) -> str:
    """``value`` with ``digits`` decimals in the active language (``5.279``; ``—`` for none)."""
    return numformat.number(value, digits, lang=active_lang())


def percent(fraction, digits: int = 1) -> str:
    """A share 0–1 as a percentage in the active language (``93,4 %``; ``—`` for none)."""
    return numformat.percent(fraction, digits, lang=active_lang())
