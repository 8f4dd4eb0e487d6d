"""Search's index of removed threads, whose posts it leaves out (search_index.REMOVED_INDEX)."""

from django.db import migrations

from threads import search_index


class Migration(migrations.Migration):
    dependencies = [
        ("threads", "0012_comment_form_key"),
    ]

    operations = [
        migrations.RunSQL(search_index.REMOVED_INDEX, search_index.DROP_REMOVED_INDEX),
    ]
