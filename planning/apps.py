from django.apps import AppConfig


class PlanningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "planning"
    verbose_name = "Quy hoạch khu, cụm công nghiệp"

    def ready(self) -> None:
        # Imported here, not at the top: these modules import the models, which are loaded only
        # now (Django's AppConfig.ready() rule); they register checks and rules once.
        from planning import checks  # noqa: F401  (registers system checks)
        from planning.models.proposals import WORKFLOW_FIELDS
        from planning.services import proposals as workflow
        from planning.services.write_rules import WriteRules, register_write_rules

        # Proposals are written by the review workflow's rules, whichever door the write uses.
        register_write_rules(
            "planning.Proposal",
            WriteRules(
                prepare_insert=workflow.prepare_new,
                check_update=workflow.check_can_edit,
                check_delete=workflow.check_can_delete,
                written=workflow.record_write,
                protected_fields=WORKFLOW_FIELDS,
            ),
        )
