"""The audit log of staff work: who did what and when, with old and new values.

django-auditlog writes an entry for every change of a tracked model (the list and the
fields left out or masked are in ``settings.AUDITLOG_INCLUDE_TRACKING_MODELS``). This module
adds what model signals cannot see — exports of personal data, e-mails sent to many people,
admin actions, restoring an earlier version — and the reads the admin shows. Entries never
hold personal data: counts, ids and titles, not names, addresses or answers.

Apps other than portal call the ``audit_*`` functions from their services (STYLE: side
effects such as audit records live in services).
"""

import json
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Cast
from django.db.models.signals import pre_save
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

# What an entry records, beyond auditlog's own create/update/delete (additional_data["kind"]).
KIND_EXPORT = "export"
KIND_MAIL = "mail"
KIND_ACTION = "action"
KIND_RESTORE = "restore"
KIND_CODING = "coding"
KIND_GENERATED = "generated"
KIND_PURGE = "purge"
KIND_PAPER = "paper"
# What a command deleted (gettext_noop: translated when the log is read).
PURGE_REGISTRATIONS = gettext_noop("name, e-mail and needs of registrants")
PURGE_RAW_SURVEY_DATA = gettext_noop("raw free texts and paper batch details")
KIND_LABELS = {
    "create": gettext_lazy("created"),
    "update": gettext_lazy("changed"),
    "delete": gettext_lazy("deleted"),
    KIND_EXPORT: gettext_lazy("export of personal data"),
    KIND_MAIL: gettext_lazy("e-mails sent"),
    KIND_ACTION: gettext_lazy("admin action"),
    KIND_RESTORE: gettext_lazy("version restored"),
    KIND_CODING: gettext_lazy("free-text answers coded"),
    KIND_GENERATED: gettext_lazy("generated"),
    KIND_PURGE: gettext_lazy("data deleted"),
    KIND_PAPER: gettext_lazy("paper questionnaire entered"),
}
_ACTION_KINDS = {
    LogEntry.Action.CREATE: "create",
    LogEntry.Action.UPDATE: "update",
    LogEntry.Action.DELETE: "delete",
}

# Models whose text representation is personal data (a registrant's name): the log keeps
# their ids only; a quote's text starts as a raw free-text answer. Survey raw data is not
# even counted per row (anonymity of the survey).
PERSONAL_MODELS = {"events.registration", "survey.quote"}
ANONYMOUS_MODELS = {
    "survey.response",
    "survey.answer",
    "survey.freetextanswer",
    "survey.accesscode",
    "survey.answertheme",
}
HIDDEN = "•••"
NAMED_LIMIT = 50  # objects one entry names; its count is always exact

_request: ContextVar = ContextVar("audit_request", default=None)
_cid: ContextVar = ContextVar("audit_cid", default=None)


def hide_value(value: str) -> str:
    """Mask callable for personal fields: the log shows that a value changed, never which."""
    return HIDDEN if value and value != "None" else ""


def current_cid() -> str | None:
    """Correlation id of the running admin action (settings.AUDITLOG_CID_GETTER)."""
    return _cid.get()


@contextmanager
def audit_correlated() -> Iterator[str]:
    """Every entry written inside shares one correlation id: one admin action, one group."""
    token = _cid.set(uuid.uuid4().hex[:12])
    try:
        yield _cid.get()
    finally:
        _cid.reset(token)


