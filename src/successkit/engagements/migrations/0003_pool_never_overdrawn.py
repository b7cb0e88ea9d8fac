from django.db import migrations, models


def copy_included_minutes(apps, schema_editor):
    TrainingPool = apps.get_model("engagements", "TrainingPool")
    for pool in TrainingPool.objects.select_related("contract__package"):
        pool.included_minutes = pool.contract.package.training_minutes
        pool.save(update_fields=["included_minutes"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("contracts", "0001_initial"),
        ("engagements", "0002_sessionmaterial_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="trainingpool",
            name="included_minutes",
            field=models.IntegerField(default=0, verbose_name="included minutes"),
        ),
        migrations.RunPython(copy_included_minutes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="trainingpool",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "included_minutes__gte",
                        models.F("reserved_minutes") + models.F("used_minutes"),
                    )
                ),
                name="pool_never_overdrawn",
            ),
        ),
    ]
