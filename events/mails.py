"""The e-mails to registrants: subject and text of each kind (sent by ``events.services``)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from events.models import Registration
from portal.services import mail_subject

# Why mails went out, for the audit log (English msgids, translated when the log is read).
MAIL_REASONS = {
    "moved_up": gettext_noop("moved up from the waiting list"),
    "cancelled": gettext_noop("registration cancelled"),
    "event_cancelled": gettext_noop("event cancelled"),
    "event_postponed": gettext_noop("event postponed"),
}

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
