from django import template
from django.utils.safestring import mark_safe

from portal.sanitize import clean_html

register = template.Library()


@register.filter
def rich_text(value: str) -> str:
    """Render staff rich text, sanitised on the way out whatever is stored."""
    return mark_safe(clean_html(value))


@register.simple_tag(takes_context=True)
def nav_current(context, prefix: str) -> str:
    """aria-current for the main navigation entry the visitor is in."""
    request = context.get("request")
    if request is None:
        return ""
    path = request.path
    if (prefix == "/" and path == "/") or (prefix != "/" and path.startswith(prefix)):
        return mark_safe(' aria-current="page"')
    return ""
