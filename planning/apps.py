from django.apps import AppConfig


class PlanningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "planning"
    verbose_name = "Quy hoạch khu, cụm công nghiệp"

    def ready(self) -> None:
        from planning import checks  # noqa: F401  (registers system checks)
