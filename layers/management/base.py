"""The base of the project's management commands, layers' and planning's: ``--lang``.

It lives here, in the lowest package with commands, so both apps share it (planning's doors
may import layers, never the reverse)."""

from __future__ import annotations

from contextlib import nullcontext

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _


class LanguageCommand(BaseCommand):
    """Base of the project's commands: they print in the active language, which is
    ``settings.LANGUAGE_CODE`` (vi) unless ``--lang vi|en`` picks another.

    Django 5.2 runs commands without activating a language (``gettext`` then falls back
    to ``LANGUAGE_CODE``); ``--lang`` overrides it for the whole ``execute`` (checks,
    output, CommandError messages). ``help`` may be a lazy message: argparse needs a str.
    """

    def create_parser(self, prog_name, subcommand, **kwargs):
        if self.help:
            self.help = str(self.help)
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--lang",
            choices=[code for code, _name in settings.LANGUAGES],
            help=_("language of the output (default: %(code)s)") % {"code": settings.LANGUAGE_CODE},
        )
        return parser

    def execute(self, *args, **options):
        lang = options.get("lang")
        with translation.override(lang) if lang else nullcontext():
            return super().execute(*args, **options)
