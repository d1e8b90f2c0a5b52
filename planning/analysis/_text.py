"""Vietnamese number formatting for the analysis commands' console output.

The analyses' own texts are messages (:mod:`planning.analysis.messages`), translated where they
are shown; this is only the number format the management commands print with.

Examples
--------
>>> fmt_vi(18500), fmt_vi(2.14, 1), fmt_vi(1234567.891, 2), fmt_vi(-0.04, 1)
('18.500', '2,1', '1.234.567,89', '0,0')
>>> fmt_distance_vi(350.4), fmt_distance_vi(3200), fmt_distance_en(3200)
('350 m', '3,2 km', '3.2 km')
"""

from __future__ import annotations

from planning.analysis import numformat
from planning.analysis.messages import distance, render


def fmt_vi(value: float, decimals: int = 0) -> str:
    """Format a number the Vietnamese way (``.`` thousands, ``,`` decimals); NaN → ``"—"``.

    The rounding and separators of every page, sheet and file (:mod:`planning.analysis.numformat`).
    """
    return numformat.number(value, decimals, lang="vi")


def fmt_distance_vi(metres: float) -> str:
    """``350 m`` below 1 km, else ``3,2 km``."""
    return render(distance(metres), lang="vi")


def fmt_distance_en(metres: float) -> str:
    """``350 m`` below 1 km, else ``3.2 km``."""
    return render(distance(metres), lang="en")
