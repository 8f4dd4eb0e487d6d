"""Dead, a state of its own: posts killed on Hacker News before their import, not removals."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("threads", "0018_imported_threads"),
    ]

    operations = [
        migrations.AlterField(
            model_name="comment",
            name="state",
            field=models.CharField(
                choices=[
                    ("visible", "visible"),
                    ("deleted", "deleted by author"),
                    ("removed", "removed by a moderator"),
                    ("flagged", "hidden by flags until a moderator decides"),
                    ("dead", "dead on Hacker News"),
                ],
                default="visible",
                max_length=10,
            ),
        ),
    ]
