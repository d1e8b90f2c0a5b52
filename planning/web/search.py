"""Search by name over industrial areas, roads and administrative units, accent-insensitively.

Vietnamese users often type without diacritics ("nhon hoa" for "Nhơn Hòa"), and the same name
is written with the tone mark in two places ("Hòa" / "Hoà"). Folding is done in Python over the
small name lists (hundreds of names per province, cached for a minute), so it behaves the same
on SpatiaLite and PostGIS and needs no extra column or database extension.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import Envelope
from django.core.cache import cache
from django.db import connection

from layers.catalogue import CATALOGUE
from planning import access
from planning.models import AdminUnit, IndustrialArea, RoadCorridor

CACHE_SECONDS = 60
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
# Words that say what a thing is, not which one: "KCN Nhơn Hòa" also answers to "nhon hoa".
_TYPE_WORDS = (
    "kcn",
    "ccn",
    "khu cong nghiep",
    "cum cong nghiep",
    "xa",
    "phuong",
    "thi tran",
    "huyen",
    "thi xa",
    "thanh pho",
    "tinh",
    "duong",
    "quoc lo",
    "duong tinh",
)
_TYPE_PREFIX = re.compile(r"^(?:" + "|".join(sorted(_TYPE_WORDS, key=len, reverse=True)) + r")\s+")


def fold(text: str) -> str:
    """Lower-case ASCII with Vietnamese diacritics removed and punctuation as single spaces.

    >>> fold("KCN Nhơn Hòa")
    'kcn nhon hoa'
    >>> fold("Đập Đá") == fold("dap da") == fold("  ĐẬP-ĐÁ ")
    True
    >>> fold("Hoà") == fold("Hòa")
    True
    """
    text = str(text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub(" ", stripped.casefold()).strip()


@dataclass(frozen=True)
class Entry:
    kind: str  # "area", "road", "unit"
    layer: str  # catalogue layer the record is published in
    pk: int
    name: str
    code: str
    detail: str  # KCN / CCN, road class, unit level (a code; labels are the page's)
    current: bool  # units: valid today; others: True
    period: tuple[int, int | None] | None
    bbox: tuple[float, float, float, float] | None
    folded: str
    folded_bare: str  # without the type word
    folded_code: str


def _entry(kind, layer, pk, name, code, detail, env, *, current=True, period=None) -> Entry:
    folded = fold(name)
    return Entry(
        kind,
        layer,
        pk,
        name,
        code or "",
        detail or "",
        current,
        period,
        tuple(env.extent) if env is not None else None,
        folded,
        _TYPE_PREFIX.sub("", folded),
        fold(code or ""),
    )


def build_index() -> list[Entry]:
    """Every searchable name, with the bounding box to zoom to (EPSG:4326)."""
    entries: list[Entry] = []
    for pk, name, code, kind, env in IndustrialArea.objects.annotate(
        env=Envelope("boundary")
    ).values_list("pk", "name", "code", "kind", "env"):
        entries.append(_entry("area", "industrial_areas", pk, name, code, kind, env))
    for pk, name, code, ref, road_class, env in RoadCorridor.objects.annotate(
        env=Envelope("centerline")
    ).values_list("pk", "name", "code", "route_ref", "road_class", "env"):
        entries.append(
            _entry(
                "road",
                "road_corridors",
                pk,
                f"{name}" if not ref or ref in name else f"{name} ({ref})",
                code,
                road_class,
                env,
            )
        )
    for pk, name, code, level, start, end, env in AdminUnit.objects.annotate(
        env=Envelope("boundary")
    ).values_list("pk", "name", "code", "level", "valid_from", "valid_to", "env"):
        entries.append(
            _entry(
                "unit",
                "admin_units",
                pk,
                name,
                code,
                level,
                env,
                current=end is None,
                period=(start.year, end.year if end else None),
            )
        )
    return entries


def cached_index() -> list[Entry]:
    key = f"kcn-web-search-index:{connection.vendor}:{connection.settings_dict['NAME']}"
    index = cache.get(key)
    if index is None:
        index = build_index()
        cache.set(key, index, CACHE_SECONDS)
    return index


def _score(entry: Entry, query: str, tokens: list[str]) -> int | None:
    """0 best; None when the entry does not match."""
    if query in (entry.folded, entry.folded_bare, entry.folded_code):
        return 0
    if entry.folded_bare.startswith(query) or entry.folded.startswith(query):
        return 1
    if f" {query}" in f" {entry.folded}" or query in entry.folded_code:
        return 2
    if query in entry.folded:
        return 3
    words = entry.folded.split() + entry.folded_code.split()
    if all(any(w.startswith(t) for w in words) for t in tokens):
        return 4
    return None


_KIND_ORDER = {"area": 0, "road": 1, "unit": 2}
_DETAIL_ORDER = {"KCN": 0, "CCN": 1, "province": 0, "district": 1, "commune": 2}


def search(
    query: str, *, user=None, limit: int = 10, index: list[Entry] | None = None
) -> list[Entry]:
    """Entries whose name (or code) matches ``query`` ignoring case and diacritics, best first.

    Only layers ``user`` may read are searched.
    """
    q = fold(query)
    if not q:
        return []
    tokens = q.split()
    readable = {name for name, spec in CATALOGUE.items() if access.can_read_layer(user, spec)}
    hits = []
    for entry in cached_index() if index is None else index:
        if entry.layer not in readable:
            continue
        score = _score(entry, q, tokens)
        if score is not None:
            hits.append(
                (
                    (
                        score,
                        _KIND_ORDER[entry.kind],
                        not entry.current,
                        _DETAIL_ORDER.get(entry.detail, 9),
                        entry.folded,
                        entry.pk,
                    ),
                    entry,
                )
            )
    # Scattered word matches ("nhon hoa" in "Phường Hoài Nhơn") only when nothing matches in order.
    if any(key[0] < 4 for key, _entry in hits):
        hits = [(key, entry) for key, entry in hits if key[0] < 4]
    hits.sort(key=lambda pair: pair[0])
    return [entry for _, entry in hits[:limit]]
