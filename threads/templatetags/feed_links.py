"""`{% feed_links %}`: the `<link rel="alternate">` lines naming the feeds of the page shown."""

from django import template
from django.utils.html import format_html_join

from threads.pages import feeds

register = template.Library()


@register.simple_tag(takes_context=True)
def feed_links(context):
    request = context.get("request")
    if request is None:
        return ""
    return format_html_join(
        "\n",
        '<link rel="alternate" type="{}" href="{}">',
        feeds.page_feeds(request),
    )
