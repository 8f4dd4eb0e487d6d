"""Every user's name skeleton, so that a new name confusable with an existing one is refused.

Existing names that share a skeleton keep it: the index is not unique, and only new names are
held to it (forum.accounts.names.validate_new_name, services.user_signup).
"""

from django.db import migrations, models

import forum.accounts.names


def fill_skeletons(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    users = list(User.objects.only("pk", "username"))
    for user in users:
        user.name_skeleton = forum.accounts.names.skeleton(user.username)[:150]
    User.objects.bulk_update(users, ["name_skeleton"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_username_rule"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="name_skeleton",
            field=models.CharField(db_index=True, default="", editable=False, max_length=150),
            preserve_default=False,
        ),
        migrations.RunPython(fill_skeletons, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="username",
            field=models.CharField(
                error_messages={"unique": "A user with that username already exists."},
                help_text="2 to 15 characters: letters, digits, _ and -.",
                max_length=150,
                unique=True,
                validators=[forum.accounts.names.validate_new_name],
                verbose_name="username",
            ),
        ),
    ]
