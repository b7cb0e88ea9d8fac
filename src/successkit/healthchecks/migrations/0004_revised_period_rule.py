"""SPEC.md §1 revised: a period is owed when it keeps at least half its natural length, and
a longer term keeps the cadence. Bring the rows of contracts sold before in step (a due
stub that owes nothing goes, periods a long term owes are added; a scheduled or completed
check is never touched), and mark completed checks that were written down late."""

from zoneinfo import ZoneInfo

from django.db import migrations

from successkit.healthchecks.rules import health_check_periods, recorded_late


def resync(apps, schema_editor):
    Contract = apps.get_model("contracts", "Contract")
    HealthCheck = apps.get_model("healthchecks", "HealthCheck")
    for contract in Contract.objects.select_related("package", "organization").order_by("id"):
        package = contract.package
        owed = {
            period.index: period
            for period in health_check_periods(
                contract.start_date,
                contract.end_date,
                package.health_check_count,
                package.health_check_interval_months,
            )
        }
        existing = {check.period_index: check for check in contract.health_checks.all()}
        for index, check in existing.items():
            if index not in owed and check.state == "due":
                check.delete()
        HealthCheck.objects.bulk_create(
            HealthCheck(
                contract=contract,
                period_index=period.index,
                period_start=period.start,
                period_end=period.end,
                state="due",
            )
            for index, period in sorted(owed.items())
            if index not in existing
        )
        zone = ZoneInfo(contract.organization.timezone)
        for check in contract.health_checks.filter(state="completed", completed_at__isnull=False):
            if recorded_late(check.period_end, check.completed_at.astimezone(zone).date()):
                check.recorded_late = True
                check.save(update_fields=["recorded_late"])


class Migration(migrations.Migration):
    dependencies = [("healthchecks", "0003_healthcheck_recorded_late")]

    operations = [migrations.RunPython(resync, migrations.RunPython.noop)]