class AuditActorMiddleware:
    """Remembers the request, so an entry written during it names the logged-in person.

    Unlike auditlog's own middleware the user is looked up only when an entry is written:
    public pages load no session or user because of the log.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def _prepare_entry(sender, instance, **kwargs):
    """Name the person acting, and keep registrants' names out of the log's object text
    (auditlog writes str(obj), which for a registration is "Name (Event)")."""
    if instance.content_type.app_label + "." + instance.content_type.model in PERSONAL_MODELS:
        model = instance.content_type.model_class()
        instance.object_repr = f"{capfirst(model._meta.verbose_name)} #{instance.object_pk}"
    if instance.actor_id is None:
        request = _request.get()
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            instance.actor = user
    # The account may be deleted one day (the actor becomes NULL): the entry keeps the
    # login name, so deleting an account never erases who did what.
    if instance.actor_id is not None and not instance.actor_email:
        instance.actor_email = instance.actor.get_username()[:254]


def connect_actor() -> None:
    pre_save.connect(_prepare_entry, sender=LogEntry, dispatch_uid="portal.audit.entry")


# --- Writes ---------------------------------------------------------------------------------


def _record(
    *,
    kind: str,
    model: type[models.Model],
    obj: models.Model | None,
    details: dict,
    action: int = LogEntry.Action.ACCESS,
    changes: dict | None = None,
) -> LogEntry:
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_pk=str(obj.pk) if obj is not None else "",
        object_id=obj.pk if obj is not None and isinstance(obj.pk, int) else None,
        object_repr=safe_repr(obj) if obj is not None else str(model._meta.verbose_name_plural),
        action=action,
        changes=changes,
        additional_data={"kind": kind, **details},
        cid=current_cid(),
    )


def safe_repr(obj: models.Model) -> str:
    label = obj._meta.label_lower
    if label in PERSONAL_MODELS or label in ANONYMOUS_MODELS:
        return f"{capfirst(obj._meta.verbose_name)} #{obj.pk}"
    return str(obj)[:200]


def audit_export(
    *,
    model: type[models.Model],
    filename: str,
    rows: int,
    obj: models.Model | None = None,
    scope: Iterable[models.Model] = (),
) -> LogEntry:
    """Someone downloaded personal data: which file, how many rows, of what (no content)."""
    return _record(
        kind=KIND_EXPORT,
        model=model,
        obj=obj,
        details={"file": filename, "rows": rows, "scope": [safe_repr(o) for o in scope]},
    )


def audit_mails(*, obj: models.Model, recipients: int, reason: str) -> LogEntry | None:
    """E-mails went out to several people because of one change (never the addresses)."""
    if recipients <= 0:
        return None
    return _record(
        kind=KIND_MAIL,
        model=type(obj),
        obj=obj,
        details={"recipients": recipients, "reason": reason},
    )


def audit_record(
    *, kind: str, model: type[models.Model], obj: models.Model | None = None, **details
) -> LogEntry:
    """Anything else staff or operators did that model signals do not see (codes generated,
    answers coded, data deleted by a command): which kind, of what, and counts."""
    return _record(kind=kind, model=model, obj=obj, details=details)


def person_label(entry: LogEntry) -> str:
    """Who acted: the account, or the login name kept after the account was deleted."""
    if entry.actor_id is not None:
        return str(entry.actor)
    if entry.actor_email:
        return _("%(name)s (account deleted)") % {"name": entry.actor_email}
    return _("system or visitor")


def _named(
    model: type[models.Model], objects: list, count: int
) -> tuple[models.Model | None, list[str]]:
    """What an entry about ``count`` objects names: the object itself when it is one, and
    up to NAMED_LIMIT of them by their log text; survey raw data neither (only counted)."""
    if model._meta.label_lower in ANONYMOUS_MODELS:
        return None, []
    return (objects[0] if count == 1 else None), [safe_repr(obj) for obj in objects[:NAMED_LIMIT]]


def audit_admin_action(
    *, model: type[models.Model], name: str, label: str, objects: list, count: int
) -> LogEntry:
    """An admin action ran on ``count`` objects (written once it has run). Its changes are
    the entries with the same correlation id; here only which action and which objects."""
    obj, listed = _named(model, objects, count)
    return _record(
        kind=KIND_ACTION,
        model=model,
        obj=obj,
        details={"action": name, "label": label, "count": count, "objects": listed},
        action=LogEntry.Action.UPDATE,
    )


def audit_deleted(*, model: type[models.Model], objects: list) -> LogEntry:
    """Rows of a model without its own history were deleted in the admin (survey raw data
    by count only)."""
    obj, listed = _named(model, objects, len(objects))
    return _record(
        kind="delete",
        model=model,
        obj=obj,
        details={"count": len(objects), "objects": listed},
        action=LogEntry.Action.DELETE,
    )


class RestoreError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def restorable_fields(entry: LogEntry) -> dict:
    """The fields a version entry can bring back (those auditlog serialised for it)."""
    data = entry.serialized_data or {}
    return dict(data.get("fields") or {})


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
        if name in keep:
            continue
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.many_to_many or isinstance(field, models.FileField) or not field.editable:
            continue
        if field.is_relation:
            value = raw
            attname = field.attname
        else:
            try:
                value = field.to_python(raw)
            except ValidationError:
                continue
            attname = field.attname
        if getattr(obj, attname) != value:
            setattr(obj, attname, value)
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


def audit_restored(*, obj: models.Model, entry: LogEntry, fields: list[str]) -> LogEntry:
    return _record(
        kind=KIND_RESTORE,
        model=type(obj),
        obj=obj,
        details={
            "entry": entry.pk,
            "version_of": entry.timestamp.isoformat(),
            "fields": fields,
        },
        action=LogEntry.Action.UPDATE,
    )


def audit_forget_personal_data(
    *, model: type[models.Model], still_personal: models.QuerySet
) -> int:
    """After personal data is purged, the log must not keep it either: entries about rows
    that no longer hold personal data (purged or deleted) lose their text representation.
    Django's own admin log (which stores "Name (Event)") is cleaned the same way."""
    content_type = ContentType.objects.get_for_model(model)
    placeholder = str(_("Deleted personal data"))
    keep = still_personal.values("pk")
    with transaction.atomic():
        cleaned = (
            LogEntry.objects.filter(content_type=content_type)
            .exclude(object_id__in=keep)
            .exclude(object_repr=placeholder)
            .update(object_repr=placeholder, serialized_data=None, changes_text="")
        )
        cleaned += (
            AdminLogEntry.objects.filter(content_type=content_type)
            .exclude(
                object_id__in=still_personal.annotate(key=Cast("pk", models.TextField())).values(
                    "key"
                )
            )
            .exclude(object_repr=placeholder)
            .update(object_repr=placeholder, change_message="")
        )
    return cleaned


