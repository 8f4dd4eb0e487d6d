from django.db import migrations

from threads.core.thread_urls import url_key


def keys_without_www(apps, schema_editor):
    """Threads keyed before www.example.com and example.com were one site get their key again,
    so that a url submitted either way finds them."""
    Thread = apps.get_model("threads", "Thread")
    changed = []
    for thread in Thread.objects.exclude(url="").only("pk", "url", "url_key").iterator(2000):
        key = url_key(thread.url)
        if key != thread.url_key:
            thread.url_key = key
            changed.append(thread)
    Thread.objects.bulk_update(changed, ["url_key"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("threads", "0020_hn_items_kept_as_imported")]

    operations = [migrations.RunPython(keys_without_www, migrations.RunPython.noop)]
