from django import template

from portal.dashboard import panels_for

register = template.Library()


@register.simple_tag
def staff_panels(user):
    """The start page panels this staff member may see (portal.dashboard)."""
    return panels_for(user)
