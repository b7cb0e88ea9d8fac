"""One health check per period for contracts sold before this app existed (new contracts
get theirs when they are sold)."""

from django.db import migrations

from successkit.healthchecks.rules import health_check_periods


def backfill(apps, schema_editor):
    Contract = apps.get_model("contracts", "Contract")
    HealthCheck = apps.get_model("healthchecks", "HealthCheck")
    for contract in Contract.objects.select_related("package").filter(health_checks__isnull=True):
        package = contract.package
        HealthCheck.objects.bulk_create(
            HealthCheck(
                contract=contract,
                period_index=period.index,
                period_start=period.start,
                period_end=period.end,
                state="due",
            )
            for period in health_check_periods(
                contract.start_date,
                contract.end_date,
                package.health_check_count,
                package.health_check_interval_months,
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("healthchecks", "0001_initial"),
        ("contracts", "0001_initial"),
        ("catalog", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
