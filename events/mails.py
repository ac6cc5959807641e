"""The e-mails to registrants: subject and text of each kind, sending them, and how often a
registered address may hear about a repeated request. Log records carry ids only."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from events.calendar import event_ics_file
from events.models import Registration
from portal.services import mail_subject

logger = logging.getLogger(__name__)

# Why mails went out, for the audit log (English msgids, translated when the log is read).
MAIL_REASONS = {
    "moved_up": gettext_noop("moved up from the waiting list"),
    "cancelled": gettext_noop("registration cancelled"),
    "event_cancelled": gettext_noop("event cancelled"),
    "event_postponed": gettext_noop("event postponed"),
    "event_changed": gettext_noop("date, time or place changed"),
}

# Mails about a place held (or the event's fate) carry the event as an .ics file: one tap
# puts it into the calendar, and the same UID with a higher SEQUENCE updates it there.
ICS_ATTACHED = frozenset(
    {"confirmed", "moved_up", "event_changed", "event_cancelled", "event_postponed"}
)

MAIL_SUBJECTS = {
    "confirm_request": lambda title: (
        _("Please confirm your registration: %(title)s") % {"title": title}
    ),
    "already_registered": lambda title: (
        _("You are already registered: %(title)s") % {"title": title}
    ),
    "already_waiting": lambda title: (
        _("You are already on the waiting list: %(title)s") % {"title": title}
    ),
    "confirmed": lambda title: _("Registration confirmed: %(title)s") % {"title": title},
    "waiting": lambda title: _("You are on the waiting list: %(title)s") % {"title": title},
    "moved_up": lambda title: _("A place is free for you: %(title)s") % {"title": title},
    "cancelled": lambda title: _("Registration cancelled: %(title)s") % {"title": title},
    "event_cancelled": lambda title: _("Cancelled: %(title)s") % {"title": title},
    "event_postponed": lambda title: _("Postponed: %(title)s") % {"title": title},
    "event_changed": lambda title: _("Changed date or place: %(title)s") % {"title": title},
}


def registration_mail(*, registration: Registration, kind: str) -> tuple[str, str]:
    """Subject and text of the mail of ``kind`` about ``registration``, in German."""
    event = registration.event
    with translation.override(settings.LANGUAGE_CODE), timezone.override(settings.TIME_ZONE):
        context = {
            "registration": registration,
            "event": event,
            "event_url": settings.SITE_URL + event.get_absolute_url(),
            "cancel_url": (
                settings.SITE_URL + registration.get_cancel_url()
                if registration.cancel_token and kind not in {"cancelled", "event_cancelled"}
                else ""
            ),
            "confirm_url": (
                settings.SITE_URL + registration.get_confirm_url()
                if kind == "confirm_request"
                else ""
            ),
            "confirm_minutes": settings.EVENTS_REGISTRATION_CONFIRM_MINUTES,
            "site_name": settings.SITE_NAME,
        }
        body = render_to_string(f"events/email/registration_{kind}.txt", context)
        subject = mail_subject(MAIL_SUBJECTS[kind](event.title))
    return subject, body


def already_registered_mail_allowed(*, registration: Registration, now: datetime) -> bool:
    """Whether the owner of a registered address may hear now that somebody sent the form
    again: at most once per EVENTS_REGISTRATION_CONFIRM_MINUTES per registration (address
    and event), else a script could mail a registered person without end. The conditional
    UPDATE decides, so two requests at once cannot both pass. The registration itself stays
    as it was (another number of persons means cancelling and registering again)."""
    quiet_since = now - timedelta(minutes=settings.EVENTS_REGISTRATION_CONFIRM_MINUTES)
    # update(), not save(): the audit log tracks registrations, and a stranger's attempt is
    # no change to a person's registration.
    return bool(
        Registration.objects.filter(pk=registration.pk)
        .filter(
            Q(already_registered_mailed_at__isnull=True)
            | Q(already_registered_mailed_at__lte=quiet_since)
        )
        .update(already_registered_mailed_at=now)
    )


def registration_mail_message(*, registration: Registration, kind: str) -> EmailMessage:
    """The mail of ``kind`` about ``registration``, with the event's .ics where it helps."""
    subject, body = registration_mail(registration=registration, kind=kind)
    message = EmailMessage(subject, body, None, [registration.email])
    if kind in ICS_ATTACHED:
        filename, content = event_ics_file(registration.event)
        message.attach(filename, content, "text/calendar")
    return message


def registration_mail_send(*, registration: Registration, kind: str) -> bool:
    """Send one mail; False when the mail server refused it (the change itself stands)."""
    message = registration_mail_message(registration=registration, kind=kind)
    try:
        message.send()
    except OSError as error:  # smtplib errors included; the registration itself is saved
        # Only the error's type: SMTP errors quote the refused addresses.
        logger.error(
            "registration mail failed",
            extra={"registration_id": registration.pk, "kind": kind, "error": type(error).__name__},
        )
        return False
    return True
