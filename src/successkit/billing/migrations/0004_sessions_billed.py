from django.db import migrations


def mark_billed(apps, schema_editor):
    """Every session a statement line bills is billed (engagements 0006 added the column,
    false for all)."""
    session = apps.get_model("engagements", "TrainingSession")
    line = apps.get_model("billing", "StatementLine")
    billed = line.objects.filter(session__isnull=False).values("session_id")
    session.objects.filter(pk__in=billed).update(billed=True)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0003_historicalhourlyrate"),
        ("engagements", "0006_unbilled_sessions"),
    ]

    operations = [migrations.RunPython(mark_billed, migrations.RunPython.noop)]
