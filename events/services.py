"""Writes of the events app: saving events, registering, confirming, cancelling.

All handling of registrants' personal data goes through this module, ``events.retention``
(deleting it) and ``events.mails`` (the mails' texts and sending). Log records carry ids and
counts only, never names or e-mail addresses.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from events.mails import MAIL_REASONS, already_registered_mail_allowed, registration_mail_send
from events.models import Event, EventStatus, Registration, RegistrationStatus
from events.retention import unconfirmed_expired_delete
from events.selectors import (
    event_places_taken,
    registration_closed_reason,
    registration_request_open,
)
from events.validators import canonical_email
from portal.audit import audit_mails

logger = logging.getLogger(__name__)

# Changes to these fields change what a calendar shows, so SEQUENCE goes up (RFC 5545 3.8.7.4).
CALENDAR_FIELDS = frozenset(
    {
        "title",
        "kind",
        "status",
        "status_note",
        "starts_at",
        "ends_at",
        "venue_name",
        "address",
        "municipality",
        "online_url",
        "description",
    }
)


# A change of these tells everyone registered (with the updated .ics): date, time or place.
CHANGE_MAIL_FIELDS = frozenset(
    {"starts_at", "ends_at", "venue_name", "address", "municipality", "online_url"}
)


class RegistrationError(Exception):
    """A registration or cancellation that cannot be done; the message is for the visitor."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


# --- Events -------------------------------------------------------------------------------


def event_save(*, event: Event, changed_fields: Iterable[str] | None = None) -> Event:
    """Save an event from the admin. A new event starts at SEQUENCE 0; every later change of
    a calendar-relevant field raises it. More places move people up from the waiting list."""
    changed = set(changed_fields or ())
    is_new = event.pk is None
    moved: list[Registration] = []
    informed: list[Registration] = []
    kind = f"event_{event.status}"
    with transaction.atomic():
        if not is_new and changed & CALENDAR_FIELDS:
            event.sequence = F("sequence") + 1
        event.save()
        if not is_new:
            event.refresh_from_db(fields=["sequence"])
            if changed & {"capacity", "takes_registrations", "status", "starts_at"}:
                moved = _move_up_waiting(event=Event.objects.select_for_update().get(pk=event.pk))
            if "status" in changed and event.status != EventStatus.PLANNED:
                # Everyone registered hears about a cancellation or postponement.
                informed = _registrants_to_inform(event)
            elif _date_or_place_changed(event, changed):
                informed = _registrants_to_inform(event)
                kind = "event_changed"
    sent = sum(
        registration_mail_send(registration=registration, kind="moved_up") for registration in moved
    )
    audit_mails(obj=event, recipients=sent, reason=MAIL_REASONS["moved_up"])
    sent = sum(
        registration_mail_send(registration=registration, kind=kind) for registration in informed
    )
    audit_mails(obj=event, recipients=sent, reason=MAIL_REASONS.get(kind, ""))
    logger.info(
        "event saved",
        extra={"event_id": event.pk, "sequence": event.sequence, "moved_up": len(moved)},
    )
    return event


def _date_or_place_changed(event: Event, changed: set[str]) -> bool:
    """Whether registrants must hear of the change: a planned event that has not ended
    got another date, time or place (a description, a title or more places is no news)."""
    return (
        bool(changed & CHANGE_MAIL_FIELDS)
        and event.status == EventStatus.PLANNED
        and event.ends_at > timezone.now()
    )


def _registrants_to_inform(event: Event) -> list[Registration]:
    """Confirmed and waiting registrations whose data is still there. Not unconfirmed ones
    (nobody confirmed that address wants mail), not cancelled ones, not purged ones."""
    return list(
        Registration.objects.active()
        .filter(event=event, anonymised_at__isnull=True)
        .exclude(email="")
        .select_related("event")
    )


def event_set_status(*, event: Event, status: str) -> Event:
    """Cancel, postpone or re-plan an event (admin action); calendars see the change."""
    if event.status == status:
        return event
    event.status = status
    return event_save(event=event, changed_fields=["status"])


# --- Registrations ------------------------------------------------------------------------


class RegistrationOutcome(StrEnum):
    """What a sent form did. The visitor is never told: the form answers all alike."""

    CREATED = "created"  # a new request; its confirmation mail went out
    ALREADY_REGISTERED = "already_registered"  # the address is registered or waiting
    PENDING = "pending"  # the address has an open request: nothing new is sent


@dataclass(frozen=True)
class RegistrationRequest:
    outcome: RegistrationOutcome
    registration: Registration | None  # the new registration; None unless CREATED


