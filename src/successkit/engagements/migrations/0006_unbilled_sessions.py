from django.conf import settings
from django.db import migrations, models

# PostgreSQL estimates "delivered, billable, not billed" as if the three were unrelated
# (a quarter of all sessions, where it is a few per cent) and scans the whole table
# instead of reading the unbilled lines by their index: statistics on the three together.
STATISTICS = "session_unbilled_stats"


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE STATISTICS {STATISTICS} (mcv) ON status, billable_minutes, billed "
            "FROM engagements_trainingsession"
        )


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_catalogversion_terms_url"),
        ("contracts", "0004_indexes_for_the_workspace"),
        ("engagements", "0005_indexes_for_the_workspace"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="trainingsession",
            name="billed",
            field=models.BooleanField(default=False, editable=False, verbose_name="billed"),
        ),
        migrations.AddIndex(
            model_name="trainingsession",
            index=models.Index(
                fields=["billed", "status", "contract", "billable_minutes", "starts_at"],
                name="session_unbilled",
            ),
        ),
        migrations.AddIndex(
            model_name="trainingsession",
            index=models.Index(
                condition=models.Q(("status", "booked")),
                fields=["starts_at"],
                name="session_booked_start",
            ),
        ),
        migrations.RunPython(create_statistics, drop_statistics),
    ]
