"""Template filters for figures: the rounding and separators of the PDF sheet and the downloads.

``{% load kcn_numbers %}`` then ``{{ area_ha|num:1 }}`` (``349,0``), ``{{ occupancy|percent }}``
(``93,4 %`` from 0.93352), ``{{ total|num_vi }}`` for a number inside Vietnamese-only text
(``8.855`` whatever the page's language). See :mod:`planning.analysis.numformat`.
"""

from __future__ import annotations

from django import template

from planning import numbers
from planning.analysis import numformat

register = template.Library()


@register.filter
def num(value, digits=0):
    return numbers.number(value, int(digits))


@register.filter
def percent(value, digits=1):
    return numbers.percent(value, int(digits))


@register.filter
def num_vi(value, digits=0):
    return numformat.number(value, int(digits), lang="vi")
