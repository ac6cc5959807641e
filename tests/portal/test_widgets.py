"""PlainSelect gives exactly Django's <select> markup, built without templates."""

import re

import pytest
from django import forms

from portal.widgets import PlainSelect

CHOICES = [
    ("", "– alle –"),
    ("a", "A & B"),
    ("b", '<script>alert("x")</script>'),
    ("Gruppe", [("c", "C"), ("d", "D")]),
]


def _markup(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", [None, "a", "c", "unbekannt"])
@pytest.mark.parametrize(
    "attrs",
    [
        {"class": "form-select"},
        {"class": "form-select is-invalid", "aria-describedby": "id_f_error", "required": True},
        {"disabled": False, "data-x": 'a"b'},
    ],
)
def test_same_markup_as_django(value, attrs):
    expected = forms.Select(attrs=attrs, choices=CHOICES).render("f", value, attrs={"id": "id_f"})
    actual = PlainSelect(attrs=attrs, choices=CHOICES).render("f", value, attrs={"id": "id_f"})
    assert _markup(actual) == _markup(expected)
    assert "<script>" not in actual
