"""App config for threads and their comment trees."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_save


class ThreadsConfig(AppConfig):
    name = "threads"
    verbose_name = "Threads"

    def ready(self):
        from threads.models import Comment
        from threads.search.index import after_migrate

        pre_save.connect(_loaded_html_cleaned, sender=Comment)
        post_migrate.connect(after_migrate, sender=self)


def _loaded_html_cleaned(sender, instance, raw: bool, **kwargs) -> None:
    # Services render every body they write; a row loaded from a fixture or a backup (a raw
    # save) carries HTML nobody rendered here, so it passes the sanitizer before it is stored.
    if raw:
        from threads.text.markup import clean

        instance.html = clean(instance.html)
