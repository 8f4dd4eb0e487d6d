"""Hacker News items kept as HN gave them beside the posts imported from them, so that
/v0/item/ID.json gives them back as they went in."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("threads", "0019_comment_state_dead"),
    ]

    operations = [
        migrations.CreateModel(
            name="HnItem",
            fields=[
                (
                    "comment",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="hn_item",
                        serialize=False,
                        to="threads.comment",
                    ),
                ),
                ("item", models.JSONField()),
            ],
            options={
                "verbose_name": "Hacker News item",
            },
        ),
    ]
