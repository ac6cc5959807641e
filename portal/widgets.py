"""Form widgets rendered in Python instead of through the form renderer's templates.

Django renders a ``<select>`` with one template for the field and one more for every
``<option>``; on list pages with filter forms that render on every visit (news, events,
results) that was a third of the page's time. The markup is the same as Django's.
"""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


def _attrs(attrs: dict) -> str:
    """Like django/forms/widgets/attrs.html: in order, True as a bare name, False left out."""
    return mark_safe(  # safe: every part is built with format_html
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False and value is not None
        )
    )


def _options(choices) -> str:
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((option["value"], _attrs(option["attrs"]), option["label"]) for option in choices),
    )


class PlainSelect(forms.Select):
    """``forms.Select`` with the same HTML, built without templates."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group_name, choices, _index in widget["optgroups"]:
            if group_name is None:
                parts.append(_options(choices))
            else:
                parts.append(
                    format_html('<optgroup label="{}">{}</optgroup>', group_name, _options(choices))
                )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            _attrs(widget["attrs"]),
            mark_safe("".join(parts)),
        )
