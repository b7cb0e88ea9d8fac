"""Each contract stores the last day of its training window (the cockpit filters and sorts
on it): filled here with one UPDATE per package that has a window, one for the rest."""

from datetime import timedelta

from django.db import migrations, models
from django.db.models import DateField, F
from django.db.models.functions import Cast, Least


def fill(apps, schema_editor):
    Contract = apps.get_model("contracts", "Contract")
    Package = apps.get_model("catalog", "Package")
    db = schema_editor.connection.alias
    windows = Package.objects.using(db).filter(training_window_days__isnull=False).order_by("pk")
    for package in windows:
        last = timedelta(days=max(package.training_window_days, 1) - 1)
        Contract.objects.using(db).filter(package_id=package.pk).update(
            # A date plus days is a timestamp on PostgreSQL: back to a date.
            training_window_end=Least(
                F("end_date"), Cast(F("start_date") + last, output_field=DateField())
            )
        )
    Contract.objects.using(db).filter(training_window_end__isnull=True).update(
        training_window_end=F("end_date")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("contracts", "0004_indexes_for_the_workspace"),
    ]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="training_window_end",
            field=models.DateField(editable=False, null=True, verbose_name="training usable until"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
