from django.apps import AppConfig


class LayersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "layers"
    verbose_name = "Xuất bản lớp dữ liệu"

    def ready(self) -> None:
        from layers import checks, signals  # noqa: F401  (registers system checks)

        signals.connect()
