"""One German sentence for audit entries that are not plain field changes."""

from datetime import datetime

from auditlog.models import LogEntry
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.audit.records import (
    KIND_ACTION,
    KIND_CODING,
    KIND_EXPORT,
    KIND_GENERATED,
    KIND_MAIL,
    KIND_PAPER,
    KIND_PAPER_CORRECTION,
    KIND_PURGE,
    KIND_RESTORE,
)


def _export(data: dict) -> str:
    rows = int(data.get("rows", 0))
    text = ngettext(
        "File “%(file)s” with %(rows)d row downloaded",
        "File “%(file)s” with %(rows)d rows downloaded",
        rows,
    ) % {"file": data.get("file", ""), "rows": rows}
    if data.get("scope"):
        text += " (" + ", ".join(data["scope"]) + ")"
    return text


def _mail(data: dict) -> str:
    recipients = int(data.get("recipients", 0))
    return ngettext(
        "%(count)d e-mail sent (%(reason)s)", "%(count)d e-mails sent (%(reason)s)", recipients
    ) % {"count": recipients, "reason": _(data.get("reason") or "–")}


def _action(data: dict) -> str:
    count = int(data.get("count", 0))
    text = ngettext(
        "Action “%(label)s” on %(count)d object",
        "Action “%(label)s” on %(count)d objects",
        count,
    ) % {"label": data.get("label", ""), "count": count}
    if data.get("objects"):
        text += ": " + ", ".join(data["objects"])
    return text


def _delete(data: dict) -> str:
    count = int(data.get("count", 0))
    text = ngettext("%(count)d object deleted", "%(count)d objects deleted", count) % {
        "count": count
    }
    if data.get("objects"):
        text += ": " + ", ".join(data["objects"])
    return text


def _coding(data: dict) -> str:
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


def _generated(data: dict) -> str:
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


def _purge(data: dict) -> str:
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


def _paper(data: dict) -> str:
    return _("One paper questionnaire entered")


def _paper_correction(data: dict) -> str:
    sheet = data.get("sheet", "?")
    if data.get("operation") == "delete":
        return _("Paper sheet %(sheet)s deleted") % {"sheet": sheet}
    questions = ", ".join(data.get("questions") or []) or "–"
    text = _("Paper sheet %(sheet)s corrected (questions: %(questions)s)") % {
        "sheet": sheet,
        "questions": questions,
    }
    if data.get("renumbered_from"):
        text += ", " + _("formerly sheet %(sheet)s") % {"sheet": data["renumbered_from"]}
    return text


def _restore(data: dict) -> str:
    try:
        moment = timezone.localtime(datetime.fromisoformat(data.get("version_of", "")))
        when = formats.date_format(moment, "DATETIME_FORMAT")
    except ValueError:
        when = "?"
    return _("Version of %(when)s restored") % {"when": when}


_SUMMARIES = {
    KIND_EXPORT: _export,
    KIND_MAIL: _mail,
    KIND_ACTION: _action,
    "delete": _delete,
    KIND_CODING: _coding,
    KIND_GENERATED: _generated,
    KIND_PURGE: _purge,
    KIND_PAPER: _paper,
    KIND_PAPER_CORRECTION: _paper_correction,
    KIND_RESTORE: _restore,
}


def entry_summary(entry: LogEntry) -> str:
    """One German sentence for entries that are not plain field changes ("" for those)."""
    data = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    summary = _SUMMARIES.get(data.get("kind"))
    return summary(data) if summary else ""
