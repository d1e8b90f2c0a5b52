"""Texts of the analyses as message ids and parameters, translated where they are shown.

The analyses cannot call Django, so they never write a sentence themselves: a note, a verdict,
a label or a citation is a :class:`Message` — an English msgid marked with :func:`N_` (so that
``makemessages --keyword=N_`` puts it in the catalogue) and its parameters. Results store the
message as ``{"msgid": …, "params": {…}}``; the service, page, API or export that shows it
translates it in the reader's language with :func:`render` (Django's ``gettext``,
``planning.texts``), so a stored run reads in whichever language its reader uses.

A parameter is plain text or a whole number (inserted as is: names, codes, years, counts), a
number to format in the reader's language (:func:`number`, :func:`percent`, :func:`distance`,
:mod:`planning.analysis.numformat`), another message (a translated term such as a road status),
or a list of those joined (:func:`join`).

Examples
--------
>>> m = Message(N_("%(name)s: %(share)s of the land is green"),
...             {"name": "Phú Tài", "share": percent(0.2)})
>>> m.to_dict()  # doctest: +NORMALIZE_WHITESPACE
{'msgid': '%(name)s: %(share)s of the land is green',
 'params': {'name': 'Phú Tài', 'share': {'percent': 0.2, 'digits': 1}}}
>>> render(m, lang="en"), render(m.to_dict(), lang="vi")
('Phú Tài: 20.0 % of the land is green', 'Phú Tài: 20,0 % of the land is green')
>>> vi = {"%(name)s: %(share)s of the land is green": "%(name)s: %(share)s đất là cây xanh"}.get
>>> render(m, lambda s: vi(s, s), lang="vi")
'Phú Tài: 20,0 % đất là cây xanh'
>>> render(join([Message(N_("no road access")), distance(3200)]), lang="vi")
'no road access; 3,2 km'
>>> render("a text stored before messages existed")
'a text stored before messages existed'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from planning.analysis import numformat

__all__ = [
    "N_",
    "Message",
    "number",
    "percent",
    "distance",
    "join",
    "listing",
    "is_message",
    "render",
]


def N_(msgid: str) -> str:
    """Mark ``msgid`` for the catalogue (``makemessages --keyword=N_``) and return it unchanged."""
    return msgid


def _identity(text: str) -> str:
    return text


def _param(value: Any) -> Any:
    if isinstance(value, Message):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [_param(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _param(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Message:
    """A translatable text: an English ``msgid`` (marked with :func:`N_`) and its parameters.

    ``msgid`` uses ``%(name)s`` placeholders; a literal percent sign is ``%%`` (every msgid is
    formatted, with or without parameters).
    """

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored in results: ``{"msgid": …, "params": {…}}``."""
        return {"msgid": self.msgid, "params": {k: _param(v) for k, v in self.params.items()}}

    def __str__(self) -> str:
        return render(self)


def number(value, digits: int = 0) -> dict[str, Any]:
    """A number parameter, written with ``digits`` decimals in the reader's language."""
    return {"number": _plain(value), "digits": digits}


def percent(share, digits: int = 1) -> dict[str, Any]:
    """A share (0–1) written as a percentage (``0.2`` → ``20,0 %`` or ``20.0 %``)."""
    return {"percent": _plain(share), "digits": digits}


def distance(metres) -> dict[str, Any]:
    """A distance: ``350 m`` below 1 km, else kilometres with one decimal (``3,2 km``)."""
    return {"distance_m": _plain(metres)}


def join(items: Iterable, sep: str = "; ") -> dict[str, Any]:
    """Parameters (or messages) rendered one by one and joined with ``sep``."""
    return {"join": [_param(i) for i in items], "sep": sep}


def listing(items: Iterable, sep: str = "; ") -> Message:
    """A message made of ``items`` (messages or parameters) joined with ``sep``."""
    return Message("%(items)s", {"items": join(items, sep)})


def _plain(value):
    if value is None:
        return None
    return float(value)


def is_message(value: Any) -> bool:
    """Whether ``value`` is a stored message (``{"msgid": …, "params": …}``)."""
    return isinstance(value, Mapping) and "msgid" in value and "params" in value


def _distance(metres, lang: str) -> str:
    if metres is None:
        return numformat.NO_VALUE
    if metres < 1000:
        return f"{numformat.number(metres, 0, lang=lang)} m"
    return f"{numformat.number(metres / 1000, 1, lang=lang)} km"


def render(value: Any, gettext: Callable[[str], str] = _identity, lang: str = "en") -> str:
    """``value`` (a :class:`Message`, its stored form, a parameter or text) as text.

    Parameters
    ----------
    value
        A message, its dictionary form, a number/percent/distance/join parameter, or text
        (returned unchanged: results stored before messages existed hold text).
    gettext
        The translation function of the reader's language (Django's ``gettext`` at the edge;
        the identity gives the English msgid).
    lang
        The language the numbers are written in (``"vi"`` or ``"en"``).
    """
    if isinstance(value, Message):
        value = value.to_dict()
    if isinstance(value, Mapping):
        if "msgid" in value:
            params = value.get("params") or {}
            # Always formatted, so a literal percent sign is "%%" in every msgid.
            return gettext(value["msgid"]) % {
                k: render(v, gettext, lang) for k, v in params.items()
            }
        if "number" in value:
            return numformat.number(value["number"], value.get("digits", 0), lang=lang)
        if "percent" in value:
            return numformat.percent(value["percent"], value.get("digits", 1), lang=lang)
        if "distance_m" in value:
            return _distance(value["distance_m"], lang)
        if "join" in value:
            parts = (render(v, gettext, lang) for v in value["join"])
            return value.get("sep", "; ").join(p for p in parts if p)
    if value is None:
        return ""
    return str(value)
