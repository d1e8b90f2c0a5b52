"""Record an enforcement action about a park or cluster (issue 13): the command door of
:mod:`planning.services.enforcement` — the same rules as the admin and the REST API (a revoke
decided on a CCN without a conversion plan is refused)."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layers.management.base import LanguageCommand
from planning import models as m
from planning.errors import PlanningError
from planning.services import enforcement as svc


def _date(text):
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise CommandError(_("not a date (YYYY-MM-DD): %(v)s") % {"v": text}) from None


class Command(LanguageCommand):
    help = gettext_lazy(
        "Record an action on the watch list (reminder, request for explanation, decision to "
        "revoke or to adjust the investor) and apply its outcome."
    )

    def add_arguments(self, parser):
        parser.add_argument("area", help=_("code of the park or cluster"))
        parser.add_argument(
            "--kind", required=True, choices=m.EnforcementAction.Kind.values, help=_("action")
        )
        parser.add_argument("--document", required=True, help=_("document number"))
        parser.add_argument("--issued-on", required=True, help=_("issued on, YYYY-MM-DD"))
        parser.add_argument("--agency", required=True, help=_("issuing agency"))
        parser.add_argument(
            "--outcome",
            default="pending",
            choices=m.EnforcementAction.Outcome.values,
            help=_("outcome (default: pending)"),
        )
        parser.add_argument("--outcome-on", help=_("date of the outcome, YYYY-MM-DD"))
        parser.add_argument("--new-developer", help=_("name of the developer who takes over"))
        parser.add_argument("--years", default="", help=_("years of missed targets"))
        parser.add_argument(
            "--user", help=_("act as this user (their rights apply; default: the operator)")
        )

    def handle(self, *args, **o):
        area = m.IndustrialArea.objects.filter(code=o["area"]).first()
        if area is None:
            raise CommandError(_("unknown park or cluster %(code)s") % {"code": o["area"]})
        user = None
        if o["user"]:
            user = get_user_model()._default_manager.filter(username=o["user"]).first()
            if user is None:
                raise CommandError(_("unknown user %(name)r") % {"name": o["user"]})
        new_dev = None
        if o["new_developer"]:
            new_dev = m.Developer.objects.filter(name=o["new_developer"]).first()
            if new_dev is None:
                raise CommandError(_("unknown developer %(name)s") % {"name": o["new_developer"]})
        try:
            action = svc.enforcement_action_record(
                user=user,
                area=area,
                kind=o["kind"],
                document_no=o["document"],
                issued_on=_date(o["issued_on"]),
                agency=o["agency"],
                outcome=o["outcome"],
                outcome_on=_date(o["outcome_on"]),
                new_developer=new_dev,
                watch_years=o["years"],
            )
        except PlanningError as exc:
            raise CommandError(exc.message) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        area.refresh_from_db()
        self.stdout.write(
            self.style.SUCCESS(
                _("%(action)s recorded (#%(id)s); %(area)s is now: %(status)s")
                % {
                    "action": action,
                    "id": action.pk,
                    "area": area.name,
                    "status": area.get_status_display(),
                }
            )
        )
