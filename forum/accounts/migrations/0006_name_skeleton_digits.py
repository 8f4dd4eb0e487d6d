"""Every user's name skeleton again: the skeleton now also takes 2, 3, 4, 5, 7 and 8 for the
letters they stand in for (z, e, a, s, t, b) and - for _ (forum.accounts.names).

Existing names that now share a skeleton keep it, as in 0004: only new names are held to it.
"""

from importlib import import_module

from django.db import migrations

# The same filling as 0004's, with the skeleton as forum.accounts.names draws it today.
fill_skeletons = import_module("forum.accounts.migrations.0004_name_skeleton").fill_skeletons


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_email_confirmed"),
    ]

    operations = [
        migrations.RunPython(fill_skeletons, migrations.RunPython.noop),
    ]
