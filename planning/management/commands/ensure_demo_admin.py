import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Tạo tài khoản quản trị mẫu 'admin' (một lần) và in mật khẩu."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

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
            self.stdout.write(self.style.SUCCESS(f"created administrator '{username}'"))
        elif password_file.exists():
            password = password_file.read_text().strip()
        else:
            self.stdout.write(f"administrator '{username}' exists; its password was set elsewhere")
            return
        self.stdout.write(f"admin login: {username} / {password}   (saved in {password_file})")