def registration_create(
    *,
    event: Event,
    name: str,
    email: str,
    persons: int,
    accessibility_needs: str = "",
    now: datetime | None = None,
) -> RegistrationRequest:
    """Take a registration from the form, unconfirmed (double opt-in): it takes no place yet,
    and one mail asks the owner of the address to confirm it (``registration_confirm``)
    within EVENTS_REGISTRATION_CONFIRM_MINUTES; afterwards it is deleted.

    The mail carries nothing the sender typed except the address itself, and an address
    with an open request gets no second one, so the form cannot be used to flood an event or
    to send mail to strangers.

    Whether an address is registered is personal data, so a known address is no error: the
    caller answers as for a new one, and only the mailbox learns the difference. An address
    already registered (or waiting) for this event stays as it is and its owner gets an
    "already registered" mail with the cancel link, at most once per
    EVENTS_REGISTRATION_CONFIRM_MINUTES; an address with an open request (this event or
    another, or one its owner cancelled) gets nothing. Raises RegistrationError and changes
    nothing only for what does not depend on the address: the event is closed, the number of
    persons is out of range, the address is not one mail can be delivered to.
    """
    now = now or timezone.now()
    try:
        # One spelling per mailbox, or "one open request per address" could be sidestepped.
        email = canonical_email(email)
    except ValidationError as error:
        raise RegistrationError(error.messages[0], field="email", code="email_form") from error
    registration = notify = None
    with transaction.atomic():
        # The event lock orders this with staff changes, confirmations and cancellations of
        # the event (its status is read, its expired requests are deleted, once).
        locked = Event.objects.select_for_update().get(pk=event.pk)
        _lock_address(email)
        unconfirmed_expired_delete(event=locked, now=now)
        _check_registration_open(event=locked, persons=persons, now=now)
        existing = Registration.objects.open().filter(event=locked, email__iexact=email).first()
        if existing is not None and existing.status != RegistrationStatus.UNCONFIRMED:
            outcome = RegistrationOutcome.ALREADY_REGISTERED
            notify = already_registered_mail_allowed(registration=existing, now=now)
        elif existing is not None or registration_request_open(email=email, event=locked, now=now):
            outcome = RegistrationOutcome.PENDING
        else:
            registration = _registration_insert(
                event=locked,
                name=name,
                email=email,
                persons=persons,
                accessibility_needs=accessibility_needs,
                now=now,
            )
            # None cannot happen under the locks above; if a row came in some other way, the
            # address has an open registration: as for an open request.
            created = registration is not None
            outcome = RegistrationOutcome.CREATED if created else RegistrationOutcome.PENDING
    _registration_request_notify(
        outcome=outcome, event=locked, registration=registration or existing, notify=notify
    )
    return RegistrationRequest(outcome=outcome, registration=registration)


def _lock_address(email: str) -> None:
    """The address lock is what makes two requests for one address (for this event or six
    others at once) find each other, so one mail goes. Always taken after the event lock, so
    two registrations cannot deadlock."""
    if connection.vendor == "postgresql":  # SQLite serialises writes anyway
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext('events_registration_email'), hashtext(%s))",
                [email.lower()],
            )


def _check_registration_open(*, event: Event, persons: int, now: datetime) -> None:
    """Raise RegistrationError when the event takes no registration of ``persons`` now."""
    reason = registration_closed_reason(event=event, now=now)
    if reason:
        raise RegistrationError(reason, code="closed")
    maximum = event.max_persons_per_registration
    if not 1 <= persons <= maximum:
        raise RegistrationError(
            _("Please enter a number between 1 and %(max)d.") % {"max": maximum},
            field="persons",
            code="persons",
        )


def _registration_insert(
    *, event: Event, name: str, email: str, persons: int, accessibility_needs: str, now: datetime
) -> Registration | None:
    """The new unconfirmed registration, or None when the address already has one."""
    try:
        with transaction.atomic():
            return Registration.objects.create(
                event=event,
                name=name.strip(),
                email=email,
                persons=persons,
                accessibility_needs=accessibility_needs.strip(),
                status=RegistrationStatus.UNCONFIRMED,
                created_at=now,
                confirm_by=now + timedelta(minutes=settings.EVENTS_REGISTRATION_CONFIRM_MINUTES),
            )
    except IntegrityError:
        return None


def _registration_request_notify(
    *,
    outcome: RegistrationOutcome,
    event: Event,
    registration: Registration | None,
    notify: bool | None,
) -> None:
    """Log the outcome (ids only) and send its mail, after the commit of the request."""
    if outcome == RegistrationOutcome.CREATED:
        logger.info(
            "registration created",
            extra={
                "event_id": event.pk,
                "registration_id": registration.pk,
                "persons": registration.persons,
            },
        )
        registration_mail_send(registration=registration, kind="confirm_request")
    elif outcome == RegistrationOutcome.ALREADY_REGISTERED:
        # Log records carry ids only: no address, and nothing the stranger typed.
        logger.info(
            "registration request for a registered address",
            extra={"event_id": event.pk, "registration_id": registration.pk, "mailed": notify},
        )
        if notify:
            registration.event = event
            kind = (
                "already_waiting"
                if registration.status == RegistrationStatus.WAITING
                else "already_registered"
            )
            registration_mail_send(registration=registration, kind=kind)
    else:
        logger.info("registration request pending", extra={"event_id": event.pk})


