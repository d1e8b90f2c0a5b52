"""AnalysisRun.kind stores the analysis' one name (the API's and the commands'), not a second
spelling: ``site_suggestion`` → ``site-suggestion``, ``infrastructure`` →
``infrastructure-gaps``, ``labour`` → ``labour-catchment`` … (issue 12, item 3)."""

from django.db import migrations, models

OLD_TO_NEW = {
    "site_suggestion": "site-suggestion",
    "eco_readiness": "eco-readiness",
    "infrastructure": "infrastructure-gaps",
    "labour": "labour-catchment",
    "plan_vs_actual": "plan-vs-actual",
    "proposal_check": "proposal-check",
}


def _rename(apps, mapping: dict[str, str]) -> None:
    AnalysisRun = apps.get_model("planning", "AnalysisRun")
    for old, new in mapping.items():
        AnalysisRun.objects.filter(kind=old).update(kind=new)


def forwards(apps, schema_editor):
    _rename(apps, OLD_TO_NEW)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in OLD_TO_NEW.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0010_jobs_on_task_queue"),
    ]

    operations = [
        migrations.AlterField(
            model_name="analysisrun",
            name="kind",
            field=models.CharField(
                choices=[
                    ("site-suggestion", "Suggested sites for new parks and clusters"),
                    ("efficiency", "Land-use efficiency"),
                    ("targets", "Targets, developer capacity, lagging projects"),
                    ("eco-readiness", "Eco-industrial readiness of parks and clusters"),
                    ("infrastructure-gaps", "Infrastructure to the fence"),
                    ("labour-catchment", "Labour within reach"),
                    ("plan-vs-actual", "Plan versus actual"),
                    ("proposal-check", "Proposal check"),
                ],
                max_length=20,
                verbose_name="phân tích",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
