"""Where a media file is used: foreign keys pointing at it, and embed codes ([bild:12],
[datei:12]) in the rich-text fields other apps register here (from their AppConfig.ready)."""

import re

from django.apps import apps
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst

EMBED = re.compile(r"\[(bild|datei):(\d{1,10})\]")
_rich_text_fields: list[tuple[str, str]] = []


def register_rich_text(model_label: str, field: str) -> None:
    """Tell the library that ``field`` of ``model_label`` ("portal.Page") may embed files."""
    if (model_label, field) not in _rich_text_fields:
        _rich_text_fields.append((model_label, field))


def embedded_ids(text: str) -> set[int]:
    return {int(number) for _kind, number in EMBED.findall(text or "")}


def _foreign_keys():
    """(model, field name) of every foreign key to MediaFile."""
    media_model = apps.get_model("media", "MediaFile")
    for relation in media_model._meta.related_objects:
        if relation.one_to_many and relation.related_model._meta.app_label != "media":
            yield relation.related_model, relation.field.name


def _rich_text_models():
    by_model: dict = {}
    for label, field in _rich_text_fields:
        by_model.setdefault(apps.get_model(label), []).append(field)
    return by_model.items()


def used_media_ids() -> set[int]:
    """Every file used anywhere (a handful of queries, whatever the number of files)."""
    used: set[int] = set()
    for model, field in _foreign_keys():
        used.update(
            model._default_manager.exclude(**{f"{field}__isnull": True})
            .values_list(field, flat=True)
            .distinct()
        )
    for model, fields in _rich_text_models():
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__contains": "[bild:"})
            condition |= Q(**{f"{field}__contains": "[datei:"})
        for values in model._default_manager.filter(condition).values_list(*fields):
            for text in values:
                used |= embedded_ids(text)
    return used


def _describe(obj) -> tuple[str, str]:
    label = f"{capfirst(obj._meta.verbose_name)} „{obj}“"
    try:
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        url = ""
    return label, url


def media_usages(media) -> list[tuple[str, str]]:
    """(description, admin address) of every object that uses ``media``."""
    found = []
    for model, field in _foreign_keys():
        found += [_describe(obj) for obj in model._default_manager.filter(**{field: media})]
    return found + media_text_usages(media)


def media_text_usages(media) -> list[tuple[str, str]]:
    """(description, admin address) of every object whose rich text embeds ``media``."""
    found = []
    codes = (f"[bild:{media.pk}]", f"[datei:{media.pk}]")
    for model, fields in _rich_text_models():
        condition = Q()
        for field in fields:
            for code in codes:
                condition |= Q(**{f"{field}__contains": code})
        found += [_describe(obj) for obj in model._default_manager.filter(condition)]
    return found
