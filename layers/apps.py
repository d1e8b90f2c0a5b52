from django.apps import AppConfig


class LayersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "layers"
    verbose_name = "Xuất bản lớp dữ liệu"

    def ready(self) -> None:
        from layers import checks, signals  # noqa: F401  (registers system checks)
        from layers.catalogue import WriteHooks, register_write_hooks
        from planning.models.proposals import WORKFLOW_FIELDS
        from planning.services import proposals as workflow

        signals.connect()
        # Proposals are written by the review workflow's rules, whichever door the write uses.
        register_write_hooks(
            "proposals",
            WriteHooks(
                prepare_insert=workflow.prepare_new,
                check_update=workflow.check_can_edit,
                check_delete=workflow.check_can_delete,
                written=workflow.record_write,
                protected_fields=WORKFLOW_FIELDS,
            ),
        )
