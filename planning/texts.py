"""The analyses' texts in the reader's language: where their messages meet Django's gettext.

Beside :mod:`planning.geo` and :mod:`planning.tables` in the dependency order: it imports only
:mod:`planning.analysis.messages` and Django's translation, so services, selectors, pages and
the API all translate stored results the same way.

The pure analyses write their notes, verdicts, labels and citations as message ids and
parameters (:mod:`planning.analysis.messages`); results store them as
``{"msgid": …, "params": {…}}``. Whatever shows results to a person — a page, the API, an
export, a command — passes them through :func:`translate` first, which answers a copy with every
message replaced by its text in the active language (the request's), numbers written the way
that language writes them.

For the readers written before messages (the API's ``message_vi``/``message_en`` fields, the
proposal map's script), a message under one of :data:`BILINGUAL_KEYS` also gets its text in each
language beside it (``message`` → ``message_vi``, ``message_en``). Results stored before
messages existed hold those two texts only: :func:`translate` then gives the plain key
(``message``) the one of the active language, so old and new runs read the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from planning.analysis.messages import is_message, render

__all__ = ["BILINGUAL_KEYS", "translate", "text", "stored_text", "active_language"]

#: Keys whose message is also given in each language (``<key>_vi``, ``<key>_en``).
BILINGUAL_KEYS = frozenset({"message", "summary", "label", "missing", "gaps"})
LANGUAGES = ("vi", "en")
_PLAIN = frozenset((int, float, str, bool, type(None)))


def active_language() -> str:
    """``"en"`` or ``"vi"``: the language numbers and texts are written in now."""
    return "en" if (translation.get_language() or "vi").startswith("en") else "vi"


def text(message: Any, lang: str | None = None) -> str:
    """One message (or text, or parameter) in ``lang`` (default: the active language)."""
    lang = lang or active_language()
    if lang == active_language():
        return render(message, gettext, lang)
    with translation.override(lang):
        return render(message, gettext, lang)


def stored_text(message: Any) -> str:
    """``message`` in the site's language (``LANGUAGE_CODE``), for a text column of a model.

    For the model fields that hold one text (a suggested site's ``reasons``): they read the
    same whichever language the request that ran the analysis had.
    """
    return text(message, "en" if settings.LANGUAGE_CODE.startswith("en") else "vi")


def _in(value: Any, lang: str) -> Any:
    if value is None:  # nothing to say (a criterion met): no text in either language
        return ""
    if is_message(value):
        return text(value, lang)
    if isinstance(value, (list, tuple)) and all(is_message(v) for v in value):
        return [text(v, lang) for v in value]
    return None


def translate(data: Any, *, bilingual: bool = True) -> Any:
    """A copy of ``data`` (results, a row, a list of notes) with its messages as text.

    Parameters
    ----------
    data
        JSON-like results as stored (dicts, lists, text, numbers); messages anywhere in it.
    bilingual
        Also write the message of a :data:`BILINGUAL_KEYS` key in each language
        (``message_vi``, ``message_en``) for the readers that pick the language themselves.
    """
    lang = active_language()
    return _walk(data, lang, bilingual)


def _walk(value: Any, lang: str, bilingual: bool) -> Any:
    if isinstance(value, Mapping):
        if is_message(value):
            return text(value, lang)
        out = {}
        for key, item in value.items():
            out[key] = _walk(item, lang, bilingual)
            if bilingual and key in BILINGUAL_KEYS:
                for other in LANGUAGES:
                    rendered = _in(item, other)
                    if rendered is not None:
                        out[f"{key}_{other}"] = rendered
        # Results stored before messages: the text of the active language under the plain key.
        for base in BILINGUAL_KEYS:
            if base not in out and f"{base}_vi" in out:
                out[base] = out.get(f"{base}_{lang}") or out[f"{base}_vi"]
        return out
    if isinstance(value, (list, tuple)):
        if all(type(v) in _PLAIN for v in value):  # coordinates, codes: as they are
            return value
        return [_walk(v, lang, bilingual) for v in value]
    return value
