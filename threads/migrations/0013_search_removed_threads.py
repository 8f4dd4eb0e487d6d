"""Search's index of removed threads, whose posts it leaves out (index.REMOVED_INDEX)."""

from django.db import migrations

from threads.search import index


class Migration(migrations.Migration):
    dependencies = [
        ("threads", "0012_comment_form_key"),
    ]

    operations = [
        migrations.RunSQL(index.REMOVED_INDEX, index.DROP_REMOVED_INDEX),
    ]
