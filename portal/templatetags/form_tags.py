from django import template

from portal.form_html import form_fields_html

register = template.Library()


@register.simple_tag(takes_context=True)
def form_fields(context, form) -> str:
    """``{% form_fields form %}``: the form's fields as ``{{ form|crispy }}`` renders them,
    a blank form's kept per worker (``portal.form_html``)."""
    return form_fields_html(context.get("request"), form)
