"""Deleting registrants' personal data when it is no longer needed (daily commands).

Part of the events services (all handling of registrants' personal data goes through
``events.services`` and this module). Log records carry counts only.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from events.models import Registration
from portal.audit import (
    KIND_PURGE,
    PURGE_REGISTRATIONS,
    audit_forget_personal_data,
    audit_record,
)

logger = logging.getLogger(__name__)


def registrations_unconfirmed_delete(*, now: datetime | None = None) -> int:
    """Delete every registration not confirmed in time (daily command; registering and
    confirming also remove them for their event). Returns how many."""
    with transaction.atomic():
        count, _details = Registration.objects.unconfirmed_expired(now).delete()
        # Also those deleted earlier while someone registered: the audit log keeps nothing
        # of an address nobody confirmed.
        audit_forget_personal_data(
            model=Registration,
            still_personal=Registration.objects.filter(anonymised_at__isnull=True),
        )
    logger.info("unconfirmed registrations deleted", extra={"registrations": count})
    return count


@dataclass(frozen=True)
class PurgeResult:
    events: int
    registrations: int


def registrations_purge(*, retention_days: int, now: datetime | None = None) -> PurgeResult:
    """Delete name, e-mail and needs of registrations whose event ended more than
    ``retention_days`` ago. The rows stay, emptied, so the numbers of participants remain."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days)
    with transaction.atomic():
        registrations = Registration.objects.filter(
            event__ends_at__lt=cutoff, anonymised_at__isnull=True
        )
        events = registrations.values("event").distinct().count()
        count = registrations.update(
            name="",
            email="",
            accessibility_needs="",
            cancel_token=None,
            anonymised_at=now or timezone.now(),
        )
        # The audit log and the admin's own log named the registrants ("Name (Event)").
        audit_forget_personal_data(
            model=Registration,
            still_personal=Registration.objects.filter(anonymised_at__isnull=True),
        )
        # That it happened, how many, with which retention (a "--days 0" stands out).
        audit_record(
            kind=KIND_PURGE,
            model=Registration,
            what=PURGE_REGISTRATIONS,
            count=count,
            events=events,
            retention_days=retention_days,
            command="purge_registrations",
        )
    logger.info(
        "registrations purged",
        extra={"events": events, "registrations": count, "retention_days": retention_days},
    )
    return PurgeResult(events=events, registrations=count)


def unconfirmed_expired_delete(*, event, now: datetime) -> None:
    """Nothing of a registration that was not confirmed in time is kept: it may be a
    stranger's address. (Takes no place, so nobody moves up.)"""
    Registration.objects.filter(event=event).unconfirmed_expired(now).delete()
