"""Imported authors marked as such, and every name's short skeleton.

An account is imported when an importer made it: both wrote the fixed unusable password
"!imported", which nothing else writes (staff accounts are left as they are: an imported
author is never staff). The short skeleton is the skeleton of the first 6 characters, the
part a post's name shows; names that already share one keep it (the index is not unique).
"""

from django.db import migrations, models

import forum.accounts.names

IMPORTED_PASSWORD = "!imported"


def mark_and_fill(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    imported = User.objects.filter(password=IMPORTED_PASSWORD, is_staff=False, is_superuser=False)
    imported.update(is_imported=True)
    users = list(User.objects.only("pk", "username"))
    for user in users:
        user.short_skeleton = forum.accounts.names.short_skeleton(user.username)[:150]
    User.objects.bulk_update(users, ["short_skeleton"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_reader_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="is_imported",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="user",
            name="short_skeleton",
            field=models.CharField(db_index=True, default="", editable=False, max_length=150),
            preserve_default=False,
        ),
        migrations.RunPython(mark_and_fill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(is_imported=False)
                | models.Q(is_staff=False, is_superuser=False),
                name="accounts_user_imported_never_staff",
            ),
        ),
    ]
