"""Figures in the active language, for every package: the one rounding and the separators of
:mod:`planning.analysis.numformat`, with the language of the request being answered.

Services, layers and pages import these (``planning.web.formats`` keeps Django's per-language date
formats, ``FORMAT_MODULE_PATH``); templates use ``{% load kcn_numbers %}``.
"""

from __future__ import annotations

from django.utils.translation import get_language

from planning.analysis import numformat


def active_lang() -> str:
    """``"en"`` or ``"vi"`` (the default), from the request's active language."""
    return "en" if (get_language() or "vi").startswith("en") else "vi"


def number(value, digits: int = 0) -> str:
    """``value`` with ``digits`` decimals in the active language (``5.279``; ``—`` for none)."""
    return numformat.number(value, digits, lang=active_lang())


def percent(fraction, digits: int = 1) -> str:
    """A share 0–1 as a percentage in the active language (``93,4 %``; ``—`` for none)."""
    return numformat.percent(fraction, digits, lang=active_lang())