# --- Reads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRow:
    label: str
    old: str
    new: str


def entry_kind(entry: LogEntry) -> str:
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    return data.get("kind") or _ACTION_KINDS.get(entry.action, "update")


def entry_kind_label(entry: LogEntry) -> str:
    return str(KIND_LABELS.get(entry_kind(entry), entry_kind(entry)))


def _field_label(model, name: str) -> str:
    if model is None:
        return name
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(capfirst(getattr(field, "verbose_name", name)))


def _display(model, name: str, value) -> str:
    """A stored value as a person reads it: choices by label, dates in German format."""
    if value is None or value == "None":
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
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "DATETIME_FORMAT")
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
        except ValueError:
            return value
    return str(value)


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


def entry_summary(entry: LogEntry) -> str:
    """One German sentence for entries that are not plain field changes."""
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    kind = data.get("kind")
    if kind == KIND_EXPORT:
        rows = int(data.get("rows", 0))
        text = ngettext(
            "File “%(file)s” with %(rows)d row downloaded",
            "File “%(file)s” with %(rows)d rows downloaded",
            rows,
        ) % {"file": data.get("file", ""), "rows": rows}
        if data.get("scope"):
            text += " (" + ", ".join(data["scope"]) + ")"
        return text
    if kind == KIND_MAIL:
        recipients = int(data.get("recipients", 0))
        return ngettext(
            "%(count)d e-mail sent (%(reason)s)", "%(count)d e-mails sent (%(reason)s)", recipients
        ) % {"count": recipients, "reason": _(data.get("reason") or "–")}
    if kind == KIND_ACTION:
        count = int(data.get("count", 0))
        text = ngettext(
            "Action “%(label)s” on %(count)d object",
            "Action “%(label)s” on %(count)d objects",
            count,
        ) % {"label": data.get("label", ""), "count": count}
        if data.get("objects"):
            text += ": " + ", ".join(data["objects"])
        return text
    if kind == "delete":
        count = int(data.get("count", 0))
        text = ngettext("%(count)d object deleted", "%(count)d objects deleted", count) % {
            "count": count
        }
        if data.get("objects"):
            text += ": " + ", ".join(data["objects"])
        return text
    if kind == KIND_CODING:
        count = int(data.get("count", 0))
        if data.get("operation") == "remove":
            message = ngettext(
                "Theme “%(theme)s” removed from %(count)d answer",
                "Theme “%(theme)s” removed from %(count)d answers",
                count,
            )
        else:
            message = ngettext(
                "%(count)d answer coded as “%(theme)s”",
                "%(count)d answers coded as “%(theme)s”",
                count,
            )
        return message % {"count": count, "theme": data.get("theme", "")}
    if kind == KIND_GENERATED:
        count = int(data.get("count", 0))
        if data.get("what") == "access_codes":
            return ngettext(
                "%(count)d access code generated", "%(count)d access codes generated", count
            ) % {"count": count}
        return ngettext(
            "%(count)d synthetic response generated (%(command)s)",
            "%(count)d synthetic responses generated (%(command)s)",
            count,
        ) % {"count": count, "command": data.get("command", "")}
    if kind == KIND_PURGE:
        count = int(data.get("count", 0))
        text = ngettext(
            "%(what)s deleted from %(count)d row (%(command)s)",
            "%(what)s deleted from %(count)d rows (%(command)s)",
            count,
        ) % {"what": _(data.get("what") or "–"), "count": count, "command": data.get("command", "")}
        if "retention_days" in data:
            days = int(data["retention_days"])
            text += ", " + ngettext("retention %(days)d day", "retention %(days)d days", days) % {
                "days": days
            }
        return text
    if kind == KIND_PAPER:
        return _("One paper questionnaire entered")
    if kind == KIND_RESTORE:
        try:
            moment = timezone.localtime(datetime.fromisoformat(data.get("version_of", "")))
            when = formats.date_format(moment, "DATETIME_FORMAT")
        except ValueError:
            when = "?"
        return _("Version of %(when)s restored") % {"when": when}
    return ""


def entries_for_object(obj: models.Model) -> models.QuerySet:
    return (
        LogEntry.objects.get_for_object(obj)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )


def is_tracked(model: type[models.Model]) -> bool:
    return auditlog.contains(model)


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
