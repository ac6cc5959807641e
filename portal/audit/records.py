"""Writing the audit log: who acted, and the entries model signals cannot see.

Exports of personal data, e-mails sent to many people, admin actions, restored versions and
what commands deleted. Entries never hold personal data: counts, ids and titles, not names,
addresses or answers.
"""

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from auditlog.models import LogEntry
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.functions import Cast
from django.db.models.signals import pre_save
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

# What an entry records, beyond auditlog's own create/update/delete (additional_data["kind"]).
KIND_EXPORT = "export"
KIND_MAIL = "mail"
KIND_ACTION = "action"
KIND_RESTORE = "restore"
KIND_CODING = "coding"
KIND_GENERATED = "generated"
KIND_PURGE = "purge"
KIND_PAPER = "paper"
KIND_PAPER_CORRECTION = "paper_correction"
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
    KIND_PAPER_CORRECTION: gettext_lazy("paper questionnaire corrected or deleted"),
}
ACTION_KINDS = {
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
