from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion


def mark_earlier_mentions_emailed(apps, schema_editor):
    # Mentions from before this migration were emailed (or given up on) already; the sweep
    # must not send them again.
    Mention = apps.get_model("releases", "Mention")
    Comment = apps.get_model("releases", "Comment")
    created = Comment.objects.filter(pk=models.OuterRef("comment_id")).values("created_at")
    Mention.objects.filter(emailed_at__isnull=True).update(emailed_at=models.Subquery(created))


class Migration(migrations.Migration):

    dependencies = [
        ("releases", "0003_input_limits_and_date_range"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The many-to-many table already exists: describe it as a model, then extend it.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Mention",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("comment", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="mention_rows", to="releases.comment")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"db_table": "releases_comment_mentions", "unique_together": {("comment", "user")}},
                ),
                migrations.AlterField(
                    model_name="comment",
                    name="mentions",
                    field=models.ManyToManyField(blank=True, related_name="+", through="releases.Mention", to=settings.AUTH_USER_MODEL),
                ),
            ],
        ),
        migrations.AddField(
            model_name="mention",
            name="emailed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_earlier_mentions_emailed, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="mention",
            index=models.Index(condition=models.Q(("emailed_at__isnull", True)), fields=["comment"], name="releases_mention_unsent"),
        ),
    ]
