"""The full-text index: generated tsvector columns on PostgreSQL, FTS5 and triggers on SQLite."""

from django.db import migrations


def forwards(apps, schema_editor):
    from threads.search import index

    index.install(schema_editor.connection)
    index.rebuild(schema_editor.connection)


def backwards(apps, schema_editor):
    from threads.search import index

    index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("threads", "0010_remove_moderationaction_target_url"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
