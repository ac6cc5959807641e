"""The audit log of staff work: who did what and when, with old and new values.

django-auditlog writes an entry for every change of a tracked model (the list and the
fields left out or masked are in ``settings.AUDITLOG_INCLUDE_TRACKING_MODELS``). This package
adds what model signals cannot see — exports of personal data, e-mails sent to many people,
admin actions, restoring an earlier version (``records``, ``versions``) — and the reads the
admin shows (``display``, ``summaries``). Entries never hold personal data: counts, ids and
titles, not names, addresses or answers.

Apps other than portal call the ``audit_*`` functions from their services (STYLE: side
effects such as audit records live in services).
"""

from portal.audit.display import (
    ChangeRow,
    entries_for_object,
    entry_changes,
    entry_kind,
    entry_kind_label,
    is_tracked,
    person_label,
)
from portal.audit.records import (
    ACTION_KINDS,
    ANONYMOUS_MODELS,
    HIDDEN,
    KIND_ACTION,
    KIND_CODING,
    KIND_EXPORT,
    KIND_GENERATED,
    KIND_LABELS,
    KIND_MAIL,
    KIND_PAPER,
    KIND_PAPER_CORRECTION,
    KIND_PURGE,
    KIND_RESTORE,
    NAMED_LIMIT,
    PERSONAL_MODELS,
    PURGE_RAW_SURVEY_DATA,
    PURGE_REGISTRATIONS,
    AuditActorMiddleware,
    audit_admin_action,
    audit_correlated,
    audit_deleted,
    audit_export,
    audit_forget_personal_data,
    audit_mails,
    audit_record,
    audit_restored,
    connect_actor,
    current_cid,
    hide_value,
    safe_repr,
)
from portal.audit.summaries import entry_summary
from portal.audit.versions import (
    RestoreError,
    can_restore,
    restorable_fields,
    version_apply,
    version_restore,
)

__all__ = [
    "ACTION_KINDS",
    "ANONYMOUS_MODELS",
    "HIDDEN",
    "KIND_ACTION",
    "KIND_CODING",
    "KIND_EXPORT",
    "KIND_GENERATED",
    "KIND_LABELS",
    "KIND_MAIL",
    "KIND_PAPER",
    "KIND_PAPER_CORRECTION",
    "KIND_PURGE",
    "KIND_RESTORE",
    "NAMED_LIMIT",
    "PERSONAL_MODELS",
    "PURGE_RAW_SURVEY_DATA",
    "PURGE_REGISTRATIONS",
    "AuditActorMiddleware",
    "ChangeRow",
    "RestoreError",
    "audit_admin_action",
    "audit_correlated",
    "audit_deleted",
    "audit_export",
    "audit_forget_personal_data",
    "audit_mails",
    "audit_record",
    "audit_restored",
    "can_restore",
    "connect_actor",
    "current_cid",
    "entries_for_object",
    "entry_changes",
    "entry_kind",
    "entry_kind_label",
    "entry_summary",
    "hide_value",
    "is_tracked",
    "person_label",
    "restorable_fields",
    "safe_repr",
    "version_apply",
    "version_restore",
]
