"""{% link "item" post.pk %}: the forum's URLs in templates, built by forum.links."""

from django import template

from forum import links

register = template.Library()


@register.simple_tag
def link(name: str, id=None, **query) -> str:
    """links.page in a template: {% link "vote" post.pk how="up" goto=request.get_full_path %}."""
    return links.page(name, id, **query)


@register.simple_tag
def moderate(model: str, id: int) -> str:
    """links.moderate in a template: {% moderate "thread" thread.pk %}."""
    return links.moderate(model, id)


@register.simple_tag
def moderate_prefix() -> str:
    return links.moderate_prefix()
