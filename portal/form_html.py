"""The fields of a blank public form as HTML, kept per worker (``{% form_fields form %}``).

The public pages with a form (an idea, the contact form, an event registration, a survey's
access code) are never page-cached: each carries the visitor's CSRF token. Rendering the
fields through crispy-forms' templates (labels, help texts, widgets, the options of every
select) was most of such a page's time, yet the fields of a form nobody has typed into are
the same for every visitor. So their HTML is kept in the worker's memory under the content
version the request read (``portal.memo.remember_part``: with the language, time zone and
database), the form's class, prefix and id pattern and every field's label, help text,
widget, attributes and initial value: a select's options come from public content, which
raises the content version when it changes.

Never kept, always rendered for the request itself:
- a bound form (what the visitor sent, with its errors) and a form with initial values
  other than the per-visitor ones below (a prefilled form);
- the per-visitor values a blank form carries (``fresh_fields``: the spam protection's
  signed timestamp, a single-use token): the kept HTML holds a mark in their place and
  each request puts in its own value, escaped as the template would;
- anything outside the fields: the CSRF token, the error summary and messages are in the
  page's template around the tag;
- a request without a content version read, and a signed-in user (``remember_part``).
"""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from portal.memo import remember_part


def _mark(name: str) -> str:
    # Control characters, which no label or value of ours holds and escaping leaves alone.
    return f"\x02fresh:{name}\x03"


def fresh_fields(form: forms.Form) -> tuple[str, ...]:
    """The fields whose initial value is the visitor's own (see the module)."""
    return tuple(getattr(form, "fresh_fields", ()))


def is_blank(form: forms.Form) -> bool:
    """True for a form nobody has typed into and the view prefilled with nothing of a
    visitor's: only such a form's HTML is kept."""
    fresh = fresh_fields(form)
    return not form.is_bound and all(name in fresh for name in form.initial)


def _field_key(name: str, field: forms.Field) -> tuple:
    widget = field.widget
    initial = field.initial
    if callable(initial):
        initial = ("callable", id(initial))  # evaluated per render: never kept (see below)
    return (
        name,
        type(field).__qualname__,
        type(widget).__module__,
        type(widget).__qualname__,
        str(field.label),
        str(field.help_text),
        field.required,
        field.disabled,
        field.show_hidden_initial,
        repr(sorted((str(k), repr(v)) for k, v in widget.attrs.items())),
        repr(initial),
    )


def _render(form: forms.Form) -> SafeString:
    # Exactly what ``{{ form|crispy }}`` renders (crispy's templates escape every value).
    return mark_safe(as_crispy_form(form))


def _render_with_marks(form: forms.Form, names: tuple[str, ...]) -> SafeString | None:
    """The form's HTML with a mark for each per-visitor value, or None when a mark does not
    come out exactly once (a widget that shows its value in another form or twice)."""
    initial = form.initial
    form.initial = {**initial, **{name: _mark(name) for name in names}}
    form._bound_fields_cache = {}
    try:
        html = _render(form)
    finally:
        form.initial = initial
        form._bound_fields_cache = {}
    if any(html.count(_mark(name)) != 1 for name in names):
        return None
    return html


def form_fields_html(request, form: forms.Form) -> SafeString:
    """The HTML of ``form``'s fields, as ``{{ form|crispy }}`` renders it (see the module)."""
    fields = form.fields
    if (
        request is None
        or not is_blank(form)
        or any(callable(field.initial) for field in fields.values())
    ):
        return _render(form)
    names = tuple(name for name in fresh_fields(form) if name in fields)
    key = (
        "form-fields",
        type(form).__module__,
        type(form).__qualname__,
        form.prefix,
        str(form.auto_id),
        form.use_required_attribute,
        names,
        tuple(_field_key(name, field) for name, field in fields.items()),
    )
    html = remember_part(request, key, lambda: _render_with_marks(form, names))
    if html is None:
        return _render(form)
    for name in names:
        value = form.initial.get(name)
        html = html.replace(_mark(name), escape("" if value is None else value))
    return mark_safe(html)  # safe: kept HTML of crispy's templates, the values escaped
