from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0005_contract_training_window_end"),
    ]

    operations = [
        migrations.AlterField(
            model_name="contract",
            name="training_window_end",
            field=models.DateField(editable=False, verbose_name="training usable until"),
        ),
    ]
