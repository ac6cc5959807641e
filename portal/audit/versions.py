"""Restoring an earlier version of an object from its audit log entry."""

from collections.abc import Iterable

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from portal.audit.records import audit_restored


class RestoreError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def restorable_fields(entry: LogEntry) -> dict:
    """The fields a version entry can bring back (those auditlog serialised for it)."""
    data = entry.serialized_data or {}
    return dict(data.get("fields") or {})


def _restorable_field(obj: models.Model, name: str) -> models.Field | None:
    """The field ``name`` of ``obj`` if a version may set it: not to many, no file, editable."""
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if field.many_to_many or isinstance(field, models.FileField) or not field.editable:
        return None
    return field


def version_apply(*, obj: models.Model, entry: LogEntry, keep: Iterable[str] = ()) -> list[str]:
    """Set the field values of the version ``entry`` on ``obj`` (not saved); returns the
    names of the fields that change. Relations to many (topics, municipalities) and files
    are never restored: the history shows them, and an editor must not widen an article's
    reach by restoring. Fields in ``keep`` (read-only for this person in the admin, e.g. the
    status of a shared article for a limited editor) keep their current value."""
    fields = restorable_fields(entry)
    if not fields:
        raise RestoreError(_("This entry holds no version that could be restored."))
    keep = set(keep)
    changed = []
    for name, raw in fields.items():
        field = None if name in keep else _restorable_field(obj, name)
        if field is None:
            continue
        try:
            value = raw if field.is_relation else field.to_python(raw)
        except ValidationError:
            continue
        if getattr(obj, field.attname) != value:
            setattr(obj, field.attname, value)
            changed.append(name)
    if not changed:
        raise RestoreError(_("This version is the same as the current one."))
    try:
        obj.full_clean(exclude=[f.name for f in obj._meta.many_to_many])
    except ValidationError as error:
        raise RestoreError(
            _("This version cannot be restored: %(reason)s") % {"reason": " ".join(error.messages)}
        ) from error
    return changed


def can_restore(model: type[models.Model]) -> bool:
    return auditlog.contains(model) and auditlog.get_serialize_options(model)["serialize_data"]


def version_restore(
    *, obj: models.Model, entry: LogEntry, save, allowed, keep: Iterable[str] = ()
) -> list[str]:
    """Bring back the version ``entry`` of ``obj``. ``save(obj, changed)`` is the admin's own
    save path (so services run: calendar SEQUENCE, mails); ``allowed(obj)`` says whether the
    person may keep the result — checked on the restored state inside a savepoint before the
    real save, so a version outside the editor's reach is never written (nor mailed about)."""
    changed = version_apply(obj=obj, entry=entry, keep=keep)
    try:
        with transaction.atomic():
            models.Model.save(obj, update_fields=changed)
            permitted = allowed(obj)
            transaction.set_rollback(True)
    except IntegrityError as error:
        raise RestoreError(_("This version conflicts with other content.")) from error
    if not permitted:
        raise PermissionError
    with transaction.atomic():
        save(obj, changed)
        audit_restored(obj=obj, entry=entry, fields=changed)
    return changed
