"""Demo accounts for trying the proposal workflow after ``make run`` (idempotent).

* ``canbo_xa``  — commune staff of Phường Hoài Nhơn (50705013, Gia Lai since 1/7/2025): room for
  a new cluster beside the national road.
* ``canbo_huyen`` — district staff of Thị xã Hoài Nhơn (543, Bình Định, before 1/7/2025).
* ``so_cong_thuong`` — industry_reviewer (Sở Công Thương, reviews CCN) for Gia Lai and Cần Thơ.
* ``bql_kkt`` — ezone_reviewer (Ban Quản lý Khu kinh tế, reviews KCN) for Gia Lai and Cần Thơ.

Passwords are generated once and kept in ``var/demo_users.txt`` (mode 0600).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layers.management.base import LanguageCommand
from planning import models as m

DEMO_USERS = (
    # username, full name, role, unit codes, what for
    (
        "canbo_xa",
        "Cán bộ UBND phường Hoài Nhơn",
        "commune_staff",
        ("50705013",),
        "vẽ và gửi đề xuất CCN",
    ),
    (
        "canbo_huyen",
        "Cán bộ UBND thị xã Hoài Nhơn (trước 1/7/2025)",
        "district_staff",
        ("543",),
        "đề xuất cho đơn vị cũ",
    ),
    ("so_cong_thuong", "Sở Công Thương", "industry_reviewer", ("24", "33"), "thẩm định CCN"),
    ("bql_kkt", "Ban Quản lý Khu kinh tế", "ezone_reviewer", ("24", "33"), "thẩm định KCN"),
)


class Command(LanguageCommand):
    help = gettext_lazy(
        "Create the demo accounts of the proposal workflow (once) and print their passwords."
    )

    def handle(self, *args, **options):
        path = settings.VAR_DIR / "demo_users.txt"
        saved = {}
        if path.exists():
            for line in path.read_text().splitlines():
                parts = line.split()
                if len(parts) >= 2 and not line.startswith("#"):
                    saved[parts[0]] = parts[1]
        User = get_user_model()
        lines = []
        with transaction.atomic():
            for username, full_name, role, codes, purpose in DEMO_USERS:
                units = [
                    m.AdminUnit.objects.filter(code=c).order_by("-valid_from").first()
                    for c in codes
                ]
                units = [u for u in units if u is not None]
                if not units:
                    self.stdout.write(
                        _("skipped %(username)s: demo unit %(codes)s not loaded")
                        % {"username": username, "codes": ", ".join(codes)}
                    )
                    continue
                user = User.objects.filter(username=username).first()
                if user is None:
                    password = secrets.token_urlsafe(9)
                    user = User.objects.create_user(
                        username, password=password, first_name=full_name[:150]
                    )
                    saved[username] = password
                    self.stdout.write(
                        self.style.SUCCESS(
                            _("created demo user '%(username)s'") % {"username": username}
                        )
                    )
                elif username not in saved:
                    self.stdout.write(
                        _("demo user '%(username)s' exists; its password was set elsewhere")
                        % {"username": username}
                    )
                for unit in units:
                    m.Membership.objects.get_or_create(user=user, role=role, admin_unit=unit)
                if username in saved:
                    where = ", ".join(f"{u.name} ({u.code})" for u in units)
                    lines.append((username, saved[username], f"{role} — {where} — {purpose}"))
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "# username password role — unit — use (http://127.0.0.1:8000/proposals/)\n"
            + "".join(f"{u} {p} {note}\n" for u, p, note in lines)
        )
        path.chmod(0o600)
        for u, p, note in lines:
            self.stdout.write(
                _("demo login: %(username)s / %(password)s   (%(note)s)")
                % {"username": u, "password": p, "note": note}
            )
        self.stdout.write(_("(saved in %(path)s)") % {"path": path})
