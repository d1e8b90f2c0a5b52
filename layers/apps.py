from django.apps import AppConfig


class LayersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "layers"
    verbose_name = "Xuất bản lớp dữ liệu"

    def ready(self) -> None:
        # Imported here, not at the top: system checks and signal receivers register once the
        # models are loaded (Django's AppConfig.ready() rule).
        from layers import checks, signals  # noqa: F401  (registers system checks)

        signals.connect()
