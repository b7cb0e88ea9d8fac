from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("healthchecks", "0006_compliance_index"),
    ]

    # Each new index first: the one it replaces is its prefix.
    operations = [
        migrations.AddIndex(
            model_name="healthcheck",
            index=models.Index(
                fields=["contract", "state", "period_end", "period_start"],
                name="check_contract_state_period",
            ),
        ),
        migrations.RemoveIndex(
            model_name="healthcheck",
            name="check_contract_state_end",
        ),
        migrations.AddIndex(
            model_name="healthcheck",
            index=models.Index(
                fields=["state", "period_end", "period_start", "contract"],
                name="check_state_period_contract",
            ),
        ),
        migrations.RemoveIndex(
            model_name="healthcheck",
            name="check_state_end_start",
        ),
    ]
