"""The analyses' messages as readers see them, without Django: Vietnamese from the catalogue.

The pure analyses return :class:`~planning.analysis.messages.Message` values; these helpers
render them with the project's Vietnamese catalogue (``locale/vi/LC_MESSAGES/django.po``,
compiled here with GNU ``msgfmt``) or in English (the msgids), so the tests read the sentences a
planner reads.
"""

from __future__ import annotations

import functools
import gettext
import subprocess
import tempfile
from pathlib import Path

from planning.analysis.messages import render

PO = Path(__file__).resolve().parents[3] / "locale" / "vi" / "LC_MESSAGES" / "django.po"


@functools.cache
def _catalogue() -> gettext.GNUTranslations:
    with tempfile.TemporaryDirectory(prefix="kcn-test-mo-") as tmp:
        mo = Path(tmp) / "django.mo"
        subprocess.run(["msgfmt", "-o", str(mo), str(PO)], check=True)
        with mo.open("rb") as f:
            return gettext.GNUTranslations(f)


def vi(message) -> str:
    """``message`` in Vietnamese (the catalogue's translation, Vietnamese number format)."""
    return render(message, _catalogue().gettext, "vi")


def en(message) -> str:
    """``message`` in English (its msgid, English number format)."""
    return render(message, lang="en")
