import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from layers.management.base import LanguageCommand


class Command(LanguageCommand):
    help = gettext_lazy("Create the demo administrator 'admin' (once) and print its password.")

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin", help=_("the administrator's username"))

    def handle(self, *args, username, **options):
        User = get_user_model()
        password_file = settings.VAR_DIR / "admin_password.txt"
        user = User.objects.filter(username=username).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(username=username, email="", password=password)
            settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
            self.stdout.write(
                self.style.SUCCESS(
                    _("created administrator '%(username)s'") % {"username": username}
                )
            )
        elif password_file.exists():
            password = password_file.read_text().strip()
        else:
            self.stdout.write(
                _("administrator '%(username)s' exists; its password was set elsewhere")
                % {"username": username}
            )
            return
        self.stdout.write(
            _("admin login: %(username)s / %(password)s   (saved in %(path)s)")
            % {"username": username, "password": password, "path": password_file}
        )
