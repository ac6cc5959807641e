"""CSV export of registrations for staff: UTF-8 with BOM and semicolons, as German Excel
expects, so umlauts survive a double click."""

import csv
from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Registration
from events.selectors import registrations_for_export
from portal.audit import audit_export

# A cell starting with one of these is a formula in spreadsheet programs (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def registrations_csv_response(
    *, registrations: QuerySet[Registration], filename: str
) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Event"),
            _("Starts at"),
            _("Name"),
            _("E-mail address"),
            _("Number of persons"),
            _("Status"),
            _("Accessibility needs"),
            _("Registered at"),
            _("Moved up at"),
            _("Cancelled at"),
        ]
    )
    rows = 0
    events = {}
    for registration in registrations_for_export(registrations=registrations):
        rows += 1
        events[registration.event_id] = registration.event
        writer.writerow(
            _cell(value)
            for value in [
                registration.event.title,
                registration.event.starts_at,
                registration.name,
                registration.email,
                registration.persons,
                registration.get_status_display(),
                registration.accessibility_needs,
                registration.created_at,
                registration.moved_up_at,
                registration.cancelled_at,
            ]
        )
    # Who took which registrants' data home: the file, the events, the number of rows.
    audit_export(model=Registration, filename=filename, rows=rows, scope=events.values())
    return response
