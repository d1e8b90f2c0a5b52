"""Vietnamese number formatting and labels shared by the analyses' messages.

Vietnamese writes the decimal separator as a comma and groups thousands with a dot
(``18.500 dân``, ``2,1 %``).

Examples
--------
>>> fmt_vi(18500), fmt_vi(2.14, 1), fmt_vi(1234567.891, 2), fmt_vi(-0.04, 1)
('18.500', '2,1', '1.234.567,89', '0,0')
>>> fmt_distance_vi(350.4), fmt_distance_vi(3200)
('350 m', '3,2 km')
"""

from __future__ import annotations

from planning.analysis import numformat

ROAD_STATUS_VI = {
    "invested": "đã đầu tư",
    "under_construction": "đang đầu tư xây dựng",
    "planned": "quy hoạch",
}

KIND_VI = {"KCN": "khu công nghiệp", "CCN": "cụm công nghiệp"}


def fmt_vi(value: float, decimals: int = 0) -> str:
    """Format a number the Vietnamese way (``.`` thousands, ``,`` decimals); NaN → ``"—"``.

    The rounding and separators of every page, sheet and file (:mod:`planning.analysis.numformat`).
    """
    return numformat.number(value, decimals, lang="vi")


def fmt_distance_vi(metres: float) -> str:
    """``350 m`` below 1 km, else ``3,2 km``."""
    if metres < 1000:
        return f"{fmt_vi(metres)} m"
    return f"{fmt_vi(metres / 1000, 1)} km"


def fmt_distance_en(metres: float) -> str:
    """``350 m`` below 1 km, else ``3.2 km``."""
    if metres < 1000:
        return f"{numformat.number(metres, 0, lang='en')} m"
    return f"{numformat.number(metres / 1000, 1, lang='en')} km"
