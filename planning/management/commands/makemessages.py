"""Django's ``makemessages`` that also finds the analyses' texts, marked ``N_("…")``.

The pure analyses (``planning/analysis``) cannot import Django's ``gettext_noop``; they mark
their msgids with :func:`planning.analysis.messages.N_`, which xgettext learns here.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]