def registration_confirm(*, registration: Registration, now: datetime | None = None) -> str:
    """The owner of the address followed the link: now the registration counts, and gets a
    confirmed place while places are left, else the waiting list (places go in the order of
    confirmation). Returns the new status; the person gets the usual confirmation or
    waiting-list mail with the cancel link.

    The event row is locked (SELECT … FOR UPDATE) for the whole check-and-update, so two
    people confirming for the last place at the same moment are served one after the other
    and the event is never overbooked. An expired registration is deleted and raises
    RegistrationError(code="expired"); nothing else changes on an error.
    """
    now = now or timezone.now()
    error = None
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=registration.event_id)
        # Committed even when the confirmation fails: an expired one is gone for good.
        unconfirmed_expired_delete(event=event, now=now)
        current = (
            Registration.objects.select_for_update()
            .filter(pk=registration.pk, anonymised_at__isnull=True)
            .exclude(status=RegistrationStatus.CANCELLED)
            .first()
        )
        reason = registration_closed_reason(event=event, now=now)
        if current is None:
            error = RegistrationError(
                _(
                    "This confirmation link has expired: the registration was not confirmed "
                    "in time and has been deleted. Please register again."
                ),
                code="expired",
            )
        elif current.status != RegistrationStatus.UNCONFIRMED:
            error = RegistrationError(
                _("This registration has already been confirmed."), code="already_confirmed"
            )
        elif reason:
            error = RegistrationError(reason, code="closed")
        else:
            taken = event_places_taken(event=event)
            current.status = (
                RegistrationStatus.CONFIRMED
                if taken + current.persons <= (event.capacity or 0)
                else RegistrationStatus.WAITING
            )
            current.confirm_by = None
            current.save(update_fields=["status", "confirm_by"])
    if error is not None:
        raise error
    registration.status, registration.confirm_by = current.status, None
    logger.info(
        "registration confirmed",
        extra={"event_id": event.pk, "registration_id": current.pk, "status": current.status},
    )
    registration_mail_send(
        registration=current,
        kind="confirmed" if current.status == RegistrationStatus.CONFIRMED else "waiting",
    )
    return current.status


def registration_cancel(*, registration: Registration, now: datetime | None = None) -> list:
    """Cancel a registration (cancel link or staff). A freed place goes to the waiting list
    in order of registration; a group that does not fit does not block smaller ones behind it.
    Returns the registrations that moved up; each gets an e-mail."""
    now = now or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=registration.event_id)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status == RegistrationStatus.CANCELLED:
            raise RegistrationError(
                _("This registration has already been cancelled."), code="already_cancelled"
            )
        if current.anonymised_at is not None:
            raise RegistrationError(_("This registration no longer exists."), code="gone")
        if event.starts_at <= now:
            raise RegistrationError(
                _("The event has already begun; the registration can no longer be cancelled."),
                code="started",
            )
        was_confirmed = current.status == RegistrationStatus.CONFIRMED
        was_unconfirmed = current.status == RegistrationStatus.UNCONFIRMED
        current.status = RegistrationStatus.CANCELLED
        current.cancelled_at = now
        current.save(update_fields=["status", "cancelled_at"])
        moved = _move_up_waiting(event=event, now=now) if was_confirmed else []
    registration.status, registration.cancelled_at = current.status, current.cancelled_at
    logger.info(
        "registration cancelled",
        extra={"event_id": event.pk, "registration_id": current.pk, "moved_up": len(moved)},
    )
    # No mail to an address nobody has confirmed.
    sent = (
        0 if was_unconfirmed else registration_mail_send(registration=current, kind="cancelled")
    ) + sum(
        registration_mail_send(registration=moved_registration, kind="moved_up")
        for moved_registration in moved
    )
    audit_mails(obj=event, recipients=sent, reason=MAIL_REASONS["cancelled"])
    return moved


def _move_up_waiting(*, event: Event, now: datetime | None = None) -> list[Registration]:
    """Give free places to the waiting list. The caller holds the lock on the event row."""
    if (
        not event.takes_registrations
        or event.status != EventStatus.PLANNED
        or event.starts_at <= (now or timezone.now())
    ):
        return []
    free = (event.capacity or 0) - event_places_taken(event=event)
    moved = []
    for waiting in Registration.objects.filter(event=event).waiting().select_for_update():
        if free <= 0:
            break
        if waiting.persons <= free:
            waiting.status = RegistrationStatus.CONFIRMED
            waiting.moved_up_at = now or timezone.now()
            waiting.save(update_fields=["status", "moved_up_at"])
            waiting.event = event
            free -= waiting.persons
            moved.append(waiting)
    return moved
