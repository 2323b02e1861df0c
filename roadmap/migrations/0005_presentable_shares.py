from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("roadmap", "0004_usage_events"),
    ]

    operations = [
        migrations.AddField(
            model_name="sharelink",
            name="title",
            field=models.CharField(blank=True, max_length=120, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="sharelink",
            name="intro",
            field=models.TextField(blank=True, max_length=600, verbose_name="introduction"),
        ),
    ]
