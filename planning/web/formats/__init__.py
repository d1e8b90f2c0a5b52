"""Django's per-language date formats (``FORMAT_MODULE_PATH`` points here: ``vi/formats.py``,
``en/formats.py``).

Figures in the active language are :mod:`planning.numbers` (one rounding, the language's
separators, for every package); its helpers are re-exported here for the pages that import
them from this module. Templates use the same through ``{% load kcn_numbers %}``
(``{{ value|num:1 }}``, ``{{ share|percent }}``).
"""

from __future__ import annotations

from planning.numbers import active_lang, number, percent

__all__ = ["active_lang", "number", "percent"]
