"""The one number formatter (planning.analysis.numformat): rounding, separators by language, the
template filters, and agreement with Django's ``floatformat`` (still used by a few pages)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.template.defaultfilters import floatformat
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from planning.analysis import numformat
from planning.analysis._text import fmt_distance_en, fmt_distance_vi, fmt_vi


@pytest.mark.parametrize(
    "value, digits, vi, en",
    [
        (348.9886, 1, "349,0", "349.0"),  # the sheet printed 348,9 beside the page's 349,0
        (93.352, 1, "93,4", "93.4"),
        (5279, 0, "5.279", "5,279"),
        (5279.45, 1, "5.279,5", "5,279.5"),  # half-up on the number as written
        (2.675, 2, "2,68", "2.68"),  # 2.675 is 2.67499… in binary; people read 2.675
        (16.00999999999999, 2, "16,01", "16.01"),
        (1234567.891, 2, "1.234.567,89", "1,234,567.89"),
        (-0.04, 1, "0,0", "0.0"),  # never "-0,0"
        (-1234.5, 0, "-1.235", "-1,235"),
        (Decimal("12.50"), 1, "12,5", "12.5"),
        (999.95, 1, "1.000,0", "1,000.0"),
        (None, 1, "—", "—"),
        (float("nan"), 1, "—", "—"),
    ],
)
def test_number(value, digits, vi, en):
    assert numformat.number(value, digits, lang="vi") == vi
    assert numformat.number(value, digits, lang="en") == en


def test_percent_scales_in_decimal():
    assert numformat.percent(0.93352) == "93,4 %"
    assert numformat.percent(0.93352, lang="en") == "93.4 %"
    assert numformat.percent(0.125) == "12,5 %"
    assert numformat.percent(0.285, 0) == "29 %"  # 0.285 × 100 is 28.499999999999996 in binary
    assert numformat.percent(None) == "—"


def test_file_values_are_numbers_rounded_like_the_page():
    assert numformat.for_file(16.00999999999999, 2) == 16.01
    assert numformat.for_file(12345.678, 0) == 12346 and isinstance(
        numformat.for_file(12345.678, 0), int
    )
    assert numformat.for_file_percent(0.93352, 1) == 93.4
    assert numformat.for_file("KCN-1", 2) == "KCN-1" and numformat.for_file(True, 0) is True
    assert numformat.excel_format(1) == "#,##0.0" and numformat.excel_format(0) == "#,##0"
    assert numformat.excel_format(2, percent_of_one=True) == "0.00%"


def test_the_analyses_messages_use_the_same_formatter():
    assert (
        fmt_vi(18500) == "18.500" and fmt_vi(2.675, 2) == "2,68" and fmt_vi(348.9886, 1) == "349,0"
    )
    assert fmt_distance_vi(3250) == "3,3 km" and fmt_distance_en(3250) == "3.3 km"
    assert fmt_distance_vi(350.5) == "351 m" and fmt_distance_en(1234.5) == "1.2 km"


@pytest.mark.parametrize(
    "lang, expected",
    [
        ("vi", "349,0 ha · 93,4 % · 5.279 · 8.855 bản ghi"),
        ("en", "349.0 ha · 93.4 % · 5,279 · 8.855 bản ghi"),
    ],
)
def test_template_filters_follow_the_active_language(lang, expected):
    template = Template(
        "{% load kcn_numbers %}{{ a|num:1 }} ha · {{ s|percent }} · {{ n|num }} · "
        "{{ rows|num_vi }} bản ghi"
    )
    with translation.override(lang):
        text = template.render(Context({"a": 348.9886, "s": 0.93352, "n": 5279, "rows": 8855}))
    assert text == expected


@given(
    value=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(lambda v: round(v, 6)),
    digits=st.integers(0, 3),
)
def test_agrees_with_djangos_floatformat(value, digits):
    """Pages that still use ``floatformat:"Ng"`` show the same text as the sheet and the tables."""
    for lang in ("vi", "en"):
        with translation.override(lang):
            assert numformat.number(value, digits, lang=lang) == floatformat(value, f"{digits}g")
