from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("strategy", "0005_input_limits_and_date_range"),
    ]

    operations = [
        migrations.AddField(
            model_name="workspace",
            name="logo",
            field=models.TextField(blank=True, verbose_name="logo"),
        ),
    ]
