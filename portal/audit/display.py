"""Reading the audit log: entries as a person reads them in the admin."""

import json
from dataclasses import dataclass
from datetime import date, datetime

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from portal.audit.records import ACTION_KINDS, KIND_LABELS


@dataclass(frozen=True)
class ChangeRow:
    label: str
    old: str
    new: str


def entry_kind(entry: LogEntry) -> str:
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    return data.get("kind") or ACTION_KINDS.get(entry.action, "update")


def entry_kind_label(entry: LogEntry) -> str:
    return str(KIND_LABELS.get(entry_kind(entry), entry_kind(entry)))


def _field_label(model, name: str) -> str:
    if model is None:
        return name
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    if field.auto_created and not field.concrete:
        # A reverse relation (an event's documents): named after the related model.
        return str(capfirst(field.related_model._meta.verbose_name_plural))
    return str(capfirst(getattr(field, "verbose_name", name)))


def _display(model, name: str, value) -> str:
    """A stored value as a person reads it: choices by label, dates in German format."""
    if value is None or value == "None" or (isinstance(value, str) and value.endswith(".None")):
        # auditlog writes an empty reverse relation as "app.Model.None".
        return "–"
    if model is None:
        return str(value)
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    if getattr(field, "choices", None):
        return str(dict(field.choices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("Yes") if str(value) in ("True", "true", "1") else _("No")
    if isinstance(field, models.DateField) and isinstance(value, str):
        return _display_date(field, value)
    return str(value)


def _display_date(field: models.DateField, value: str) -> str:
    """A stored ISO date or date and time in German format (as stored when unreadable)."""
    try:
        if not isinstance(field, models.DateTimeField):
            return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


def entry_changes(entry: LogEntry) -> list[ChangeRow]:
    """Old and new value per field, labelled with the field's German name."""
    model = entry.content_type.model_class()
    changes = entry.changes
    if isinstance(changes, str):
        try:
            changes = json.loads(changes)
        except ValueError:
            changes = {}
    rows = []
    primary_key = model._meta.pk.name if model is not None else "id"
    for name, change in sorted((changes or {}).items()):
        if name == primary_key:
            continue
        label = _field_label(model, name)
        if isinstance(change, dict) and change.get("type") == "m2m":
            objects = ", ".join(str(o) for o in change.get("objects", []))
            if change.get("operation") == "add":
                rows.append(ChangeRow(label, "", _("added: %(objects)s") % {"objects": objects}))
            else:
                rows.append(ChangeRow(label, "", _("removed: %(objects)s") % {"objects": objects}))
            continue
        old, new = (_display(model, name, v) for v in [*list(change), None, None][:2])
        if old != new and old.replace("\r\n", "\n") == new.replace("\r\n", "\n"):
            new = _("(only line endings changed)")
        rows.append(ChangeRow(label, old, new))
    return rows


def person_label(entry: LogEntry) -> str:
    """Who acted: the account, or the login name kept after the account was deleted."""
    if entry.actor_id is not None:
        return str(entry.actor)
    if entry.actor_email:
        return _("%(name)s (account deleted)") % {"name": entry.actor_email}
    return _("system or visitor")


def entries_for_object(obj: models.Model) -> models.QuerySet:
    return (
        LogEntry.objects.get_for_object(obj)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )


def is_tracked(model: type[models.Model]) -> bool:
    return auditlog.contains(model)
